"""Migration 0007 on a database with volunteers from before it (SQLite file of its own): the old
hashes become version "0" and are still found, the masks are cut to the first and last character."""
from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import text

from types import SimpleNamespace

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests import factories

NUMBER = factories.resident_id("20000101", seq=7)


def test_existing_rows_keep_being_found_after_the_migration(tmp_path):
    from flask_migrate import upgrade

    app = create_app(TestConfig(f"sqlite:///{tmp_path / 'old.db'}"))
    with app.app_context():
        upgrade(revision="0006_consent_source")  # the schema just before 0007: rows written as SQL
        db.session.execute(text("INSERT INTO sites (id, name, district, address, created_at, updated_at) "
                                "VALUES (1, '旧馆街道', '南浔区', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        db.session.execute(text("INSERT INTO users (id, username, display_name, active, created_at, updated_at) "
                                "VALUES (1, 'zhiyuan', '张喆', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        db.session.execute(text("INSERT INTO role_grants (user_id, role, site_id) VALUES (1, 'volunteer', 1)"))
        site, user = SimpleNamespace(id=1), SimpleNamespace(id=1)
        key = hmac.new(app.config["SECRET_KEY"].encode(), b"huhang/volunteer-id-number", hashlib.sha256).digest()
        old_hash = hmac.new(key, NUMBER.encode(), hashlib.sha256).hexdigest()
        db.session.execute(text(
            "INSERT INTO volunteer_profiles (user_id, site_id, volunteer_number, real_name, phone, id_type, "
            "id_number_hash, id_number_masked, skills, interests, availability, guardian_name, guardian_phone, "
            "guardian_consent, insurance_policy, created_at, updated_at) VALUES (:user, :site, 'V1', '张喆', "
            "'13900000000', 'resident_id', :hash, :masked, '', '', '', '', '', 0, '', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP)"),
            {"user": user.id, "site": site.id, "hash": old_hash, "masked": NUMBER[:4] + "*" * 10 + NUMBER[-4:]})
        db.session.commit()

        upgrade(revision="heads")
        hashed, masked = db.session.execute(text(
            "SELECT id_number_hash, id_number_masked FROM volunteer_profiles")).one()
        assert hashed == "0:" + old_hash
        assert masked == NUMBER[0] + "*" * 16 + NUMBER[-1]

        from app.core.errors import FormError
        from app.sites.models import Site
        from app.volunteers.services import submit_application

        site = db.session.get(Site, 1)

        with app.test_request_context():
            try:
                submit_application(site, {"real_name": "张喆", "phone": "13900000000", "id_type": "resident_id",
                                          "id_number": NUMBER})
            except FormError as error:
                assert error.field == "id_number"
            else:
                raise AssertionError("the volunteer from before the migration was not found")
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()

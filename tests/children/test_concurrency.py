"""Two coordinators enrolling the last place at the same moment never overbook (SQLite file DB and
PostgreSQL: the suite runs on both)."""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from app.children import queries, services
from app.children.models import Enrolment
from app.extensions import db as _db


def test_two_coordinators_race_for_the_last_place(app, db, make, monkeypatch, world):
    season = make.season(world.site, capacity=3)
    for i in range(2):
        make.enrolment(make.child(world.site, f"已录取{i}"), season, status="enrolled")
    racers = []
    for name in ("张三", "李四"):
        child = make.child(world.site, name)
        make.consent(child)
        racers.append(make.enrolment(child, season, status="applied").id)
    coordinator_id = world.users["coordinator"].id

    # widen the window between counting and deciding: without the season lock both would see a
    # free place and both be enrolled
    real_count = queries.enrolled_count

    def slow_count(season_id):
        count = real_count(season_id)
        time.sleep(0.3)
        return count

    monkeypatch.setattr(queries, "enrolled_count", slow_count)
    barrier = threading.Barrier(len(racers))
    errors = []

    def enrol(enrolment_id):
        try:
            with app.test_request_context():
                from flask_login import login_user

                from app.auth.models import User

                login_user(_db.session.get(User, coordinator_id))
                enrolment = _db.session.get(Enrolment, enrolment_id)
                barrier.wait(timeout=10)
                services.decide(enrolment)
                _db.session.commit()
                _db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=enrol, args=(i,)) for i in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    db.session.expire_all()
    statuses = sorted(db.session.scalars(select(Enrolment.status).where(Enrolment.id.in_(racers))))
    assert statuses == ["enrolled", "waitlisted"]
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.season_id == season.id, Enrolment.status == "enrolled")) == 3

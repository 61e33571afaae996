"""The core shape's promises, each guarded by a test that fails when the guard is removed:
loaders refuse clashes, one URL never mixes sites, links read the view's need, one visibility
answer per role, URLs and query strings never answer 500, forms clean what people paste,
spreadsheets never hold formulas, the save path rolls back a refused save, CSRF holds for htmx."""
from __future__ import annotations

import io
from datetime import date

import pytest
from flask import Blueprint, render_template_string
from flask_login import login_user
from wtforms import StringField, TextAreaField

from app import create_app
from app.config import TestConfig
from app.core import permissions
from app.core.errors import FormError
from app.core.forms import BaseForm, DateField, IntegerField, phone_number
from app.core.permissions import (ADMINISTER, COORDINATE, SITE_MANAGE, SITE_VIEW, STAFF, VOLUNTEER_SELF,
                                  can_visit, register_loader, requires, url_if_allowed, visible_site_ids)
from app.core.views import save
from app.sites.models import Room, Season
from tests.conftest import CsrfClient


# --- register_loader ------------------------------------------------------------------------------
def test_register_loader_refuses_a_parameter_registered_twice():
    with pytest.raises(ValueError, match="already registered"):
        register_loader("season_id", Season, lambda season: season.site_id)


@pytest.mark.parametrize("param", ["session_id", "g_id", "request_id"])
def test_register_loader_refuses_a_name_that_shadows_flask(param):
    with pytest.raises(ValueError, match="shadow"):
        register_loader(param, Season, lambda season: season.site_id)
    assert param not in permissions.LOADERS


# --- @requires on a URL naming objects of two sites -----------------------------------------------
@pytest.fixture
def fresh_app(database_uri, app):
    """A new app on the test database with a tiny test blueprint (the `app` fixture empties the
    tables afterwards)."""
    fresh = create_app(TestConfig(database_uri))
    fresh.test_client_class = CsrfClient
    bp = Blueprint("shape_test", __name__)

    @bp.route("/t/<int:season_id>/<int:room_id>")
    @requires(SITE_VIEW)
    def two_objects(season, room):
        return f"{season.name} {room.name}"

    class NameForm(BaseForm):
        name = StringField()

    @bp.route("/t/<int:site_id>/refused-room", methods=["GET", "POST"])
    @requires(SITE_MANAGE)
    def refused_room(site):
        from app.extensions import db

        form = NameForm()

        def action(values):
            db.session.add(Room(site_id=site.id, name=values["name"]))
            db.session.flush()  # written in the savepoint, then refused
            raise FormError("name", "This room name is refused by the test.")

        return save(form, action, done=lambda result: ("saved", 200),
                    again=lambda: fresh.make_response(render_template_string(
                        "{% for e in form.name.errors %}<p class=error>{{ e }}</p>{% endfor %}", form=form)))

    fresh.register_blueprint(bp)
    yield fresh
    from app.extensions import db

    with fresh.app_context():
        db.session.remove()
        db.engine.dispose()


def test_requires_answers_404_for_objects_of_two_sites(fresh_app, make, login, world):
    other_room = make.room(world.other_site, "别处的房间")
    client = fresh_app.test_client()
    login(client, world.users["admin"])
    same = client.get(f"/t/{world.season.id}/{world.room.id}")
    assert same.status_code == 200 and world.room.name in same.get_data(as_text=True)
    assert client.get(f"/t/{world.season.id}/{other_room.id}").status_code == 404
    assert client.get(f"/t/{world.season.id}/999999").status_code == 404


def test_save_rolls_back_a_form_error_and_answers_422_on_the_field(fresh_app, db, make, login, world):
    before = db.session.query(Room).count()
    client = fresh_app.test_client()
    login(client, world.users["coordinator"])
    response = client.post(f"/t/{world.site.id}/refused-room", data={"name": "被拒绝的房间"})
    assert response.status_code == 422
    assert '<p class=error>This room name is refused by the test.</p>' in response.get_data(as_text=True)
    assert db.session.query(Room).count() == before
    assert db.session.query(Room).filter_by(name="被拒绝的房间").count() == 0


# --- links read the view's need -----------------------------------------------------------------
def test_can_visit_reads_the_views_declared_need(app, world, monkeypatch):
    view = app.view_functions["sites.season_list"]
    with app.test_request_context("/"):
        login_user(world.users["auditor"])
        assert can_visit("sites.season_list", site_id=world.site.id)
        assert url_if_allowed("sites.season_list", site_id=world.site.id) == f"/sites/{world.site.id}/seasons"
        assert not can_visit("sites.season_list", site_id=world.other_site.id)
        assert not can_visit("sites.season_list", site_id=999999)
        monkeypatch.setattr(view, "access_need", ADMINISTER)
        assert not can_visit("sites.season_list", site_id=world.site.id)
        assert url_if_allowed("sites.season_list", site_id=world.site.id) is None
        assert not can_visit("no.such_endpoint")


def test_administrator_navigation_links_to_the_audit_trail(client, login, world):
    """The navigation names its endpoints; a renamed endpoint must not silently drop its tab."""
    login(client, world.users["admin"])
    html = client.get("/home").get_data(as_text=True)
    nav = html[html.index('<nav class="nav"'):html.index("</nav>")] if '<nav class="nav"' in html else html
    assert 'href="/audit"' in nav


# --- one visibility answer ------------------------------------------------------------------------
def test_visible_site_ids_for_each_role(world):
    site, other = world.site.id, world.other_site.id
    admin, coordinator = world.users["admin"], world.users["coordinator"]
    auditor, volunteer = world.users["auditor"], world.users["volunteer"]
    assert visible_site_ids(admin, SITE_VIEW) is None and visible_site_ids(admin, SITE_MANAGE) is None
    assert visible_site_ids(admin, STAFF) is None
    assert visible_site_ids(admin, VOLUNTEER_SELF) == set()  # an administrator is nobody's volunteer
    assert visible_site_ids(coordinator, SITE_VIEW) == {site} == visible_site_ids(coordinator, SITE_MANAGE)
    assert visible_site_ids(coordinator, COORDINATE) == {site}
    assert visible_site_ids(world.users["other_coordinator"], SITE_MANAGE) == {other}
    assert visible_site_ids(auditor, SITE_VIEW) == {site} == visible_site_ids(auditor, STAFF)
    assert visible_site_ids(auditor, SITE_MANAGE) == set()
    assert visible_site_ids(volunteer, SITE_VIEW) == set() == visible_site_ids(volunteer, SITE_MANAGE)
    assert visible_site_ids(volunteer, VOLUNTEER_SELF) == {site}
    with pytest.raises(ValueError):
        visible_site_ids(admin, ADMINISTER)


# --- URLs and query strings never answer 500 ------------------------------------------------------
def test_huge_ids_and_pages_answer_404_or_200(client, login, world):
    login(client, world.users["admin"])
    assert client.get("/children/" + "9" * 30).status_code == 404
    assert client.get("/children/9223372036854775807").status_code == 404  # 2**63 - 1
    assert client.get("/children/2147483648").status_code == 404  # 2**31: more than an INTEGER key holds
    assert client.get("/children/2147483647").status_code == 404  # the largest key: no such child
    for url in (f"/sites/{world.site.id}/children", f"/sites/{world.site.id}/rooms", "/admin/users",
                f"/sites/{world.site.id}/donations", f"/sites/{world.site.id}/volunteers", "/audit"):
        for page in ("99999999999999999999999", "-1", "１２", "abc", "0"):
            response = client.get(f"{url}?page={page}")
            assert response.status_code == 200, f"{url}?page={page} -> {response.status_code}"


# --- forms clean what people paste ----------------------------------------------------------------
class PasteForm(BaseForm):
    class Meta:
        csrf = False

    line = StringField()
    text = TextAreaField()
    day = DateField()
    number = IntegerField()
    phone = StringField(validators=[phone_number])


def _form(app, **data):
    with app.test_request_context("/", method="POST", data=data):
        form = PasteForm()
        form.validate()
        return form


def test_forms_remove_nul_and_control_characters(app):
    form = _form(app, line="  张\x00三\x0b ", text="第一行\r\n第二\x00行\x0b\t完")
    assert "\x00" not in form.line.data and "\x0b" not in form.line.data
    assert form.line.data.replace(" ", "") == "张三" and form.line.data == form.line.data.strip()
    assert form.text.data == "第一行\n第二行\t完"
    assert set(form.values()) == {"line", "text", "day", "number", "phone"}  # no csrf_token, form_token


def test_forms_accept_full_width_digits(app):
    form = _form(app, day="２０２５-０７-０８", number="１２３", phone="１３８ ２２２２ ００００")
    assert not form.errors, form.errors
    assert form.day.data == date(2025, 7, 8) and form.number.data == 123 and form.phone.data == "13822220000"


def test_forms_refuse_a_ten_digit_mobile_with_a_message(app):
    form = _form(app, phone="1382222000")
    assert form.errors["phone"] and "11" in form.errors["phone"][0]


@pytest.mark.parametrize("day", ["9999-12-31", "1899-12-31", "2025-02-30", "２１０１-01-01"])
def test_forms_refuse_dates_out_of_range(app, day):
    form = _form(app, day=day)
    assert form.errors.get("day") and form.day.data is None


@pytest.mark.parametrize("number", ["99999999999999999999999999", "2147483648", "1e9", "１２３４５６７８９０１２３"])
def test_forms_refuse_numbers_that_do_not_fit(app, number):
    form = _form(app, number=number)
    assert form.errors.get("number") and form.number.data is None


# --- spreadsheets never hold formulas -------------------------------------------------------------
def test_workbook_writes_formula_like_text_as_text():
    from openpyxl import load_workbook

    from app.core.xlsx import workbook

    risky = ['=1+HYPERLINK("http://evil.example","点我")', "+8613800000000", "-1", "@x", "\tcmd", "正常"]
    data = workbook([("名单", ["姓名", "备注"], [[value, "过敏\x0b花生"] for value in risky])])
    sheet = load_workbook(io.BytesIO(data)).active
    for row, value in enumerate(risky, start=2):
        cell = sheet.cell(row, 1)
        assert cell.data_type == "s", (value, cell.data_type)
        assert cell.value == value
        assert sheet.cell(row, 2).value == "过敏花生"


# --- CSRF holds for htmx too ----------------------------------------------------------------------
def test_htmx_post_without_csrf_token_is_refused(client, db, login, world):
    login(client, world.users["coordinator"])
    before = db.session.query(Room).count()
    response = client.post(f"/sites/{world.site.id}/rooms", data={"name": "没有令牌的房间"},
                           headers={"HX-Request": "true"}, no_csrf=True)
    assert response.status_code == 400
    assert db.session.query(Room).count() == before


# --- ids from form bodies -------------------------------------------------------------------------
@pytest.mark.parametrize("raw", ["99999999999999999999999999", "2147483648", "999999999999999999", "-1", "1.5",
                                 "abc", "1\x00"])
def test_ids_from_a_form_body_that_cannot_be_keys_are_refused_with_a_message(app, db, world, raw):
    from app.core.ids import objects_in_site

    with app.test_request_context("/"), pytest.raises(FormError) as refused:
        objects_in_site(Room, [str(world.room.id), raw], world.site.id)
    assert refused.value.field == "ids"


def test_ids_from_a_form_body_are_checked_against_the_site(app, db, make, world):
    from app.core.ids import objects_in_site

    other_room = make.room(world.other_site, "别处的房间")
    full_width = str(world.room.id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    with app.test_request_context("/"):
        assert objects_in_site(Room, [full_width, str(world.room.id)], world.site.id) == [world.room]
        with pytest.raises(FormError):
            objects_in_site(Room, [str(world.room.id), str(other_room.id)], world.site.id)

"""Pasted junk in the site forms (NUL bytes, text too long, numbers and dates out of range): a
message on the field, 422, nothing written. PostgreSQL refuses NUL in text: run on both databases."""
from __future__ import annotations

import pytest

from app.sites.models import Party, Room, Season, Site, ThemeWeek

LONG = "长" * 501
HUGE = "9" * 30


def _season(world):
    return {"name": "2027年暑期", "theme": "", "start_date": "2027-07-05", "end_date": "2027-08-27",
            "capacity": "80"}


FORMS = {
    # name: (who, url, model, good values, [(changes, message)])
    "site": ("admin", lambda w: "/sites", Site, lambda w: {"name": "新服务点", "district": "南浔区", "address": ""}, [
        ({"name": "\x00\x00"}, "This field is required."),
        ({"name": "长" * 101}, "At most 100 characters."),
        ({"address": "长" * 201}, "At most 200 characters."),
    ]),
    "season": ("coordinator", lambda w: f"/sites/{w.site.id}/seasons", Season, _season, [
        ({"name": "\x00"}, "This field is required."),
        ({"theme": "长" * 201}, "At most 200 characters."),
        ({"capacity": HUGE}, "This number is too large."),
        ({"capacity": "10001"}, "Enter a whole number from 1 to 10000."),
        ({"start_date": "9999-12-31"}, "Enter a date between 1900 and 2100."),
        ({"end_date": "0001-01-01"}, "Enter a date between 1900 and 2100."),
    ]),
    "theme week": ("coordinator", lambda w: f"/seasons/{w.season.id}/theme-weeks", ThemeWeek,
                   lambda w: {"title": "安全周", "starts_on": w.season.start_date.isoformat(),
                              "ends_on": w.season.start_date.isoformat()}, [
        ({"title": "\x00\x1f"}, "This field is required."),
        ({"title": "长" * 101}, "At most 100 characters."),
        ({"ends_on": "2101-01-01"}, "Enter a date between 1900 and 2100."),
        ({"starts_on": "1e25"}, "Enter a date as YYYY-MM-DD."),
    ]),
    "room": ("coordinator", lambda w: f"/sites/{w.site.id}/rooms", Room,
             lambda w: {"name": "三楼阅览室", "floor": "3", "capacity": "20", "notes": ""}, [
        ({"name": "\x00"}, "This field is required."),
        ({"notes": LONG}, "At most 500 characters."),
        ({"floor": HUGE}, "This number is too large."),
        ({"floor": str(2**31)}, "This number is too large."),
        ({"capacity": "1001"}, "Enter a whole number from 1 to 1000."),
    ]),
    "party": ("coordinator", lambda w: f"/sites/{w.site.id}/parties", Party,
              lambda w: {"kind": "charity", "name": "慈善总会", "contact_name": "", "phone": "", "notes": ""}, [
        ({"name": "\x00"}, "This field is required."),
        ({"kind": "\x00"}, "Not a valid choice."),
        ({"contact_name": "长" * 61}, "At most 60 characters."),
        ({"phone": HUGE}, "At most 20 characters."),
        ({"notes": "长" * 1001}, "At most 1000 characters."),
    ]),
}
CASES = [pytest.param(name, changes, message, id=f"{name}: {message} {sorted(changes)}")
         for name, (_who, _url, _model, _good, cases) in FORMS.items() for changes, message in cases]


@pytest.mark.parametrize("name,changes,message", CASES)
def test_bad_input_is_refused_in_place_and_writes_nothing(client, db, login, world, name, changes, message):
    who, url, model, good, _cases = FORMS[name]
    login(client, world.users[who])
    client.post("/auth/language", data={"locale": "en"})
    before = db.session.query(model).count()
    response = client.post(url(world), data={**good(world), **changes})
    assert response.status_code == 422, response.status_code
    assert message in response.get_data(as_text=True)
    assert db.session.query(model).count() == before


@pytest.mark.parametrize("name", list(FORMS))
def test_the_good_values_of_each_form_save(client, db, login, world, name):
    """The bad-input cases above change one value of these: the rest is valid."""
    who, url, model, good, _cases = FORMS[name]
    login(client, world.users[who])
    before = db.session.query(model).count()
    assert client.post(url(world), data=good(world)).status_code == 303
    assert db.session.query(model).count() == before + 1


def test_control_characters_inside_text_are_dropped_not_stored(client, db, login, world):
    """A NUL pasted inside a name is removed at the edge (PostgreSQL would refuse it), the rest saved."""
    login(client, world.users["coordinator"])
    response = client.post(f"/sites/{world.site.id}/parties", data={
        "kind": "charity", "name": "南浔\x00慈善\x07总会", "contact_name": "", "phone": "",
        "notes": "第一行\r\n第二行\x00"})
    assert response.status_code == 303
    party = db.session.query(Party).filter(Party.name.like("南浔%")).one()
    assert party.name == "南浔 慈善 总会" and party.notes == "第一行\n第二行"


def test_a_bad_edit_is_refused_and_changes_nothing(client, db, login, world):
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})
    response = client.post(f"/seasons/{world.season.id}/edit", data={
        "name": "\x00", "start_date": "9999-01-01", "end_date": "2025-08-30", "capacity": HUGE})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This field is required." in html and "Enter a date between 1900 and 2100." in html
    assert "This number is too large." in html
    db.session.expire_all()
    season = db.session.get(Season, world.season.id)
    assert season.name == world.season.name and season.capacity == world.season.capacity

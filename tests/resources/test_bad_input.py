"""Pasted junk in the donation and allocation forms (NUL bytes, text too long, amounts and dates out
of range, NaN): a message on the field, 422, nothing written. Run on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from app.resources.models import Allocation, Donation

HUGE = "9" * 30


@pytest.fixture
def charity(make, world):
    return make.party(world.site, "charity", "南浔区慈善总会")


DONATION_CASES = [
    ({"kind": "in_kind", "item": "\x00\x00"}, "Say what was given."),
    ({"kind": "in_kind", "item": "本" * 121}, "At most 120 characters."),
    ({"kind": "in_kind", "item": "练习本", "unit": "箱" * 21}, "At most 20 characters."),
    ({"kind": "in_kind", "item": "练习本", "quantity": HUGE}, "This number is too large."),
    ({"kind": "in_kind", "item": "练习本", "quantity": "2000000"}, "Enter an amount from 0.01 to 1000000 yuan."),
    ({"purpose": "用" * 201}, "At most 200 characters."),
    ({"value_yuan": "\x00"}, "Enter an amount, e.g. 1200 or 35.50."),
    ({"value_yuan": HUGE}, "This number is too large."),
    ({"value_yuan": "NaN"}, "This number is too large."),
    ({"value_yuan": "Infinity"}, "This number is too large."),
    ({"value_yuan": "1e30"}, "This number is too large."),
    ({"value_yuan": "10000000.01"}, "Enter an amount from 0.01 to 10000000 yuan."),
    ({"value_yuan": "0.001"}, "Enter an amount from 0.01 to 10000000 yuan."),
    ({"received_on": "9999-12-31"}, "Enter a date between 1900 and 2100."),
    ({"received_on": "\x00"}, "Enter a date as YYYY-MM-DD."),
    ({"party_id": HUGE}, "Choose the party the donation came from."),
    ({"kind": "\x00"}, "Not a valid choice."),
]


@pytest.mark.parametrize("changes,message", DONATION_CASES, ids=[m + " " + str(sorted(c)) for c, m in DONATION_CASES])
def test_bad_donation_input_is_refused_and_writes_nothing(client, db, login, world, charity, changes, message):
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})
    data = {"party_id": charity.id, "kind": "cash", "value_yuan": "5000", "received_on": "2025-07-10", **changes}
    response = client.post(f"/sites/{world.site.id}/donations", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(Donation).count() == 0


ALLOCATION_CASES = [
    ({"note": "注" * 201}, "At most 200 characters."),
    ({"value_yuan": "\x00"}, "Enter an amount, e.g. 1200 or 35.50."),
    ({"value_yuan": HUGE}, "This number is too large."),
    ({"value_yuan": "-Infinity"}, "This number is too large."),
    ({"value_yuan": "sNaN"}, "This number is too large."),
    ({"used_on": "0001-01-01"}, "Enter a date between 1900 and 2100."),
    ({"used_for": "\x00"}, "Not a valid choice."),
]


@pytest.mark.parametrize("changes,message", ALLOCATION_CASES,
                         ids=[m + " " + str(sorted(c)) for c, m in ALLOCATION_CASES])
def test_bad_allocation_input_is_refused_and_writes_nothing(client, db, login, make, world, charity, changes, message):
    donation = make.donation(world.site, charity, "1000", season=world.season)
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})
    data = {"used_for": "meals", "value_yuan": "100", "used_on": "2025-07-11", **changes}
    response = client.post(f"/donations/{donation.id}/allocations", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(Allocation).count() == 0


def test_a_nul_inside_the_text_is_dropped_and_the_donation_saved(client, db, login, world, charity):
    login(client, world.users["coordinator"])
    response = client.post(f"/sites/{world.site.id}/donations", data={
        "party_id": charity.id, "kind": "in_kind", "item": "练习\x00本", "quantity": "２００", "unit": "本",
        "value_yuan": "６００", "received_on": "2025-07-10", "purpose": "学业\x00辅导"})
    assert response.status_code == 303
    donation = db.session.query(Donation).one()
    assert (donation.item, donation.purpose, str(donation.value_yuan)) == ("练习 本", "学业 辅导", "600.00")

"""Donations in cash or kind, how they were used (never more than given), and the five-party ledger."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core.timeutil import local_today
from app.resources.models import Allocation, Donation


@pytest.fixture
def charity(make, world):
    return make.party(world.site, "charity", "南浔区慈善总会")


def test_coordinator_records_a_donation_and_its_use(client, db, login, world, charity):
    login(client, world.users["coordinator"])
    assert client.get(f"/sites/{world.site.id}/donations").status_code == 200
    response = client.post(f"/sites/{world.site.id}/donations", data={
        "party_id": charity.id, "kind": "in_kind", "item": "练习本", "quantity": "200", "unit": "本",
        "value_yuan": "600", "received_on": "2025-07-10", "purpose": "学业辅导"})
    assert response.status_code == 303
    donation = db.session.query(Donation).one()
    assert (donation.kind, donation.item, donation.value_yuan, donation.season_id) == (
        "in_kind", "练习本", Decimal("600.00"), world.season.id)

    response = client.post(f"/donations/{donation.id}/allocations", data={
        "used_for": "materials", "value_yuan": "450.50", "used_on": "2025-07-12", "note": "三年级"})
    assert response.status_code == 303
    page = client.get(f"/donations/{donation.id}").get_data(as_text=True)
    assert "149.50" in page and "练习本" in page

    client.post("/auth/language", data={"locale": "en"})
    too_much = client.post(f"/donations/{donation.id}/allocations", data={
        "used_for": "prizes", "value_yuan": "149.51", "used_on": "2025-07-12"})
    assert too_much.status_code == 422 and "Only 149.50 yuan" in too_much.get_data(as_text=True)
    before = client.post(f"/donations/{donation.id}/allocations", data={
        "used_for": "prizes", "value_yuan": "10", "used_on": "2025-07-01"})
    assert before.status_code == 422 and "before it was received" in before.get_data(as_text=True)
    assert client.post(f"/donations/{donation.id}/allocations", data={
        "used_for": "prizes", "value_yuan": "149.50", "used_on": "2025-07-20"}).status_code == 303
    assert db.session.query(Allocation).count() == 2
    listing = client.get(f"/sites/{world.site.id}/donations").get_data(as_text=True)
    assert "0.00" in listing


@pytest.mark.parametrize("values,message", [
    ({"party_id": "0"}, "Choose the party"),
    ({"value_yuan": ""}, "This field is required."),
    ({"value_yuan": "lots"}, "Enter an amount"),
    ({"value_yuan": "-5"}, "Enter an amount from 0.01"),
    ({"kind": "in_kind", "item": ""}, "Say what was given."),
    ({"kind": "gold"}, "Not a valid choice"),
    ({"received_on": (local_today() + timedelta(days=3)).isoformat()}, "cannot be in the future"),
])
def test_bad_donations_are_refused(client, db, login, world, charity, values, message):
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})
    data = {"party_id": charity.id, "kind": "cash", "value_yuan": "5000", "received_on": "2025-07-10"}
    data.update(values)
    response = client.post(f"/sites/{world.site.id}/donations", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.query(Donation).count() == 0


def test_a_party_of_another_site_is_refused(client, db, login, make, world):
    theirs = make.party(world.other_site, "charity", "别处的基金会")
    login(client, world.users["coordinator"])
    response = client.post(f"/sites/{world.site.id}/donations", data={
        "party_id": theirs.id, "kind": "cash", "value_yuan": "10", "received_on": "2025-07-10"})
    assert response.status_code == 422
    assert db.session.query(Donation).count() == 0


def test_the_ledger_shows_the_five_parties(client, db, login, make, world, charity):
    team = make.party(world.site, "volunteer", "湖州师范学院青年志愿者服务队")
    make.party(world.site, "social_worker", "旧馆街道社工站")
    profile = make.volunteer_profile(world.users["volunteer"], world.site, party_id=team.id)
    make.hour_entry(profile, date(2025, 7, 8), "09:00", "12:00", status="approved", season=world.season)
    make.hour_entry(profile, date(2025, 7, 9), "09:00", "12:00", status="pending", season=world.season)
    make.donation(world.site, charity, "5000", season=world.season)
    make.donation(world.site, world.party, "800", kind="in_kind", item="场地布置", season=world.season)
    make.room(world.site, "二楼学习室", capacity=30)
    login(client, world.auditor if hasattr(world, "auditor") else world.users["auditor"])
    html = client.get(f"/seasons/{world.season.id}/ledger").get_data(as_text=True)
    volunteer_row = html[html.index('data-testid="ledger-volunteer"'):][:800]
    assert "湖州师范学院青年志愿者服务队" in volunteer_row and "3" in volunteer_row
    community_row = html[html.index('data-testid="ledger-community"'):][:800]
    assert "800.00" in community_row and "2" in community_row
    assert "5,000.00" in html and "5,800.00" in html
    assert "<svg" in html and 'class="bar"' in html
    assert client.get(f"/sites/{world.site.id}/ledger").status_code == 302


def test_the_ledger_costs_the_same_queries_with_more_data(client, login, make, world, charity, count_queries):
    login(client, world.users["coordinator"])
    url = f"/seasons/{world.season.id}/ledger"  # outside the count: the test's own objects may reload

    def queries():
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = queries()
    for i in range(5):
        party = make.party(world.site, "charity", f"企业{i}")
        make.donation(world.site, party, "100", season=world.season)
        profile = make.volunteer_profile(make.user("volunteer", world.site), world.site)
        make.hour_entry(profile, date(2025, 7, 8), status="approved", season=world.season)
    assert queries() == few

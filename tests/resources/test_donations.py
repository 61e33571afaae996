"""Donations in cash or kind, how they were used (never more than given), and the five-party ledger."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import re

import pytest

from app.core.timeutil import local_today
from app.resources.models import Allocation, Donation
from tests.http import HttpClient, race


def cell(html: str, row_testid: str, label: str) -> str:
    """The text of the cell labelled ``label`` in the table row ``data-testid=row_testid``."""
    row = re.search(rf'<tr data-testid="{re.escape(row_testid)}">(.*?)</tr>', html, re.S)
    assert row, f"no row {row_testid}"
    found = re.search(rf'<t[dh][^>]*data-label="{re.escape(label)}"[^>]*>(.*?)</t[dh]>', row.group(1), re.S)
    assert found, f"no cell {label} in row {row_testid}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def balance(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html.split('data-testid="balance">', 1)[1].split("</dd>", 1)[0]).strip()


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
    assert balance(page) == "149.50" and "练习本" in page

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
    assert cell(listing, f"donation-{donation.id}", "Left (yuan)") == "0.00"  # the page is in English now
    assert cell(listing, f"donation-{donation.id}", "Value (yuan)") == "600.00"
    assert balance(client.get(f"/donations/{donation.id}").get_data(as_text=True)) == "0.00"


def test_the_left_column_is_the_value_minus_what_was_used(client, db, login, make, world, charity):
    """Each donation's row shows what is left of it, not its full value (and not another row's use)."""
    used = make.donation(world.site, charity, "1000", season=world.season)
    untouched = make.donation(world.site, charity, "300", season=world.season)
    db.session.add_all([Allocation(donation_id=used.id, used_for="meals", value_yuan=Decimal("250.25"),
                                   used_on=date(2025, 7, 11)),
                        Allocation(donation_id=used.id, used_for="prizes", value_yuan=Decimal("49.75"),
                                   used_on=date(2025, 7, 12))])
    db.session.commit()
    login(client, world.users["auditor"])
    listing = client.get(f"/sites/{world.site.id}/donations").get_data(as_text=True)
    assert cell(listing, f"donation-{used.id}", "价值（元）") == "1,000.00"
    assert cell(listing, f"donation-{used.id}", "余额（元）") == "700.00"
    assert cell(listing, f"donation-{untouched.id}", "余额（元）") == "300.00"
    page = client.get(f"/donations/{used.id}").get_data(as_text=True)
    assert balance(page) == "700.00"


def test_a_double_sent_form_records_one_donation_and_one_use(client, db, login, world, charity):
    login(client, world.users["coordinator"])
    data = {"party_id": charity.id, "kind": "cash", "value_yuan": "500", "received_on": "2025-07-10",
            "form_token": "same-rendered-form"}
    first = client.post(f"/sites/{world.site.id}/donations", data=data)
    second = client.post(f"/sites/{world.site.id}/donations", data=data)
    assert first.status_code == second.status_code == 303 and second.location == first.location
    assert db.session.query(Donation).count() == 1
    donation = db.session.query(Donation).one()
    use = {"used_for": "meals", "value_yuan": "100", "used_on": "2025-07-11", "form_token": "same-use-form"}
    assert client.post(f"/donations/{donation.id}/allocations", data=use).status_code == 303
    assert client.post(f"/donations/{donation.id}/allocations", data=use).status_code == 303
    assert db.session.query(Allocation).count() == 1


def test_two_uses_sent_at_once_never_spend_more_than_was_given(live_server, db, make, world, charity):
    """Two coordinators each record a use of 600 of a 1,000 donation at the same moment: one is
    saved, the other is told what is left (real concurrent requests, SQLite and PostgreSQL)."""
    donation = make.donation(world.site, charity, "1000", season=world.season)
    second = make.user("coordinator", world.site, username="coordinator2")
    clients = [HttpClient(live_server).login(world.users["coordinator"]), HttpClient(live_server).login(second)]
    url = f"/donations/{donation.id}/allocations"
    tokens = [c.page_tokens(f"/donations/{donation.id}")[1] for c in clients]
    results = race([lambda c=c, t=t: c.post(url, {"used_for": "meals", "value_yuan": "600", "used_on": "2025-07-11",
                                                  "form_token": t}) for c, t in zip(clients, tokens)])
    assert sorted(r.status for r in results) == [303, 422], [getattr(r, "status", r) for r in results]
    assert "400.00" in next(r.text for r in results if r.status == 422)
    db.session.expire_all()
    assert [a.value_yuan for a in db.session.query(Allocation)] == [Decimal("600.00")]


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
    assert cell(html, "ledger-volunteer", "参与方") == "湖州师范学院青年志愿者服务队"
    contribution = cell(html, "ledger-volunteer", "投入")
    assert re.search(r"\b3(\.0)?\b", contribution) and "1" in contribution, contribution  # 3 approved hours, 1 volunteer
    assert "6" not in contribution  # the pending 3 hours do not count
    assert cell(html, "ledger-community", "捐赠（元）") == "800.00"
    assert re.search(r"\b2\b", cell(html, "ledger-community", "投入"))  # two rooms (the world's and this one)
    assert cell(html, "ledger-charity", "捐赠（元）") == "5,000.00"
    total = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert "<strong>5,800.00</strong>" in total
    assert "<svg" in html and 'class="bar"' in html
    assert client.get(f"/sites/{world.site.id}/ledger").status_code == 302


def test_the_ledger_counts_each_volunteer_once_across_teams(client, login, make, world):
    """Volunteers of two teams and one without a team, several approved entries each (and one with
    only pending hours): the ledger names 4 volunteers and their approved hours, whatever the team."""
    teams = [make.party(world.site, "volunteer", "师范学院服务队"), make.party(world.site, "volunteer", "街道青年队")]
    profiles = [make.volunteer_profile(make.user("volunteer", world.site), world.site, party_id=party_id)
                for party_id in (teams[0].id, teams[0].id, teams[1].id, None)]
    for profile in profiles:
        for day in (8, 9):
            make.hour_entry(profile, date(2025, 7, day), "09:00", "11:00", status="approved", season=world.season)
    waiting = make.volunteer_profile(make.user("volunteer", world.site), world.site, party_id=teams[1].id)
    make.hour_entry(waiting, date(2025, 7, 8), status="pending", season=world.season)
    login(client, world.users["coordinator"])
    html = client.get(f"/seasons/{world.season.id}/ledger").get_data(as_text=True)
    assert "4 名志愿者，已通过服务时长 16 小时" in cell(html, "ledger-volunteer", "投入")


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


def test_the_ledger_reads_its_site_with_the_seasons(client, login, make, world, count_queries):
    login(client, world.users["coordinator"])
    url = f"/seasons/{world.season.id}/ledger"
    client.get(url)
    with count_queries() as reads:
        html = client.get(url).get_data(as_text=True)
    assert world.site.name in html and world.season.name in html
    flat = [" ".join(s.split()) for s in reads.statements]
    assert not [s for s in flat if s.startswith("SELECT sites.")]  # the site came with the seasons
    assert not [s for s in flat if s.startswith("SELECT parties.id, parties.site_id")]  # names and kinds only
    # the season, the user (with the open-alerts badge of a coordinator's navigation), the seasons
    # with their site, parties, hours, rooms, donations, sessions
    assert reads.count == 8, "\n".join(s[:120] for s in reads.statements)

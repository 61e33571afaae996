"""A season's page is where a coordinator starts (issue 9): its dates and places, the children
enrolled / waiting / without consent (each a link to the filtered roster), volunteers and pending
hours (to the queue), the ledger's total, theme weeks and every link of the season; the site
overview shows its current season and what waits today; the page costs the same queries with more data."""
from __future__ import annotations

import re
from datetime import date

import pytest


def season_data(make, world, children=3, volunteers=2):
    """Children (one without consent, one waiting) and volunteers with hours in ``world.season``."""
    for i in range(children):
        child = make.child(world.site)
        make.enrolment(child, world.season, "waitlisted" if i == 0 else "enrolled")
        if i != children - 1:
            make.consent(child)
    for _ in range(volunteers):
        profile = make.volunteer_profile(site=world.site)
        make.hour_entry(profile, date(2025, 7, 8), "09:00", "10:30", season=world.season)
        make.hour_entry(profile, date(2025, 7, 9), "09:00", "11:00", status="approved", season=world.season)
    make.donation(world.site, world.party, "1200.00", season=world.season)


def stat(html: str, key: str) -> str:
    match = re.search(rf'<(a|div) class="card stat[^"]*"(?: href="([^"]*)")? data-testid="count-{key}">(.*?)</\1>',
                      html, re.S)
    assert match, f"no {key} card"
    return match.group(0)


def test_the_season_page_shows_the_numbers_each_linking_to_its_list(client, login, make, world):
    season_data(make, world)
    make.child(world.site)  # a child of the site not on this season: counted nowhere here
    login(client, world.users["coordinator"])
    response = client.get(f"/seasons/{world.season.id}/overview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2025年7月7日 – 2025年8月29日" in html and "80 个名额" in html
    enrolled = stat(html, "enrolled")
    assert ">2 / 80<" in enrolled and f'href="/seasons/{world.season.id}/children?status=enrolled"' in enrolled
    assert ">1<" in stat(html, "waitlisted") and "status=waitlisted" in stat(html, "waitlisted")
    consent = stat(html, "consent")
    assert ">1<" in consent and f'href="/seasons/{world.season.id}/children?consent=missing"' in consent
    pending = stat(html, "pending")
    assert ">2<" in pending and "3 小时" in pending and f'href="/sites/{world.site.id}/hours/pending"' in pending
    assert ">2<" in stat(html, "volunteers")
    ledger = re.search(r'data-testid="ledger-total">(.*?)</a>', html, re.S).group(1)
    assert "1,200" in ledger and "4 小时" in ledger
    assert f'href="/seasons/{world.season.id}/ledger" data-testid="ledger-total"' in html
    links = re.search(r'data-testid="season-links">(.*?)</section>', html, re.S).group(1)
    for href in (f"/seasons/{world.season.id}/children\"", f"/sites/{world.site.id}/children/import?season={world.season.id}",
                 f"/seasons/{world.season.id}/children.xlsx", f"/seasons/{world.season.id}/ledger",
                 f"/seasons/{world.season.id}/children?status=waitlisted"):
        assert f'href="{href}' in links


def test_the_consent_missing_link_lists_exactly_those_children(client, login, make, world):
    waiting = make.child(world.site, "甲无同意")
    make.enrolment(waiting, world.season, "enrolled")
    fine = make.child(world.site, "乙有同意")
    make.consent(fine)
    make.enrolment(fine, world.season, "enrolled")
    gone = make.child(world.site, "丙已退出")
    make.enrolment(gone, world.season, "withdrawn")
    login(client, world.users["coordinator"])
    html = client.get(f"/seasons/{world.season.id}/children?consent=missing").get_data(as_text=True)
    assert "甲无同意" in html and "乙有同意" not in html and "丙已退出" not in html


def test_the_import_link_of_a_season_preselects_that_season(client, login, make, world):
    older = make.season(world.site, "2024年暑期", start_date=date(2024, 7, 8), end_date=date(2024, 8, 30))
    login(client, world.users["coordinator"])
    html = client.get(f"/sites/{world.site.id}/children/import?season={older.id}").get_data(as_text=True)
    assert re.search(rf'<option[^>]*selected[^>]*value="{older.id}"|<option[^>]*value="{older.id}"[^>]*selected', html)


def test_an_auditor_sees_the_numbers_without_links_that_answer_403(client, login, make, world):
    season_data(make, world)
    login(client, world.users["auditor"])
    html = client.get(f"/seasons/{world.season.id}/overview").get_data(as_text=True)
    assert '<div class="card stat" data-testid="count-enrolled">' in html
    main = html[html.index("<main"):]
    links = [href for href in re.findall(r'href="(/[^"]*)"', main) if not href.startswith("/static/")]
    assert f"/seasons/{world.season.id}/ledger" in links
    for href in links:
        assert client.get(href, follow_redirects=True).status_code == 200, href  # a tab may lead on (膳食 → the season's menus)


def test_the_season_list_links_to_the_season_page(client, login, world):
    login(client, world.users["coordinator"])
    html = client.get(f"/sites/{world.site.id}/seasons").get_data(as_text=True)
    assert f'href="/seasons/{world.season.id}/overview"' in html


@pytest.mark.parametrize("role", ["volunteer", "guardian", "other_coordinator"])
def test_others_cannot_open_a_season_page(client, login, world, role):
    login(client, world.users[role])
    assert client.get(f"/seasons/{world.season.id}/overview").status_code == 403


def test_the_season_page_costs_the_same_queries_with_more_data(client, login, make, world, count_queries):
    login(client, world.users["coordinator"])

    def run():
        with count_queries() as counter:
            assert client.get(f"/seasons/{world.season.id}/overview").status_code == 200
        return counter.count

    season_data(make, world, children=1, volunteers=1)
    few = run()
    season_data(make, world, children=12, volunteers=6)
    make.season(world.site, "2019年暑期")
    assert run() == few


def test_the_site_overview_shows_the_current_season_and_what_waits(client, login, make, world, count_queries):
    season_data(make, world)
    make.application(world.site)
    login(client, world.users["coordinator"])
    client.get(f"/sites/{world.site.id}/overview")
    with count_queries() as first:
        html = client.get(f"/sites/{world.site.id}/overview").get_data(as_text=True)
    current = re.search(r'data-testid="current-season">(.*?)</section>', html, re.S).group(1)
    assert f'href="/seasons/{world.season.id}/overview" data-testid="current-season-link">2025年暑期<' in current
    assert ">2 / 80<" in stat(html, "enrolled") and ">1<" in stat(html, "consent")
    assert ">2<" in stat(html, "pending") and ">1<" in stat(html, "applications")
    assert f'href="/sites/{world.site.id}/applications"' in stat(html, "applications")
    season_data(make, world, children=5, volunteers=4)
    make.application(world.site)
    client.get(f"/sites/{world.site.id}/overview")
    with count_queries() as second:
        client.get(f"/sites/{world.site.id}/overview")
    assert second.count == first.count


def test_a_site_without_seasons_says_so(client, login, make, world):
    site = make.site("新服务点")
    login(client, world.users["admin"])
    html = client.get(f"/sites/{site.id}/overview").get_data(as_text=True)
    assert "尚未安排期次" in html and f'href="/sites/{site.id}/seasons"' in html


@pytest.mark.parametrize("query", ["season=abc", "season=99999999999999999999999", "season=-1", "season=%00",
                                   "season=１"])
def test_an_odd_season_in_the_import_link_falls_back_to_the_current_season(client, login, world, query):
    login(client, world.users["coordinator"])
    response = client.get(f"/sites/{world.site.id}/children/import?{query}")
    assert response.status_code == 200


def test_a_season_of_another_site_is_not_preselected(client, login, make, world):
    elsewhere = make.season(world.other_site, "外点暑期")
    login(client, world.users["coordinator"])
    html = client.get(f"/sites/{world.site.id}/children/import?season={elsewhere.id}").get_data(as_text=True)
    assert "外点暑期" not in html and response_ok(html)


def response_ok(html: str) -> bool:
    return "<form" in html


@pytest.mark.parametrize("value", ["yes", "%00", "missing" * 50, ""])
def test_an_odd_consent_filter_is_ignored(client, login, make, world, value):
    fine = make.child(world.site, "乙有同意")
    make.consent(fine)
    make.enrolment(fine, world.season, "enrolled")
    login(client, world.users["coordinator"])
    response = client.get(f"/seasons/{world.season.id}/children?consent={value}")
    assert response.status_code == 200 and "乙有同意" in response.get_data(as_text=True)

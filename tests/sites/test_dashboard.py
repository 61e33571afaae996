"""The home page: each person's sites (as the permissions module sees them), their newest seasons,
season names linking to the season's page for those who may open it."""
from __future__ import annotations

import re

import pytest


def cards(html: str) -> dict[str, str]:
    """{site name: card html}."""
    return {m.group(1).strip(): m.group(0) for m in re.finditer(r'<section class="card">\s*<h2>([^<]+)</h2>.*?</section>',
                                                                 html, re.S)}


def test_a_coordinator_lands_on_the_day_at_their_site_with_its_tabs(client, login, make, world):
    login(client, world.users["coordinator"])
    html = client.get("/home").get_data(as_text=True)
    assert cards(html) == {}  # not the list of sites: the day at their site (tests/daily/test_expected_and_home.py)
    assert f'href="/sites/{world.site.id}/today"' in html and f'href="/sites/{world.site.id}/seasons"' in html
    assert world.other_site.name not in html


def test_the_administrator_sees_a_site_and_opens_its_seasons(client, login, make, world):
    old = make.season(world.site, "2023年暑期", start_date=world.season.start_date.replace(year=2023),
                      end_date=world.season.end_date.replace(year=2023))
    login(client, world.users["admin"])
    card = cards(client.get("/home").get_data(as_text=True))[world.site.name]
    for season in (world.season, old):
        assert f'<a href="/seasons/{season.id}/overview" data-testid="season-{season.id}"><strong>{season.name}</strong></a>' in card
    assert f'href="/sites/{world.site.id}/overview"' in card


@pytest.mark.parametrize("role", ["volunteer", "guardian"])
def test_volunteers_and_guardians_see_their_site_without_links_they_cannot_open(client, login, world, role):
    login(client, world.users[role])
    found = cards(client.get("/home").get_data(as_text=True))
    assert set(found) == {world.site.name}
    card = found[world.site.name]
    assert world.season.name in card and "/theme-weeks" not in card and "/overview" not in card


def test_a_coordinator_of_another_site_sees_only_that_one(client, login, world):
    login(client, world.users["other_coordinator"])
    html = client.get("/home").get_data(as_text=True)
    assert f'href="/sites/{world.other_site.id}/today"' in html and f'/sites/{world.site.id}/' not in html


def test_the_administrator_sees_every_site(client, login, make, world):
    archived = make.site("旧服务点")
    from app.core.timeutil import utcnow
    from app.extensions import db

    archived.archived_at = utcnow()
    db.session.commit()
    login(client, world.users["admin"])
    assert set(cards(client.get("/home").get_data(as_text=True))) == {world.site.name, world.other_site.name}


def test_at_most_three_seasons_per_site_and_the_same_queries_with_more(client, login, make, world, count_queries):
    login(client, world.users["admin"])

    def queries():
        with count_queries() as counter:
            html = client.get("/home").get_data(as_text=True)
        return counter.count, html

    few, _html = queries()
    for year in range(2015, 2022):
        make.season(world.site, f"{year}年暑期", start_date=world.season.start_date.replace(year=year),
                    end_date=world.season.end_date.replace(year=year))
        site = make.site(f"新服务点{year}")
        make.season(site, f"{year}年寒假")
    more, html = queries()
    assert more == few
    card = cards(html)[world.site.name]
    assert card.count("data-testid=\"season-") == 3 and "2021年暑期" in card and "2015年暑期" not in card


# --- issue 9: each role's home leads somewhere useful ---------------------------------------------
def test_the_administrator_sees_the_current_season_first_and_its_numbers(client, login, make, world):
    from datetime import date

    from app.core.timeutil import local_today

    today = local_today()
    past = make.season(world.site, "去年暑期", start_date=date(today.year - 1, 7, 1), end_date=date(today.year - 1, 8, 1))
    running = make.season(world.site, "本期", start_date=today, end_date=today.replace(year=today.year + 1))
    future = make.season(world.site, "下一期", start_date=today.replace(year=today.year + 2),
                         end_date=today.replace(year=today.year + 3))
    make.enrolment(make.child(world.site), running, "enrolled")
    profile = make.volunteer_profile(site=world.site)
    make.hour_entry(profile, today)
    login(client, world.users["admin"])
    card = cards(client.get("/home").get_data(as_text=True))[world.site.name]
    items = re.findall(r'data-testid="season-(\d+)"', card)
    assert items[0] == str(running.id) and str(past.id) not in items[:1] and len(items) == 3
    assert f'<a href="/seasons/{running.id}/overview" data-testid="season-{running.id}">' in card
    current = card[card.index(f'data-testid="season-{running.id}"'):]
    assert current.index('data-testid="current-season"') < current.index("</li>")
    assert "已录取 1 / 80，候补 0" in card
    assert f'href="/sites/{world.site.id}/hours/pending" data-testid="pending-{world.site.id}">1 条时长待审核' in card
    assert str(future.id) in items


def test_a_volunteer_is_led_to_their_corner_first(client, login, make, world):
    make.volunteer_profile(world.users["volunteer"], world.site)
    login(client, world.users["volunteer"])
    html = client.get("/home").get_data(as_text=True)
    first = html.index('data-testid="volunteer-card"')
    assert first < html.index(f"<h2>{world.site.name}</h2>")
    assert 'href="/me/volunteer" data-testid="my-corner"' in html
    assert client.get("/me/volunteer").status_code == 302


def test_a_guardian_reads_that_the_family_page_is_coming_and_whom_to_call(client, login, make, world):
    make.party(world.site, "charity", "某公司", phone="05720000000")
    make.party(world.site, "social_worker", "旧馆街道社工站", contact_name="李晓梅", phone="13800000002")
    login(client, world.users["guardian"])
    html = client.get("/home").get_data(as_text=True)
    note = re.search(r'data-testid="guardian-card">(.*?)</section>', html, re.S).group(1)
    assert "家长页面即将上线" in note
    assert "旧馆街道社工站" in note and 'href="tel:13800000002"' in note and "某公司" not in note


def test_an_auditor_gets_the_pages_they_may_read_and_no_link_that_refuses(client, login, world):
    login(client, world.users["auditor"])
    html = client.get("/home").get_data(as_text=True)
    block = re.search(r'data-testid="auditor-card">(.*?)</section>', html, re.S).group(1)
    links = re.findall(r'href="(/[^"]*)"', block)
    assert f"/seasons/{world.season.id}/overview" in links and f"/seasons/{world.season.id}/ledger" in links
    main = html[html.index("<main"):]
    for href in re.findall(r'href="(/[^"]*)"', main):
        if not href.startswith("/static/"):
            assert client.get(href).status_code == 200, href

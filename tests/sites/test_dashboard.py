"""The home page: each person's sites (as the permissions module sees them), their newest seasons,
season names linking to the season's page for those who may open it."""
from __future__ import annotations

import re

import pytest


def cards(html: str) -> dict[str, str]:
    """{site name: card html}."""
    return {m.group(1).strip(): m.group(0) for m in re.finditer(r'<section class="card">\s*<h2>([^<]+)</h2>.*?</section>',
                                                                 html, re.S)}


def test_a_coordinator_sees_their_site_and_opens_its_seasons(client, login, make, world):
    old = make.season(world.site, "2023年暑期", start_date=world.season.start_date.replace(year=2023),
                      end_date=world.season.end_date.replace(year=2023))
    login(client, world.users["coordinator"])
    found = cards(client.get("/home").get_data(as_text=True))
    assert set(found) == {world.site.name}
    card = found[world.site.name]
    for season in (world.season, old):
        assert f'<a href="/seasons/{season.id}/theme-weeks" data-testid="season-{season.id}"><strong>{season.name}</strong></a>' in card
    assert f'href="/sites/{world.site.id}/overview"' in card
    assert client.get(f"/seasons/{world.season.id}/theme-weeks").status_code == 200


@pytest.mark.parametrize("role", ["volunteer", "guardian"])
def test_volunteers_and_guardians_see_their_site_without_links_they_cannot_open(client, login, world, role):
    login(client, world.users[role])
    found = cards(client.get("/home").get_data(as_text=True))
    assert set(found) == {world.site.name}
    card = found[world.site.name]
    assert world.season.name in card and "/theme-weeks" not in card and "/overview" not in card


def test_a_coordinator_of_another_site_sees_only_that_one(client, login, world):
    login(client, world.users["other_coordinator"])
    assert set(cards(client.get("/home").get_data(as_text=True))) == {world.other_site.name}


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

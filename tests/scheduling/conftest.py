import pytest

from tests.scheduling import helpers


@pytest.fixture
def plan(db, world):
    """The world's season with an activity, a group of three children and a second room."""
    class Plan:
        season = world.season
        room = world.room
        coordinator = world.users["coordinator"]
        activity = helpers.activity(db, world.season)
        other_activity = helpers.activity(db, world.season, "书法", "interest")
        group = helpers.group(db, world.season, children=3)
        other_group = helpers.group(db, world.season, "四年级", grade=4, children=2)

    from tests import factories
    Plan.other_room = factories.room(world.site, "二楼教室", capacity=30)
    return Plan


@pytest.fixture
def en(client):
    """The client reads the app in English (messages asserted as written)."""
    def switch(c=client):
        c.post("/auth/language", data={"locale": "en"})
    return switch

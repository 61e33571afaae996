import pytest


@pytest.fixture
def coordinator(app, login, world):
    """A client signed in as the world's coordinator."""
    client = app.test_client()
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})  # messages asserted in English
    return client


@pytest.fixture
def admin_client(app, login, world):
    client = app.test_client()
    login(client, world.users["admin"])
    client.post("/auth/language", data={"locale": "en"})
    return client

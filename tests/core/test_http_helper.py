"""The real-HTTP helper used by the concurrency tests: a double tap on one rendered form saves once."""
from __future__ import annotations

from app.sites.models import Room
from tests.http import HttpClient, race


def test_the_same_form_sent_twice_at_once_saves_one_room(live_server, db, world):
    client = HttpClient(live_server).login(world.users["coordinator"])
    url = f"/sites/{world.site.id}/rooms"
    _, form_token = client.page_tokens(url)
    assert form_token
    data = {"name": "三楼阅览室", "floor": "3", "capacity": "20", "notes": "", "form_token": form_token}
    results = race([lambda: client.post(url, data) for _ in range(5)])
    assert all(r.status == 303 for r in results), [getattr(r, "status", r) for r in results]
    db.session.expire_all()
    assert db.session.query(Room).filter_by(name="三楼阅览室").count() == 1
    # a freshly rendered form is a new submission
    _, again = client.page_tokens(url)
    assert again != form_token

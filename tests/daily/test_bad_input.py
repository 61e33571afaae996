"""Bad input on the day's smaller forms: a clear message in place, nothing written, never a 500."""
from __future__ import annotations

from sqlalchemy import func, select

from app.daily.models import DailySettings, DayRecord

HX = {"HX-Request": "true"}


def test_alert_times_refuse_unreadable_or_reversed_times(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    url = f"/sites/{w.site.id}/today/settings"
    assert "09:30" in client.get(url).get_data(as_text=True)
    for data, message in (({"arrive_by": "25:00", "pickup_by": "18:00"}, "Enter a time as HH:MM"),
                          ({"arrive_by": "", "pickup_by": "18:00"}, "This field is required"),
                          ({"arrive_by": "18:30", "pickup_by": "09:00"}, "must be after")):
        response = client.post(url, data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    assert db.session.scalar(select(func.count()).select_from(DailySettings)) == 0
    assert client.post(url, data={"arrive_by": "０８:４５", "pickup_by": "17:30"}).status_code == 303
    settings = db.session.scalar(select(DailySettings))
    assert settings.arrive_by.strftime("%H:%M") == "08:45" and settings.pickup_by.strftime("%H:%M") == "17:30"


def test_an_excuse_needs_a_reason_and_a_present_child_needs_none(client, db, login, day_world):
    w = day_world
    first, second = w.children[0], w.children[1]
    login(client, w.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    url = f"/sites/{w.site.id}/today/{first.id}/excuse"
    response = client.post(url, data={"day": w.day.isoformat(), "reason": ""}, headers=HX)
    assert response.status_code == 422 and "This field is required" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DayRecord)) == 0
    client.post(f"/sites/{w.site.id}/today/{second.id}/arrive", data={"day": w.day.isoformat()}, headers=HX)
    response = client.post(f"/sites/{w.site.id}/today/{second.id}/excuse",
                           data={"day": w.day.isoformat(), "reason": "生病"}, headers=HX)
    assert response.status_code == 422 and "already arrived" in response.get_data(as_text=True)


def test_taps_with_a_missing_or_unreadable_day_are_refused(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    for day in ("", "2025-02-30", "９９９９-01-01", "\x00"):
        response = client.post(f"/sites/{w.site.id}/today/{w.children[0].id}/arrive", data={"day": day}, headers=HX)
        assert response.status_code == 422, day
    assert db.session.scalar(select(func.count()).select_from(DayRecord)) == 0


def test_a_child_of_another_site_is_a_404(client, db, make, login, day_world, world):
    w = day_world
    stranger = make.child(world.other_site, "别处")
    login(client, w.coordinator)
    response = client.post(f"/sites/{w.site.id}/today/{stranger.id}/arrive", data={"day": w.day.isoformat()})
    assert response.status_code == 404

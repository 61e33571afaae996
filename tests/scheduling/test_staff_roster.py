"""The coordinator's roster of a session: who may serve (and why not), the lead, the ratio."""
from __future__ import annotations

from datetime import time

import pytest
from flask_babel import force_locale

from app.scheduling.models import Session, SessionStaff
from app.scheduling.staff_queries import LeadChoice, ratio_for, roster_page
from tests.scheduling.staff_helpers import NEXT_WEEK, clock, on_session, session, settings, volunteer  # noqa: F401


@pytest.fixture
def coordinator(client, login, world, clock):  # noqa: F811
    login(client, world.users["coordinator"])
    return client


def _rows(db, s):
    db.session.expire_all()
    return db.session.query(SessionStaff).filter_by(session_id=s.id).all()


def test_an_eligible_volunteer_is_rostered_and_waits_to_confirm(db, make, world, coordinator):
    s = session(db, world)
    profile = volunteer(make, world, name="王浩然")
    page = coordinator.get(f"/sessions/{s.id}/staff").get_data(as_text=True)
    assert "王浩然" in page and 'data-testid="roster"' in page
    response = coordinator.post(f"/sessions/{s.id}/staff", data={"profile_id": profile.id})
    assert response.status_code == 303
    [row] = _rows(db, s)
    assert (row.user_id, row.profile_id, row.status, row.role) == (profile.user_id, profile.id, "rostered", "volunteer")
    # a second tap saves nothing more
    assert coordinator.post(f"/sessions/{s.id}/staff", data={"profile_id": profile.id}).status_code == 303
    assert len(_rows(db, s)) == 1


def test_an_ineligible_volunteer_is_listed_with_the_reason_and_refused(db, make, world, coordinator):
    s = session(db, world)
    profile = volunteer(make, world, name="李娜", checked=False)
    page = coordinator.get(f"/sessions/{s.id}/staff").get_data(as_text=True)
    assert "李娜" in page and "无入职查询记录" in page
    response = coordinator.post(f"/sessions/{s.id}/staff", data={"profile_id": profile.id})
    assert response.status_code == 422
    assert "李娜" in response.get_data(as_text=True) and "无入职查询记录" in response.get_data(as_text=True)
    assert _rows(db, s) == []


def test_an_expired_training_is_named(db, make, world, coordinator):
    s = session(db, world)
    profile = volunteer(make, world, name="赵敏")
    kind = make.training_kind(world.site, "儿童保护", validity_months=12)
    make.training(kind, NEXT_WEEK.replace(year=2024), [profile])  # lapsed the day before the session
    page = coordinator.get(f"/sessions/{s.id}/staff").get_data(as_text=True)
    assert "儿童保护" in page
    assert coordinator.post(f"/sessions/{s.id}/staff", data={"profile_id": profile.id}).status_code == 422
    assert _rows(db, s) == []


def test_an_unavailable_date_is_refused_with_the_reason(db, make, world, coordinator):
    from app.scheduling.models import Unavailability

    s = session(db, world)
    profile = volunteer(make, world, name="陈晨")
    db.session.add(Unavailability(profile_id=profile.id, on_date=s.on_date, reason="期末考试"))
    db.session.commit()
    page = coordinator.get(f"/sessions/{s.id}/staff").get_data(as_text=True)
    assert "当天没空：期末考试" in page
    response = coordinator.post(f"/sessions/{s.id}/staff", data={"profile_id": profile.id})
    assert response.status_code == 422 and "当天没空：期末考试" in response.get_data(as_text=True)
    assert _rows(db, s) == []


def test_two_places_at_once_is_refused(db, make, world, coordinator):
    first = session(db, world, start=time(9), end=time(10, 30), activity_name="书法", group_name="四年级")
    second = session(db, world, start=time(10), end=time(11))
    profile = volunteer(make, world, name="周杰")
    on_session(db, first, profile, status="confirmed")
    response = coordinator.post(f"/sessions/{second.id}/staff", data={"profile_id": profile.id})
    assert response.status_code == 422
    assert "已在 09:00–10:30 参加书法" in response.get_data(as_text=True)
    assert _rows(db, second) == []
    # back to back is fine
    third = session(db, world, start=time(10, 30), end=time(11, 30), group_name="五年级")
    assert coordinator.post(f"/sessions/{third.id}/staff", data={"profile_id": profile.id}).status_code == 303


def test_a_volunteer_of_another_site_or_unknown_is_refused(db, make, world, coordinator):
    s = session(db, world)
    stranger = volunteer(make, world, site=world.other_site)
    for value in (stranger.id, 999999, "abc"):
        response = coordinator.post(f"/sessions/{s.id}/staff", data={"profile_id": value})
        assert response.status_code == 422, value
    assert _rows(db, s) == []


def test_unknown_session_and_another_sites_session(db, make, world, coordinator):
    assert coordinator.get("/sessions/999999/staff").status_code == 404
    assert coordinator.post("/sessions/999999/staff", data={"profile_id": 1}).status_code == 404
    other_room = make.room(world.other_site)
    other_season = make.season(world.other_site)
    theirs = session(db, world, season=other_season, room=other_room)
    profile = volunteer(make, world)
    assert coordinator.get(f"/sessions/{theirs.id}/staff").status_code == 403
    assert coordinator.post(f"/sessions/{theirs.id}/staff", data={"profile_id": profile.id}).status_code == 403
    assert _rows(db, theirs) == []


def test_the_lead_is_a_coordinator_of_the_site_and_not_elsewhere(db, make, world, coordinator):
    s = session(db, world)
    lead = world.users["coordinator"]
    assert coordinator.post(f"/sessions/{s.id}/lead", data={"lead_id": lead.id}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Session, s.id).lead_id == lead.id
    # a volunteer or another site's coordinator cannot lead
    for user in (world.users["volunteer"], world.users["other_coordinator"]):
        response = coordinator.post(f"/sessions/{s.id}/lead", data={"lead_id": user.id})
        assert response.status_code == 422
        assert "请从列出的人员中选择" in response.get_data(as_text=True)
    # the lead cannot lead two sessions at once
    other = session(db, world, start=time(10), end=time(11), activity_name="篮球", group_name="五年级")
    response = coordinator.post(f"/sessions/{other.id}/lead", data={"lead_id": lead.id})
    assert response.status_code == 422 and "已在 09:00–10:30 参加三年级数学" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Session, other.id).lead_id is None
    # and a volunteer on a session at that time is refused, the lead counting as a person there
    assert coordinator.post(f"/sessions/{s.id}/lead", data={"lead_id": 0}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Session, s.id).lead_id is None


def test_ratio_numbers(db, make, world, coordinator, count_queries):
    lead = world.users["coordinator"]
    small = session(db, world, children=10, lead=lead, needed=0)                           # 1 : 10 ok
    big = session(db, world, children=25, group_name="四年级", start=time(14), end=time(15))  # 2 : 25 below
    for _ in range(2):
        on_session(db, big, volunteer(make, world), status="confirmed")
    on_session(db, big, volunteer(make, world), status="released")
    on_session(db, big, volunteer(make, world), status="swap_offered")
    with count_queries() as q:
        ratios = ratio_for([small.id, big.id])
    assert ratios == {small.id: (1, 10, True), big.id: (3, 25, True)}
    assert q.count == 1
    settings(db, world.site, children_per_adult=8)
    assert ratio_for([small.id, big.id]) == {small.id: (1, 10, False), big.id: (3, 25, False)}
    settings(db, world.site, children_per_adult=10, max_group_size=20)
    assert ratio_for([big.id])[big.id] == (3, 25, False)
    assert ratio_for([]) == {}
    page = coordinator.get(f"/sessions/{big.id}/staff").get_data(as_text=True)
    assert "3 名成人 : 25 名儿童" in page and "低于比例" in page


def test_ratio_for_runs_the_same_queries_for_many_sessions(db, make, world, count_queries):
    ids = [session(db, world, on=NEXT_WEEK.replace(day=10 + i), children=2 if i == 0 else 0).id for i in range(12)]
    with count_queries() as few:
        ratio_for(ids[:2])
    with count_queries() as many:
        ratio_for(ids)
    assert few.count == many.count == 1


def test_the_roster_reads_eight_statements_whatever_the_number_of_volunteers(app, db, make, world, count_queries):
    """The names, the people on it, the site's volunteers (with that day's unavailability), the
    rule's facts (three), who is busy elsewhere (volunteers and leads at once), the leads."""
    lead = world.users["coordinator"]
    s = session(db, world, children=3)
    elsewhere = session(db, world, start=time(10), end=time(11), activity_name="书法", group_name="四年级", lead=lead)
    busy = volunteer(make, world, name="周杰")
    on_session(db, elsewhere, busy, status="confirmed")
    placed = volunteer(make, world, name="王浩然")
    on_session(db, s, placed, status="confirmed")

    def read():
        current = db.session.get(Session, s.id)
        current.on_date  # noqa: B018 (loaded before counting)
        with app.test_request_context(), force_locale("en"), count_queries() as counter:
            page = roster_page(current)
        return page, counter.count

    page, few = read()
    by_name = {c.profile.real_name: c for c in page["candidates"]}
    assert by_name["周杰"].reasons == ["Already on 书法 at 10:00–11:00."] and not by_name["周杰"].ok
    assert by_name["王浩然"].holds_place and by_name["王浩然"].reasons == []
    assert page["leads"] == [LeadChoice(lead.id, lead.display_name, "Already on 书法 at 10:00–11:00.")]
    assert [(row.name, row.status) for row in page["staff"]] == [("王浩然", "confirmed")]
    assert tuple(page["ratio"]) == (1, 3, True) and page["volunteers"] == 1
    for n in range(8):
        profile = volunteer(make, world, name=f"志愿者{n}", checked=n % 2 == 0)
        on_session(db, elsewhere if n % 3 == 0 else s, profile, status="rostered")
    page, many = read()
    assert len(page["candidates"]) == 10 and page["volunteers"] == 1 + 5
    assert few == many == 8, (few, many)

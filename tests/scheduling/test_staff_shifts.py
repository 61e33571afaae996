"""Open shifts on the volunteer's phone: sign up, give up before or after the cut-off, swap offers,
confirming, unavailable dates; and the coordinator's lists of uncovered and unconfirmed shifts."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from app.core.timeutil import LOCAL_TZ
from app.scheduling.models import SessionStaff, Unavailability
from app.scheduling.staff_queries import my_shifts, uncovered_shifts, volunteer_of
from tests.scheduling.staff_helpers import (NEXT_WEEK, NOW, TODAY, TOMORROW, clock, on_session, session,  # noqa: F401
                                            settings, volunteer)


@pytest.fixture
def me(make, world):
    return volunteer(make, world, world.users["volunteer"], name="王浩然")


@pytest.fixture
def phone(client, login, world, me, clock):  # noqa: F811
    login(client, world.users["volunteer"])
    return client


def _rows(db, s, **kw):
    db.session.expire_all()
    return db.session.query(SessionStaff).filter_by(session_id=s.id, **kw).order_by(SessionStaff.id).all()


def _page(client) -> str:
    return client.get("/me/shifts").get_data(as_text=True)


def test_an_open_shift_is_listed_and_signed_up_for(db, world, me, phone):
    s = session(db, world, needed=2, activity_name="书法")
    page = _page(phone)
    assert "书法" in page and "还有 2 个名额" in page and 'data-testid="sign-up"' in page
    response = phone.post(f"/sessions/{s.id}/sign-up", data={})
    assert response.status_code == 303 and response.location.endswith("/me/shifts")
    [row] = _rows(db, s)
    assert (row.user_id, row.status) == (me.user_id, "confirmed")
    page = _page(phone)
    assert "报名成功" in page
    assert 'data-testid="my-shift"' in page and "还有 1 个名额" not in page  # now among my shifts, not open
    # a second tap changes nothing
    assert phone.post(f"/sessions/{s.id}/sign-up", data={}).status_code == 303
    assert len(_rows(db, s)) == 1


def test_a_full_shift_is_refused(db, make, world, me, phone):
    s = session(db, world, needed=1)
    on_session(db, s, volunteer(make, world), status="confirmed")
    assert "书法" not in _page(phone)
    phone.post(f"/sessions/{s.id}/sign-up", data={})
    assert "这个班次已满" in _page(phone)
    assert len(_rows(db, s)) == 1


@pytest.mark.parametrize("kind", ["cancelled", "past", "started"])
def test_sign_up_on_a_cancelled_or_past_session_is_refused(db, world, me, phone, kind):
    when = dict(cancelled=dict(cancelled=True), past=dict(on=TODAY - timedelta(days=1)),
                started=dict(on=TODAY, start=time(8), end=time(9)))[kind]
    s = session(db, world, **when)
    phone.post(f"/sessions/{s.id}/sign-up", data={})
    assert ("活动已取消" if kind == "cancelled" else "活动已经开始") in _page(phone)
    assert _rows(db, s) == []


def test_an_ineligible_volunteer_sees_why_and_is_refused(db, make, world, phone, me):
    kind = make.training_kind(world.site, "儿童保护")
    s = session(db, world)
    page = _page(phone)
    assert "无“儿童保护”培训记录" in page and 'data-testid="sign-up"' not in page
    phone.post(f"/sessions/{s.id}/sign-up", data={})
    assert "您不能接这个班次：无“儿童保护”培训记录" in _page(phone)
    assert _rows(db, s) == []
    make.training(kind, TODAY, [me])
    assert phone.post(f"/sessions/{s.id}/sign-up", data={}).status_code == 303
    assert len(_rows(db, s)) == 1


def test_unavailable_date_and_two_places_refuse_a_sign_up(db, world, me, phone):
    first = session(db, world, activity_name="篮球", group_name="五年级")
    second = session(db, world, start=time(10), end=time(11))
    phone.post(f"/sessions/{first.id}/sign-up", data={})
    phone.post(f"/sessions/{second.id}/sign-up", data={})
    assert "已在 09:00–10:30 参加篮球" in _page(phone)
    assert _rows(db, second) == []
    third = session(db, world, on=NEXT_WEEK + timedelta(days=1))
    db.session.add(Unavailability(profile_id=me.id, on_date=third.on_date, reason="探亲"))
    db.session.commit()
    phone.post(f"/sessions/{third.id}/sign-up", data={})
    assert "当天没空：探亲" in _page(phone)
    assert _rows(db, third) == []


def test_a_volunteer_of_another_site_cannot_sign_up(db, make, world, phone):
    other = session(db, world, season=make.season(world.other_site), room=make.room(world.other_site))
    assert phone.post(f"/sessions/{other.id}/sign-up", data={}).status_code == 403
    assert phone.post("/sessions/999999/sign-up", data={}).status_code == 404
    assert _rows(db, other) == []


def test_giving_up_before_the_cut_off_reopens_the_place(db, make, world, me, phone):
    s = session(db, world, needed=1)                       # a week away, cut-off 24 h
    row = on_session(db, s, me, status="confirmed")
    phone.post(f"/staff/{row.id}/give-up", data={})
    assert _rows(db, s)[0].status == "released"
    page = _page(phone)
    assert "已放弃：名额重新开放" in page and "还有 1 个名额" in page
    assert uncovered_shifts(world.season, TODAY, NEXT_WEEK)[0].covered == 0
    # the same volunteer can sign up again: their row is used again
    assert phone.post(f"/sessions/{s.id}/sign-up", data={}).status_code == 303
    [again] = _rows(db, s)
    assert again.id == row.id and again.status == "confirmed"


def test_after_the_cut_off_it_becomes_a_swap_offer_that_one_volunteer_takes(app, db, make, world, me, phone, login):
    settings(db, world.site, release_cutoff_hours=48)
    s = session(db, world, on=TOMORROW, needed=1)         # 24.5 hours away: past the 48 h cut-off
    row = on_session(db, s, me, status="confirmed")
    assert "申请换班" in _page(phone)
    phone.post(f"/staff/{row.id}/give-up", data={})
    assert _rows(db, s)[0].status == "swap_offered"
    assert "已过放弃截止时间" in _page(phone)
    [flag] = uncovered_shifts(world.season, TODAY, TOMORROW)
    assert (flag.needed, flag.covered, flag.offered, flag.missing) == (1, 0, 1, 1)
    # another eligible volunteer sees the offer and takes it
    taker = volunteer(make, world, name="李娜")
    other = app.test_client()
    login(other, taker.user)
    page = _page(other)
    assert 'data-testid="swap-offer"' in page and 'data-testid="take"' in page
    assert other.post(f"/staff/{row.id}/take", data={}).status_code == 303
    assert [(r.user_id, r.status) for r in _rows(db, s)] == [(me.user_id, "released"), (taker.user_id, "confirmed")]
    assert uncovered_shifts(world.season, TODAY, TOMORROW) == []
    # a second taker finds it gone
    third = volunteer(make, world)
    late = app.test_client()
    login(late, third.user)
    late.post(f"/staff/{row.id}/take", data={})
    assert "这个班次已被别人接走" in _page(late)
    assert len(_rows(db, s, status="confirmed")) == 1


def test_an_ineligible_volunteer_cannot_take_a_swap(app, db, make, world, me, login, clock):  # noqa: F811
    s = session(db, world, on=TOMORROW)
    row = on_session(db, s, me, status="swap_offered")
    taker = volunteer(make, world, checked=False)
    client = app.test_client()
    login(client, taker.user)
    assert "无入职查询记录" in _page(client)
    client.post(f"/staff/{row.id}/take", data={})
    assert "您不能接这个班次" in _page(client)
    assert _rows(db, s)[0].status == "swap_offered" and len(_rows(db, s)) == 1


def test_confirming_and_the_unconfirmed_list(db, make, world, me, phone, login, app):
    s = session(db, world)
    row = on_session(db, s, me)
    coordinator = app.test_client()
    login(coordinator, world.users["coordinator"])
    page = coordinator.get(f"/seasons/{world.season.id}/shifts").get_data(as_text=True)
    assert 'data-testid="unconfirmed-row"' in page and "王浩然" in page
    assert phone.post(f"/staff/{row.id}/confirm", data={}).status_code == 303
    assert _rows(db, s)[0].status == "confirmed" and _rows(db, s)[0].confirmed_at is not None
    page = coordinator.get(f"/seasons/{world.season.id}/shifts").get_data(as_text=True)
    assert 'data-testid="unconfirmed-row"' not in page


def test_a_volunteer_acts_only_on_their_own_shifts(app, db, make, world, me, phone):
    s = session(db, world)
    theirs = on_session(db, s, volunteer(make, world))
    for action in ("confirm", "give-up", "check-in", "check-out", "remove"):
        assert phone.post(f"/staff/{theirs.id}/{action}", data={}).status_code == 403, action
    assert _rows(db, s)[0].status == "rostered"
    assert phone.post(f"/staff/{theirs.id}/take", data={}).status_code == 303  # not offered: refused in words
    assert "这个班次已被别人接走" in _page(phone)
    assert phone.get(f"/sessions/{s.id}/staff").status_code == 403


def test_the_uncovered_list_flags_open_places(db, make, world, clock, login, client):  # noqa: F811
    covered = session(db, world, needed=1)
    on_session(db, covered, volunteer(make, world), status="confirmed")
    open_ = session(db, world, needed=2, start=time(14), end=time(15), group_name="四年级")
    on_session(db, open_, volunteer(make, world), status="rostered")
    session(db, world, needed=3, cancelled=True, group_name="五年级")
    [flag] = uncovered_shifts(world.season, TODAY, NEXT_WEEK)
    assert (flag.session.id, flag.needed, flag.covered, flag.missing) == (open_.id, 2, 1, 1)
    login(client, world.users["auditor"])
    page = client.get(f"/seasons/{world.season.id}/shifts?start={NEXT_WEEK}&end={NEXT_WEEK}").get_data(as_text=True)
    assert page.count('data-testid="uncovered-row"') == 1
    # a range that does not make sense falls back to two weeks, never an error
    assert client.get(f"/seasons/{world.season.id}/shifts?start=2025-13-40&end=x").status_code == 200


# --- unavailable dates -------------------------------------------------------------------------------------
def test_marking_and_removing_an_unavailable_date(db, world, me, phone):
    response = phone.post("/me/shifts/unavailable", data={"on_date": NEXT_WEEK.isoformat(), "reason": "期末考试"})
    assert response.status_code == 303
    page = _page(phone)
    assert 'data-testid="unavailable-date"' in page and "期末考试" in page
    response = phone.post("/me/shifts/unavailable", data={"on_date": NEXT_WEEK.isoformat()})
    assert response.status_code == 422 and "这一天已经标记过了" in response.get_data(as_text=True)
    assert phone.post("/me/shifts/unavailable/remove", data={"on_date": NEXT_WEEK.isoformat()}).status_code == 303
    assert db.session.query(Unavailability).count() == 0


@pytest.mark.parametrize("data,message", [
    ({"on_date": ""}, "此项为必填项"),
    ({"on_date": "2025-02-30"}, "YYYY-MM-DD"),
    ({"on_date": "9999-01-01"}, "1900"),
    ({"on_date": "2025-07-01"}, "请选择今天或以后的日期"),
    ({"on_date": "2025-07-20", "reason": "长" * 201}, "200"),
])
def test_bad_unavailable_dates_are_refused(db, world, me, phone, data, message):
    response = phone.post("/me/shifts/unavailable", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(Unavailability).count() == 0


def test_a_date_with_a_shift_cannot_be_marked_until_given_up(db, world, me, phone):
    s = session(db, world)
    row = on_session(db, s, me, status="confirmed")
    response = phone.post("/me/shifts/unavailable", data={"on_date": s.on_date.isoformat()})
    assert response.status_code == 422 and "请先放弃那个班次" in response.get_data(as_text=True)
    phone.post(f"/staff/{row.id}/give-up", data={})
    assert phone.post("/me/shifts/unavailable", data={"on_date": s.on_date.isoformat()}).status_code == 303


def test_removing_a_date_not_marked_is_refused(db, world, me, phone):
    response = phone.post("/me/shifts/unavailable/remove", data={"on_date": NEXT_WEEK.isoformat()})
    assert response.status_code == 303 and "这一天没有标记" in _page(phone)


def test_my_shifts_without_a_profile(client, login, world, clock):  # noqa: F811
    login(client, world.users["volunteer"])
    assert client.get("/me/shifts").status_code == 404
    assert client.post("/me/shifts/calendar", data={}).status_code == 404


def test_my_shifts_runs_the_same_queries_for_many_shifts(app, db, make, world, me, phone, count_queries):
    def add(n, offset):
        for i in range(n):
            s = session(db, world, on=NEXT_WEEK + timedelta(days=offset + i), needed=2)
            on_session(db, s, me, status="confirmed")
            session(db, world, on=NEXT_WEEK + timedelta(days=offset + i), needed=2, start=time(14), end=time(15),
                    group_name="四年级")
    add(1, 0)
    with count_queries() as few:
        assert phone.get("/me/shifts").status_code == 200
    add(6, 1)
    with count_queries() as many:
        assert phone.get("/me/shifts").status_code == 200
    assert many.count == few.count, (few.count, many.count)
    # the page's own reads: the site's settings, the volunteer's places, the open sessions, the swap
    # offers, the unavailable dates, the rule's facts (three), the calendar link
    mine = volunteer_of(me.user_id)
    with app.test_request_context(), count_queries() as reads:
        page = my_shifts(mine, NOW)
    assert len(page["upcoming"]) == 7 and len(page["open_shifts"]) == 7
    assert reads.count == 9, reads.statements


"""A session's attendance roster (issue 11): who is on it and what each role sees, "all present" in
one request, one tap per exception saved at once, the history, refusals, the permission matrix,
flat query counts."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.core.timeutil import local_today
from app.daily.attendance_queries import first_name
from app.daily.models import AttendanceChange, SessionAttendance
from app.scheduling.models import SessionStaff
from tests.daily.attendance_helpers import DAY, add_member, roster_session


def _count(db, model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _marks(db, session):
    db.session.expire_all()
    return {row.child_id: row.status for row in db.session.scalars(
        select(SessionAttendance).where(SessionAttendance.session_id == session.id))}


@pytest.fixture
def en(client):
    """The client reads the app in English (messages asserted as written)."""
    return lambda: client.post("/auth/language", data={"locale": "en"})


@pytest.fixture
def login(login):
    """Sign in, signing out first: one client changes hands in a test."""
    def sign_in(client, user):
        client.post("/auth/logout", data={})
        return login(client, user)
    return sign_in


# --- who is on the roster, what each role sees ------------------------------------------------------------
def test_the_roster_lists_the_groups_enrolled_children_in_pinyin_order_with_their_alerts(db, world, client, login):
    s = roster_session(db, world, names=["张小明", "王芳", "李玥"])
    grp = s.group
    allergic = add_member(db, world, grp, "陈果", allergies="花生")
    add_member(db, world, grp, "赵退出", status="withdrawn")
    erased = add_member(db, world, grp, "钱已删")
    erased.erased_at = datetime(2025, 7, 1)
    db.session.commit()
    roster_session(db, world, names=["孙别组"], group_name="四年级", activity_name="书法")
    login(client, world.users["coordinator"])
    page = client.get(f"/sessions/{s.id}/attendance").get_data(as_text=True)
    names = ["陈果", "李玥", "王芳", "张小明"]  # chen, li, wang, zhang
    positions = [page.index(n) for n in names]
    assert positions == sorted(positions)
    for absent in ("赵退出", "钱已删", "孙别组"):
        assert absent not in page
    assert page.count('data-testid="att-row"') == 4
    assert "花生" in page and 'data-testid="child-alert"' in page
    assert f'/children/{allergic.id}"' in page  # the coordinator's names lead to the record
    assert page.count('aria-pressed="true"') == 0 and page.count('data-testid="mark-absent"') == 4


def test_a_rostered_volunteer_sees_first_names_and_alerts_and_nothing_more(db, world, client, login):
    s = roster_session(db, world, names=["张小明", "欧阳娜娜"])
    child = add_member(db, world, s.group, "陈果", allergies="花生", high_risk=True, guardian_phone="13912345678")
    login(client, world.users["volunteer"])
    response = client.get(f"/sessions/{s.id}/attendance")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "小明" in page and "娜娜" in page and "果" in page
    for hidden in ("张小明", "欧阳娜娜", "陈果", "13912345678", f"/children/{child.id}"):
        assert hidden not in page, hidden
    assert "花生" in page and 'data-testid="child-alert"' in page


def test_first_name_drops_the_surname():
    assert first_name("张小明") == "小明"
    assert first_name("李玥") == "玥"
    assert first_name("欧阳娜娜") == "娜娜"
    assert first_name("Li Ming") == "Li"
    assert first_name("明") == "明"


def _peanut_noodles_for_lunch(db, world):
    """花生酱拌面 (peanut butter noodles) on the menu of DAY."""
    from app.health.models import Food, MenuDish, Recipe, RecipeItem

    food = Food(site_id=world.site.id, name_zh="花生酱", food_group="soy_nuts", energy_kcal=600, allergens=1)
    recipe = Recipe(site_id=world.site.id, name="花生酱拌面")
    db.session.add_all([food, recipe])
    db.session.flush()
    db.session.add_all([RecipeItem(recipe_id=recipe.id, food_id=food.id, grams=10),
                        MenuDish(site_id=world.site.id, season_id=world.season.id, day=DAY, recipe_id=recipe.id)])
    db.session.commit()


def test_a_lunch_roster_shows_the_menus_conflict_with_a_childs_allergy(db, world, client, login):
    s = roster_session(db, world, names=["王芳"], track="health", activity_name="营养午餐")
    allergic = add_member(db, world, s.group, "陈果", allergies="花生")
    _peanut_noodles_for_lunch(db, world)
    login(client, world.users["coordinator"])
    page = client.get(f"/sessions/{s.id}/attendance").get_data(as_text=True)
    row = page[page.index(f'id="att-{allergic.id}"'):]
    row = row[:row.index("</li>")]
    assert 'data-testid="att-conflict"' in row and "花生酱拌面" in row
    assert page.count('data-testid="att-conflict"') == 1


def test_a_lunch_roster_checks_the_menu_only_for_the_children_expected_that_day(db, world, client, login,
                                                                               count_queries):
    _peanut_noodles_for_lunch(db, world)
    login(client, world.users["coordinator"])
    counted = []
    for n, group in ((1, "一年级"), (4, "二年级")):
        s = roster_session(db, world, names=[f"王{group}"], track="health", group_name=group, activity_name="午餐" + group)
        for i in range(n):
            add_member(db, world, s.group, f"陈{i}{group}", allergies="花生")
        client.get(f"/sessions/{s.id}/attendance")
        with count_queries() as q:
            page = client.get(f"/sessions/{s.id}/attendance").get_data(as_text=True)
        counted.append(q.count)
        assert page.count('data-testid="att-conflict"') == n
    assert counted[0] == counted[1], counted
    # a cancelled lunch: its children are not expected that day, so no menu conflict is shown
    off = roster_session(db, world, names=["赵六"], track="health", group_name="三年级", activity_name="午餐三",
                         cancelled=True)
    add_member(db, world, off.group, "陈停", allergies="花生")
    page = client.get(f"/sessions/{off.id}/attendance").get_data(as_text=True)
    assert "陈停" in page and 'data-testid="att-conflict"' not in page


# --- all present, then the exceptions ---------------------------------------------------------------------
def test_all_present_marks_every_unmarked_child_in_one_request_and_keeps_earlier_marks(db, world, client, login):
    s = roster_session(db, world, children=6)
    login(client, world.users["coordinator"])
    first = s.group_id and sorted(_members(db, s))[0]
    assert client.post(f"/sessions/{s.id}/attendance/{first}", data={"status": "absent"},
                       headers={"HX-Request": "true"}).status_code == 200
    response = client.post(f"/sessions/{s.id}/attendance/all-present", data={}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="roster"' in page and "5" in page and 'class="alert alert-success"' in page
    marks = _marks(db, s)
    assert marks[first] == "absent" and sorted(marks.values()).count("present") == 5 and len(marks) == 6
    assert _count(db, AttendanceChange, AttendanceChange.session_id == s.id) == 6
    # a second press (a double tap) changes nothing
    again = client.post(f"/sessions/{s.id}/attendance/all-present", data={})
    assert again.status_code == 303
    assert _marks(db, s) == marks and _count(db, AttendanceChange, AttendanceChange.session_id == s.id) == 6


def _members(db, s):
    from app.daily.attendance_queries import member_ids

    return member_ids(s)


def test_all_present_runs_the_same_queries_for_5_and_40_children(db, world, client, login, count_queries):
    few = roster_session(db, world, children=5, group_name="一年级")
    many = roster_session(db, world, children=40, group_name="二年级")
    login(client, world.users["coordinator"])
    counts = []
    for s in (few, many):
        with count_queries() as q:
            assert client.post(f"/sessions/{s.id}/attendance/all-present", data={}).status_code == 303
        counts.append(q.count)
    assert counts[0] == counts[1]
    assert len(_marks(db, many)) == 40


def test_a_tap_saves_the_mark_at_once_and_answers_the_childs_row(db, world, client, login):
    s = roster_session(db, world, names=["张小明", "李玥"])
    child = next(c for c in _children(db, s) if c.name == "张小明")
    login(client, world.users["volunteer"])
    response = client.post(f"/sessions/{s.id}/attendance/{child.id}", data={"status": "late"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    row = response.get_data(as_text=True)
    assert row.lstrip().startswith(f'<li id="att-{child.id}"')
    assert 'data-testid="mark-late" aria-pressed="true"' in row.replace('aria-pressed="true" data-testid="mark-late"',
                                                                       'data-testid="mark-late" aria-pressed="true"')
    assert "data-announce" in row and "小明" in row and "张小明" not in row
    assert 'id="att-counts"' in row and 'hx-swap-oob="true"' in row
    assert _marks(db, s) == {child.id: "late"}
    # the latest mark wins, both kept in the history
    client.post(f"/sessions/{s.id}/attendance/{child.id}", data={"status": "present"}, headers={"HX-Request": "true"})
    assert _marks(db, s) == {child.id: "present"}
    changes = list(db.session.scalars(select(AttendanceChange).order_by(AttendanceChange.id)))
    assert [c.status for c in changes] == ["late", "present"]
    assert {c.by_id for c in changes} == {world.users["volunteer"].id}


def _children(db, s):
    from app.children.models import Child

    return list(db.session.scalars(select(Child).where(Child.id.in_(_members(db, s)))))


def test_an_excused_absence_keeps_its_note_and_other_marks_drop_it(db, world, client, login):
    s = roster_session(db, world, names=["张小明"])
    [child] = _children(db, s)
    login(client, world.users["coordinator"])
    client.post(f"/sessions/{s.id}/attendance/{child.id}", data={"status": "excused", "note": "发烧请假"})
    db.session.expire_all()
    row = db.session.scalar(select(SessionAttendance))
    assert (row.status, row.note) == ("excused", "发烧请假")
    client.post(f"/sessions/{s.id}/attendance/{child.id}", data={"status": "present", "note": "x"})
    db.session.expire_all()
    row = db.session.scalar(select(SessionAttendance))
    assert (row.status, row.note) == ("present", "")
    page = client.get(f"/sessions/{s.id}/attendance/history").get_data(as_text=True)
    assert "发烧请假" in page


def test_the_history_lists_every_mark_with_who_and_when_in_shanghai_time(db, world, client, login, monkeypatch):
    from app.daily import attendance_services

    s = roster_session(db, world, names=["张小明"])
    [child] = _children(db, s)
    monkeypatch.setattr(attendance_services, "utcnow", lambda: datetime(2025, 7, 7, 1, 5))  # 09:05 in Shanghai
    login(client, world.users["volunteer"])
    client.post(f"/sessions/{s.id}/attendance/{child.id}", data={"status": "absent"})
    login(client, world.users["coordinator"])
    client.post(f"/sessions/{s.id}/attendance/{child.id}", data={"status": "late"})
    page = client.get(f"/sessions/{s.id}/attendance/history").get_data(as_text=True)
    assert page.count('data-testid="att-change"') == 2
    assert "2025-07-07 09:05" in page and "张小明" in page
    assert world.users["volunteer"].display_name in page and world.users["coordinator"].display_name in page
    login(client, world.users["volunteer"])
    page = client.get(f"/sessions/{s.id}/attendance/history").get_data(as_text=True)
    assert "小明" in page and "张小明" not in page


# --- refusals: a message, nothing written -----------------------------------------------------------------
def test_an_unknown_mark_is_refused_in_place(db, world, client, login, en):
    s = roster_session(db, world, names=["张小明"])
    [child] = _children(db, s)
    login(client, world.users["coordinator"])
    en()
    for data in ({"status": "sleeping"}, {}, {"status": "present\x00"}):
        response = client.post(f"/sessions/{s.id}/attendance/{child.id}", data=data, headers={"HX-Request": "true"})
        assert response.status_code == 422
        text = response.get_data(as_text=True)
        assert "Choose present, late, excused or absent." in text or "required" in text.lower(), text
    assert _count(db, SessionAttendance) == 0 and _count(db, AttendanceChange) == 0


def test_a_child_not_on_the_roster_is_refused(db, world, client, login, en):
    s = roster_session(db, world, names=["张小明"])
    stranger = roster_session(db, world, names=["孙别组"], group_name="四年级", activity_name="书法")
    [other] = _children(db, stranger)
    login(client, world.users["coordinator"])
    en()
    response = client.post(f"/sessions/{s.id}/attendance/{other.id}", data={"status": "present"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "This child is not on this session&#39;s roster." in response.get_data(as_text=True)
    # a child of another site: that URL does not exist
    from tests import factories
    foreign = factories.child(world.other_site, "外站")
    assert client.post(f"/sessions/{s.id}/attendance/{foreign.id}", data={"status": "present"}).status_code == 404
    assert _count(db, SessionAttendance) == 0 and _count(db, AttendanceChange) == 0


@pytest.mark.parametrize("case", ["cancelled", "future"])
def test_a_cancelled_or_future_session_is_refused(db, world, client, login, en, case):
    on = local_today() + timedelta(days=1) if case == "future" else DAY
    if case == "future":
        world.season.end_date = on + timedelta(days=30)
        db.session.commit()
    s = roster_session(db, world, names=["张小明"], cancelled=case == "cancelled", on=on)
    [child] = _children(db, s)
    login(client, world.users["coordinator"])
    en()
    message = ("This session was cancelled: there is no attendance to take." if case == "cancelled"
               else "This session has not taken place yet: attendance can be taken from its day on.")
    response = client.post(f"/sessions/{s.id}/attendance/{child.id}", data={"status": "present"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    response = client.post(f"/sessions/{s.id}/attendance/all-present", data={})
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert message in page and 'data-testid="all-present"' not in page  # said on the roster itself too
    assert _count(db, SessionAttendance) == 0 and _count(db, AttendanceChange) == 0


# --- who may take attendance ------------------------------------------------------------------------------
def test_the_permission_matrix(db, make, world, client, login):
    s = roster_session(db, world, names=["张小明"])
    [child] = _children(db, s)
    other_session = roster_session(db, world, names=["孙别组"], group_name="四年级", activity_name="书法",
                                   rostered=False)
    elsewhere = make.user("volunteer", world.site, username="elsewhere")
    db.session.add(SessionStaff(session_id=other_session.id, user_id=elsewhere.id, role="volunteer",
                                status="confirmed"))
    released = make.user("volunteer", world.site, username="released")
    offered = make.user("volunteer", world.site, username="offered")
    db.session.add_all([SessionStaff(session_id=s.id, user_id=released.id, role="volunteer", status="released"),
                        SessionStaff(session_id=s.id, user_id=offered.id, role="volunteer", status="swap_offered")])
    not_rostered = make.user("volunteer", world.site, username="bystander")
    db.session.commit()
    expected = {world.users["volunteer"]: 200, world.users["coordinator"]: 200, world.users["admin"]: 200,
                not_rostered: 403, elsewhere: 403, released: 403, offered: 403, world.users["guardian"]: 403,
                world.users["auditor"]: 403, world.users["other_coordinator"]: 403}
    for user, status in expected.items():
        login(client, user)
        for url in (f"/sessions/{s.id}/attendance", f"/sessions/{s.id}/attendance/history"):
            assert client.get(url).status_code == status, (user.username, url)
        response = client.post(f"/sessions/{s.id}/attendance/{child.id}", data={"status": "present"})
        assert response.status_code == (303 if status == 200 else 403), user.username
        assert client.post(f"/sessions/{s.id}/attendance/all-present", data={}).status_code == (
            303 if status == 200 else 403), user.username
    assert _count(db, AttendanceChange) == 3  # the three allowed taps


def test_the_session_page_and_my_shifts_link_to_the_roster(db, make, world, client, login, monkeypatch):
    from app.scheduling import routes_staff, staff_queries
    from app.core.timeutil import LOCAL_TZ

    s = roster_session(db, world, names=["张小明"], rostered=False)
    s.starts_at, s.ends_at = time(9), time(23, 59)
    db.session.commit()
    login(client, world.users["coordinator"])
    assert f'href="/sessions/{s.id}/attendance"' in client.get(f"/sessions/{s.id}").get_data(as_text=True)
    login(client, world.users["auditor"])
    assert "/attendance" not in client.get(f"/sessions/{s.id}").get_data(as_text=True)

    now = datetime.combine(DAY, time(9, 30), tzinfo=LOCAL_TZ)
    monkeypatch.setattr(staff_queries, "local_now", lambda: now)
    monkeypatch.setattr(routes_staff, "local_today", lambda: DAY)
    profile = make.volunteer_profile(world.users["volunteer"], world.site)
    row = SessionStaff(session_id=s.id, user_id=profile.user_id, profile_id=profile.id, role="volunteer",
                       status="confirmed")
    db.session.add(row)
    db.session.commit()
    login(client, world.users["volunteer"])
    assert f'href="/sessions/{s.id}/attendance"' in client.get("/me/shifts").get_data(as_text=True)
    row.status = "swap_offered"
    db.session.commit()
    assert f'href="/sessions/{s.id}/attendance"' not in client.get("/me/shifts").get_data(as_text=True)


# --- query counts -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["coordinator", "volunteer"])
def test_the_roster_page_runs_the_same_queries_for_5_and_40_children(db, world, client, login, count_queries, role):
    few = roster_session(db, world, children=5, group_name="一年级", track="health", activity_name="午餐一")
    many = roster_session(db, world, children=40, group_name="二年级", track="health", activity_name="午餐二")
    login(client, world.users["coordinator"])
    client.post(f"/sessions/{few.id}/attendance/all-present", data={})
    client.post(f"/sessions/{many.id}/attendance/all-present", data={})
    login(client, world.users[role])
    counts = []
    for s in (few, many):
        client.get(f"/sessions/{s.id}/attendance")  # warm the per-process caches
        with count_queries() as q:
            page = client.get(f"/sessions/{s.id}/attendance").get_data(as_text=True)
        counts.append(q.count)
        assert page.count('aria-pressed="true"') == (5 if s is few else 40)
    assert counts[0] == counts[1], counts


def test_a_name_with_markup_stays_text_on_the_roster(db, world, client, login):
    s = roster_session(db, world, names=["王芳"])
    add_member(db, world, s.group, '<script>alert(1)</script>', allergies="<b>花生</b>")
    login(client, world.users["coordinator"])
    page = client.get(f"/sessions/{s.id}/attendance").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<b>花生</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

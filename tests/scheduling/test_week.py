"""The week grid (by room, group, person; one day), its query count, a child's week for the family
portal, groups by grade, ratios, the printed timetables and the five-party ledger."""
from __future__ import annotations

from datetime import date, time, timedelta
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from app.scheduling import queries
from app.scheduling.models import GroupMember, SchedulingSettings, Session, SessionStaff
from tests import factories
from tests.scheduling.helpers import MONDAY, activity, group, schedule


def _week(client, season, **args):
    query = "&".join(f"{k}={v}" for k, v in {"start": MONDAY.isoformat(), **args}.items())
    response = client.get(f"/seasons/{season.id}/week?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_week_shows_sessions_by_room_group_and_person(db, client, login, plan):
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator, lead=plan.coordinator)
    first = db.session.scalars(select(Session).where(Session.schedule_id == made.id).order_by(Session.on_date)).first()
    volunteer = factories.user("volunteer", plan.season.site, display_name="志愿者小李")
    db.session.add(SessionStaff(session_id=first.id, user_id=volunteer.id, role="volunteer"))
    db.session.commit()
    login(client, plan.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    by_room = _week(client, plan.season)
    assert by_room.count('data-testid="session-') == 5 and "三年级数学" in by_room
    assert f'data-testid="cell-{plan.room.id}-2025-07-07"' in by_room
    assert "volunteers 1/0" in by_room  # the staff count from the roster
    by_group = _week(client, plan.season, by="group")
    assert f'data-testid="cell-{plan.group.id}-2025-07-11"' in by_group
    by_person = _week(client, plan.season, by="person")
    assert "志愿者小李" in by_person and plan.coordinator.display_name in by_person
    one_day = _week(client, plan.season, day="2025-07-09")
    assert one_day.count('data-testid="session-') == 1
    assert 'data-testid="below-ratio"' not in by_room  # 3 children and a lead: within 1 adult per 10


def test_sessions_below_the_ratio_are_highlighted(db, client, login, plan):
    schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator)  # no lead, 3 children
    login(client, plan.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    html = _week(client, plan.season)
    assert "5 below the ratio of 1 adult per 10 children" in html
    client.post(f"/sites/{plan.season.site_id}/scheduling-settings",
                data={"children_per_adult": "2", "max_group_size": "40"})
    assert queries.settings_for(plan.season.site_id)["children_per_adult"] == 2


def test_a_group_above_the_largest_group_size_is_flagged_in_the_week_and_on_the_session(db, client, login, plan):
    """The week grid judges a session as its staffing page does (staff_queries.ratio_for): a lead
    for three children is within 1 adult per 10, but not when the site allows groups of two."""
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator, lead=plan.coordinator)
    first = db.session.scalars(select(Session).where(Session.schedule_id == made.id).order_by(Session.on_date)).first()
    db.session.add(SchedulingSettings(site_id=plan.season.site_id, children_per_adult=10, max_group_size=2,
                                      release_cutoff_hours=24))
    db.session.commit()
    login(client, plan.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    html = _week(client, plan.season)
    assert "5 below the ratio of 1 adult per 10 children" in html
    assert html.count('class="slot track-tutoring below') == 5
    session_html = client.get(f"/sessions/{first.id}").get_data(as_text=True)
    assert "below the ratio of 1 adult per 10 children" in session_html
    staffing = client.get(f"/sessions/{first.id}/staff").get_data(as_text=True)
    assert "below ratio" in staffing


def test_the_week_grid_query_count_does_not_grow_with_sessions(db, client, login, plan, count_queries):
    login(client, plan.coordinator)
    url = f"/seasons/{plan.season.id}/week?start={MONDAY.isoformat()}"
    schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator, lead=plan.coordinator)
    # groups of at most two: the first group's sessions (three children) are flagged, the others not
    db.session.add(SchedulingSettings(site_id=plan.season.site_id, children_per_adult=10, max_group_size=2,
                                      release_cutoff_hours=24))
    db.session.commit()
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(6):  # many more sessions, groups, rooms' bookings and people on them
        extra_group = group(db, plan.season, f"兴趣{n}组", grade=None, children=2)
        room = factories.room(plan.season.site, f"教室{n}")
        made = schedule(db, plan.season, activity(db, plan.season, f"活动{n}", "interest"), extra_group, room,
                        plan.coordinator, start=time(14), end=time(15))
        for session in db.session.scalars(select(Session).where(Session.schedule_id == made.id)):
            db.session.add(SessionStaff(session_id=session.id, user_id=factories.user("volunteer", plan.season.site).id))
        db.session.commit()
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count('data-testid="session-') == 35
    assert html.count(' below"') == 5  # the flag, judged per session, costs no query per session
    assert many.count == few.count, (few.count, many.count)


def test_the_week_reads_its_sessions_names_and_ratios_in_one_statement(db, plan, count_queries):
    """``queries.week``: the sessions with their names, volunteers, group sizes and the site's
    settings in one statement, then the rooms, the groups or the people in a second."""
    schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator, lead=plan.coordinator)
    for by in ("room", "group", "person"):
        with count_queries() as reads:
            data = queries.week(plan.season, MONDAY, by)
        assert reads.count == 2, (by, reads.statements)
        assert sum(len(cell) for row in data["rows"] for cell in row.cells.values()) == 5, by


def test_child_week_lists_the_sessions_of_the_childs_groups(db, plan):
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator, last=date(2025, 7, 25))
    schedule(db, plan.season, plan.other_activity, plan.other_group, plan.other_room, plan.coordinator)
    member = db.session.scalars(select(GroupMember).where(GroupMember.group_id == plan.group.id)).first()
    child = member.enrolment.child
    tuesday = db.session.scalars(select(Session).where(Session.schedule_id == made.id,
                                                       Session.on_date == date(2025, 7, 15))).one()
    tuesday.cancelled, tuesday.cancel_reason = True, "台风"
    db.session.commit()
    week = queries.child_week(child, MONDAY + timedelta(days=7))
    assert [(s.on_date, s.activity.name, s.room.name) for s in week] == [
        (MONDAY + timedelta(days=7 + i), "三年级数学", "一楼活动室") for i in range(5)]
    assert [s.cancelled for s in week] == [False, True, False, False, False]
    assert queries.child_week(child, date(2025, 8, 4)) == []
    stranger = factories.child(plan.season.site, "没分组")
    factories.enrolment(stranger, plan.season)
    assert queries.child_week(stranger, MONDAY) == []


def test_assign_by_grade_then_adjust(db, client, login, world, plan):
    grade3 = [factories.child(world.site, f"三年级{i}", grade=3) for i in range(4)]
    for child in grade3:
        factories.enrolment(child, world.season)
    factories.enrolment(factories.child(world.site, "候补生", grade=3), world.season, status="waitlisted")
    login(client, plan.coordinator)
    assert client.post(f"/seasons/{world.season.id}/groups/assign-by-grade", data={}).status_code == 303
    members = queries.group_page(plan.group)["members"]
    assert len(members) == 3 + 4  # the waitlisted child is not put in a group
    # adjust: keep only two
    keep = [str(e.id) for e, _c in members[:2]]
    assert client.post(f"/groups/{plan.group.id}/members", data={"ids": keep}).status_code == 303
    assert len(queries.group_page(plan.group)["members"]) == 2
    # assigning again puts back those without a group of their grade, never twice
    client.post(f"/seasons/{world.season.id}/groups/assign-by-grade", data={})
    assert len(queries.group_page(plan.group)["members"]) == 7


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)


def test_printed_timetables_of_a_group_and_a_room_keep_the_chinese(db, client, login, plan):
    calligraphy = activity(db, plan.season, "书法·喆玥堃", "interest")
    schedule(db, plan.season, calligraphy, plan.group, plan.room, plan.coordinator, lead=plan.coordinator)
    login(client, plan.coordinator)
    text = _pdf_text(client.get(f"/groups/{plan.group.id}/timetable.pdf?start=2025-07-07"))
    assert "书法·喆玥堃" in text and "三年级" in text and "一楼活动室" in text
    text = _pdf_text(client.get(f"/seasons/{plan.season.id}/rooms/{plan.room.id}/timetable.pdf?start=2025-07-07"))
    assert "书法·喆玥堃" in text and "一楼活动室" in text


def test_the_ledger_counts_sessions_led_and_held(db, client, login, plan):
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator, lead=plan.coordinator)
    schedule(db, plan.season, plan.other_activity, plan.other_group, plan.other_room, plan.coordinator)
    first = db.session.scalars(select(Session).where(Session.schedule_id == made.id).order_by(Session.on_date)).first()
    first.cancelled, first.cancel_reason = True, "停电"
    db.session.commit()
    login(client, plan.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    html = client.get(f"/seasons/{plan.season.id}/ledger").get_data(as_text=True)
    assert "Sessions led: 9" in html and "Sessions run: 19" in html


def test_a_group_never_grows_beyond_the_sites_largest_group(db, client, login, world, plan):
    login(client, plan.coordinator)
    client.post("/auth/language", data={"locale": "en"})
    client.post(f"/sites/{world.site.id}/scheduling-settings", data={"children_per_adult": "10", "max_group_size": "2"})
    ids = [str(e.id) for e, _c in queries.group_page(plan.group)["members"]]
    html = client.post(f"/groups/{plan.group.id}/members", data={"ids": ids}, follow_redirects=True).get_data(as_text=True)
    assert "A group has at most 2 children (group 三年级 would have 3)." in html
    assert len(queries.group_page(plan.group)["members"]) == 3  # unchanged


def test_the_session_page_reads_what_it_shows_in_a_fixed_number_of_statements(db, client, login, plan,
                                                                              count_queries):
    """``queries.session_page``: the names, the schedule's range, the ratio's inputs and the site's
    settings in one statement, the people on it in a second; the page's count does not grow with
    the people on the session."""
    made = schedule(db, plan.season, plan.activity, plan.group, plan.room, plan.coordinator, lead=plan.coordinator)
    first = db.session.scalars(select(Session).where(Session.schedule_id == made.id).order_by(Session.on_date)).first()
    volunteer = factories.user("volunteer", plan.season.site, display_name="志愿者小李")
    db.session.add(SessionStaff(session_id=first.id, user_id=volunteer.id, role="volunteer"))
    db.session.commit()
    with count_queries() as reads:
        data = queries.session_page(first)
    assert reads.count == 2, reads.statements
    head = data["head"]
    assert (head.activity, head.group_name, head.room_name, head.lead_name) == (
        plan.activity.name, plan.group.name, plan.room.name, plan.coordinator.display_name)
    assert (data["schedule"].first_date, data["schedule"].last_date) == (made.first_date, made.last_date)
    assert [(row.name, row.status) for row in data["staff"]] == [("志愿者小李", "rostered")]
    assert (data["info"].children, data["info"].adults, data["info"].below_ratio) == (3, 2, False)
    assert data["settings"]["children_per_adult"] == 10

    login(client, plan.coordinator)
    url = f"/sessions/{first.id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(3):
        db.session.add(SessionStaff(session_id=first.id, user_id=factories.user("volunteer", plan.season.site).id,
                                    role="volunteer"))
    db.session.commit()
    with count_queries() as many:
        html = client.get(url).get_data(as_text=True)
    assert html.count('<span class="tag">') == 4 and "志愿者小李" in html
    assert few.count == many.count == 9, (few.statements, many.statements)

"""A season's outcomes (issue 11): attendance rates per season, group, activity and child; interest
participation and the children below the target; the outcomes panel of the season hub.

The hand-built season (dates relative to today, so the pages count what the queries count):

  group 三年级: 安安, 贝贝, 晨晨 (and 王退出, withdrawn, marked once: counted nowhere)
  group 四年级: 丹丹                 恩恩: enrolled, in no group, never marked

  s1 数学 三年级     安安 present, 贝贝 late, 晨晨 absent, 王退出 present
  s2 书法 三年级     安安 present, 贝贝 excused, 晨晨 not marked (missed: the roster was taken)
  s3 书法 三年级     安安, 贝贝, 晨晨 present
  s4 篮球 三年级     cancelled; 安安 present (marked before it was cancelled): not counted
  s5 篮球 三年级     nobody marked (the roster was not taken): not counted
  s6 篮球 三年级     in five days; 安安 present (marked ahead by mistake): not counted
  s7 篮球 四年级     丹丹 present, 晨晨 present (a guest)
  s8 数学 四年级     丹丹 present

By hand: 安安 3/3, 贝贝 2/2 (1 excused), 晨晨 2/4 (absent s1, missed s2), 丹丹 2/2, 恩恩 none;
season 9/11 (82%); 三年级 6/8 (75%), 四年级 3/3 (100%); 数学 3/4 (75%), 书法 4/5 (80%), 篮球 2/2.
Interest classes attended (distinct): 安安 1 (书法 twice; 篮球 only cancelled or future), 贝贝 1,
晨晨 2 (书法, 篮球), 丹丹 1 (数学 is tutoring), 恩恩 0: target met 1 / 5 (20%).
Homework: 安安 finished her only plan, 贝贝 did not: 1 / 5 (20%).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from app.core.timeutil import local_today
from app.daily import outcome_queries as oq
from app.daily.models import HomeworkPlan, HomeworkProgress
from app.scheduling.models import Activity, Group, GroupMember, Session


@dataclass
class Season:
    season: object
    groups: dict
    activities: dict
    sessions: dict
    children: dict
    today: date


def _session(db, season, activity, group, room, on: date, *, cancelled=False):
    obj = Session(site_id=season.site_id, season_id=season.id, activity_id=activity.id, group_id=group.id,
                  room_id=room.id, on_date=on, starts_at=time(9), ends_at=time(10), cancelled=cancelled,
                  cancel_reason="下雨" if cancelled else "")
    db.session.add(obj)
    db.session.commit()
    return obj


def _member(db, group, enrolment):
    db.session.add(GroupMember(group_id=group.id, enrolment_id=enrolment.id))
    db.session.commit()


@pytest.fixture
def built(db, make, world) -> Season:
    today = local_today()
    start = today - timedelta(days=20)
    season = make.season(world.site, "本季", start_date=start, end_date=today + timedelta(days=20))
    groups = {name: Group(site_id=world.site.id, season_id=season.id, name=name, grade=grade)
              for name, grade in (("三年级", 3), ("四年级", 4))}
    activities = {name: Activity(site_id=world.site.id, season_id=season.id, name=name, track=track)
                  for name, track in (("数学", "tutoring"), ("书法", "interest"), ("篮球", "interest"))}
    db.session.add_all([*groups.values(), *activities.values()])
    db.session.commit()
    children = {}
    for name, group in (("安安", "三年级"), ("贝贝", "三年级"), ("晨晨", "三年级"), ("丹丹", "四年级"), ("恩恩", None),
                        ("王退出", "三年级")):
        child = make.child(world.site, name, guardian_phone=f"1390000{len(children):04d}")
        enrolment = make.enrolment(child, season, "withdrawn" if name == "王退出" else "enrolled")
        if group:
            _member(db, groups[group], enrolment)
        children[name] = child
    g3, g4 = groups["三年级"], groups["四年级"]
    math, calligraphy, ball = activities["数学"], activities["书法"], activities["篮球"]
    room = world.room
    s = {
        "s1": _session(db, season, math, g3, room, start + timedelta(days=1)),
        "s2": _session(db, season, calligraphy, g3, room, start + timedelta(days=2)),
        "s3": _session(db, season, calligraphy, g3, room, start + timedelta(days=3)),
        "s4": _session(db, season, ball, g3, room, start + timedelta(days=4), cancelled=True),
        "s5": _session(db, season, ball, g3, room, start + timedelta(days=5)),
        "s6": _session(db, season, ball, g3, room, today + timedelta(days=5)),
        "s7": _session(db, season, ball, g4, room, start + timedelta(days=2)),
        "s8": _session(db, season, math, g4, room, start + timedelta(days=3)),
    }
    marks = [("s1", "安安", "present"), ("s1", "贝贝", "late"), ("s1", "晨晨", "absent"), ("s1", "王退出", "present"),
             ("s2", "安安", "present"), ("s2", "贝贝", "excused"),
             ("s3", "安安", "present"), ("s3", "贝贝", "present"), ("s3", "晨晨", "present"),
             ("s4", "安安", "present"), ("s6", "安安", "present"),
             ("s7", "丹丹", "present"), ("s7", "晨晨", "present"), ("s8", "丹丹", "present")]
    for key, name, status in marks:
        make.attendance(s[key], children[name], status)
    finished = HomeworkPlan(child_id=children["安安"].id, season_id=season.id, subject="数学", workbook="暑假作业", units=2)
    unfinished = HomeworkPlan(child_id=children["贝贝"].id, season_id=season.id, subject="数学", workbook="暑假作业", units=5)
    db.session.add_all([finished, unfinished])
    db.session.flush()
    db.session.add_all([HomeworkProgress(plan_id=finished.id, day=start, units_done=2),
                        HomeworkProgress(plan_id=unfinished.id, day=start, units_done=1)])
    db.session.commit()
    return Season(season, groups, activities, s, children, today)


def rates(lines) -> dict:
    return {line.name: (line.rate.attended, line.rate.counted, line.rate.excused) for line in lines}


# --- the numbers, by hand ---------------------------------------------------------------------------
def test_the_rates_of_the_hand_built_season(built):
    season, today, kids = built.season, built.today, built.children
    assert oq.season_rate(season, today) == oq.Rate(attended=9, counted=11, excused=1)
    assert oq.season_rate(season, today).percent == 82
    assert rates(oq.group_rates(season, today)) == {"三年级": (6, 8, 1), "四年级": (3, 3, 0)}
    assert rates(oq.activity_rates(season, today)) == {"数学": (3, 4, 0), "书法": (4, 5, 1), "篮球": (2, 2, 0)}
    by_child = oq.child_rates(season, [c.id for c in kids.values()], today)
    got = {name: (by_child[c.id].attended, by_child[c.id].counted, by_child[c.id].excused) for name, c in kids.items()}
    assert got == {"安安": (3, 3, 0), "贝贝": (2, 2, 1), "晨晨": (2, 4, 0), "丹丹": (2, 2, 0), "恩恩": (0, 0, 0),
                   "王退出": (0, 0, 0)}


def test_excused_is_neither_attended_nor_missed(db, built):
    before = oq.child_rates(built.season, [built.children["贝贝"].id], built.today)[built.children["贝贝"].id]
    from app.daily.models import SessionAttendance

    mark = db.session.scalar(select(SessionAttendance).where(SessionAttendance.session_id == built.sessions["s2"].id,
                                                             SessionAttendance.child_id == built.children["贝贝"].id))
    mark.status = "absent"
    db.session.commit()
    after = oq.child_rates(built.season, [built.children["贝贝"].id], built.today)[built.children["贝贝"].id]
    assert (before.attended, before.counted, before.percent) == (2, 2, 100)
    assert (after.attended, after.counted, after.excused, after.percent) == (2, 3, 0, 67)


def test_a_cancelled_session_counts_when_it_is_held_again(db, built):
    """s4 is cancelled (安安 marked present on it): counted once it is no longer cancelled."""
    s4 = built.sessions["s4"]
    s4.cancelled, s4.cancel_reason = False, ""
    db.session.commit()
    rate = oq.season_rate(built.season, built.today)
    assert (rate.attended, rate.counted) == (10, 14)   # 三年级's three children expected, 安安 came


def test_future_sessions_count_once_their_day_has_come(built):
    later = built.today + timedelta(days=5)            # s6's day: 安安 present, 贝贝 and 晨晨 missed
    rate = oq.season_rate(built.season, later)
    assert (rate.attended, rate.counted) == (10, 14)
    assert oq.season_rate(built.season, built.today).counted == 11


def test_a_session_without_any_mark_is_not_counted(db, make, built):
    make.attendance(built.sessions["s5"], built.children["贝贝"], "present")   # the roster of s5 is taken
    rate = oq.season_rate(built.season, built.today)
    assert (rate.attended, rate.counted) == (10, 14)


def test_interest_classes_are_counted_once_each_and_tutoring_not_at_all(built):
    kids = built.children
    attended = oq.interests_of(built.season, [c.id for c in kids.values()], built.today)
    assert attended == {kids["安安"].id: ["书法"], kids["贝贝"].id: ["书法"],
                        kids["晨晨"].id: sorted(["书法", "篮球"]), kids["丹丹"].id: ["篮球"]}
    assert oq.interest_figure(built.season, today=built.today) == oq.Figure(1, 5)
    below = oq.below_interest_target(built.season, today=built.today)
    from app.extensions import db

    names = [c.name for c in db.session.scalars(below)]
    assert names == ["恩恩", "安安", "贝贝", "丹丹"]       # fewest first, then by name; 晨晨 reached 2
    assert oq.interest_figure(built.season, target=1, today=built.today) == oq.Figure(4, 5)


def test_the_panel_figures(built):
    outcomes = oq.season_outcomes(built.season, built.today)
    assert outcomes.attendance == oq.Figure(9, 11) and outcomes.attendance.percent == 82
    assert outcomes.homework == oq.Figure(1, 5) and outcomes.homework.percent == 20
    assert outcomes.interests == oq.Figure(1, 5)


# --- the pages ----------------------------------------------------------------------------------------
def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(html: str, child) -> str:
    match = re.search(rf'<tr data-testid="child-{child.id}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {child.name}"
    return _text(match.group(1))


def test_the_attendance_page_shows_the_rates_lowest_child_first(client, login, world, built):
    login(client, world.users["coordinator"])
    response = client.get(f"/seasons/{built.season.id}/attendance")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    card = _text(re.search(r'data-testid="season-rate">(.*?)</div>', html, re.S).group(1))
    assert "82% 出勤课次 / 应到课次 9 / 11 请假 1 次，不计入" in card
    groups = _text(re.search(r'data-testid="group-rates">(.*?)</section>', html, re.S).group(1))
    assert "三年级 6 / 8（75%） 1" in groups and "四年级 3 / 3（100%） 0" in groups
    activities = _text(re.search(r'data-testid="activity-rates">(.*?)</section>', html, re.S).group(1))
    assert "书法 兴趣培养 4 / 5（80%） 1" in activities and "数学 学业辅导 3 / 4（75%）" in activities
    kids = built.children
    order = re.findall(r'<tr data-testid="child-(\d+)">', html)
    assert order == [str(kids[n].id) for n in ("晨晨", "安安", "贝贝", "丹丹", "恩恩")]
    assert "2 / 4（50%）" in _row(html, kids["晨晨"]) and "三年级" in _row(html, kids["晨晨"])
    assert "—" in _row(html, kids["恩恩"])
    assert f'href="/children/{kids["晨晨"].id}"' in html


@pytest.mark.parametrize("sort, names", [("rate_desc", ("安安", "贝贝", "丹丹", "晨晨", "恩恩")),
                                         ("name", ("安安", "贝贝", "晨晨", "丹丹", "恩恩")),
                                         ("rate", ("晨晨", "安安", "贝贝", "丹丹", "恩恩"))])
def test_the_children_can_be_ordered(client, login, world, built, sort, names):
    login(client, world.users["coordinator"])
    html = client.get(f"/seasons/{built.season.id}/attendance?sort={sort}").get_data(as_text=True)
    assert re.findall(r'<tr data-testid="child-(\d+)">', html) == [str(built.children[n].id) for n in names]
    assert re.search(rf'href="/seasons/{built.season.id}/attendance\?sort={sort}" aria-current="page"', html)


def test_the_children_are_paginated_and_a_page_swaps_alone(app, client, login, world, built):
    app.config["PAGE_SIZE"] = 2
    login(client, world.users["coordinator"])
    html = client.get(f"/seasons/{built.season.id}/attendance?sort=name&page=2").get_data(as_text=True)
    assert re.findall(r'<tr data-testid="child-(\d+)">', html) == [str(built.children[n].id) for n in ("晨晨", "丹丹")]
    assert f'/seasons/{built.season.id}/attendance?sort=name&amp;page=3' in html
    fragment = client.get(f"/seasons/{built.season.id}/attendance?sort=name&page=3",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("<section") and "<h1" not in fragment
    assert re.findall(r'<tr data-testid="child-(\d+)">', fragment) == [str(built.children["恩恩"].id)]


def test_the_interest_page_lists_the_children_below_the_target_with_whom_to_call(client, login, world, built):
    login(client, world.users["coordinator"])
    html = client.get(f"/seasons/{built.season.id}/interests").get_data(as_text=True)
    kids = built.children
    card = _text(re.search(r'data-testid="interest-figure">(.*?)</div>', html, re.S).group(1))
    assert "20% 参加过至少 2 项不同兴趣活动的儿童 / 录取人数 1 / 5" in card
    order = re.findall(r'<tr data-testid="child-(\d+)">', html)
    assert order == [str(kids[n].id) for n in ("恩恩", "安安", "贝贝", "丹丹")]
    row = _row(html, kids["安安"])
    assert "1 / 2 书法" in row and "三年级" in row and "13900000000" in row
    assert "0 / 2" in _row(html, kids["恩恩"]) and "1 / 2 篮球" in _row(html, kids["丹丹"])
    assert f'href="/children/{kids["安安"].id}"' in html and 'href="tel:13900000000"' in html


def test_the_guardians_phones_shown_are_noted_in_the_audit_trail(client, login, world, built, db):
    from app.core.models import AuditEntry

    login(client, world.users["coordinator"])
    client.get(f"/seasons/{built.season.id}/interests")
    seen = set(db.session.scalars(select(AuditEntry.child_id).where(AuditEntry.event == "guardians.viewed")))
    assert seen == {built.children[n].id for n in ("恩恩", "安安", "贝贝", "丹丹")}


def test_an_auditor_reads_the_figures_without_phones_or_records(client, login, world, built, db):
    from app.core.models import AuditEntry

    login(client, world.users["auditor"])
    html = client.get(f"/seasons/{built.season.id}/interests").get_data(as_text=True)
    assert "20%" in _text(html) and "安安" in html
    assert "1390000" not in html and "tel:" not in html and "/children/" not in html
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.event == "guardians.viewed")) is None
    page = client.get(f"/seasons/{built.season.id}/attendance")
    assert page.status_code == 200 and "/children/" not in page.get_data(as_text=True)


def test_the_season_hub_shows_the_outcomes_panel_with_links(client, login, world, built):
    login(client, world.users["coordinator"])
    html = client.get(f"/seasons/{built.season.id}/overview").get_data(as_text=True)
    panel = re.search(r'data-testid="season-outcomes">(.*?)</div>\s*\n', html, re.S).group(1)

    def card(key):
        return re.search(rf'<a class="card stat" href="([^"]+)" data-testid="outcome-{key}">(.*?)</a>', panel, re.S)

    assert card("attendance").group(1) == f"/seasons/{built.season.id}/attendance"
    assert _text(card("attendance").group(2)).strip() == "82% 出勤率 9 / 11"
    assert card("homework").group(1) == f"/seasons/{built.season.id}/homework"
    assert _text(card("homework").group(2)).strip() == "20% 完成全部作业 / 录取人数 1 / 5"
    assert card("interests").group(1) == f"/seasons/{built.season.id}/interests"
    assert _text(card("interests").group(2)).strip() == "20% 至少参加 2 项兴趣活动 / 录取人数 1 / 5"


def test_an_empty_season_shows_dashes_not_a_division_by_zero(client, login, world):
    login(client, world.users["coordinator"])
    for url in (f"/seasons/{world.season.id}/overview", f"/seasons/{world.season.id}/attendance",
                f"/seasons/{world.season.id}/interests"):
        response = client.get(url)
        assert response.status_code == 200 and "—" in response.get_data(as_text=True), url


# --- costs, input, access ---------------------------------------------------------------------------
def _more_children(db, make, built, count: int):
    """``count`` more children in 三年级 with marks on s1..s3 and an interest class."""
    g3 = built.groups["三年级"]
    for i in range(count):
        child = make.child(built.season.site, f"加{i}")
        _member(db, g3, make.enrolment(child, built.season))
        for key, status in (("s1", "present"), ("s2", "absent"), ("s3", "excused")):
            make.attendance(built.sessions[key], child, status)


@pytest.mark.parametrize("url", ["/seasons/{id}/attendance", "/seasons/{id}/attendance?sort=rate_desc",
                                 "/seasons/{id}/interests", "/seasons/{id}/overview"])
def test_the_pages_cost_the_same_queries_for_5_and_50_children(client, login, world, built, db, make, count_queries,
                                                                 url):
    login(client, world.users["coordinator"])
    url = url.format(id=built.season.id)

    def run():
        client.get(url)  # warm (the first request of a client loads its user)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = run()
    _more_children(db, make, built, 45)
    assert run() == few


@pytest.mark.parametrize("query", ["page=abc", "page=-1", "page=99999999999999999999", "page=%00", "page=１",
                                   "sort=unknown", "sort=%00", "sort=" + "rate" * 100, "sort=rate&page=0"])
@pytest.mark.parametrize("path", ["attendance", "interests"])
def test_odd_query_strings_fall_back_to_the_defaults(client, login, world, built, query, path):
    login(client, world.users["coordinator"])
    response = client.get(f"/seasons/{built.season.id}/{path}?{query}")
    assert response.status_code == 200
    first = re.findall(r'<tr data-testid="child-(\d+)">', response.get_data(as_text=True))[0]
    assert first == str(built.children["晨晨" if path == "attendance" else "恩恩"].id)  # page 1, lowest first


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("volunteer", 403), ("guardian", 403),
                                          ("other_coordinator", 403), ("auditor", 200), ("coordinator", 200),
                                          ("admin", 200)])
@pytest.mark.parametrize("path", ["attendance", "interests"])
def test_who_may_open_the_outcomes(client, login, world, built, role, status, path):
    if role != "anonymous":
        login(client, world.users[role])
    assert client.get(f"/seasons/{built.season.id}/{path}").status_code == status


def test_a_season_of_another_site_is_refused(client, login, make, world):
    elsewhere = make.season(world.other_site, "外点暑期")
    login(client, world.users["coordinator"])
    assert client.get(f"/seasons/{elsewhere.id}/attendance").status_code == 403
    assert client.get(f"/seasons/{elsewhere.id}/interests").status_code == 403
    assert client.get("/seasons/99999999/attendance").status_code == 404

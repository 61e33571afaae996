"""Lunches served, from the lunch sessions' rosters (present and late), adjustable by hand; a health
talk in the afternoon is not a meal."""
from __future__ import annotations

import re
from datetime import time

from app.daily.models import SessionAttendance
from app.health.models import MealCount
from app.scheduling.models import Session
from tests.health.conftest import MONDAY
from tests.scheduling.helpers import activity, group


def _session(db, world, act, grp, start, end):
    session = Session(site_id=world.site.id, season_id=world.season.id, activity_id=act.id, group_id=grp.id,
                      room_id=world.room.id, on_date=MONDAY, starts_at=start, ends_at=end)
    db.session.add(session)
    db.session.commit()
    return session


def _served_value(html):
    return re.search(r'name="served"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="served"', html).group(0)


def test_the_served_count_starts_from_the_lunch_rosters_and_stays_adjustable(client, db, make, login, world, dish):
    dish("米饭", [("粳米（标一）", 130)], day=MONDAY)
    grp = group(db, world.season, "三年级")
    lunch = _session(db, world, activity(db, world.season, "营养午餐", track="health"), grp, time(12), time(12, 30))
    talk = _session(db, world, activity(db, world.season, "健康讲座", track="health"), grp, time(14), time(15))
    kids = [make.child(world.site, name) for name in ("张一", "李二", "王三", "赵四", "钱五")]
    for kid in kids:
        make.enrolment(kid, world.season)
    for kid, status in zip(kids, ("present", "present", "late", "absent")):
        db.session.add(SessionAttendance(session_id=lunch.id, child_id=kid.id, status=status))
    db.session.add(SessionAttendance(session_id=talk.id, child_id=kids[4].id, status="present"))
    db.session.commit()
    login(client, world.users["coordinator"])
    url = f"/seasons/{world.season.id}/meals?day={MONDAY.isoformat()}"
    html = client.get(url).get_data(as_text=True)
    assert 'value="3"' in _served_value(html)  # two present and one late; not the talk, not the absent
    ate = html[html.index('data-testid="lunch-attendance"'):html.index("</details>", html.index('data-testid="lunch-attendance"'))]
    assert "张一" in ate and "李二" in ate and "王三" in ate and "赵四" not in ate and "钱五" not in ate
    # the coordinator adjusts it (a child ate without being marked): what was entered wins
    assert client.post(f"/seasons/{world.season.id}/meals/served?day={MONDAY.isoformat()}",
                       data={"served": "4", "note": "赵四后来吃了"}).status_code == 303
    assert db.session.query(MealCount).one().served == 4
    html = client.get(url).get_data(as_text=True)
    assert 'value="4"' in _served_value(html) and 'data-testid="lunch-attendance"' in html


def test_without_marks_the_count_starts_from_the_children_expected(client, db, make, login, world, dish):
    dish("米饭", [("粳米（标一）", 130)], day=MONDAY)
    for name in ("张一", "李二"):
        make.enrolment(make.child(world.site, name), world.season)
    login(client, world.users["coordinator"])
    html = client.get(f"/seasons/{world.season.id}/meals?day={MONDAY.isoformat()}").get_data(as_text=True)
    assert 'value="2"' in _served_value(html) and 'data-testid="lunch-attendance"' not in html

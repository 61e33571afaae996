"""Who is expected on a day (enrolment and the groups' sessions, one rule for the day and the meals),
the allergy alert from the day's menu, a coordinator's /home as the today page and the open alerts
badge beside it."""
from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.core.timeutil import LOCAL_TZ
from app.daily.models import DailyAlert, DayRecord


# --- helpers ------------------------------------------------------------------------------------
_COUNTER = itertools.count(1)


def _group_session(db, site, season, room, children, day, *, track="tutoring", name="作业辅导",
                   cancelled=False, starts=time(9), ends=time(10, 30)):
    """A group of ``children`` (enrolled in ``season``) with one session on ``day``."""
    from app.children.models import Enrolment
    from app.scheduling.models import Activity, Group, GroupMember, Session

    n = next(_COUNTER)
    activity = Activity(site_id=site.id, season_id=season.id, track=track, name=f"{name}{n}")
    group = Group(site_id=site.id, season_id=season.id, name=f"组{n}")
    db.session.add_all([activity, group])
    db.session.flush()
    for child in children:
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.child_id == child.id,
                                                              Enrolment.season_id == season.id))
        db.session.add(GroupMember(group_id=group.id, enrolment_id=enrolment.id))
    session = Session(site_id=site.id, season_id=season.id, activity_id=activity.id, group_id=group.id,
                      room_id=room.id, on_date=day, starts_at=starts, ends_at=ends, cancelled=cancelled,
                      cancel_reason="下雨" if cancelled else "")
    db.session.add(session)
    db.session.commit()
    return session


def _peanut_lunch(db, site, season, day):
    from app.health.models import Food, MenuDish, Recipe, RecipeItem
    from app.health.services import load_foods

    load_foods()
    peanut = db.session.scalar(select(Food).where(Food.name_zh == "花生仁（生）"))
    chicken = db.session.scalar(select(Food).where(Food.name_zh == "鸡胸脯肉"))
    recipe = Recipe(site_id=site.id, name="宫保鸡丁", reference_group="9-11")
    db.session.add(recipe)
    db.session.flush()
    db.session.add_all([RecipeItem(recipe_id=recipe.id, food_id=peanut.id, grams=5),
                        RecipeItem(recipe_id=recipe.id, food_id=chicken.id, grams=20),
                        MenuDish(site_id=site.id, season_id=season.id, day=day, meal="lunch", recipe_id=recipe.id)])
    db.session.commit()
    return recipe


def _names(children):
    return sorted(c.name for c in children)


# --- expected children --------------------------------------------------------------------------
def test_without_sessions_every_enrolled_child_is_expected_on_weekdays_only(db, make, world):
    from app.daily.queries import expected_children

    a, b = make.child(world.site, "甲"), make.child(world.site, "乙")
    make.enrolment(a, world.season)
    make.enrolment(b, world.season)
    assert _names(expected_children(world.site, date(2025, 7, 8))) == ["乙", "甲"]  # a Tuesday
    assert expected_children(world.site, date(2025, 7, 12)) == []                 # a Saturday


def test_with_sessions_only_the_children_of_a_group_meeting_that_day_are_expected(db, make, world):
    from app.daily.queries import expected_children, is_expected
    from app.health.queries import expected_children as meals_expected

    tuesday = date(2025, 7, 8)
    a, b, c = (make.child(world.site, n) for n in ("甲", "乙", "丙"))
    for child in (a, b, c):
        make.enrolment(child, world.season)
    _group_session(db, world.site, world.season, world.room, [a], tuesday)
    _group_session(db, world.site, world.season, world.room, [b], tuesday, cancelled=True)
    assert _names(expected_children(world.site, tuesday)) == ["甲"]
    assert is_expected(a, tuesday) and not is_expected(b, tuesday) and not is_expected(c, tuesday)
    assert meals_expected(world.site, tuesday) == expected_children(world.site, tuesday)  # one rule
    # a Saturday workshop: its group is expected, nobody else
    saturday = date(2025, 7, 12)
    _group_session(db, world.site, world.season, world.room, [c], saturday, name="周末工作坊")
    assert _names(expected_children(world.site, saturday)) == ["丙"]
    # another day without sessions: everyone enrolled
    assert _names(expected_children(world.site, date(2025, 7, 9))) == ["丙", "乙", "甲"]


def test_the_expected_children_cost_the_same_queries_with_more_groups(db, make, world, count_queries):
    from app.daily.queries import expected_children

    tuesday = date(2025, 7, 8)

    def add(n):
        kids = [make.child(world.site) for _ in range(n)]
        for kid in kids:
            make.enrolment(kid, world.season)
        _group_session(db, world.site, world.season, world.room, kids, tuesday)

    add(1)
    with count_queries() as few:
        assert len(expected_children(world.site, tuesday)) == 1
    for _ in range(3):
        add(4)
    with count_queries() as many:
        assert len(expected_children(world.site, tuesday)) == 13
    assert many.count == few.count == 3  # the children, their guardians, their pickup persons


# --- the allergy alert --------------------------------------------------------------------------
def _at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def test_a_peanut_child_and_a_peanut_dish_raise_an_allergy_alert_once(client, db, login, day_world):
    from app.daily.services import generate_alerts

    w = day_world
    peanut_child = w.children[0]  # allergic to 花生
    _peanut_lunch(db, w.site, w.season, w.day)
    login(client, w.coordinator)
    html = client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)
    section = html[html.index('data-testid="allergy-conflicts"'):]
    assert peanut_child.name in section[:section.index("</section>")] and "宫保鸡丁" in section
    assert db.session.scalar(select(DailyAlert.id)) is None  # a GET never writes
    generate_alerts(w.site, _at(w.day, 7, 0))  # early morning: before any arrival is due
    db.session.commit()
    generate_alerts(w.site, _at(w.day, 8, 0))
    db.session.commit()
    db.session.expire_all()
    alerts = list(db.session.scalars(select(DailyAlert)))
    assert [(a.child_id, a.kind) for a in alerts] == [(peanut_child.id, "allergy")]
    assert "宫保鸡丁" in alerts[0].detail and "花生" in alerts[0].detail
    html = client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)
    assert 'data-testid="open-alerts"' in html and "菜单上有：宫保鸡丁" in html


def test_the_cron_raises_the_allergy_alert(app, db, day_world, monkeypatch):
    from datetime import timezone

    from app.daily import services

    w = day_world
    _peanut_lunch(db, w.site, w.season, w.day)
    monkeypatch.setattr(services, "utcnow", lambda: _at(w.day, 7).astimezone(timezone.utc).replace(tzinfo=None))
    result = app.test_cli_runner().invoke(args=["daily", "alerts"])
    assert result.exit_code == 0, result.output
    assert "Raised 1 alerts" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(DailyAlert.kind)) == "allergy"


# --- /home for a coordinator --------------------------------------------------------------------
def test_a_coordinators_home_is_the_today_page_of_their_site(client, db, login, day_world):
    w = day_world
    login(client, w.coordinator)
    html = client.get("/home").get_data(as_text=True)
    today = client.get(f"/sites/{w.site.id}/today").get_data(as_text=True)

    def main(page):  # the content, but for which tab says "you are here"
        flat = " ".join(page[page.index('<main'):page.index('</main>')].split())
        return re.sub(r' aria-current="\w+"|name="csrf_token" value="[^"]+"', "", flat)

    # the home adds one link above the day: the current season's hub, one tap away
    season_link = re.search(r'<p class="home-season"><a [^>]*href="/seasons/(\d+)/overview"[^>]*>.*?</a></p> ',
                            main(html))
    assert season_link and int(season_link.group(1)) == w.season.id
    assert main(html).replace(season_link.group(0), "") == main(today)  # the same content, not a copy of it
    assert 'data-testid="site-chooser"' not in html
    for child in w.children:
        assert f'id="day-row-{child.id}"' in html
    assert re.search(r'<a href="/home" aria-current="page">首页', html)  # the navigation says where one is


def test_several_sites_get_a_chooser_with_alerts_and_children_in(client, db, make, login, day_world, world):
    from app.auth.models import RoleGrant
    from app.core.timeutil import local_today

    w = day_world
    db.session.add(RoleGrant(user_id=w.coordinator.id, role="coordinator", site_id=world.other_site.id))
    other = make.season(world.other_site, "练市", start_date=w.day - timedelta(days=3), end_date=w.day + timedelta(days=3))
    there = make.child(world.other_site, "练市的孩子")
    make.enrolment(there, other)
    db.session.add(DayRecord(site_id=w.site.id, child_id=w.children[1].id, day=local_today(), picked_up_by="",
                             exception_reason="", excuse="", arrived_at=datetime(2020, 1, 1)))
    db.session.add(DailyAlert(site_id=world.other_site.id, child_id=there.id, day=w.day, kind="not_arrived",
                              detail="09:30", resolution_note=""))
    db.session.commit()
    login(client, w.coordinator)
    html = client.get("/home").get_data(as_text=True)
    chooser = html[html.index('data-testid="site-chooser"'):html.index("</nav>", html.index('data-testid="site-chooser"'))]
    assert "1 / 3 人已到" in chooser and "0 / 1 人已到" in chooser
    assert f'data-testid="site-alerts-{world.other_site.id}">未处理提醒：1' in chooser
    assert f'data-testid="site-alerts-{w.site.id}"' not in chooser
    assert f'id="day-row-{w.children[0].id}"' in html and "练市的孩子" not in html  # today of the first
    chosen = client.get(f"/home?site={world.other_site.id}").get_data(as_text=True)
    assert "练市的孩子" in chosen and f'id="day-row-{w.children[0].id}"' not in chosen
    foreign = make.site("别处")
    assert f'id="day-row-{w.children[0].id}"' in client.get(f"/home?site={foreign.id}").get_data(as_text=True)


def test_home_costs_a_fixed_number_of_queries(client, db, make, login, day_world, count_queries):
    w = day_world
    login(client, w.coordinator)
    client.get("/home")
    with count_queries() as few:
        assert client.get("/home").status_code == 200
    for i in range(8):
        make.enrolment(make.child(w.site, f"多{i}", allergies="花生" if i % 2 else ""), w.season)
    _peanut_lunch(db, w.site, w.season, w.day)
    with count_queries() as many:
        assert client.get("/home").status_code == 200
    assert many.count == few.count, (few.count, many.count)  # the dishes come with their ingredients: one query either way
    assert few.count == 7, few.statements  # the day, and the current season for the hub's link


# --- the open alerts badge ------------------------------------------------------------------------
def test_the_badge_counts_a_coordinators_open_alerts_and_hides_at_zero(client, db, login, day_world, world,
                                                                       count_queries):
    w = day_world
    login(client, w.coordinator)
    assert 'data-testid="nav-alerts"' not in client.get(f"/sites/{w.site.id}/alerts").get_data(as_text=True)
    for child in w.children[:2]:
        db.session.add(DailyAlert(site_id=w.site.id, child_id=child.id, day=w.day, kind="not_arrived",
                                  detail="09:30", resolution_note=""))
    db.session.add(DailyAlert(site_id=w.site.id, child_id=w.children[2].id, day=w.day, kind="not_arrived",
                              state="resolved", detail="09:30", resolution_note="到了"))
    db.session.commit()
    html = client.get(f"/sites/{w.site.id}/alerts").get_data(as_text=True)
    assert html.count('data-testid="nav-alerts"') == 2  # the wide bar and the phone's menu
    assert '<span aria-hidden="true">2</span><span class="visually-hidden">（2 个未处理提醒）</span>' in html
    with count_queries() as counted:
        client.get(f"/sites/{w.site.id}/alerts")
    assert sum("daily_alerts" in s and "count(" in s.lower() for s in counted.statements) == 1


def _badge(html: str) -> str | None:
    found = re.search(r'data-testid="nav-alerts"[^>]*>.*?<span aria-hidden="true">(\d+)</span>', html, re.S)
    return found.group(1) if found else None


def _alert(db, site, child, day, state="open"):
    db.session.add(DailyAlert(site_id=site.id, child_id=child.id, day=day, kind="not_arrived", state=state,
                              detail="09:30", resolution_note="到了" if state == "resolved" else ""))
    db.session.commit()


def test_the_badge_counts_in_the_users_own_statement_the_sites_they_coordinate_only(app, db, make, login, day_world,
                                                                                    world, count_queries):
    from app.auth.models import RoleGrant
    from app.daily.queries import open_alert_count
    from app.core.permissions import SITE_MANAGE

    w = day_world
    third = make.site("第三站")
    db.session.add(RoleGrant(user_id=w.coordinator.id, role="coordinator", site_id=third.id))  # two sites
    db.session.add(RoleGrant(user_id=w.coordinator.id, role="auditor", site_id=world.other_site.id))  # sees, not runs
    db.session.commit()
    _alert(db, w.site, w.children[0], w.day)
    _alert(db, w.site, w.children[1], w.day, state="acknowledged")       # still open
    _alert(db, w.site, w.children[2], w.day, state="resolved")            # not counted
    _alert(db, third, make.child(third, "赵六"), w.day)
    _alert(db, world.other_site, make.child(world.other_site, "钱七"), w.day)  # an auditor there: not counted
    client = app.test_client()
    login(client, w.coordinator)
    assert _badge(client.get("/home").get_data(as_text=True)) == "3"
    with count_queries() as counted:
        html = client.get("/auth/password").get_data(as_text=True)   # a page with the navigation only
    assert _badge(html) == "3" == str(open_alert_count(w.coordinator, SITE_MANAGE))
    [user_statement] = [s for s in counted.statements if "daily_alerts" in s]
    assert "FROM users" in user_statement   # no statement of its own
    # an htmx fragment shows no navigation: the user is loaded without the count
    with count_queries() as counted:
        client.get("/auth/password", headers={"HX-Request": "true"})
    assert not any("daily_alerts" in s and "count(" in s.lower() for s in counted.statements)


def test_the_badge_is_right_for_a_session_that_began_before_a_change_of_role(app, db, make, login, day_world, world):
    from app.auth.models import RoleGrant

    w = day_world
    _alert(db, w.site, w.children[0], w.day)
    # a volunteer made coordinator while signed in: their session does not say so, the badge still shows
    volunteer = world.users["volunteer"]
    promoted = app.test_client()
    login(promoted, volunteer)
    assert _badge(promoted.get("/home").get_data(as_text=True)) is None
    db.session.add(RoleGrant(user_id=volunteer.id, role="coordinator", site_id=w.site.id))
    db.session.commit()
    assert _badge(promoted.get(f"/sites/{w.site.id}/alerts").get_data(as_text=True)) == "1"
    # a coordinator whose grant was taken away while signed in: no badge, whatever the session says
    coordinator = app.test_client()
    login(coordinator, w.coordinator)
    assert _badge(coordinator.get(f"/sites/{w.site.id}/alerts").get_data(as_text=True)) == "1"
    db.session.query(RoleGrant).filter_by(user_id=w.coordinator.id, role="coordinator").delete()
    db.session.add(RoleGrant(user_id=w.coordinator.id, role="auditor", site_id=w.site.id))
    db.session.commit()
    assert _badge(coordinator.get(f"/sites/{w.site.id}/alerts").get_data(as_text=True)) is None


def test_no_badge_and_no_query_for_a_volunteer_or_an_auditor(app, db, login, day_world, world, count_queries):
    w = day_world
    db.session.add(DailyAlert(site_id=w.site.id, child_id=w.children[0].id, day=w.day, kind="not_arrived",
                              detail="09:30", resolution_note=""))
    db.session.commit()
    for role in ("volunteer", "auditor"):
        client = app.test_client()
        login(client, world.users[role])
        with count_queries() as counted:
            html = client.get("/home").get_data(as_text=True)
        assert 'data-testid="nav-alerts"' not in html
        assert not any("daily_alerts" in s for s in counted.statements), role

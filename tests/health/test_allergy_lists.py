"""Who sees children's allergies beyond the coordinators: the volunteers rostered on a meal session
(first names, the day's conflicting dishes, the substitutions), and a guardian, for their own
child only (linked by the guardian's phone number)."""
from __future__ import annotations

from datetime import date, time

from app.children.models import Guardian
from app.health.models import MealSubstitution
from app.scheduling.models import GroupMember, Session, SessionStaff
from tests.health.conftest import MONDAY
from tests.scheduling.helpers import activity, group

PEANUT_DISH = ("宫保鸡丁", [("鸡胸脯肉", 20), ("花生仁（生）", 6)])
WEDNESDAY = date(2025, 7, 9)


def _lunch(db, make, world, dish):
    """A lunch session on Wednesday for a group of three: 张小明 (peanut), 李玥 (milk), 王喆 (none);
    宫保鸡丁 on the menu, and a substitution recorded for 张小明."""
    season = world.season
    lunch = activity(db, season, "营养午餐", track="health")
    grp = group(db, season, "三年级")
    kids = []
    for name, allergies in (("张小明", "花生"), ("李玥", "牛奶"), ("王喆", "")):
        child = make.child(world.site, name, allergies=allergies)
        enrolment = make.enrolment(child, season)
        db.session.add(GroupMember(group_id=grp.id, enrolment_id=enrolment.id))
        kids.append(child)
    outsider = make.child(world.site, "赵外组", allergies="花生")
    make.enrolment(outsider, season)
    session = Session(site_id=world.site.id, season_id=season.id, activity_id=lunch.id, group_id=grp.id,
                      room_id=world.room.id, on_date=WEDNESDAY, starts_at=time(12), ends_at=time(12, 30))
    db.session.add(session)
    db.session.commit()
    recipe = dish(*PEANUT_DISH, day=WEDNESDAY)
    db.session.add(MealSubstitution(site_id=world.site.id, day=WEDNESDAY, child_id=kids[0].id, recipe_id=recipe.id,
                                    instead="番茄炒蛋"))
    db.session.commit()
    return session, kids


def _roster(db, session, user, status="rostered"):
    db.session.add(SessionStaff(session_id=session.id, user_id=user.id, role="volunteer", status=status))
    db.session.commit()


# --- a meal session's allergy list -----------------------------------------------------------------
def test_a_rostered_volunteer_sees_first_names_conflicts_and_substitutions(client, db, make, login, world, dish):
    session, kids = _lunch(db, make, world, dish)
    _roster(db, session, world.users["volunteer"])
    login(client, world.users["volunteer"])
    response = client.get(f"/sessions/{session.id}/allergies")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    listed = html[html.index('data-testid="session-allergies"'):]
    assert "<h2>小明</h2>" in listed and "<h2>玥</h2>" in listed
    assert "张小明" not in html and "李玥" not in html  # first names only
    assert "王喆" not in html and "喆" not in listed and "外组" not in html  # no allergy / not in the group
    assert "宫保鸡丁" in listed and "番茄炒蛋" in listed
    milk = listed[listed.index("<h2>玥</h2>"):]
    assert "宫保鸡丁" not in milk[:milk.index("</li>")]


def test_a_volunteer_not_rostered_or_released_gets_403(app, db, make, login, world, dish):
    session, _kids = _lunch(db, make, world, dish)
    other = make.user("volunteer", world.site)
    released = make.user("volunteer", world.site)
    _roster(db, session, released, status="released")
    for user in (other, released, world.users["guardian"], world.users["auditor"], world.users["other_coordinator"]):
        client = app.test_client()
        login(client, user)
        assert client.get(f"/sessions/{session.id}/allergies").status_code == 403, user.username
    client = app.test_client()
    login(client, world.users["coordinator"])
    assert client.get(f"/sessions/{session.id}/allergies").status_code == 200


def test_my_shifts_links_a_health_session_to_its_allergy_list(client, db, make, login, world, dish, monkeypatch):
    from app.scheduling import staff_queries

    session, _kids = _lunch(db, make, world, dish)
    _roster(db, session, world.users["volunteer"])
    make.volunteer_profile(world.users["volunteer"], world.site)
    from datetime import datetime

    from app.core.timeutil import LOCAL_TZ

    monkeypatch.setattr(staff_queries, "local_now", lambda: datetime.combine(MONDAY, time(8), tzinfo=LOCAL_TZ))
    login(client, world.users["volunteer"])
    html = client.get("/me/shifts").get_data(as_text=True)
    assert f'href="/sessions/{session.id}/allergies" data-testid="session-allergies-link"' in html


# --- a guardian's own child ----------------------------------------------------------------------------
def _guardian_world(db, make, world, dish):
    session, kids = _lunch(db, make, world, dish)
    guardian = world.users["guardian"]
    guardian.phone = "13912345678"
    kids[0].guardians[0].phone = "13912345678"
    db.session.commit()
    return guardian, kids


def test_a_guardian_sees_their_own_childs_allergies_and_marked_menu(client, db, make, login, world, dish):
    guardian, kids = _guardian_world(db, make, world, dish)
    login(client, guardian)
    mine = client.get("/me/children").get_data(as_text=True)
    assert "张小明" in mine and "李玥" not in mine and f'/me/children/{kids[0].id}/meals' in mine
    assert 'href="/me/children"' in mine  # in the navigation
    html = client.get(f"/me/children/{kids[0].id}/meals?week={MONDAY.isoformat()}").get_data(as_text=True)
    assert "花生" in html[html.index('data-testid="child-allergies"'):]
    marked = html[html.index('data-testid="marked-dish"'):]
    assert "宫保鸡丁" in marked[:marked.index("</li>")] and "番茄炒蛋" in marked[:marked.index("</li>")]
    assert "李玥" not in html and "王喆" not in html and "赵外组" not in html


def test_another_child_another_site_and_a_changed_phone_are_refused(app, db, make, login, world, dish):
    guardian, kids = _guardian_world(db, make, world, dish)
    client = app.test_client()
    login(client, guardian)
    assert client.get(f"/me/children/{kids[1].id}/meals").status_code == 403  # not their child
    # a guardian of another site with the same phone: not this site's child
    elsewhere = make.user("guardian", world.other_site, phone="13900001111")
    db.session.add(Guardian(child_id=kids[0].id, name="外婆", relation="外婆", phone="13900001111"))
    db.session.commit()
    other = app.test_client()
    login(other, elsewhere)
    assert other.get(f"/me/children/{kids[0].id}/meals").status_code == 403
    assert "张小明" not in other.get("/me/children").get_data(as_text=True)
    # the record's phone changes: the account no longer reaches the child
    assert client.get(f"/me/children/{kids[0].id}/meals").status_code == 200
    kids[0].guardians[0].phone = "13700000000"
    db.session.commit()
    assert client.get(f"/me/children/{kids[0].id}/meals").status_code == 403
    assert "张小明" not in client.get("/me/children").get_data(as_text=True)
    # staff do not use this page
    staff = app.test_client()
    login(staff, world.users["coordinator"])
    assert staff.get(f"/me/children/{kids[0].id}/meals").status_code == 403

"""The route × role walk's shared setup: every URL of the app filled with objects of one world.

Used by test_permissions.py (who may open what), test_fuzz.py (bad input never answers 500) and
test_render_sql.py (templates never run SQL). Written against URLs and their parameters only, never
against the areas' internal functions.
"""
from __future__ import annotations

from datetime import date, timedelta

ROLES_IN_ORDER = ["anonymous", "volunteer", "guardian", "auditor", "other_coordinator", "coordinator", "admin"]


def endpoint_rules(app, methods=("GET", "POST")) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every route of ``app`` except static files, in a stable order."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method in methods:
                found.append((rule.endpoint, rule.rule, method))
    return sorted(found, key=lambda r: (r[1], r[2]))


def route_values(db, make, world) -> dict:
    """A value for every URL parameter of the app: objects of the world's site; the volunteer's own
    objects belong to the world's "volunteer" user."""
    from app.children.models import ImportBatch, PickupPerson
    from app.core.timeutil import utcnow
    from app.sites.models import ThemeWeek

    target = make.user("volunteer", world.site, username="target")
    week = ThemeWeek(season_id=world.season.id, title="安全周", starts_on=world.season.start_date,
                     ends_on=world.season.start_date)
    db.session.add(week)
    db.session.commit()
    values = {"site_id": world.site.id, "season_id": world.season.id, "room_id": world.room.id,
              "party_id": world.party.id, "theme_week_id": week.id, "user_id": target.id,
              "grant_id": target.grants[0].id, "token": "not-a-token"}

    profile = make.volunteer_profile(world.users["volunteer"], world.site)
    entry = make.hour_entry(profile, date(2025, 7, 8), season=world.season)
    make.hour_entry(profile, date(2025, 7, 9), status="approved", season=world.season)
    make.volunteer_settings(world.site)
    certificate = make.certificate(profile, date(2025, 7, 7), date(2025, 7, 31))
    values.update({"profile_id": profile.id, "hour_entry_id": entry.id, "certificate_id": certificate.id,
                   "number": certificate.number, "application_id": make.application(world.site).id,
                   "training_kind_id": make.training_kind(world.site).id,
                   "donation_id": make.donation(world.site, world.party).id})

    world.users["guardian"].phone = "13911112222"  # the guardian of 张三: linked by phone (OWN_CHILD)
    child = make.child(world.site, "张三", allergies="花生", guardian_phone="13911112222")
    make.consent(child)
    enrolment = make.enrolment(child, world.season, status="applied")
    pickup = PickupPerson(child_id=child.id, name="李四", relation="舅舅", phone="13900000000")
    batch = ImportBatch(site_id=world.site.id, payload={"rows": [], "total": 0, "valid": 0},
                        created_at=utcnow(), expires_at=utcnow() + timedelta(hours=1))
    db.session.add_all([pickup, batch])
    db.session.commit()
    values.update({"child_id": child.id, "guardian_id": child.guardians[0].id, "pickup_id": pickup.id,
                   "enrolment_id": enrolment.id, "import_batch_id": batch.id})

    from app.daily.models import DailyAlert, HomeworkPlan, Incident  # the day (issue 11)

    alert = DailyAlert(site_id=world.site.id, child_id=child.id, day=world.season.start_date, kind="not_arrived",
                       state="open", detail="", resolution_note="")
    incident = Incident(site_id=world.site.id, kind="suspected_harm", occurred_at=utcnow() - timedelta(hours=1),
                        place="一楼活动室", what_happened="摔倒")
    plan = HomeworkPlan(child_id=child.id, season_id=world.season.id, subject="数学", workbook="暑假作业", units=20)
    db.session.add_all([alert, incident, plan])
    db.session.commit()
    values.update({"alert_id": alert.id, "incident_id": incident.id, "homework_plan_id": plan.id})

    from app.health.models import Food, MenuDish, Recipe, RecipeItem

    food = Food(site_id=world.site.id, name_zh="花生酱", food_group="soy_nuts", energy_kcal=600, allergens=1)
    recipe = Recipe(site_id=world.site.id, name="花生酱拌面")
    db.session.add_all([food, recipe])
    db.session.flush()
    item = RecipeItem(recipe_id=recipe.id, food_id=food.id, grams=10)
    dish = MenuDish(site_id=world.site.id, season_id=world.season.id, day=world.season.start_date, recipe_id=recipe.id)
    db.session.add_all([item, dish])
    db.session.commit()
    values.update({"food_id": food.id, "recipe_id": recipe.id, "recipe_item_id": item.id, "menu_dish_id": dish.id})

    from tests.scheduling.helpers import scheduled_world
    values.update(scheduled_world(db, world))

    from app.scheduling.models import GroupMember, Session  # a mark, so the outcomes pages show rates (issue 11)

    member = db.session.query(GroupMember).filter_by(group_id=values["group_id"]).first()
    last = (db.session.query(Session).filter_by(schedule_id=values["schedule_id"])
            .order_by(Session.on_date.desc()).first())
    make.attendance(last, member.enrolment.child, "late")
    return values


def fill(rule: str, values: dict) -> str:
    """The URL of ``rule`` with every parameter filled from ``values``; fails on an unknown one."""
    url = rule
    for name, value in values.items():
        url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    assert "<" not in url, f"the route walk does not know how to fill {rule}: add its parameter to route_values"
    return url

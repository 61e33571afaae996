"""Reads for health and meals: a fixed number of queries per page, whatever the enrolment.

Two functions are meant for other areas: ``expected_children(site, day)`` (who is expected to eat on
a day: ``app.daily.queries.expected_children``, the one rule) and ``allergy_conflicts(site,
day)`` (which expected children meet an allergen on that day's menu: the today page and the meal
session roster show it)."""
from __future__ import annotations

from collections import defaultdict, namedtuple
from datetime import date, datetime, time, timedelta, timezone
from functools import cache
from typing import NamedTuple

from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.children.models import Child, Enrolment
from app.core.db import run
from app.extensions import db
from app.health import nutrition
from app.health.models import (NUTRIENTS, Food, FoodSample, HealthCheck, MealCount, MealSubstitution,
                               MedicineGiven, MenuDish, Recipe, RecipeItem)
from app.core.timeutil import LOCAL_TZ, local_today
from app.health.standards import AGE_GROUPS, Standards, note_of, standards
from app.sites.models import Season, Site


def _chinese() -> bool:
    from flask_babel import get_locale

    locale = get_locale()
    return locale is None or locale.language == "zh"


# --- foods and recipes -------------------------------------------------------------------------------
def foods_for(site_id: int, *, include_archived: bool = False):
    """The national table and the site's own foods, by group and name."""
    query = select(Food).where(or_(Food.site_id.is_(None), Food.site_id == site_id))
    if not include_archived:
        query = query.where(Food.archived_at.is_(None))
    return list(db.session.scalars(query.order_by(Food.food_group, Food.name_zh)))


def _with_items():
    return selectinload(Recipe.items).options(joinedload(RecipeItem.food))


def recipes_of(site_id: int) -> list[Recipe]:
    return list(db.session.scalars(select(Recipe).options(_with_items())
                                   .where(Recipe.site_id == site_id, Recipe.archived_at.is_(None))
                                   .order_by(Recipe.name)))


def recipe_choices(site_id: int) -> list:
    """The site's dishes a menu can take (id and name, by name): what the menu form offers."""
    return run(_recipe_choices_statement(), {"site_id": site_id}).all()


# The menu page's reads are Core statements on the tables, built once and run with parameters: an
# ORM-annotated select is compiled through the ORM layer and a statement built per request costs its
# construction and cache key each time (a third to a half of what these small reads cost).
_recipes, _items, _foods = Recipe.__table__, RecipeItem.__table__, Food.__table__
_menu_dishes, _samples = MenuDish.__table__, FoodSample.__table__
_children, _enrolments = Child.__table__, Enrolment.__table__


@cache
def _recipe_choices_statement():
    return (select(_recipes.c.id, _recipes.c.name)
            .where(_recipes.c.site_id == bindparam("site_id"), _recipes.c.archived_at.is_(None))
            .order_by(_recipes.c.name))


def recipe_page(recipe: Recipe) -> dict:
    recipe = db.session.scalar(select(Recipe).options(_with_items()).where(Recipe.id == recipe.id))
    std = standards()
    per_group = {group: nutrition.dish_totals(recipe, group, std) for group in AGE_GROUPS}
    return dict(recipe=recipe, per_group=per_group, as_written=nutrition.dish_totals(recipe, None, std),
                scale={group: std.scale(group, recipe.reference_group) for group in AGE_GROUPS},
                foods=foods_for(recipe.site_id))


# --- children: who eats, in which age group ----------------------------------------------------------
def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def age_group_of(child, day: date, std: Standards) -> str:
    """From the birth date; without one, from the grade (grade 1 is about 6–7 years old)."""
    if child.birth_date is not None:
        return std.age_group_of_age(age_on(child.birth_date, day))
    if child.grade:
        return std.age_group_of_age(child.grade + 5)
    return std.reference_group


def enrolment_mix(season: Season) -> dict[str, tuple[int, int]]:
    """Age groups present in the season's enrolment, with (boys, girls) in each (one query)."""
    rows = _enrolled(season.id, False)
    return _mix_of(rows, season.start_date, standards())


def _mix_of(rows, day: date, std: Standards) -> dict[str, tuple[int, int]]:
    """(boys, girls) per age group of ``rows`` (sex, birth_date, grade) on ``day``: ``age_group_of``
    with each age's group looked up once."""
    mix: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    group_of_age: dict[int, str] = {}
    month_day = (day.month, day.day)
    for row in rows:  # (..., sex, birth_date, grade): by index, a result row's attribute is a key lookup
        birth = row[-2]
        if birth is not None:
            age = day.year - birth.year - (month_day < (birth.month, birth.day))
        elif row[-1]:
            age = row[-1] + 5
        else:
            mix[std.reference_group][0 if row[-3] == "m" else 1] += 1
            continue
        group = group_of_age.get(age)
        if group is None:
            group = group_of_age[age] = std.age_group_of_age(age)
        mix[group][0 if row[-3] == "m" else 1] += 1
    return {group: tuple(mix[group]) for group in AGE_GROUPS if group in mix}


@cache
def _enrolled_statement(with_allergies: bool):
    """The season's enrolled children as the menus read them: sex, birth date and grade for the age
    mix, and (``with_allergies``: the week's page, one statement for both) id, name and allergies by
    name. Built once."""
    c, e = _children.c, _enrolments.c
    columns = [c.id, c.name, c.allergies] if with_allergies else []
    query = (select(*columns, c.sex, c.birth_date, c.grade)
             .select_from(_children.join(_enrolments, e.child_id == c.id))
             .where(e.season_id == bindparam("season_id"), e.status == "enrolled", c.erased_at.is_(None)))
    return query.order_by(c.name_pinyin, c.id) if with_allergies else query


# The enrolled children as read for the week (``_enrolled_statement``): rows the age mix reads by index
# (``_mix_of``), and those with an allergy text as named tuples for the allergy matching, which reads
# their fields by name (a tuple's field is an index where a result row's attribute is a key lookup).
EnrolledChild = namedtuple("EnrolledChild", "id name allergies sex birth_date grade")


def _enrolled(season_id: int, with_allergies: bool) -> list:
    return run(_enrolled_statement(with_allergies), {"season_id": season_id}).all()


def _with_allergy_text(rows) -> list[EnrolledChild]:
    """The children of ``_enrolled(..., True)`` whose allergy text is not empty (the matching reads no
    other: ``nutrition.allergic``)."""
    return [EnrolledChild._make(row) for row in rows if row[2]]


def expected_children(site: Site, day: date) -> list[Child]:
    """The children expected on ``day`` at ``site``: the programme's day decides (one rule, one place)."""
    from app.daily.queries import expected_children as expected

    return expected(site, day)


# --- a period's menu as plain values (every reader of the menu: the week's page and its checks, the meal
# day, a session's allergies, a guardian's week of a child, the allergy matching) -----------------------
# The dishes, their recipes and the recipes' foods in one Core statement, read into small objects with
# the attributes the nutrition engine and the templates read (``dish.recipe.items[i].food.energy_kcal``):
# no ORM instances, identity map or relationship loading for a read-only page. The one dish reader.
class MenuFood(NamedTuple):
    id: int
    name_zh: str
    food_group: str
    allergens: int


# with the nutrients, in the order of NUTRIENTS
MenuFoodNutrients = namedtuple("MenuFoodNutrients", ("id", "name_zh", "food_group", "allergens", *NUTRIENTS))


class MenuItem(NamedTuple):
    food: MenuFood
    grams: float


class MenuRecipe(NamedTuple):
    id: int
    name: str
    reference_group: str
    items: list  # of MenuItem, in the recipe's order


class MenuEntry(NamedTuple):
    """A dish on the menu (a ``MenuDish`` as read for display: id, day, meal, recipe_id, recipe)."""
    id: int
    day: date
    meal: str
    recipe_id: int
    recipe: MenuRecipe
    sampled: bool


@cache
def _menu_statement(full: bool):
    """``full``: with the foods' nutrients and whether each dish was sampled that day (the week's
    page); else the names and allergens the allergy matching reads. Built once, run with parameters."""
    m, r, i, f, fs = _menu_dishes.c, _recipes.c, _items.c, _foods.c, _samples.c
    columns = [m.id, m.day, m.meal, r.id, r.name, r.reference_group, i.grams, f.id, f.name_zh, f.food_group,
               f.allergens]
    if full:
        columns += [f[name] for name in NUTRIENTS]
        columns.append(exists().where(fs.site_id == m.site_id, fs.day == m.day, fs.recipe_id == m.recipe_id))
    return (select(*columns)
            .select_from(_menu_dishes.join(_recipes, r.id == m.recipe_id)
                         .outerjoin(_items, i.recipe_id == r.id).outerjoin(_foods, f.id == i.food_id))
            .where(m.site_id == bindparam("site_id"), m.day.between(bindparam("first"), bindparam("last")))
            .order_by(m.day, m.meal, m.id, i.id))


def _menu(site_id: int, first: date, last: date, *, full: bool = True, rows_out: list | None = None) -> list[MenuEntry]:
    """The dishes of ``first``..``last`` by day, meal and id, each recipe and food read once (``full``: see
    ``_menu_statement``; without it, what the allergy matching and the dish lists read). ``rows_out``
    receives the rows read, everything the entries were made of."""
    rows = run(_menu_statement(full), dict(site_id=site_id, first=first, last=last)).all()
    if rows_out is not None:
        rows_out.extend(rows)
    entries: list[MenuEntry] = []
    recipes: dict[int, MenuRecipe] = {}
    foods: dict = {}
    make_food = MenuFoodNutrients._make if full else MenuFood._make
    end = 11 + len(NUTRIENTS) if full else 11
    filling = None  # the items of the recipe these rows bring (the first dish that serves it), else None
    last_dish = None
    for row in rows:
        if row[0] != last_dish:
            last_dish = row[0]
            recipe = recipes.get(row[3])
            filling = None
            if recipe is None:
                recipe = recipes[row[3]] = MenuRecipe(row[3], row[4], row[5], [])
                filling = recipe.items
            entries.append(MenuEntry(row[0], row[1], row[2], row[3], recipe, full and bool(row[end])))
        if filling is None or row[7] is None:
            continue
        food = foods.get(row[7])
        if food is None:
            food = foods[row[7]] = make_food(row[7:end])
        filling.append(MenuItem(food, row[6]))
    return entries


def _conflicts_by_day(children, dishes: list[MenuEntry], std: Standards) -> dict[date, list]:
    by_day: dict[date, list] = defaultdict(list)
    for dish in dishes:
        by_day[dish.day].append((dish.meal, dish.recipe))
    allergic = nutrition.allergic(children, std)  # the children and the dishes read once for all the days
    read: dict = {}
    return nutrition.match_days(allergic, {day: nutrition.read_dishes(pairs, read) for day, pairs in by_day.items()})


def allergy_conflicts(site: Site, day: date, children=None) -> list[nutrition.Conflict]:
    """Expected children of ``day`` whose allergies meet an ingredient of that day's menu, each
    with the dish and the allergen (one query for the menu, and those of ``expected_children`` unless
    ``children``: the expected children when the caller has them already)."""
    dishes = _menu(site.id, day, day, full=False)
    if not dishes:
        return []
    if children is None:
        children = expected_children(site, day)
    return _conflicts_by_day(children, dishes, standards()).get(day, [])


# --- the week of menus -------------------------------------------------------------------------------
def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def default_week(season: Season, today: date) -> date:
    if season.start_date <= today <= season.end_date:
        return monday_of(today)
    return monday_of(season.start_date if today < season.start_date else season.end_date)


def week_days(season: Season, monday: date, dishes) -> list[date]:
    """Monday to Friday in the season, and a weekend day when it has dishes."""
    with_dishes = {d.day for d in dishes}
    days = []
    for i in range(7):
        day = monday + timedelta(days=i)
        if season.start_date <= day <= season.end_date and (i < 5 or day in with_dishes):
            days.append(day)
    return days


def week(season: Season, monday: date, *, with_children: bool = True) -> dict:
    """Everything the week's menu page shows: dishes per day and meal, the check per age group
    present, the allergy conflicts and the days' food samples (two queries, whatever the week holds:
    the dishes with their foods and samples, and the enrolled children)."""
    std = standards()
    sunday = monday + timedelta(days=6)
    rows: list = []
    dishes = _menu(season.site_id, monday, sunday, rows_out=rows)
    days = week_days(season, monday, dishes)
    by_day: dict[date, dict[str, list[MenuEntry]]] = {day: {"lunch": [], "snack": []} for day in days}
    sampled = defaultdict(set)
    for dish in dishes:
        if dish.day in by_day:
            by_day[dish.day][dish.meal].append(dish)
        if dish.sampled:
            sampled[dish.day].add(dish.recipe_id)
    conflicts: dict[date, list] = {}
    if with_children:
        seasons_children = _enrolled(season.id, True)
        mix = _mix_of(seasons_children, season.start_date, std)
        conflicts = _conflicts_by_day(_with_allergy_text(seasons_children), dishes, std)
    else:
        mix = enrolment_mix(season)
    groups = list(mix) or [std.reference_group]
    recipes_by_day = {day: ([d.recipe for d in meals["lunch"]], [d.recipe for d in meals["snack"]])
                      for day, meals in by_day.items()}
    def check() -> dict:
        return {group: nutrition.check_week(recipes_by_day, group, std, males=mix.get(group, (1, 1))[0],
                                            females=mix.get(group, (1, 1))[1]) for group in groups}

    kept = _kept_week(std, (tuple(rows), tuple(days), tuple((group, mix.get(group)) for group in groups)), check)
    checks = kept.checks
    day_levels = {day: nutrition.worst(checks[g][day].level for g in groups if day in checks[g]) for day in days}
    return dict(season=season, monday=monday, days=days, by_day=by_day, groups=groups, mix=mix, checks=checks,
                day_levels=day_levels, conflicts=conflicts, sampled=sampled, notes=std.notes(_chinese()),
                today=local_today(), kept=kept,
                previous=monday - timedelta(days=7), next=monday + timedelta(days=7),
                has_previous=monday > season.start_date, has_next=sunday < season.end_date)


# A week's checks, kept per process: they follow from the week's menu rows (every dish, recipe, food and
# nutrient value the check reads), the days judged, the age groups with their sex mix, the standards and
# the language of the messages, and nothing else, so a second view of an unchanged week (a reload, a
# colleague, the printed menu) reads its checks instead of working them out again. An edit changes the
# rows, and so the key; the standards' object is part of it (a reloaded file is a new object).
# ``pages`` keeps the week's section of the page as rendered from them and the few other values it
# shows (health/routes.py), without the allergy list, so it goes when the week does: nothing about a
# child is kept. An entry holds ~90 KB for the bench's full week of four age groups (tracemalloc), and
# ~25 KB more per kept rendering (one or two in practice: who may manage the week, today; at most
# eight): 64 weeks, more than a district's sites look at in a day, stay under 10 MB per worker (20 MB
# at the very worst).
class KeptWeek:
    __slots__ = ("std", "checks", "pages")

    def __init__(self, std: Standards, checks: dict):
        self.std, self.checks, self.pages = std, checks, {}


_WEEKS: dict = {}
_WEEKS_MAX = 64


def _kept_week(std: Standards, key: tuple, check) -> KeptWeek:
    """The week kept for ``key`` in this language with these standards (its checks: ``check()``),
    kept (and read only)."""
    key = (id(std), str(get_locale()), key)
    found = _WEEKS.get(key)
    if found is not None and found.std is std:
        return found
    kept = KeptWeek(std, check())
    if len(_WEEKS) >= _WEEKS_MAX:
        _WEEKS.clear()
    _WEEKS[key] = kept
    return kept


# The week's page as its template writes it (``week_lines``): each value worked out here once, where a
# call costs a tenth of one in a template, and read there by unpacking, not by attribute.
DishLine = namedtuple("DishLine", "name no_sample remove_url remove_label")
CheckLine = namedtuple("CheckLine", "group level energy findings notes")  # findings: (level, message)
DayLine = namedtuple("DayLine", "day iso text level lunch snack checks")
AllergyLine = namedtuple("AllergyLine", "day child_name dish meal reason")


def week_lines(data: dict, remove_url=None, remove_label=None) -> list[DayLine]:
    """``week(...)``'s days as the week's page shows them: per day its ISO date, date text, level,
    lunch and snack (``DishLine``: the dish's name, whether a sample is missing and, with
    ``remove_url`` (a ``url_maker`` function of the dish's id) and ``remove_label``
    (the translated text, trusted, with a ``%(dish)s``), its remove button's URL and label as Markup
    with the name escaped), and the checks of the age groups that judged it (``CheckLine``: the
    group's label, level, energy as shown, findings as (level, message) and notes)."""
    from app.core.formats import format_date
    from app.health.labels import AGE_GROUP_LABELS

    today, sampled, checks, by_day = data["today"], data["sampled"], data["checks"], data["by_day"]
    group_text = {group: str(AGE_GROUP_LABELS[group]) for group in data["groups"]}
    labels: dict[str, object] = {}  # the remove button's label per dish name
    days = []
    for day in data["days"]:
        unsampled = day <= today
        day_sampled = sampled.get(day, ())
        meals = []
        for meal in ("lunch", "snack"):
            lines = []
            for dish in by_day[day][meal]:
                name = dish.recipe.name
                no_sample = unsampled and dish.recipe_id not in day_sampled
                if remove_url is None:
                    lines.append(DishLine(name, no_sample, None, None))
                    continue
                label = labels.get(name)
                if label is None:  # what Markup(remove_label) % {"dish": name} gives: the name escaped
                    label = labels[name] = Markup(remove_label % {"dish": escape(name)})
                lines.append(DishLine(name, no_sample, remove_url(dish.id), label))
            meals.append(lines)
        day_checks = []
        for group in data["groups"]:
            check = checks[group].get(day)
            if check is not None:
                day_checks.append(CheckLine(group_text[group], check.level, "%.0f" % check.totals.energy,
                                            [(f.level, f.message) for f in check.findings], check.notes))
        days.append(DayLine(day, day.isoformat(), format_date(day), data["day_levels"][day], *meals, day_checks))
    return days


def allergy_lines(data: dict) -> list[AllergyLine]:
    """``week(...)``'s allergy conflicts as the week's page lists them, day by day (``AllergyLine``)."""
    from app.core.formats import format_date

    return [AllergyLine(format_date(day), c.child_name, c.dish, c.meal, c.reason)
            for day in data["days"] for c in data["conflicts"].get(day, ())]


# --- a day: meals served, samples, substitutions -----------------------------------------------------
def meal_day(season: Season, day: date) -> dict:
    site = season.site
    dishes = _menu(season.site_id, day, day, full=False)
    samples = list(db.session.scalars(select(FoodSample).options(joinedload(FoodSample.recipe)).where(
        FoodSample.site_id == season.site_id, FoodSample.day == day).order_by(FoodSample.kept_at)))
    count = db.session.scalar(select(MealCount).where(MealCount.site_id == season.site_id, MealCount.day == day))
    substitutions = list(db.session.scalars(select(MealSubstitution).options(
        joinedload(MealSubstitution.child), joinedload(MealSubstitution.recipe)).where(
        MealSubstitution.site_id == season.site_id, MealSubstitution.day == day).order_by(MealSubstitution.id)))
    children = expected_children(site, day)
    conflicts = _conflicts_by_day(children, dishes, standards()).get(day, [])
    at_lunch = lunch_attendance(season.site_id, day)
    sampled = {s.recipe_id for s in samples}
    lunch = [d for d in dishes if d.meal == "lunch"]
    rule = standards().sample_rule
    return dict(season=season, day=day, dishes=dishes, samples=samples, count=count, substitutions=substitutions,
                conflicts=conflicts, expected=len(children), children=children, at_lunch=at_lunch,
                unsampled=[d.recipe for d in dishes if d.recipe_id not in sampled] if day <= local_today() else [],
                rule=rule, rule_note=note_of(rule, _chinese()), has_lunch=bool(lunch))


# Lunch sessions: sessions of the health track (营养午餐) starting in this window, so a health talk
# in the afternoon is not counted as a meal.
LUNCH_STARTS = (time(10, 30), time(13, 30))


def lunch_attendance(site_id: int, day: date) -> dict | None:
    """Who ate, from the rosters of the day's lunch sessions (read only): the children marked present
    or late, by name, and how many sessions have marks; None when no lunch session has a mark yet
    (then the count is entered by hand). Two queries."""
    from app.daily.models import SessionAttendance
    from app.scheduling.models import Activity, Session

    sessions = list(db.session.scalars(select(Session.id).join(Activity, Activity.id == Session.activity_id).where(
        Session.site_id == site_id, Session.on_date == day, Session.cancelled.is_(False),
        Activity.track == "health", Session.starts_at.between(*LUNCH_STARTS))))
    if not sessions:
        return None
    rows = db.session.execute(select(SessionAttendance.session_id, SessionAttendance.status, Child.id, Child.name)
                              .join(Child, Child.id == SessionAttendance.child_id)
                              .where(SessionAttendance.session_id.in_(sessions))
                              .order_by(Child.name_pinyin, Child.id)).all()
    if not rows:
        return None
    ate = {}
    for _session_id, status, child_id, name in rows:
        if status in ("present", "late"):
            ate[child_id] = name
    return dict(served=len(ate), names=list(ate.values()), sessions=len({r[0] for r in rows}),
                lunch_sessions=len(sessions))


# --- health checks and medicines ---------------------------------------------------------------------
def health_day(season: Season, day: date) -> dict:
    children = expected_children(season.site, day)
    checks = list(db.session.scalars(select(HealthCheck).options(
        joinedload(HealthCheck.child), joinedload(HealthCheck.recorded_by)).where(
        HealthCheck.site_id == season.site_id, HealthCheck.day == day).order_by(HealthCheck.recorded_at)))
    start = datetime.combine(day, datetime.min.time(), tzinfo=LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)
    medicines = list(db.session.scalars(select(MedicineGiven).options(
        joinedload(MedicineGiven.child), joinedload(MedicineGiven.given_by)).where(
        MedicineGiven.site_id == season.site_id, MedicineGiven.given_at >= start,
        MedicineGiven.given_at < start + timedelta(days=1)).order_by(MedicineGiven.given_at)))
    return dict(season=season, day=day, children=children, checks=checks, medicines=medicines,
                with_medicines=[c for c in children if (c.medicines or "").strip()])


# --- a meal session's allergy list (the volunteers serving it) ------------------------------------------
def first_name(name: str) -> str:
    """The given name (a volunteer sees first names only): the name without its one-character surname."""
    return name[1:] if len(name) >= 2 and not name.isascii() else name


def _has_allergies(child, std: Standards) -> bool:
    text = (child.allergies or "").strip().lower()
    return bool(text) and text not in std.none_words


def session_allergies(session) -> dict:
    """The children of the session's group who have allergies (first names), the day's dishes that
    meet them and the substitutions recorded for them that day (four queries)."""
    from app.scheduling.models import GroupMember, Session

    session = db.session.scalar(select(Session).options(joinedload(Session.activity), joinedload(Session.group),
                                                        joinedload(Session.room)).where(Session.id == session.id))
    std = standards()
    children = [c for c in db.session.scalars(
        select(Child).join(Enrolment, Enrolment.child_id == Child.id)
        .join(GroupMember, GroupMember.enrolment_id == Enrolment.id)
        .where(GroupMember.group_id == session.group_id, Enrolment.status == "enrolled", Child.erased_at.is_(None))
        .order_by(Child.name_pinyin, Child.id)) if _has_allergies(c, std)]
    dishes = _menu(session.site_id, session.on_date, session.on_date, full=False) if children else []
    found = _conflicts_by_day(children, dishes, std).get(session.on_date, [])
    subs = _substitutions([c.id for c in children], session.on_date, session.on_date)
    rows = [dict(child_id=c.id, first_name=first_name(c.name), allergies=c.allergies,
                 conflicts=[x for x in found if x.child_id == c.id],
                 substitutions={s.recipe_id: s.instead for s in subs if s.child_id == c.id}) for c in children]
    return dict(occurrence=session, rows=rows, dishes=dishes)


def _substitutions(child_ids, first: date, last: date) -> list[MealSubstitution]:
    if not child_ids:
        return []
    return list(db.session.scalars(select(MealSubstitution).options(joinedload(MealSubstitution.recipe)).where(
        MealSubstitution.child_id.in_(child_ids), MealSubstitution.day.between(first, last))
        .order_by(MealSubstitution.day, MealSubstitution.id)))


# --- a guardian's own children ---------------------------------------------------------------------------
def my_children(user) -> list[Child]:
    """The children of the sites where ``user`` is a guardian whose guardians' phone is the user's
    own (the rule of ``OWN_CHILD``; one query, none without a phone)."""
    from app.core.forms import normalise_phone
    from app.children.models import Guardian

    phone = normalise_phone(user.phone or "")
    sites = user.site_ids({"guardian"})
    if not phone or not sites:
        return []
    return list(db.session.scalars(
        select(Child).options(joinedload(Child.site)).where(
            Child.site_id.in_(sites), Child.erased_at.is_(None),
            Child.id.in_(select(Guardian.child_id).where(Guardian.phone == phone)))
        .order_by(Child.name_pinyin, Child.id)))


def child_week(child: Child, monday: date | None) -> dict:
    """A guardian's view of one child's meals: the child's allergies, the week's menu of the child's
    season with each dish that meets them marked, and the substitutions recorded for the child."""
    from app.sites.queries import pick_current_season

    seasons = list(db.session.scalars(select(Season).join(Enrolment, Enrolment.season_id == Season.id).where(
        Enrolment.child_id == child.id, Enrolment.status == "enrolled", Season.archived_at.is_(None))
        .order_by(Season.start_date.desc())))
    today = local_today()
    season = pick_current_season(seasons, today)
    if season is None:
        return dict(child=child, season=None, days=[], by_day={}, marked={}, substitutions={})
    if monday is None or not (season.start_date - timedelta(days=6) <= monday <= season.end_date):
        monday = default_week(season, today)
    sunday = monday + timedelta(days=6)
    dishes = _menu(child.site_id, monday, sunday, full=False)
    days = week_days(season, monday, dishes)
    by_day: dict[date, list[MenuEntry]] = {day: [] for day in days}
    for dish in dishes:
        if dish.day in by_day:
            by_day[dish.day].append(dish)
    std = standards()
    found = _conflicts_by_day([child], dishes, std)
    marked = {(day, c.recipe_id): c.reason for day, conflicts in found.items() for c in conflicts}
    substitutions = {(s.day, s.recipe_id): s.instead for s in _substitutions([child.id], monday, sunday)}
    return dict(child=child, season=season, monday=monday, days=days, by_day=by_day, marked=marked,
                substitutions=substitutions, previous=monday - timedelta(days=7), next=monday + timedelta(days=7),
                has_previous=monday > season.start_date, has_next=sunday < season.end_date)

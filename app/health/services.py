"""Writes for foods, recipes, menus, meals served, food samples, health checks and medicines.
Services take the acting user (``by=``), raise ``FormError(field, message)``, flush, never commit."""
from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit
from app.core.db import lock
from app.core.errors import FormError
from app.core.timeutil import LOCAL_TZ, local_today, utcnow
from app.extensions import db
from app.health.models import (NUTRIENTS, Food, FoodSample, HealthCheck, MealCount, MealSubstitution,
                               MedicineGiven, MenuDish, Recipe, RecipeItem)
from app.health.standards import ALLERGENS, FOOD_GROUPS, FOODS_FILE, allergen_bits
from app.sites.models import Season, Site



# --- foods ------------------------------------------------------------------------------------------
def _number(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None  # not in the book: unknown, never zero
    if text == "Tr":
        return 0.0  # trace
    return float(text)


def load_foods(path=FOODS_FILE) -> tuple[int, int]:
    """Load the national starter table from the CSV: new rows added, rows already there (same
    Chinese name, no site) updated to the file's values. Returns (added, updated)."""
    existing = {f.name_zh: f for f in db.session.scalars(select(Food).where(Food.site_id.is_(None)))}
    added = updated = 0
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            values = {n: _number(row[n]) for n in NUTRIENTS}
            values.update(name_en=row["name_en"], food_group=row["food_group"],
                          edible_pct=_number(row["edible_pct"]), source=row["source"],
                          allergens=allergen_bits(row["allergens"].split()))
            problem = food_problem(values)
            if problem:
                raise ValueError(f"{row['name_zh']}: {problem[1]}")
            food = existing.get(row["name_zh"])
            if food is None:
                db.session.add(Food(site_id=None, name_zh=row["name_zh"], **values))
                added += 1
            else:
                for key, value in values.items():
                    setattr(food, key, value)
                updated += 1
    db.session.flush()
    return added, updated


def food_problem(values: dict) -> tuple[str, str] | None:
    """(field, message) when the values are outside what a food can be, per 100 g edible part."""
    for name in NUTRIENTS:
        if values.get(name) is not None and values[name] < 0:
            return name, _("A nutrient value cannot be negative.")
    if values.get("energy_kcal") is not None and values["energy_kcal"] > 900:
        return "energy_kcal", _("No food has more than 900 kcal per 100 g (pure fat has 899).")
    for name in ("protein_g", "fat_g", "carb_g", "fibre_g"):
        if values.get(name) is not None and values[name] > 100:
            return name, _("At most 100 g per 100 g.")
    macros = sum(values.get(n) or 0 for n in ("protein_g", "fat_g", "carb_g", "fibre_g"))
    if macros > 100:
        return "protein_g", _("Protein, fat, carbohydrate and fibre add up to %(total)s g: at most 100 g per 100 g.",
                              total=f"{macros:g}")
    if values.get("edible_pct") is not None and not 0 < values["edible_pct"] <= 100:
        return "edible_pct", _("The edible part is a percentage from 1 to 100.")
    if values.get("food_group") not in FOOD_GROUPS:
        return "food_group", _("Choose a food group.")
    return None


def _food_values(values: dict) -> dict:
    out = {n: (float(values[n]) if values.get(n) is not None else None) for n in NUTRIENTS}
    out.update(name_zh=values["name_zh"], name_en=values.get("name_en") or "", food_group=values["food_group"],
               edible_pct=float(values["edible_pct"]) if values.get("edible_pct") is not None else None,
               source=values.get("source") or "",
               allergens=allergen_bits([c for c in values.get("allergens") or () if c in ALLERGENS]))
    if not out["source"].strip():
        out["source"] = "no sourced value"
    return out


def _check_food(values: dict, site_id: int | None, food_id: int | None = None) -> None:
    problem = food_problem(values)
    if problem:
        raise FormError(*problem)
    clash = db.session.scalar(select(Food.id).where(
        Food.name_zh == values["name_zh"], Food.archived_at.is_(None),
        (Food.site_id.is_(None)) | (Food.site_id == site_id) if site_id is not None else Food.site_id.is_(None)))
    if clash is not None and clash != food_id:
        raise FormError("name_zh", _("A food with this name is already in the table."))


def create_food(site: Site, values: dict, *, by) -> Food:
    """A food the site adds for itself."""
    lock(db.session, Site, site.id)
    values = _food_values(values)
    _check_food(values, site.id)
    food = Food(site_id=site.id, **values)
    db.session.add(food)
    db.session.flush()
    return food


def update_food(food: Food, values: dict, *, by) -> Food:
    values = _food_values(values)
    _check_food(values, food.site_id, food.id)
    for key, value in values.items():
        setattr(food, key, value)
    db.session.flush()
    return food


# --- recipes ----------------------------------------------------------------------------------------
def create_recipe(site: Site, values: dict, *, by) -> Recipe:
    lock(db.session, Site, site.id)
    if db.session.scalar(select(Recipe.id).where(Recipe.site_id == site.id, Recipe.name == values["name"])):
        raise FormError("name", _("A dish with this name already exists."))
    recipe = Recipe(site_id=site.id, name=values["name"], reference_group=values["reference_group"],
                    notes=values.get("notes") or "")
    db.session.add(recipe)
    db.session.flush()
    return recipe


def update_recipe(recipe: Recipe, values: dict, *, by) -> Recipe:
    clash = db.session.scalar(select(Recipe.id).where(Recipe.site_id == recipe.site_id, Recipe.name == values["name"]))
    if clash is not None and clash != recipe.id:
        raise FormError("name", _("A dish with this name already exists."))
    recipe.name, recipe.reference_group, recipe.notes = values["name"], values["reference_group"], values.get("notes") or ""
    db.session.flush()
    return recipe


def food_for_site(food_id, site_id: int) -> Food | None:
    if not isinstance(food_id, int):
        return None
    food = db.session.get(Food, food_id)
    if food is None or food.archived_at is not None or food.site_id not in (None, site_id):
        return None
    return food


def add_recipe_item(recipe: Recipe, values: dict, *, by) -> RecipeItem:
    lock(db.session, Recipe, recipe.id)
    food = food_for_site(values.get("food_id"), recipe.site_id)
    if food is None:
        raise FormError("food_id", _("Choose a food from the table."))
    grams = float(values["grams"])
    if not 0 < grams <= 2000:
        raise FormError("grams", _("Enter the grams per serving, more than 0 and at most 2000."))
    item = db.session.scalar(select(RecipeItem).where(RecipeItem.recipe_id == recipe.id, RecipeItem.food_id == food.id))
    if item is None:
        item = RecipeItem(recipe_id=recipe.id, food_id=food.id, grams=grams)
        db.session.add(item)
    else:
        item.grams = grams
    db.session.flush()
    return item


def remove_recipe_item(item: RecipeItem, *, by) -> None:
    db.session.delete(item)
    db.session.flush()


# --- menus ------------------------------------------------------------------------------------------
def _season_day(season: Season, day: date, field: str = "day") -> None:
    if not season.start_date <= day <= season.end_date:
        raise FormError(field, _("%(day)s is outside the season (%(start)s to %(end)s).", day=day.isoformat(),
                                 start=season.start_date.isoformat(), end=season.end_date.isoformat()))


def add_menu_dish(season: Season, values: dict, *, by) -> MenuDish:
    day = values["day"]
    _season_day(season, day)
    lock(db.session, Season, season.id)
    recipe = db.session.get(Recipe, values["recipe_id"]) if isinstance(values.get("recipe_id"), int) else None
    if recipe is None or recipe.site_id != season.site_id or recipe.archived_at is not None:
        raise FormError("recipe_id", _("Choose a dish of this site."))
    if db.session.scalar(select(MenuDish.id).where(MenuDish.site_id == season.site_id, MenuDish.day == day,
                                                   MenuDish.meal == values["meal"], MenuDish.recipe_id == recipe.id)):
        raise FormError("recipe_id", _("This dish is already on that meal."))
    dish = MenuDish(site_id=season.site_id, season_id=season.id, day=day, meal=values["meal"], recipe_id=recipe.id)
    db.session.add(dish)
    db.session.flush()
    return dish


def remove_menu_dish(dish: MenuDish, *, by) -> None:
    db.session.delete(dish)
    db.session.flush()


def copy_previous_week(season: Season, monday: date, *, by) -> int:
    """Copy the menus of the week before ``monday`` into its week (days outside the season are
    left out); the week must be empty. Returns the number of dishes copied."""
    lock(db.session, Season, season.id)
    sunday = monday + timedelta(days=6)
    if db.session.scalar(select(MenuDish.id).where(MenuDish.site_id == season.site_id,
                                                   MenuDish.day.between(monday, sunday)).limit(1)):
        raise FormError(None, _("This week already has dishes: remove them before copying."))
    previous = db.session.scalars(select(MenuDish).where(
        MenuDish.site_id == season.site_id, MenuDish.day.between(monday - timedelta(days=7), sunday - timedelta(days=7)))
    ).all()
    if not previous:
        raise FormError(None, _("The week before has no menu to copy."))
    copied = 0
    for dish in previous:
        day = dish.day + timedelta(days=7)
        if not season.start_date <= day <= season.end_date:
            continue
        db.session.add(MenuDish(site_id=season.site_id, season_id=season.id, day=day, meal=dish.meal,
                                recipe_id=dish.recipe_id))
        copied += 1
    if not copied:
        raise FormError(None, _("No day of this week is in the season."))
    db.session.flush()
    return copied


# --- meals served, samples, substitutions ----------------------------------------------------------
def _not_future(day: date, field: str = "day") -> None:
    if day > local_today():
        raise FormError(field, _("The date cannot be in the future."))


def set_meals_served(season: Season, day: date, values: dict, *, by) -> MealCount:
    _season_day(season, day, "served")
    lock(db.session, Season, season.id)
    count = db.session.scalar(select(MealCount).where(MealCount.site_id == season.site_id, MealCount.day == day))
    if count is None:
        count = MealCount(site_id=season.site_id, day=day, served=values["served"])
        db.session.add(count)
    count.served, count.note, count.recorded_by_id = values["served"], values.get("note") or "", by.id
    db.session.flush()
    return count


def _dish_of_day(season: Season, day: date, recipe_id, field: str = "recipe_id") -> Recipe:
    dish = db.session.scalar(select(MenuDish).where(MenuDish.site_id == season.site_id, MenuDish.day == day,
                                                    MenuDish.recipe_id == recipe_id)) if isinstance(recipe_id, int) else None
    if dish is None:
        raise FormError(field, _("Choose a dish on this day's menu."))
    return db.session.get(Recipe, recipe_id)


def local_to_utc(day: date, at: time) -> datetime:
    """A local (Asia/Shanghai) day and time as the naive UTC the database stores."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def record_sample(season: Season, day: date, values: dict, *, by) -> FoodSample:
    _season_day(season, day, "recipe_id")
    _not_future(day, "recipe_id")
    recipe = _dish_of_day(season, day, values.get("recipe_id"))
    sample = FoodSample(site_id=season.site_id, day=day, recipe_id=recipe.id, weight_g=float(values["weight_g"]),
                        kept_at=local_to_utc(day, values["kept_at"]), fridge=values["fridge"],
                        kept_by=values["kept_by"], recorded_by_id=by.id)
    db.session.add(sample)
    db.session.flush()
    return sample


def record_substitution(season: Season, day: date, values: dict, *, by) -> MealSubstitution:
    from app.children.models import Child

    _season_day(season, day, "recipe_id")
    recipe = _dish_of_day(season, day, values.get("recipe_id"))
    child = db.session.get(Child, values["child_id"]) if isinstance(values.get("child_id"), int) else None
    if child is None or child.site_id != season.site_id:
        raise FormError("child_id", _("Choose a child of this site."))
    row = MealSubstitution(site_id=season.site_id, day=day, child_id=child.id, recipe_id=recipe.id,
                           instead=values["instead"], recorded_by_id=by.id)
    db.session.add(row)
    audit.record("create", "health.substitution", by=by, child=child)
    db.session.flush()
    return row


# --- health checks and medicines: appended, never edited -------------------------------------------
def record_health_check(season: Season, child, values: dict, *, by) -> HealthCheck:
    day = local_today()
    _season_day(season, day, "child_id")
    if child is None or child.site_id != season.site_id or child.is_erased:
        raise FormError("child_id", _("Choose a child of this site."))
    temperature = float(values["temperature"]) if values.get("temperature") is not None else None
    if temperature is not None and not 34 <= temperature <= 43:
        raise FormError("temperature", _("Enter the temperature in °C, between 34 and 43."))
    check = HealthCheck(site_id=season.site_id, child_id=child.id, day=day, temperature=temperature,
                        unwell=bool(values.get("unwell")), note=values.get("note") or "", recorded_by_id=by.id,
                        recorded_at=utcnow())
    db.session.add(check)
    audit.record("create", "health.check_recorded", by=by, child=child)
    db.session.flush()
    return check


def record_medicine(season: Season, child, values: dict, *, by) -> MedicineGiven:
    if child is None or child.site_id != season.site_id or child.is_erased:
        raise FormError("child_id", _("Choose a child of this site."))
    if not (child.medicines or "").strip():
        raise FormError("child_id", _("This child's health profile lists no medicine: add it to the profile first."))
    given_at = local_to_utc(local_today(), values["given_at"])
    if given_at > utcnow() + timedelta(minutes=5):
        raise FormError("given_at", _("The time cannot be in the future."))
    row = MedicineGiven(site_id=season.site_id, child_id=child.id, medicine=values["medicine"], dose=values["dose"],
                        given_at=given_at, given_by_id=by.id, note=values.get("note") or "")
    db.session.add(row)
    audit.record("create", "health.medicine_given", by=by, child=child)
    db.session.flush()
    return row


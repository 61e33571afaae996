"""Health and meals: foods, recipes, the week's menus with their checks and allergy list, the day's
meals served and food samples, the printable menu, health checks and medicines given."""
from __future__ import annotations

from types import SimpleNamespace

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.core import audit
from app.core.args import arg_date
from app.core.chrome import SLOTS, filled, slotted
from app.core.htmx import redirect_after_post, render
from app.core.permissions import (GUARDIAN_SELF, MEALS_VIEW, OWN_CHILD, SESSION_ALLERGIES, SITE_MANAGE, SITE_VIEW,
                                  can_visit, register_loader, requires, url_if_allowed)
from app.core.timeutil import local_now, local_today
from app.core.urls import url_maker
from app.core.views import save
from app.extensions import db
from app.health import bp, labels, queries, services
from app.health.forms import (FoodForm, HealthCheckForm, MealCountForm, MedicineForm, MenuDishForm, RecipeForm,
                              RecipeItemForm, SampleForm, SubstitutionForm)
from app.health.models import Food, MenuDish, Recipe, RecipeItem
from app.health.standards import AGE_GROUPS, ALLERGENS, allergen_codes
from app.sites.models import Season, Site
from app.sites.queries import current_season

register_loader("food_id", Food, lambda f: f.site_id)
register_loader("recipe_id", Recipe, lambda r: r.site_id)
register_loader("recipe_item_id", RecipeItem, lambda i: db.session.get(Recipe, i.recipe_id).site_id)
register_loader("menu_dish_id", MenuDish, lambda d: d.site_id)


@bp.context_processor
def _labels():
    return dict(food_group_labels=labels.FOOD_GROUP_LABELS, allergen_labels=labels.ALLERGEN_LABELS,
                meal_labels=labels.MEAL_LABELS, level_labels=labels.LEVEL_LABELS,
                age_group_labels=labels.AGE_GROUP_LABELS, nutrient_labels=labels.NUTRIENT_LABELS,
                allergen_codes=allergen_codes, age_groups=AGE_GROUPS, allergens=ALLERGENS, dish_allergens=dish_allergens)


def dish_allergens(recipe) -> list[str]:
    bits = 0
    for item in recipe.items:
        bits |= item.food.allergens or 0
    return allergen_codes(bits)


@bp.app_template_filter("grams")
def grams(value) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value is not None else "—"


# --- foods ------------------------------------------------------------------------------------------
@bp.route("/sites/<int:site_id>/foods")
@requires(SITE_VIEW)
def foods(site: Site):
    return render("health/foods.html", site=site, foods=queries.foods_for(site.id),
                  can_add=can_visit("health.food_new", site_id=site))


@bp.route("/sites/<int:site_id>/foods/new", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def food_new(site: Site):
    form = FoodForm()
    return save(form, lambda values: services.create_food(site, values, by=current_user), once=True,
                done=lambda _food: redirect_after_post(url_for("health.foods", site_id=site.id), notice=_("Food added.")),
                again=lambda: render("health/food_form.html", site=site, form=form, food=None))


@bp.route("/foods/<int:food_id>/edit", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def food_edit(food: Food):
    site = db.session.get(Site, food.site_id) if food.site_id else None
    form = FoodForm(food=food)
    back = url_for("health.foods", site_id=site.id) if site else url_for("main.dashboard")
    return save(form, lambda values: services.update_food(food, values, by=current_user),
                done=lambda _food: redirect_after_post(back, notice=_("Saved.")),
                again=lambda: render("health/food_form.html", site=site, form=form, food=food))


# --- recipes ----------------------------------------------------------------------------------------
def _recipes_page(site, form=None):
    return render("health/recipes.html", site=site, recipes=queries.recipes_of(site.id),
                  form=form or RecipeForm(formdata=None),
                  can_manage=can_visit("health.recipe_create", site_id=site))


@bp.route("/sites/<int:site_id>/recipes")
@requires(SITE_VIEW)
def recipes(site: Site):
    return _recipes_page(site)


@bp.route("/sites/<int:site_id>/recipes", methods=["POST"])
@requires(SITE_MANAGE)
def recipe_create(site: Site):
    form = RecipeForm()
    return save(form, lambda values: services.create_recipe(site, values, by=current_user), once=True,
                done=lambda recipe: redirect_after_post(url_for("health.recipe", recipe_id=recipe.id),
                                                        notice=_("Dish added: now add its foods.")),
                again=lambda: _recipes_page(site, form))


def _recipe_page(recipe, item_form=None):
    data = queries.recipe_page(recipe)
    form = item_form or RecipeItemForm(formdata=None, foods=data["foods"])
    return render("health/recipe.html", "health/_recipe_items.html", site=db.session.get(Site, recipe.site_id),
                  item_form=form, can_manage=can_visit("health.recipe_item_add", recipe_id=recipe), **data)


@bp.route("/recipes/<int:recipe_id>")
@requires(SITE_VIEW)
def recipe(recipe: Recipe):
    return _recipe_page(recipe)


@bp.route("/recipes/<int:recipe_id>/edit", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def recipe_edit(recipe: Recipe):
    form = RecipeForm(obj=recipe)
    return save(form, lambda values: services.update_recipe(recipe, values, by=current_user),
                done=lambda _r: redirect_after_post(url_for("health.recipe", recipe_id=recipe.id), notice=_("Saved.")),
                again=lambda: render("health/recipe_edit.html", site=db.session.get(Site, recipe.site_id),
                                     form=form, recipe=recipe))


@bp.route("/recipes/<int:recipe_id>/items", methods=["POST"])
@requires(SITE_MANAGE)
def recipe_item_add(recipe: Recipe):
    form = RecipeItemForm(foods=queries.foods_for(recipe.site_id))
    return save(form, lambda values: services.add_recipe_item(recipe, values, by=current_user),
                done=lambda _item: _recipe_page(recipe) if request.htmx else redirect_after_post(
                    url_for("health.recipe", recipe_id=recipe.id)),
                again=lambda: _recipe_page(recipe, form))


@bp.route("/recipe-items/<int:recipe_item_id>/remove", methods=["POST"])
@requires(SITE_MANAGE)
def recipe_item_remove(recipe_item: RecipeItem):
    recipe = db.session.get(Recipe, recipe_item.recipe_id)
    back = url_for("health.recipe", recipe_id=recipe.id)
    return save(None, lambda _v: services.remove_recipe_item(recipe_item, by=current_user),
                done=lambda _r: _recipe_page(recipe) if request.htmx else redirect_after_post(back),
                again=lambda: redirect_after_post(back))


# --- menus ------------------------------------------------------------------------------------------
def _monday(season: Season):
    day = arg_date("week")
    return queries.monday_of(day) if day else queries.default_week(season, local_today())


def _note_allergies_read(conflicts, site_id: int) -> None:
    """Children's names with their allergies are health data: the trail notes who saw them."""
    from types import SimpleNamespace

    children = {c.child_id: SimpleNamespace(id=c.child_id, site_id=site_id) for c in conflicts}
    if children:
        audit.record_read("health.allergies_viewed", by=current_user, children=children.values())


def _add_form(season, day) -> MenuDishForm:
    return MenuDishForm(formdata=None, recipes=queries.recipe_choices(season.site_id), day=day)


def _week_page(season, form=None, *, status=200, adding=False, add_day=None):
    """The week's menus. The add form is in the page when it has something to say (``form``: its
    errors), or when the person is adding (``adding``: a dish was just added, or the form was asked
    for without htmx), open, for ``add_day`` (else the week's first day); otherwise "Add a dish"
    fetches it when opened: most views of the week add nothing, and the form with the site's
    dishes is a good part of the page's cost."""
    monday = _monday(season)
    data = queries.week(season, monday)
    _note_allergies_read([c for found in data["conflicts"].values() for c in found], season.site_id)
    can_manage = can_visit("health.menu_add", season_id=season)
    if can_manage and form is None and adding:
        form = _add_form(season, add_day or (data["days"][0] if data["days"] else None))
    section = _week_section(season, data, can_manage, form)
    return render("health/week.html", section, status=status, site=season.site, season=season, section=section)


# The rendered sections of a week kept with it (``data["kept"].pages``), at most this many per week
_SECTIONS_MAX = 8


def _week_section(season, data: dict, can_manage: bool, form) -> Markup:
    """The week's section (health/_week.html), kept with the week's checks under everything else it
    shows (who may manage the week, today, the week, the season and its dates, where the app is
    served) unless it carries the add form; the CSRF token and the allergy list are filled in on
    every view (a kept piece holds nothing about a child). A test changes each of these and sees the
    next view change."""
    key = (can_manage, data["today"], data["monday"], season.id, season.start_date, season.end_date,
           request.script_root, id(current_app.url_map))
    pages = data["kept"].pages
    kept = pages.get(key) if form is None else None
    if kept is None:
        remove = ((url_maker("health.menu_remove", "menu_dish_id", week=data["monday"].isoformat()),
                   _("Remove %(dish)s", dish="%(dish)s")) if can_manage else ())
        kept = slotted(render_template("health/_week.html", csrf=SLOTS["csrf"], allergies=SLOTS["allergies"],
                                       form=form, can_manage=can_manage, lines=queries.week_lines(data, *remove),
                                       **data))
        if form is None:
            if len(pages) >= _SECTIONS_MAX:
                pages.clear()
            pages[key] = kept
    allergies = render_template("health/_allergy_list.html", allergy_lines=queries.allergy_lines(data))
    return filled(kept, {"csrf": generate_csrf(), "allergies": Markup(allergies)})


@bp.route("/seasons/<int:season_id>/menus/add")
@requires(SITE_MANAGE)
def menu_add_form(season: Season):
    """The add form, fetched by htmx when "Add a dish" is opened; without htmx, the week with it open."""
    if not request.htmx:
        return _week_page(season, adding=True)
    monday = _monday(season)
    days = queries.week_days(season, monday, ())
    return render("health/_menu_form.html", "health/_menu_form.html", season=season, week_arg=monday.isoformat(),
                  form=_add_form(season, days[0] if days else None))


@bp.route("/sites/<int:site_id>/menus")
@requires(SITE_VIEW)
def site_menus(site: Site):
    season = current_season(site.id)
    if season is None:
        flash(_("Add a season first; menus are kept per season."), "info")
        return redirect(url_for("sites.season_list", site_id=site.id))
    return redirect(url_for("health.menu_week", season_id=season.id))


@bp.route("/seasons/<int:season_id>/menus")
@requires(SITE_VIEW)
def menu_week(season: Season):
    return _week_page(season)


def _week_url(season, day=None):
    monday = queries.monday_of(day) if day else _monday(season)
    return url_for("health.menu_week", season_id=season.id, week=monday.isoformat())


@bp.route("/seasons/<int:season_id>/menus", methods=["POST"])
@requires(SITE_MANAGE)
def menu_add(season: Season):
    form = MenuDishForm(recipes=queries.recipe_choices(season.site_id))
    return save(form, lambda values: services.add_menu_dish(season, values, by=current_user),
                done=lambda dish: _week_page(season, adding=True, add_day=dish.day) if request.htmx
                else redirect_after_post(_week_url(season, dish.day), notice=_("Dish added to the menu.")),
                again=lambda: _week_page(season, form))


@bp.route("/menu-dishes/<int:menu_dish_id>/remove", methods=["POST"])
@requires(SITE_MANAGE)
def menu_remove(menu_dish: MenuDish):
    season = db.session.get(Season, menu_dish.season_id)
    back = _week_url(season, menu_dish.day)
    return save(None, lambda _v: services.remove_menu_dish(menu_dish, by=current_user),
                done=lambda _r: _week_page(season) if request.htmx else redirect_after_post(back),
                again=lambda: redirect_after_post(back))


@bp.route("/seasons/<int:season_id>/menus/copy", methods=["POST"])
@requires(SITE_MANAGE)
def menu_copy(season: Season):
    monday = _monday(season)
    back = _week_url(season, monday)
    return save(None, lambda _v: services.copy_previous_week(season, monday, by=current_user),
                done=lambda n: redirect_after_post(back, notice=_("%(n)d dishes copied from the week before.", n=n)),
                again=lambda: redirect_after_post(back))


@bp.route("/seasons/<int:season_id>/menu")
@requires(MEALS_VIEW)
def family_menu(season: Season):
    """The week's menu for families: dishes and the nutrition check, no children's names."""
    data = queries.week(season, _monday(season), with_children=False)
    return render("health/family_menu.html", site=season.site, **data)


@bp.route("/seasons/<int:season_id>/menu.pdf")
@requires(MEALS_VIEW)
def menu_pdf(season: Season):
    from app.health.pdf import week_menu_pdf

    monday = _monday(season)
    data = queries.week(season, monday, with_children=False)
    return week_menu_pdf(season, data)


# --- a day's meals: served, samples, substitutions ---------------------------------------------------
def _day(season):
    day = arg_date("day")
    if day is None:
        today = local_today()
        day = today if season.start_date <= today <= season.end_date else season.start_date
    return day


def _served_prefill(data) -> int:
    """What the served form starts from: the count entered, else the lunch rosters' present and late
    marks, else the children expected (the coordinator adjusts it)."""
    if data["count"]:
        return data["count"].served
    return data["at_lunch"]["served"] if data["at_lunch"] else data["expected"]


def _meal_day_page(season, day, forms=None):
    data = queries.meal_day(season, day)
    _note_allergies_read(data["conflicts"], season.site_id)
    forms = forms or {}
    now = local_now().time().replace(second=0, microsecond=0)
    context = dict(
        count_form=forms.get("count") or MealCountForm(formdata=None, served=_served_prefill(data)),
        sample_form=forms.get("sample") or SampleForm(formdata=None, dishes=data["dishes"], kept_at=now,
                                                     weight_g=data["rule"]["min_weight_g"]),
        substitution_form=forms.get("substitution") or SubstitutionForm(formdata=None, dishes=data["dishes"],
                                                                       children=data["children"]))
    return render("health/meal_day.html", site=season.site, can_manage=can_visit("health.served_set", season_id=season),
                  **context, **data)


@bp.route("/seasons/<int:season_id>/meals")
@requires(SITE_VIEW)
def meal_day(season: Season):
    return _meal_day_page(season, _day(season))


def _day_url(season, day):
    return url_for("health.meal_day", season_id=season.id, day=day.isoformat())


@bp.route("/seasons/<int:season_id>/meals/served", methods=["POST"])
@requires(SITE_MANAGE)
def served_set(season: Season):
    day = _day(season)
    form = MealCountForm()
    return save(form, lambda values: services.set_meals_served(season, day, values, by=current_user),
                done=lambda _c: redirect_after_post(_day_url(season, day), notice=_("Saved.")),
                again=lambda: _meal_day_page(season, day, {"count": form}))


@bp.route("/seasons/<int:season_id>/meals/samples", methods=["POST"])
@requires(SITE_MANAGE)
def sample_add(season: Season):
    day = _day(season)
    form = SampleForm(dishes=queries.meal_day(season, day)["dishes"])
    return save(form, lambda values: services.record_sample(season, day, values, by=current_user), once=True,
                done=lambda _s: redirect_after_post(_day_url(season, day), notice=_("Food sample recorded.")),
                again=lambda: _meal_day_page(season, day, {"sample": form}))


@bp.route("/seasons/<int:season_id>/meals/substitutions", methods=["POST"])
@requires(SITE_MANAGE)
def substitution_add(season: Season):
    day = _day(season)
    data = queries.meal_day(season, day)
    form = SubstitutionForm(dishes=data["dishes"], children=data["children"])
    return save(form, lambda values: services.record_substitution(season, day, values, by=current_user), once=True,
                done=lambda _s: redirect_after_post(_day_url(season, day), notice=_("Substitution recorded.")),
                again=lambda: _meal_day_page(season, day, {"substitution": form}))


# --- health checks and medicines (appended, never edited) --------------------------------------------
def _health_page(season, forms=None):
    day = local_today()
    data = queries.health_day(season, day)
    seen = {c.child_id: c.child for c in (*data["checks"], *data["medicines"])}
    if seen:
        audit.record_read("health.checks_viewed", by=current_user, children=seen.values())
    forms = forms or {}
    now = local_now().time().replace(second=0, microsecond=0)
    return render("health/health_day.html", site=season.site,
                  check_form=forms.get("check") or HealthCheckForm(formdata=None, children=data["children"]),
                  medicine_form=forms.get("medicine") or MedicineForm(formdata=None, children=data["with_medicines"],
                                                                      given_at=now),
                  in_season=season.start_date <= day <= season.end_date, **data)


@bp.route("/seasons/<int:season_id>/health")
@requires(SITE_MANAGE)
def health_day(season: Season):
    return _health_page(season)


def _child(value):
    from app.children.models import Child

    return db.session.get(Child, value) if isinstance(value, int) and value > 0 else None


@bp.route("/seasons/<int:season_id>/health/checks", methods=["POST"])
@requires(SITE_MANAGE)
def check_add(season: Season):
    form = HealthCheckForm(children=queries.expected_children(season.site, local_today()))
    return save(form, lambda values: services.record_health_check(season, _child(values["child_id"]), values,
                                                                  by=current_user), once=True,
                done=lambda _c: redirect_after_post(url_for("health.health_day", season_id=season.id),
                                                    notice=_("Health check recorded.")),
                again=lambda: _health_page(season, {"check": form}))


@bp.route("/seasons/<int:season_id>/health/medicines", methods=["POST"])
@requires(SITE_MANAGE)
def medicine_add(season: Season):
    children = [c for c in queries.expected_children(season.site, local_today()) if (c.medicines or "").strip()]
    form = MedicineForm(children=children)
    return save(form, lambda values: services.record_medicine(season, _child(values["child_id"]), values,
                                                              by=current_user), once=True,
                done=lambda _m: redirect_after_post(url_for("health.health_day", season_id=season.id),
                                                    notice=_("Medicine recorded.")),
                again=lambda: _health_page(season, {"medicine": form}))



# --- the allergy list of a session, for the volunteers serving it --------------------------------------
@bp.route("/sessions/<int:occurrence_id>/allergies")
@requires(SESSION_ALLERGIES)
def session_allergies(occurrence):
    """The children of the session's group with allergies (first names only), the day's dishes that
    meet them and the substitutions recorded: what a volunteer serving the meal must know."""
    data = queries.session_allergies(occurrence)
    _note_allergies_read([SimpleNamespace(child_id=row["child_id"]) for row in data["rows"]], occurrence.site_id)
    return render("health/session_allergies.html", **data)


# --- a guardian's own children: allergies and the week's meals ----------------------------------------------
@bp.route("/me/children")
@requires(GUARDIAN_SELF)
def my_children():
    return render("health/my_children.html", children=queries.my_children(current_user))


@bp.route("/me/children/<int:child_id>/meals")
@requires(OWN_CHILD)
def child_meals(child):
    data = queries.child_week(child, arg_date("week"))
    menu_url = url_if_allowed("health.family_menu", season_id=data["season"]) if data["season"] else None
    return render("health/child_meals.html", menu_url=menu_url, **data)

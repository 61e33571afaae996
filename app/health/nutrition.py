"""The nutrition engine: totals of dishes and meals from their foods, the WS/T 554 checks of a day
and a week, and the allergy matching of a child's health profile.

Pure functions over loaded objects (foods, recipes with their items) and the standards file: no
SQL, so the menu page loads once and checks a whole week per age group in memory, and the tests
work examples by hand.

Grams in recipes are the edible raw weight per serving for the recipe's reference age group;
another group eats ``standards.scale(group, recipe.reference_group)`` times as much. Nutrients are
per 100 g edible part; an unknown value counts as nothing and the food is named in the notes.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from operator import attrgetter

from flask_babel import gettext as _
from flask_babel import gettext as _flask_gettext

from app.health.models import NUTRIENTS
from app.health.standards import ALLERGENS, FOOD_GROUPS, Standards, allergen_bits

LEVELS = ("pass", "warning", "fail")
CORE = ("energy_kcal", "protein_g", "fat_g", "carb_g")  # a missing one of these is noted


_nutrients_of = attrgetter(*NUTRIENTS)  # a food's nutrients in the order of NUTRIENTS, in one call
_CORE_FLAGS = tuple(name in CORE for name in NUTRIENTS)


@dataclass
class Totals:
    nutrients: dict[str, float] = field(default_factory=partial(dict.fromkeys, NUTRIENTS, 0.0))
    groups: dict[str, float] = field(default_factory=partial(dict.fromkeys, FOOD_GROUPS, 0.0))
    allergens: int = 0
    missing: set[str] = field(default_factory=set)        # names of foods with an unknown core value
    vegetables: set[int] = field(default_factory=set)     # ids of the vegetable foods
    grains: dict[int, float] = field(default_factory=partial(defaultdict, float))  # grain food id -> grams

    def add_food(self, food, grams: float) -> None:
        nutrients = self.nutrients
        for name, value, core in zip(NUTRIENTS, _nutrients_of(food), _CORE_FLAGS):
            if value is None:
                if core:
                    self.missing.add(food.name_zh)
                continue
            nutrients[name] += value * grams / 100.0
        self.groups[food.food_group] += grams
        self.allergens |= food.allergens or 0
        if food.food_group == "vegetables":
            self.vegetables.add(food.id)
        if food.food_group == "grains_tubers":
            self.grains[food.id] += grams

    def add(self, other: Totals) -> None:
        nutrients, groups = self.nutrients, self.groups
        for name, value in other.nutrients.items():
            nutrients[name] += value
        for group, grams in other.groups.items():
            groups[group] += grams
        self.allergens |= other.allergens
        self.missing |= other.missing
        self.vegetables |= other.vegetables
        for food_id, grams in other.grains.items():
            self.grains[food_id] += grams

    @property
    def energy(self) -> float:
        return self.nutrients["energy_kcal"]

    @property
    def staple(self) -> int | None:
        """The grain or tuber with the most grams: the meal's staple."""
        if not self.grains:
            return None
        return max(sorted(self.grains), key=lambda food_id: self.grains[food_id])


def dish_totals(recipe, group: str | None, std: Standards) -> Totals:
    """One serving of ``recipe`` for a child of ``group`` (None: as written)."""
    return _serving(recipe, std.scale(group, recipe.reference_group) if group else 1.0)


def _serving(recipe, factor: float) -> Totals:
    totals = Totals()
    for item in recipe.items:
        totals.add_food(item.food, item.grams * factor)
    return totals


def meal_totals(recipes, group: str | None, std: Standards) -> Totals:
    totals = Totals()
    for recipe in recipes:
        totals.add(dish_totals(recipe, group, std))
    return totals


# --- the checks --------------------------------------------------------------------------------------
@dataclass
class Finding:
    rule: str
    level: str
    message: str


@dataclass
class DayCheck:
    day: date
    group: str
    totals: Totals
    findings: list[Finding]
    notes: list[str]

    @property
    def level(self) -> str:
        rank = 0
        for finding in self.findings:
            if _RANK[finding.level] > rank:
                rank = _RANK[finding.level]
        return LEVELS[rank]

    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.level != "pass"]


_RANK = {level: rank for rank, level in enumerate(LEVELS)}


def worst(levels) -> str:
    rank = 0
    for level in levels:
        if _RANK[level] > rank:
            rank = _RANK[level]
    return LEVELS[rank]


def _bounds(low: float, high: float, tolerance: float, below: str = "fail", above: str = "fail") -> tuple:
    """A range as ``_judge`` reads it: its bounds rounded as values are shown (a share to 0.1 %, grams and
    kcal to 0.1), worked out once for every value judged against it."""
    digits = 3 if high <= 1 else 1
    return digits, round(low, digits), round(high, digits), tolerance, below, above


def _judge(value: float, bounds: tuple) -> str:
    # judged on the value as shown: 19.96 % reads 20 %, passes
    digits, low, high, tolerance, below, above = bounds
    value = round(value, digits)
    if value < low:
        if below == "none":
            return "pass"
        return "warning" if value >= low * (1 - tolerance) else below
    if value > high:
        if above == "none":
            return "pass"
        return "warning" if value <= high * (1 + tolerance) else above
    return "pass"


def _n(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}".rstrip("0").rstrip(".")


def _pct(value: float) -> str:
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def group_label(group: str) -> str:
    from app.health.labels import FOOD_GROUP_LABELS

    return str(FOOD_GROUP_LABELS[group])


class _Texts:
    """Translations for the checks of a week: flask_babel's ``gettext`` finds the request's locale and
    catalogue again on every call and a week's check translates some sixty messages, so the catalogue
    is looked up once here, and each label once (the same strings, formatted the same way)."""

    def __init__(self):
        from flask_babel import get_domain

        self._translations = get_domain().get_translations()
        self._labels: dict[int, str] = {}

    def gettext(self, string: str, **variables) -> str:  # flask_babel.Domain.gettext
        text = self._translations.ugettext(string)
        return text if not variables else text % variables

    def label(self, lazy) -> str:
        text = self._labels.get(id(lazy))
        if text is None:
            text = self._labels[id(lazy)] = str(lazy)
        return text


class _LunchRule:
    """What ``check_lunch`` judges one age group's lunch against (for a sex mix), with the fixed parts
    of its messages translated and formatted: worked out once for all the days of a week."""

    def __init__(self, group: str, std: Standards, males: int = 1, females: int = 1, texts: _Texts | None = None):
        from app.health.labels import FOOD_GROUP_LABELS, MEAL_GROUP_LABELS

        _ = texts.gettext if texts else _flask_gettext
        label_of = texts.label if texts else str
        tol = std.tolerance
        self.energy_ref = energy_ref = std.energy(group, males, females)
        low, high = std.range("lunch_energy_share")
        self.energy = _bounds(low * energy_ref, high * energy_ref, tol)
        self.energy_text = _(
            "Energy %(value)s kcal, %(share)s of the daily %(ref)s kcal (lunch should give %(low)s–%(high)s).")
        self.energy_fixed = dict(ref=_n(energy_ref), low=_pct(low), high=_pct(high))

        protein_ref = std.protein(group, males, females)
        p_low, p_high = std.range("protein_of_reference")
        lo_g, hi_g = low * p_low * protein_ref, high * p_high * protein_ref
        self.protein = _bounds(lo_g, hi_g, tol)
        self.protein_text = _("Protein %(value)s g (range for lunch %(low)s–%(high)s g).")
        self.protein_fixed = dict(low=_n(lo_g), high=_n(hi_g))

        self.shares = []  # (rule, nutrient, kcal per g, bounds, fixed texts)
        share_text = _("%(what)s gives %(share)s of the energy (should be %(low)s–%(high)s).")
        for rule, nutrient, kcal_per_g, label in (("fat", "fat_g", 9, _("Fat")),
                                                  ("carb", "carb_g", 4, _("Carbohydrate"))):
            s_low, s_high = std.range(f"{rule}_energy_share")
            self.shares.append((rule, nutrient, kcal_per_g, _bounds(s_low, s_high, tol),
                                dict(what=label, low=_pct(s_low), high=_pct(s_high))))
        self.share_text = share_text

        self.label_of = label_of  # a label is translated only when a message shows it
        self.grams = []  # (food group, low, high, bounds, its label (lazy))
        for food_group, spec in std.lunch_grams().items():
            g_low, g_high = spec[group]
            self.grams.append((food_group, g_low, g_high, _bounds(g_low, g_high, tol, spec["below"], spec["above"]),
                               FOOD_GROUP_LABELS[food_group]))
        self.less_text = _("%(group)s %(grams)s g, less than %(low)s g.")
        self.more_text = _("%(group)s %(grams)s g, more than %(high)s g.")
        self.grams_pass = _("Amounts of each food group within the guideline.")

        self.meal_groups = [(name, groups, MEAL_GROUP_LABELS[name]) for name, groups in std.meal_groups.items()]
        self.need = std.min_meal_groups
        self.meal_groups_text = _("%(n)d of the 4 food groups in the meal (at least %(need)d).")
        self.missing_text = _("Missing: %(groups)s.")

        self.need_kinds = int(std.data["min_vegetable_kinds"])
        self.kinds_severity = std.data["vegetable_kinds_severity"]
        self.kinds_text = _("%(n)d kinds of vegetables in the day (at least %(need)d).")


def check_lunch(lunch: Totals, day_totals: Totals, group: str, std: Standards, *, males: int = 1,
                females: int = 1, texts: _Texts | None = None, rule: _LunchRule | None = None) -> list[Finding]:
    """Every per-day rule for one age group: ``lunch`` the lunch's totals for that group,
    ``day_totals`` lunch and snacks (for the kinds of vegetables). ``texts``: the week's translations;
    ``rule``: the group's ``_LunchRule`` when the caller checks several days."""
    if rule is None:
        rule = _LunchRule(group, std, males, females, texts)
    found: list[Finding] = []
    energy = lunch.energy
    found.append(Finding("energy", _judge(energy, rule.energy), rule.energy_text % dict(
        rule.energy_fixed, value=_n(energy), share=_pct(energy / rule.energy_ref))))

    protein = lunch.nutrients["protein_g"]
    found.append(Finding("protein", _judge(protein, rule.protein), rule.protein_text % dict(
        rule.protein_fixed, value=_n(protein))))

    for name, nutrient, kcal_per_g, bounds, fixed in rule.shares:
        share = lunch.nutrients[nutrient] * kcal_per_g / energy if energy else 0.0
        found.append(Finding(name, _judge(share, bounds), rule.share_text % dict(fixed, share=_pct(share))))

    groups = lunch.groups
    amounts_pass = True
    for food_group, g_low, g_high, bounds, label in rule.grams:
        grams = groups[food_group]
        level = _judge(grams, bounds)
        if level == "pass":
            continue
        amounts_pass = False
        if grams < g_low:
            message = rule.less_text % dict(group=rule.label_of(label), grams=_n(grams), low=_n(g_low))
        else:
            message = rule.more_text % dict(group=rule.label_of(label), grams=_n(grams), high=_n(g_high))
        found.append(Finding(f"grams:{food_group}", level, message))
    if amounts_pass:
        found.append(Finding("grams", "pass", rule.grams_pass))

    present = 0
    missing = []
    for _name, food_groups, label in rule.meal_groups:
        for food_group in food_groups:
            if groups[food_group] > 0:
                present += 1
                break
        else:
            missing.append(rule.label_of(label))
    found.append(Finding("meal_groups", "pass" if present >= rule.need else "fail",
                         rule.meal_groups_text % dict(n=present, need=rule.need)
                         + (" " + rule.missing_text % dict(groups="、".join(missing)) if missing else "")))

    kinds = len(day_totals.vegetables)
    found.append(Finding("vegetable_kinds", "pass" if kinds >= rule.need_kinds else rule.kinds_severity,
                         rule.kinds_text % dict(n=kinds, need=rule.need_kinds)))
    return found


def check_week(days: dict[date, tuple[list, list]], group: str, std: Standards, *, males: int = 1,
               females: int = 1) -> dict[date, DayCheck]:
    """Check each day of a week for one age group. ``days``: day -> (lunch recipes, snack recipes).
    Days without a lunch are not judged. The same staple on every lunch of the week (with at least
    ``staple_repeat.min_days`` lunches) is added to each of those days."""
    checks: dict[date, DayCheck] = {}
    staples: dict[date, int | None] = {}
    texts = _Texts()
    _ = texts.gettext
    served: dict[int, Totals] = {}  # a dish served on several days is totalled once (read only)
    factors: dict[str, float] = {}  # std.scale(group, a recipe's reference group), once per reference group
    lunch_rule = _LunchRule(group, std, males, females, texts)

    def serving(recipe) -> Totals:  # dish_totals, each dish's computed once in the week
        dish = served.get(id(recipe))
        if dish is None:
            factor = factors.get(recipe.reference_group)
            if factor is None:
                factor = factors[recipe.reference_group] = std.scale(group, recipe.reference_group)
            dish = served[id(recipe)] = _serving(recipe, factor)
        return dish

    def totals_of(recipes) -> Totals:  # meal_totals
        totals = Totals()
        for recipe in recipes:
            totals.add(serving(recipe))
        return totals

    for day in sorted(days):
        lunch_recipes, snack_recipes = days[day]
        if not lunch_recipes:
            continue
        lunch = totals_of(lunch_recipes)
        # lunch and snacks: of the whole day the checks read only the foods' sets (vegetables, unknown values)
        whole = Totals(missing=set(lunch.missing), vegetables=set(lunch.vegetables))
        for recipe in snack_recipes:
            dish = serving(recipe)
            whole.missing |= dish.missing
            whole.vegetables |= dish.vegetables
        notes = []
        if whole.missing:
            notes.append(_("No values known for %(foods)s: the totals leave them out.",
                           foods="、".join(sorted(whole.missing))))
        checks[day] = DayCheck(day, group, lunch, check_lunch(lunch, whole, group, std, rule=lunch_rule), notes)
        staples[day] = lunch.staple
    rule = std.data["staple_repeat"]
    distinct = {s for s in staples.values()}
    if len(staples) >= int(rule["min_days"]) and len(distinct) == 1 and None not in distinct:
        for check in checks.values():
            check.findings.append(Finding("staple", rule["severity"], _(
                "The same staple on every day of the week: vary it (e.g. noodles, mixed grains, sweet potato).")))
    elif staples:
        for check in checks.values():
            check.findings.append(Finding("staple", "pass", _("Staples vary over the week.")))
    return checks


# --- allergies ---------------------------------------------------------------------------------------
def allergens_in_text(text: str, std: Standards) -> int:
    """The allergens a free-text allergy entry names (Chinese or English, with common synonyms)."""
    words = (text or "").strip().lower()
    if not words or words in std.none_word_set:
        return 0
    known = std.text_bits  # the same few texts come back on every page: read each once per process
    bits = known.get(words)
    if bits is None:
        bits = allergen_bits(code for code, synonyms in std.synonym_items if any(s in words for s in synonyms))
        if len(known) >= 10_000:
            known.clear()
        known[words] = bits
    return bits


@lru_cache(maxsize=4096)  # the same few hundred foods come back on every menu
def short_name(name_zh: str) -> str:
    """A food's name without its qualifiers: 鸡蛋（代表值） -> 鸡蛋, 小白菜 [青菜] -> 小白菜."""
    for mark in ("（", "(", "[", " ", "，", ","):
        name_zh = name_zh.split(mark)[0]
    return name_zh.strip()


@lru_cache(maxsize=4096)
def _nameable(name_zh: str) -> tuple[str, str | None]:
    """A food's ``short_name`` and, when a profile can name it (two characters or more), the name
    lowered (else None): what ``read_dishes`` reads of each food, once per name."""
    name = short_name(name_zh)
    return name, name.lower() if len(name) >= 2 else None


@dataclass(frozen=True)
class Conflict:
    child_id: int
    child_name: str
    recipe_id: int
    dish: str
    meal: str
    reason: str  # the allergen's label, or the food named in the profile


def conflicts(children, dishes, std: Standards) -> list[Conflict]:
    """Children × dishes whose allergies meet an ingredient: an allergen the profile names (peanut in
    a hidden sauce counts, through the food's allergens), or a food the profile names by name.
    ``children``: objects with id, name, allergies; ``dishes``: (meal, recipe with items loaded)."""
    return match(allergic(children, std), read_dishes(dishes))


def allergic(children, std: Standards) -> list[tuple]:
    """The children whose profile names an allergy, as (child, the profile's text lowered, its
    allergen bits): read once for a whole week of ``match``."""
    none_words = std.none_word_set
    found = []
    for child in children:
        text = child.allergies
        if not text:  # most profiles name none: no text to read
            continue
        text = text.strip().lower()
        if text and text not in none_words:
            found.append((child, text, allergens_in_text(text, std)))
    return found


def read_dishes(dishes, read: dict | None = None) -> list[tuple]:
    """``dishes`` (meal, recipe with items) as ``match`` reads them: each recipe read once (``read``:
    the recipes already read, by object, shared between the days of a week) into the allergens of its
    foods and the foods with a name a profile can name (two characters or more, as ``short_name``)."""
    read = {} if read is None else read
    menu = []
    for meal, recipe in dishes:
        seen = read.get(id(recipe))
        if seen is None:
            recipe_bits = 0
            named = []
            for item in recipe.items:
                food_bits = item.food.allergens or 0
                recipe_bits |= food_bits
                name, lowered = _nameable(item.food.name_zh)
                if lowered:
                    named.append((name, lowered, food_bits))
            seen = read[id(recipe)] = (recipe, recipe_bits, named, frozenset([lowered for _n, lowered, _b in named]))
        menu.append((meal, *seen))
    return menu


def _allergen_reasons(common: int, labels: dict[str, str]) -> list[str]:
    """The allergens of the bits ``common`` (a child's and a dish's), in ``ALLERGENS`` order, as the
    reader's words; ``labels`` keeps each word once per matching."""
    from app.health.labels import ALLERGEN_LABELS

    reasons = []
    for i, code in enumerate(ALLERGENS):
        if common & (1 << i):
            label = labels.get(code)
            if label is None:
                label = labels[code] = str(ALLERGEN_LABELS[code])
            reasons.append(label)
    return reasons


_NOBODY: frozenset = frozenset()


def match_days(children: list[tuple], days: dict) -> dict:
    """``{day: match(children, menu)}`` for ``days`` (day -> ``read_dishes`` menu), each recipe met with
    the children once for all the days: the children are indexed by allergen and by the food names
    their profiles name, so a recipe is only compared with the children it can concern; a day's
    conflicts then come in ``match``'s order (child by child, dish by dish)."""
    found: dict = {}
    if not children:
        return {day: [] for day in days}
    by_bit: dict[int, set[int]] = {}       # allergen bit -> positions of the children whose profile names it
    for pos, (_child, _text, bits) in enumerate(children):
        while bits:
            bit = bits & -bits
            by_bit.setdefault(bit, set()).add(pos)
            bits ^= bit
    naming: dict[str, set[int]] = {}       # a food's lowered name -> positions of the profiles naming it
    hits: dict[int, list] = {}             # id(recipe) -> [(position, reasons)], by position
    labels: dict[str, str] = {}
    made: dict[tuple, Conflict] = {}       # the same (child, dish, meal, reason) on two days: one object
    for day, menu in days.items():
        entries = []
        for dish_pos, (meal, recipe, recipe_bits, named, lowered_names) in enumerate(menu):
            recipe_hits = hits.get(id(recipe))
            if recipe_hits is None:
                candidates = set()
                rest = recipe_bits
                while rest:
                    bit = rest & -rest
                    candidates |= by_bit.get(bit, _NOBODY)
                    rest ^= bit
                for lowered in lowered_names:
                    positions = naming.get(lowered)
                    if positions is None:
                        positions = naming[lowered] = {pos for pos, entry in enumerate(children) if lowered in entry[1]}
                    candidates |= positions
                recipe_hits = hits[id(recipe)] = []
                for pos in sorted(candidates):
                    _child, text, bits = children[pos]
                    common = bits & recipe_bits
                    reasons = _allergen_reasons(common, labels) if common else []
                    for name, lowered, food_bits in named:  # a food the profile names, unless its allergen matched
                        if lowered in text and name not in reasons and not food_bits & bits:
                            reasons.append(name)
                    if reasons:
                        recipe_hits.append((pos, reasons))
            for pos, reasons in recipe_hits:
                for k, reason in enumerate(reasons):
                    key = (pos, id(recipe), meal, reason)
                    conflict = made.get(key)
                    if conflict is None:
                        child = children[pos][0]
                        conflict = made[key] = Conflict(child.id, child.name, recipe.id, recipe.name, meal, reason)
                    entries.append((pos, dish_pos, k, conflict))
        entries.sort()
        found[day] = [entry[3] for entry in entries]
    return found


def match(children: list[tuple], menu: list[tuple]) -> list[Conflict]:
    """The conflicts of ``allergic`` children with ``read_dishes`` dishes, child by child, dish by dish."""
    found: list[Conflict] = []
    if not children or not menu:
        return found
    labels: dict[str, str] = {}
    every_name = frozenset().union(*(entry[4] for entry in menu))
    for child, text, bits in children:
        named_here = {lowered for lowered in every_name if lowered in text}  # the foods the profile names
        for meal, recipe, recipe_bits, named, lowered_names in menu:
            common = bits & recipe_bits
            if not common and named_here.isdisjoint(lowered_names):
                continue
            names = [(name, food_bits) for name, lowered, food_bits in named if lowered in named_here]
            reasons = _allergen_reasons(common, labels) if common else []
            for name, food_bits in names:  # a food the profile names, unless its allergen already matched
                if name not in reasons and not food_bits & bits:
                    reasons.append(name)
            for reason in reasons:
                found.append(Conflict(child.id, child.name, recipe.id, recipe.name, meal, reason))
    return found

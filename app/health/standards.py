"""The meal standards as data: ``standards/meals-wst554.yaml`` read once, checked for shape, and
offered as plain values (age groups, ranges, allergen synonyms, sample rule).

Nothing here needs a request or the database, so the nutrition engine (``nutrition.py``) and its
tests use it directly."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import yaml

from app.config import BASE_DIR

STANDARDS_FILE = BASE_DIR / "standards" / "meals-wst554.yaml"
FOODS_FILE = BASE_DIR / "standards" / "food-composition.csv"

FOOD_GROUPS = ("grains_tubers", "vegetables", "fruit", "meat_poultry", "fish_shrimp", "eggs", "milk",
               "soy_nuts", "oil", "salt", "other")
ALLERGENS = ("peanut", "tree_nuts", "milk", "egg", "wheat", "soy", "fish", "shellfish", "sesame")
AGE_GROUPS = ("6-8", "9-11", "12-14", "15-17")
SEVERITIES = ("none", "warning", "fail")


def allergen_bits(codes) -> int:
    """The bitmask of allergen codes (unknown codes are refused)."""
    bits = 0
    for code in codes:
        bits |= 1 << ALLERGENS.index(code)
    return bits


def allergen_codes(bits: int) -> list[str]:
    return [code for i, code in enumerate(ALLERGENS) if bits & (1 << i)]


@dataclass(frozen=True)
class Standards:
    data: dict

    # --- age groups ---
    @property
    def reference_group(self) -> str:
        return self.data["reference_group"]

    def group(self, code: str) -> dict:
        return self.data["age_groups"][code]

    def energy(self, group: str, males: int = 1, females: int = 1) -> float:
        """Daily energy reference (kcal) of ``group`` for a sex mix (equal when none given)."""
        ref = self.group(group)["energy_kcal"]
        total = males + females
        if total <= 0:
            males = females = total = 1
        return (ref["m"] * males + ref["f"] * females) / total

    def protein(self, group: str, males: int = 1, females: int = 1) -> float:
        ref = self.group(group)["protein_g"]
        total = males + females
        if total <= 0:
            males = females = total = 1
        return (ref["m"] * males + ref["f"] * females) / total

    def scale(self, group: str, from_group: str | None = None) -> float:
        """How much of a recipe written for ``from_group`` (default the reference group) one child
        of ``group`` eats: the ratio of their daily energy references (mean of both sexes)."""
        return self.energy(group) / self.energy(from_group or self.reference_group)

    def age_group_of_age(self, age: int) -> str:
        for code, low, high in self._ages:
            if low <= age <= high:
                return code
        return AGE_GROUPS[0] if age < self._ages[0][1] else AGE_GROUPS[-1]

    @cached_property
    def _ages(self) -> tuple[tuple[str, int, int], ...]:
        return tuple((code, *self.group(code)["ages"]) for code in AGE_GROUPS)

    # --- ranges ---
    def range(self, key: str) -> tuple[float, float]:
        low, high = self.data[key]
        return float(low), float(high)

    @property
    def tolerance(self) -> float:
        return float(self.data["tolerance"])

    def lunch_grams(self) -> dict:
        return self.data["lunch_grams"]

    @property
    def meal_groups(self) -> dict[str, list[str]]:
        return self.data["meal_groups"]["groups"]

    @property
    def min_meal_groups(self) -> int:
        return int(self.data["meal_groups"]["min"])

    # --- samples ---
    @property
    def sample_rule(self) -> dict:
        return self.data["food_samples"]

    # --- allergens ---
    def synonyms(self) -> dict[str, list[str]]:
        return {code: [str(s).lower() for s in self.data["allergens"][code]["synonyms"]] for code in ALLERGENS}

    @property
    def none_words(self) -> set[str]:
        return {str(w).lower() for w in self.data["none_words"]}

    # The same values read once per loaded file (the file is loaded once: ``standards()``), for the
    # allergy matching that runs per child: the synonyms as tuples, the none-words as a frozen set.
    @cached_property
    def synonym_items(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple((code, tuple(synonyms)) for code, synonyms in self.synonyms().items())

    @cached_property
    def none_word_set(self) -> frozenset[str]:
        return frozenset(self.none_words)

    @cached_property
    def text_bits(self) -> dict[str, int]:
        """Allergy texts already read -> their allergen bits (``nutrition.allergens_in_text``)."""
        return {}

    def notes(self, chinese: bool = True) -> list[str]:
        """The notes of every value marked unverified, for the pages that use them."""
        specs = [self.group(code) for code in AGE_GROUPS] + list(self.lunch_grams().values()) + [self.sample_rule]
        return [note_of(spec, chinese) for spec in specs if spec.get("confidence") == "U"]


def note_of(spec: dict, chinese: bool = True) -> str:
    return spec.get("note_zh" if chinese else "note") or spec.get("note", "")


def validate(data: dict) -> None:
    """Refuse a file whose shape the checks cannot use (at start-up, with the problem named)."""
    def need(condition, message):
        if not condition:
            raise ValueError(f"{STANDARDS_FILE.name}: {message}")

    need(set(data.get("age_groups", {})) == set(AGE_GROUPS), f"age_groups must be {AGE_GROUPS}")
    need(data.get("reference_group") in AGE_GROUPS, "reference_group must be one of the age groups")
    for code in AGE_GROUPS:
        group = data["age_groups"][code]
        for key in ("energy_kcal", "protein_g"):
            need(all(isinstance(group[key].get(s), (int, float)) and group[key][s] > 0 for s in "mf"),
                 f"{code}.{key} needs positive m and f")
        need(len(group["ages"]) == 2, f"{code}.ages is [from, to]")
    for key in ("lunch_energy_share", "protein_of_reference", "fat_energy_share", "carb_energy_share"):
        low, high = data[key]
        need(0 <= low <= high, f"{key} is [low, high]")
    for group, spec in data["lunch_grams"].items():
        need(group in FOOD_GROUPS, f"lunch_grams: unknown food group {group}")
        need(spec.get("below") in SEVERITIES and spec.get("above") in SEVERITIES,
             f"lunch_grams.{group}: below/above must be one of {SEVERITIES}")
        for code in AGE_GROUPS:
            low, high = spec[code]
            need(0 <= low <= high, f"lunch_grams.{group}.{code} is [low, high]")
    for name, groups in data["meal_groups"]["groups"].items():
        need(all(g in FOOD_GROUPS for g in groups), f"meal_groups.{name}: unknown food group")
    need(set(data["allergens"]) == set(ALLERGENS), f"allergens must be {ALLERGENS}")
    need(data["food_samples"]["min_weight_g"] > 0 and data["food_samples"]["keep_hours"] > 0,
         "food_samples needs positive min_weight_g and keep_hours")


@lru_cache(maxsize=4)
def _load(path: Path) -> Standards:
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    validate(data)
    return Standards(data)


def standards() -> Standards:
    return _load(STANDARDS_FILE)

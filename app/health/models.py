"""Health and meals: foods with nutrients, recipes, daily menus, meals served, food samples (留样),
health checks at arrival and medicines given.

Foods are one national table (``site_id`` NULL, loaded from ``standards/food-composition.csv``,
changed only by administrators) plus rows a site adds for itself. Nutrients are per 100 g of the
edible part; an empty value is "not known", never zero. Recipe grams are edible raw weight per
serving for the recipe's reference age group. Health checks and medicines given are appended,
never edited.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin
from app.core.timeutil import utcnow
from app.extensions import db
from app.health.standards import AGE_GROUPS, FOOD_GROUPS

NUTRIENTS = ("energy_kcal", "protein_g", "fat_g", "carb_g", "fibre_g", "calcium_mg", "iron_mg", "zinc_mg",
             "vit_a_ug", "b1_mg", "b2_mg", "vit_c_mg")
MEALS = ("lunch", "snack")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _nonnegative(name: str) -> CheckConstraint:
    return CheckConstraint(f"{name} IS NULL OR {name} >= 0", name=f"{name}_nonnegative")


class Food(TimestampMixin, db.Model):
    __tablename__ = "foods"
    __table_args__ = (
        UniqueConstraint("site_id", "name_zh"),
        CheckConstraint(f"food_group IN ({_in(FOOD_GROUPS)})", name="group_known"),
        *(_nonnegative(n) for n in NUTRIENTS),
        CheckConstraint("energy_kcal IS NULL OR energy_kcal <= 900", name="energy_physical"),
        CheckConstraint("COALESCE(protein_g, 0) + COALESCE(fat_g, 0) + COALESCE(carb_g, 0) + COALESCE(fibre_g, 0)"
                        " <= 100", name="macros_physical"),
        CheckConstraint("edible_pct IS NULL OR (edible_pct > 0 AND edible_pct <= 100)", name="edible_pct_range"),
        CheckConstraint("allergens >= 0 AND allergens < 512", name="allergens_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)  # NULL: the national table
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120), default="")
    food_group: Mapped[str] = mapped_column(String(20))
    energy_kcal: Mapped[float | None] = mapped_column(Float)
    protein_g: Mapped[float | None] = mapped_column(Float)
    fat_g: Mapped[float | None] = mapped_column(Float)
    carb_g: Mapped[float | None] = mapped_column(Float)
    fibre_g: Mapped[float | None] = mapped_column(Float)
    calcium_mg: Mapped[float | None] = mapped_column(Float)
    iron_mg: Mapped[float | None] = mapped_column(Float)
    zinc_mg: Mapped[float | None] = mapped_column(Float)
    vit_a_ug: Mapped[float | None] = mapped_column(Float)
    b1_mg: Mapped[float | None] = mapped_column(Float)
    b2_mg: Mapped[float | None] = mapped_column(Float)
    vit_c_mg: Mapped[float | None] = mapped_column(Float)
    edible_pct: Mapped[float | None] = mapped_column(Float)
    allergens: Mapped[int] = mapped_column(default=0)  # bitmask over standards.ALLERGENS
    source: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None]

    @property
    def is_shared(self) -> bool:
        return self.site_id is None


class Recipe(TimestampMixin, db.Model):
    """A dish: foods in grams per serving for ``reference_group``."""
    __tablename__ = "recipes"
    __table_args__ = (
        UniqueConstraint("site_id", "name"),
        CheckConstraint(f"reference_group IN ({_in(AGE_GROUPS)})", name="group_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    reference_group: Mapped[str] = mapped_column(String(5), default="9-11")
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None]

    items: Mapped[list[RecipeItem]] = relationship(back_populates="recipe", cascade="all, delete-orphan",
                                                   order_by="RecipeItem.id", lazy="raise_on_sql")


class RecipeItem(db.Model):
    __tablename__ = "recipe_items"
    __table_args__ = (
        UniqueConstraint("recipe_id", "food_id"),
        CheckConstraint("grams > 0 AND grams <= 2000", name="grams_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), index=True)
    food_id: Mapped[int] = mapped_column(ForeignKey("foods.id"), index=True)
    grams: Mapped[float] = mapped_column(Float)

    recipe: Mapped[Recipe] = relationship(back_populates="items", lazy="raise_on_sql")
    food: Mapped[Food] = relationship(lazy="raise_on_sql")


class MenuDish(db.Model):
    """One dish on a site's menu of one day and meal."""
    __tablename__ = "menu_dishes"
    __table_args__ = (
        UniqueConstraint("site_id", "day", "meal", "recipe_id"),
        CheckConstraint(f"meal IN ({_in(MEALS)})", name="meal_known"),
        Index("ix_menu_dishes_site_id_day", "site_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"), index=True)
    day: Mapped[date]
    meal: Mapped[str] = mapped_column(String(10), default="lunch")
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipe: Mapped[Recipe] = relationship(lazy="raise_on_sql")


class MealCount(db.Model):
    """How many lunches were served on a day (adjustable)."""
    __tablename__ = "meal_counts"
    __table_args__ = (
        UniqueConstraint("site_id", "day"),
        CheckConstraint("served >= 0", name="served_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    day: Mapped[date]
    served: Mapped[int]
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MealSubstitution(db.Model):
    """What an allergic child ate instead of a dish."""
    __tablename__ = "meal_substitutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    day: Mapped[date] = mapped_column(index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id"))
    instead: Mapped[str] = mapped_column(String(120))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    child: Mapped["Child"] = relationship(lazy="raise_on_sql")  # noqa: F821
    recipe: Mapped[Recipe] = relationship(lazy="raise_on_sql")


class FoodSample(db.Model):
    """留样: a sample of a dish served, kept in a fridge."""
    __tablename__ = "food_samples"
    __table_args__ = (
        CheckConstraint("weight_g > 0 AND weight_g <= 2000", name="weight_range"),
        Index("ix_food_samples_site_id_day", "site_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    day: Mapped[date]
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id"))
    weight_g: Mapped[float] = mapped_column(Float)
    kept_at: Mapped[datetime]  # UTC
    fridge: Mapped[str] = mapped_column(String(40))
    kept_by: Mapped[str] = mapped_column(String(60))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipe: Mapped[Recipe] = relationship(lazy="raise_on_sql")


class HealthCheck(db.Model):
    """A child's check at arrival; appended, never edited."""
    __tablename__ = "health_checks"
    __table_args__ = (
        CheckConstraint("temperature IS NULL OR (temperature >= 34 AND temperature <= 43)", name="temperature_range"),
        Index("ix_health_checks_site_id_day", "site_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    day: Mapped[date]
    temperature: Mapped[float | None] = mapped_column(Float)
    unwell: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    child: Mapped["Child"] = relationship(lazy="raise_on_sql")  # noqa: F821
    recorded_by: Mapped["User | None"] = relationship(lazy="raise_on_sql")  # noqa: F821


class MedicineGiven(db.Model):
    """A medicine given to a child whose health profile lists one; appended, never edited."""
    __tablename__ = "medicines_given"
    __table_args__ = (Index("ix_medicines_given_site_id_given_at", "site_id", "given_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    medicine: Mapped[str] = mapped_column(String(80))
    dose: Mapped[str] = mapped_column(String(40))
    given_at: Mapped[datetime]  # UTC
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    child: Mapped["Child"] = relationship(lazy="raise_on_sql")  # noqa: F821
    given_by: Mapped["User | None"] = relationship(lazy="raise_on_sql")  # noqa: F821

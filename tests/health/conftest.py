from __future__ import annotations

from datetime import date

import pytest

from app.health.models import Food, MenuDish, Recipe, RecipeItem
from app.health.services import load_foods

MONDAY = date(2025, 7, 7)  # the world's season runs 2025-07-07 .. 2025-08-29


@pytest.fixture
def foods(db):
    """The national starter table, by Chinese name."""
    load_foods()
    db.session.commit()
    return {f.name_zh: f for f in db.session.query(Food).filter(Food.site_id.is_(None))}


@pytest.fixture
def dish(db, world, foods):
    """``dish(name, [(food name, grams)], day=None, meal="lunch")``: a recipe of the world's site, put
    on the menu of ``day`` when given."""
    made = {}

    def make(name, items=(), day=None, meal="lunch"):
        recipe = made.get(name)
        if recipe is None:
            recipe = Recipe(site_id=world.site.id, name=name, reference_group="9-11")
            db.session.add(recipe)
            db.session.flush()
            for food_name, grams in items:
                food = foods.get(food_name) or db.session.query(Food).filter_by(name_zh=food_name).one()
                db.session.add(RecipeItem(recipe_id=recipe.id, food_id=food.id, grams=grams))
            made[name] = recipe
        if day is not None:
            db.session.add(MenuDish(site_id=world.site.id, season_id=world.season.id, day=day, meal=meal,
                                    recipe_id=recipe.id))
        db.session.commit()
        return recipe

    return make

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import NumberRange, ValidationError

from app.core.forms import (BaseForm, DateField, DecimalField, IntegerField, Select, TimeField, input_required,
                            max_len, optional, required)
from app.health.labels import AGE_GROUP_LABELS, ALLERGEN_LABELS, FOOD_GROUP_LABELS, MEAL_LABELS, NUTRIENT_LABELS
from app.health.models import MEALS, NUTRIENTS
from app.health.standards import AGE_GROUPS, ALLERGENS, FOOD_GROUPS


class _Checkboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _nutrient_field(name):
    return DecimalField(NUTRIENT_LABELS[name], places=None, validators=[optional()],
                        description=_l("Per 100 g edible part; leave empty when not known."))


class FoodForm(BaseForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[required(), max_len(80)])
    name_en = StringField(_l("Name (English)"), validators=[optional(), max_len(120)])
    food_group = SelectField(_l("Food group"), choices=[(g, FOOD_GROUP_LABELS[g]) for g in FOOD_GROUPS],
                             validators=[required()])
    energy_kcal = _nutrient_field("energy_kcal")
    protein_g = _nutrient_field("protein_g")
    fat_g = _nutrient_field("fat_g")
    carb_g = _nutrient_field("carb_g")
    fibre_g = _nutrient_field("fibre_g")
    calcium_mg = _nutrient_field("calcium_mg")
    iron_mg = _nutrient_field("iron_mg")
    zinc_mg = _nutrient_field("zinc_mg")
    vit_a_ug = _nutrient_field("vit_a_ug")
    b1_mg = _nutrient_field("b1_mg")
    b2_mg = _nutrient_field("b2_mg")
    vit_c_mg = _nutrient_field("vit_c_mg")
    edible_pct = DecimalField(_l("Edible part (%)"), places=None, validators=[optional()])
    allergens = _Checkboxes(_l("Contains allergens"), choices=[(a, ALLERGEN_LABELS[a]) for a in ALLERGENS],
                            validate_choice=True)
    source = TextAreaField(_l("Source of the values"), validators=[optional(), max_len(500)],
                           description=_l("Table, edition and code; empty means the values are not sourced."))

    def __init__(self, *args, food=None, **kwargs):
        if food is not None:  # numbers as Decimal (the fields' type), allergens as their codes
            from app.health.standards import allergen_codes

            kwargs["data"] = dict(
                {n: (Decimal(str(getattr(food, n))) if getattr(food, n) is not None else None)
                 for n in (*NUTRIENTS, "edible_pct")},
                name_zh=food.name_zh, name_en=food.name_en, food_group=food.food_group, source=food.source,
                allergens=allergen_codes(food.allergens))
        super().__init__(*args, **kwargs)


assert all(hasattr(FoodForm, n) for n in NUTRIENTS)


class RecipeForm(BaseForm):
    name = StringField(_l("Dish"), validators=[required(), max_len(60)])
    reference_group = SelectField(_l("Amounts are for"), choices=[(g, AGE_GROUP_LABELS[g]) for g in AGE_GROUPS],
                                  default="9-11", validators=[required()])
    notes = TextAreaField(_l("Notes"), validators=[optional(), max_len(500)])


class RecipeItemForm(BaseForm):
    food_id = SelectField(_l("Food"), coerce=int, choices=[], validate_choice=False)
    grams = DecimalField(_l("Grams per serving (edible part)"), places=None, validators=[
        input_required(), NumberRange(min=Decimal("0.1"), max=2000,
                                      message=_l("Enter the grams per serving, more than 0 and at most 2000."))])

    def __init__(self, *args, foods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.food_id.choices = [(0, "—")] + [(f.id, f.name_zh) for f in foods]
        self._ids = {f.id for f in foods}

    def validate_food_id(self, field):
        if field.data not in self._ids:
            raise ValidationError(_l("Choose a food from the table."))


class MenuDishForm(BaseForm):
    day = DateField(_l("Day"), validators=[input_required()])
    meal = SelectField(_l("Meal"), choices=[(m, MEAL_LABELS[m]) for m in MEALS], default="lunch",
                       validators=[required()], widget=Select())
    recipe_id = SelectField(_l("Dish"), coerce=int, choices=[], validate_choice=False, widget=Select())

    def __init__(self, *args, recipes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.recipe_id.choices = [(0, "—")] + [(r.id, r.name) for r in recipes]
        self._ids = {r.id for r in recipes}

    def validate_recipe_id(self, field):
        if field.data not in self._ids:
            raise ValidationError(_l("Choose a dish of this site."))


class MealCountForm(BaseForm):
    served = IntegerField(_l("Lunches served"), validators=[
        input_required(), NumberRange(min=0, max=10000, message=_l("Enter a whole number from 0 to %(max)d.", max=10000))])
    note = StringField(_l("Note"), validators=[optional(), max_len(200)])


def _dish_choices(field, dishes):
    field.choices = [(0, "—")] + [(d.recipe.id, d.recipe.name) for d in dishes]


class SampleForm(BaseForm):
    recipe_id = SelectField(_l("Dish"), coerce=int, choices=[], validate_choice=False)
    weight_g = DecimalField(_l("Weight (g)"), places=None, validators=[
        input_required(), NumberRange(min=1, max=2000, message=_l("Enter the weight in grams, from 1 to 2000."))])
    kept_at = TimeField(_l("Kept at"), validators=[input_required()])
    fridge = StringField(_l("Fridge"), validators=[required(), max_len(40)])
    kept_by = StringField(_l("Kept by"), validators=[required(), max_len(60)])

    def __init__(self, *args, dishes=(), **kwargs):
        super().__init__(*args, **kwargs)
        _dish_choices(self.recipe_id, dishes)


class SubstitutionForm(BaseForm):
    child_id = SelectField(_l("Child"), coerce=int, choices=[], validate_choice=False)
    recipe_id = SelectField(_l("Instead of"), coerce=int, choices=[], validate_choice=False)
    instead = StringField(_l("Served instead"), validators=[required(), max_len(120)])

    def __init__(self, *args, dishes=(), children=(), **kwargs):
        super().__init__(*args, **kwargs)
        _dish_choices(self.recipe_id, dishes)
        self.child_id.choices = [(0, "—")] + [(c.id, c.name) for c in children]


class HealthCheckForm(BaseForm):
    child_id = SelectField(_l("Child"), coerce=int, choices=[], validate_choice=False)
    temperature = DecimalField(_l("Temperature (°C)"), places=1, validators=[
        optional(), NumberRange(min=34, max=43, message=_l("Enter the temperature in °C, between 34 and 43."))])
    unwell = BooleanField(_l("Feels unwell"))
    note = StringField(_l("Note"), validators=[optional(), max_len(200)])

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.child_id.choices = [(0, "—")] + [(c.id, c.name) for c in children]


class MedicineForm(BaseForm):
    child_id = SelectField(_l("Child"), coerce=int, choices=[], validate_choice=False)
    medicine = StringField(_l("Medicine"), validators=[required(), max_len(80)])
    dose = StringField(_l("Dose"), validators=[required(), max_len(40)])
    given_at = TimeField(_l("Given at"), validators=[input_required()])
    note = StringField(_l("Note"), validators=[optional(), max_len(200)])

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.child_id.choices = [(0, "—")] + [(c.id, f"{c.name}（{c.medicines}）") for c in children]

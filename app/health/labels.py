from flask_babel import lazy_gettext as _l

FOOD_GROUP_LABELS = {
    "grains_tubers": _l("Grains & tubers"),
    "vegetables": _l("Vegetables"),
    "fruit": _l("Fruit"),
    "meat_poultry": _l("Meat & poultry"),
    "fish_shrimp": _l("Fish & shrimp"),
    "eggs": _l("Eggs"),
    "milk": _l("Milk"),
    "soy_nuts": _l("Soy & nuts"),
    "oil": _l("Oil"),
    "salt": _l("Salt"),
    "other": _l("Other"),
}
ALLERGEN_LABELS = {
    "peanut": _l("Peanut"),
    "tree_nuts": _l("Tree nuts"),
    "milk": _l("Milk"),
    "egg": _l("Egg"),
    "wheat": _l("Wheat / gluten"),
    "soy": _l("Soy"),
    "fish": _l("Fish"),
    "shellfish": _l("Shellfish"),
    "sesame": _l("Sesame"),
}
MEAL_GROUP_LABELS = {
    "grains": _l("grains & tubers"),
    "vegetables_fruit": _l("vegetables & fruit"),
    "fish_meat_eggs": _l("fish, meat & eggs"),
    "milk_soy": _l("milk & soy"),
}
MEAL_LABELS = {"lunch": _l("Lunch"), "snack": _l("Snack")}
LEVEL_LABELS = {"pass": _l("Pass"), "warning": _l("Warning"), "fail": _l("Fail")}
AGE_GROUP_LABELS = {"6-8": _l("6–8 years"), "9-11": _l("9–11 years"), "12-14": _l("12–14 years"),
                    "15-17": _l("15–17 years")}
NUTRIENT_LABELS = {
    "energy_kcal": _l("Energy (kcal)"), "protein_g": _l("Protein (g)"), "fat_g": _l("Fat (g)"),
    "carb_g": _l("Carbohydrate (g)"), "fibre_g": _l("Fibre (g)"), "calcium_mg": _l("Calcium (mg)"),
    "iron_mg": _l("Iron (mg)"), "zinc_mg": _l("Zinc (mg)"), "vit_a_ug": _l("Vitamin A (µg RAE)"),
    "b1_mg": _l("Vitamin B1 (mg)"), "b2_mg": _l("Vitamin B2 (mg)"), "vit_c_mg": _l("Vitamin C (mg)"),
}

from app.core.audit import register_events  # noqa: E402

register_events({
    "health.check_recorded": _l("Recorded a health check at arrival"),
    "health.medicine_given": _l("Recorded a medicine given"),
    "health.substitution": _l("Recorded a meal substitution for an allergy"),
    "health.allergies_viewed": _l("Viewed the allergies on a menu"),
    "health.checks_viewed": _l("Viewed the day's health checks and medicines"),
})

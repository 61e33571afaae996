"""Demo meals: the national food table, a Zhejiang school-lunch repertoire, two weeks of menus
(one day fails the check: noodles and cabbage only), a peanut dish while a peanut-allergic child is
enrolled, food samples and meals served for the first week (one day's samples missing)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.children.models import Child, Enrolment
from app.extensions import db
from app.health.models import Food, FoodSample, HealthCheck, MealCount, MenuDish, Recipe, RecipeItem
from app.health.services import load_foods, local_to_utc

# dish -> [(food name, grams per serving for 9–11)]
RECIPES = {
    "米饭": [("粳米（标一）", 135)],
    "杂粮饭": [("粳米（标一）", 110), ("玉米（鲜）", 25), ("甘薯（红心）[山芋、红薯]", 20)],
    "红薯饭": [("籼米（标一）", 120), ("甘薯（红心）[山芋、红薯]", 25)],
    "葱油拌面": [("挂面（代表值）", 100), ("菜籽油 [青油]", 6)],
    "番茄炒蛋": [("番茄 [西红柿]", 40), ("鸡蛋（代表值）", 20), ("菜籽油 [青油]", 3)],
    "青椒肉丝": [("甜椒 [灯笼椒、柿子椒]", 35), ("猪肉（瘦）", 12), ("猪肉（奶面）[硬五花]", 8), ("菜籽油 [青油]", 3)],
    "清蒸鲈鱼": [("鲈鱼 [鲈花]", 20), ("菜籽油 [青油]", 4)],
    "宫保鸡丁": [("鸡胸脯肉", 20), ("花生仁（生）", 5), ("黄瓜（鲜）[胡瓜]", 25), ("胡萝卜（红）[金笋，丁香胡萝卜]", 15),
             ("菜籽油 [青油]", 3)],
    "红烧带鱼": [("带鱼 [白带鱼、刀鱼]", 20), ("菜籽油 [青油]", 3)],
    "土豆烧牛肉": [("牛肉（代表值，瘦，fat 3g）", 20), ("马铃薯[土豆、洋芋]", 25), ("胡萝卜（红）[金笋，丁香胡萝卜]", 20),
              ("菜籽油 [青油]", 4)],
    "麻婆豆腐": [("豆腐（南豆腐）", 30), ("猪肉（奶面）[硬五花]", 8), ("菜籽油 [青油]", 3)],
    "清炒小白菜": [("小白菜 [青菜]", 75), ("菜籽油 [青油]", 3)],
    "蒜蓉西兰花": [("西兰花[绿菜花]", 75), ("菜籽油 [青油]", 3)],
    "香菇青菜": [("小白菜 [青菜]", 55), ("香菇（鲜）[香蕈，冬菇]", 20), ("菜籽油 [青油]", 3)],
    "手撕包菜": [("圆白菜，卷心菜", 75), ("菜籽油 [青油]", 3)],
    "清炒绿豆芽": [("绿豆芽", 60), ("胡萝卜（红）[金笋，丁香胡萝卜]", 15), ("菜籽油 [青油]", 3)],
    "冬瓜海带汤": [("冬瓜", 40), ("海带（鲜）[江白菜]", 10)],
    "番茄蛋汤": [("番茄 [西红柿]", 35), ("鸡蛋（代表值）", 10), ("菜籽油 [青油]", 1)],
    "苹果": [("苹果（代表值）", 90)],
    "香蕉": [("香蕉 [甘蕉]", 80)],
    "西瓜": [("西瓜（代表值）", 100)],
    "梨": [("梨（代表值）", 90)],
    "纯牛奶": [("纯牛奶（代表值，全脂）", 80)],
    "酸奶": [("酸奶（代表值，全脂）", 80)],
}

# two weeks, Monday to Friday: (lunch dishes, afternoon snack)
WEEKS = [
    [(["米饭", "青椒肉丝", "番茄炒蛋", "清炒小白菜", "冬瓜海带汤", "纯牛奶"], ["苹果"]),
     (["杂粮饭", "土豆烧牛肉", "蒜蓉西兰花", "番茄蛋汤", "酸奶"], ["香蕉"]),
     (["米饭", "宫保鸡丁", "麻婆豆腐", "香菇青菜", "冬瓜海带汤", "纯牛奶"], ["西瓜"]),
     (["红薯饭", "清蒸鲈鱼", "番茄炒蛋", "手撕包菜", "冬瓜海带汤", "酸奶"], ["梨"]),
     (["米饭", "红烧带鱼", "蒜蓉西兰花", "清炒绿豆芽", "番茄蛋汤", "纯牛奶"], ["苹果"])],
    [(["杂粮饭", "青椒肉丝", "番茄炒蛋", "蒜蓉西兰花", "冬瓜海带汤", "纯牛奶"], ["香蕉"]),
     (["米饭", "清蒸鲈鱼", "番茄炒蛋", "香菇青菜", "冬瓜海带汤", "酸奶"], ["西瓜"]),
     (["红薯饭", "土豆烧牛肉", "番茄炒蛋", "清炒小白菜", "冬瓜海带汤", "纯牛奶"], ["梨"]),
     (["葱油拌面", "手撕包菜"], []),  # fails: two of the four food groups, too little energy and protein
     (["米饭", "红烧带鱼", "番茄炒蛋", "清炒绿豆芽", "冬瓜海带汤", "酸奶"], ["苹果"])],
]


def seed_health(site, season, coordinator=None) -> None:
    load_foods()
    foods = {f.name_zh: f for f in db.session.scalars(select(Food).where(Food.site_id.is_(None)))}
    recipes = {}
    for name, items in RECIPES.items():
        recipe = Recipe(site_id=site.id, name=name, reference_group="9-11")
        recipe.items = [RecipeItem(food_id=foods[food].id, grams=grams) for food, grams in items]
        db.session.add(recipe)
        recipes[name] = recipe
    db.session.flush()

    monday = season.start_date - timedelta(days=season.start_date.weekday())
    for w, week in enumerate(WEEKS):
        for d, (lunch, snack) in enumerate(week):
            day = monday + timedelta(days=7 * w + d)
            if not season.start_date <= day <= season.end_date:
                continue
            for meal, names in (("lunch", lunch), ("snack", snack)):
                for name in names:
                    db.session.add(MenuDish(site_id=site.id, season_id=season.id, day=day, meal=meal,
                                            recipe_id=recipes[name].id))

    enrolled = list(db.session.scalars(select(Child).join(Enrolment).where(
        Enrolment.season_id == season.id, Enrolment.status == "enrolled").order_by(Child.id)))
    # the allergy conflict of the demo: 宫保鸡丁 (peanuts) on the first Wednesday
    if enrolled and not any("花生" in (c.allergies or "") for c in enrolled):
        plain = next((c for c in enrolled if not (c.allergies or "").strip()), enrolled[0])
        plain.allergies = "花生（严重）"

    # the first week served: samples of every dish but Thursday's, meals counted
    by = coordinator.id if coordinator is not None else None
    for d, (lunch, snack) in enumerate(WEEKS[0]):
        day = monday + timedelta(days=d)
        if not season.start_date <= day <= season.end_date:
            continue
        db.session.add(MealCount(site_id=site.id, day=day, served=max(len(enrolled) - d % 3, 0),
                                 recorded_by_id=by))
        if d == 3:
            continue  # a day without samples shows as missing
        for name in lunch + snack:
            db.session.add(FoodSample(site_id=site.id, day=day, recipe_id=recipes[name].id, weight_g=130,
                                      kept_at=local_to_utc(day, time(11, 40)), fridge="留样冰箱1号",
                                      kept_by="食堂 沈阿姨", recorded_by_id=by))
    for i, child in enumerate(enrolled[:6]):
        db.session.add(HealthCheck(site_id=site.id, child_id=child.id, day=season.start_date,
                                   temperature=36.5 + (0.9 if i == 2 else 0.1 * i), unwell=i == 2,
                                   note="有点咳嗽" if i == 2 else "", recorded_by_id=by,
                                   recorded_at=datetime.combine(season.start_date, time(0, 30))))
    db.session.flush()

"""Foods, dishes and the week's menu through the browser's requests: the starter table, bad input
refused with a message and nothing saved, the check and the allergy list on the week page, copying
a week, the families' view, the printed menu and the page's query count."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

from pypdf import PdfReader

from app.health.models import Food, MenuDish, Recipe, RecipeItem
from tests.health.conftest import MONDAY

LUNCH = [("米饭", [("粳米（标一）", 135)]),
         ("青椒肉丝", [("甜椒 [灯笼椒、柿子椒]", 35), ("猪肉（瘦）", 20), ("菜籽油 [青油]", 4)]),
         ("番茄炒蛋", [("番茄 [西红柿]", 40), ("鸡蛋（代表值）", 20), ("菜籽油 [青油]", 3)]),
         ("清炒小白菜", [("小白菜 [青菜]", 75), ("菜籽油 [青油]", 3)]),
         ("纯牛奶", [("纯牛奶（代表值，全脂）", 80)])]
PEANUT_DISH = ("宫保鸡丁", [("鸡胸脯肉", 20), ("花生仁（生）", 6), ("黄瓜（鲜）[胡瓜]", 30)])


def test_load_foods_is_idempotent_and_keeps_unknown_values_unknown(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["health", "load-foods"])
    assert first.exit_code == 0 and "68 added" in first.output, first.output
    again = runner.invoke(args=["health", "load-foods"])
    assert "0 added, 68 refreshed" in again.output
    assert db.session.query(Food).count() == 68
    salt = db.session.query(Food).filter_by(name_zh="食盐").one()
    assert salt.energy_kcal is None and "not found" in salt.source
    peanut_oil = db.session.query(Food).filter_by(name_zh="花生油").one()
    assert peanut_oil.energy_kcal is None and "no sourced value" in peanut_oil.source
    from app.health.standards import allergen_codes

    codes = {f.name_zh: allergen_codes(f.allergens) for f in db.session.query(Food)}
    assert codes["花生油"] == ["peanut"] and codes["馒头（代表值）"] == ["wheat"]
    assert codes["豆腐（北豆腐）"] == ["soy"] and codes["河虾"] == ["shellfish"] and codes["草鱼"] == ["fish"]
    assert codes["纯牛奶（代表值，全脂）"] == ["milk"] and codes["鸡蛋（代表值）"] == ["egg"]
    assert codes["芝麻油[香油]"] == ["sesame"] and codes["粳米（标一）"] == []


def _food_form(**change):
    data = dict(name_zh="花生酱", name_en="Peanut butter", food_group="soy_nuts", energy_kcal="600",
                protein_g="25", fat_g="50", carb_g="20", allergens=["peanut"], source="包装营养成分表")
    data.update(change)
    return data


def test_a_coordinator_adds_a_food_and_physically_impossible_values_are_refused(client, db, login, world, foods):
    login(client, world.users["coordinator"])
    url = f"/sites/{world.site.id}/foods/new"
    for change, message in [
        (dict(protein_g="120"), "每 100 克最多 100 克"),
        (dict(protein_g="-1"), "不能为负数"),
        (dict(energy_kcal="950"), "900 千卡"),
        (dict(protein_g="40", fat_g="40", carb_g="30"), "合计 110 克"),
        (dict(food_group="rocks"), None),
        (dict(name_zh=""), "必填"),
    ]:
        response = client.post(url, data=_food_form(**change))
        assert response.status_code == 422, change
        if message:
            assert message in response.get_data(as_text=True), (change, message)
    assert db.session.query(Food).filter_by(site_id=world.site.id).count() == 0

    assert client.post(url, data=_food_form()).status_code == 303
    added = db.session.query(Food).filter_by(site_id=world.site.id).one()
    assert added.name_zh == "花生酱" and added.allergens == 1
    page = client.get(f"/sites/{world.site.id}/foods").get_data(as_text=True)
    assert "花生酱" in page and "粳米（标一）" in page


def test_shared_foods_are_changed_by_administrators_only(client, db, login, world, foods):
    rice = foods["粳米（标一）"]
    login(client, world.users["coordinator"])
    assert client.get(f"/foods/{rice.id}/edit").status_code == 403
    assert client.post(f"/foods/{rice.id}/edit", data=_food_form(name_zh="粳米（标一）")).status_code == 403
    admin = world.users["admin"]
    client2 = client.application.test_client()
    login(client2, admin)
    assert client2.get(f"/foods/{rice.id}/edit").status_code == 200


def test_dish_items_refuse_negative_grams_and_unknown_food(client, db, login, world, foods, dish):
    recipe = dish("米饭")
    login(client, world.users["coordinator"])
    url = f"/recipes/{recipe.id}/items"
    rice = foods["粳米（标一）"]
    for data in (dict(food_id=rice.id, grams="-5"), dict(food_id=rice.id, grams="0"),
                 dict(food_id=999999, grams="100"), dict(food_id="abc", grams="100"),
                 dict(food_id=rice.id, grams="abc")):
        response = client.post(url, data=data)
        assert response.status_code == 422, data
        assert 'class="error' in response.get_data(as_text=True)  # the message is shown in place
    assert db.session.query(RecipeItem).count() == 0
    # another site's food is unknown here
    other = Food(site_id=world.other_site.id, name_zh="外地酱", food_group="other")
    db.session.add(other)
    db.session.commit()
    assert client.post(url, data=dict(food_id=other.id, grams="10")).status_code == 422
    assert client.post(url, data=dict(food_id=rice.id, grams="135")).status_code == 303
    page = client.get(f"/recipes/{recipe.id}").get_data(as_text=True)
    assert "粳米（标一）" in page and "465.8" in page  # 345 kcal × 1.35 = 465.75


def test_a_menu_for_a_day_outside_the_season_is_refused(client, db, login, world, dish):
    recipe = dish("米饭", [("粳米（标一）", 130)])
    login(client, world.users["coordinator"])
    url = f"/seasons/{world.season.id}/menus"
    response = client.post(url, data=dict(day="2025-09-01", meal="lunch", recipe_id=recipe.id))
    assert response.status_code == 422
    assert "不在本期" in response.get_data(as_text=True)
    assert client.post(url, data=dict(day="2025-07-08", meal="lunch", recipe_id=999999)).status_code == 422
    assert db.session.query(MenuDish).count() == 0
    response = client.post(url, data=dict(day="2025-07-08", meal="lunch", recipe_id=recipe.id),
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "menu-week" in response.get_data(as_text=True)
    assert db.session.query(MenuDish).count() == 1


def _week(client, world, monday=MONDAY):
    return client.get(_week_url(world, monday)).get_data(as_text=True)


def _week_url(world, monday=MONDAY):
    return f"/seasons/{world.season.id}/menus?week={monday.isoformat()}"


def test_the_week_shows_each_days_check_and_the_allergy_list(client, db, login, world, make, dish):
    make.enrolment(make.child(world.site, "张小花", allergies="花生", birth_date=date(2015, 3, 1)), world.season)
    make.enrolment(make.child(world.site, "李明", sex="m", birth_date=date(2015, 3, 1)), world.season)
    for name, items in LUNCH:
        dish(name, items, day=MONDAY)
    dish(*PEANUT_DISH, day=MONDAY + timedelta(days=1))
    dish("米饭", day=MONDAY + timedelta(days=1))
    login(client, world.users["coordinator"])
    page = _week(client, world)
    monday = page.split('data-testid="day-2025-07-07"')[1].split("</article>")[0]
    tuesday = page.split('data-testid="day-2025-07-08"')[1].split("</article>")[0]
    assert "9–11 岁" in monday and "level-fail" not in monday, monday
    assert "level-fail" in tuesday and "能量" in tuesday and "午餐应占 35%–40%" in tuesday  # 529 kcal of 2000
    allergy = page.split('data-testid="allergy-list"')[1].split("</div>")[0]
    assert "张小花" in allergy and "宫保鸡丁" in allergy and "花生" in allergy and "李明" not in allergy
    from app.core.models import AuditEntry

    seen = db.session.query(AuditEntry).filter_by(event="health.allergies_viewed").all()
    assert [e.user_id for e in seen] == [world.users["coordinator"].id]  # the trail notes who saw them


def test_the_week_escapes_a_dishs_name_in_the_list_and_in_its_remove_button(client, db, login, world, dish):
    dish("鸡蛋<饼> & 粥", [("鸡蛋（代表值）", 40)], day=MONDAY)
    login(client, world.users["coordinator"])
    page = _week(client, world)
    assert "<li>鸡蛋&lt;饼&gt; &amp; 粥" in page and 'aria-label="移除鸡蛋&lt;饼&gt; &amp; 粥"' in page
    assert "鸡蛋<饼>" not in page
    menu_dish = db.session.query(MenuDish).one()
    assert (f'<button type="submit" form="menu-remove" formaction="/menu-dishes/{menu_dish.id}/remove?'
            f'week={MONDAY.isoformat()}" class="linklike" aria-label="移除鸡蛋&lt;饼&gt; &amp; 粥">×</button>') in page
    remove_form = page.split('<form id="menu-remove"')[1].split("</form>")[0]
    assert 'method="post"' in remove_form and 'name="csrf_token"' in remove_form
    assert f'<a href="/seasons/{world.season.id}/meals?day={MONDAY.isoformat()}">' in page
    assert '<span class="tag level-' in page and "kcal</summary>" in page


def test_copy_the_week_before(client, db, login, world, dish):
    for name, items in LUNCH:
        dish(name, items, day=MONDAY)
    login(client, world.users["coordinator"])
    next_week = MONDAY + timedelta(days=7)
    response = client.post(f"/seasons/{world.season.id}/menus/copy?week={next_week.isoformat()}", data={})
    assert response.status_code == 303
    assert db.session.query(MenuDish).filter_by(day=next_week).count() == len(LUNCH)
    client.post(f"/seasons/{world.season.id}/menus/copy?week={next_week.isoformat()}", data={})
    assert db.session.query(MenuDish).filter_by(day=next_week).count() == len(LUNCH)  # not doubled


def test_removing_a_dish_with_htmx(client, db, login, world, dish):
    dish("米饭", [("粳米（标一）", 130)], day=MONDAY)
    menu_dish = db.session.query(MenuDish).one()
    login(client, world.users["coordinator"])
    response = client.post(f"/menu-dishes/{menu_dish.id}/remove?week={MONDAY.isoformat()}", data={},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert db.session.query(MenuDish).count() == 0


def test_the_week_page_costs_the_same_number_of_queries_for_one_dish_or_a_full_week(
        client, db, login, world, make, dish, count_queries):
    login(client, world.users["coordinator"])
    dish("米饭", [("粳米（标一）", 130)], day=MONDAY)
    dish(*PEANUT_DISH, day=MONDAY)  # one dish, one allergic child: the trail's note is there in both
    make.enrolment(make.child(world.site, "张小花", allergies="花生"), world.season)
    url = _week_url(world)
    client.get(url)
    with count_queries() as small:
        client.get(url)
    for i in range(5):
        for name, items in LUNCH:
            dish(name, items, day=MONDAY + timedelta(days=i)) if i or name != "米饭" else None
        dish(*PEANUT_DISH, day=MONDAY + timedelta(days=i)) if i else None
    for n in range(12):
        make.enrolment(make.child(world.site, f"孩子{n}", allergies="花生" if n % 3 == 0 else "",
                                  birth_date=date(2012 + n % 6, 1, 1)), world.season)
    with count_queries() as full:
        page = client.get(url).get_data(as_text=True)
    assert "宫保鸡丁" in page
    assert full.count == small.count, "\n".join(small.statements) + "\n=====\n" + "\n".join(full.statements)


def test_families_see_the_menu_without_childrens_names_and_the_pdf_has_the_dishes(client, db, login, world, make,
                                                                                    dish):
    make.enrolment(make.child(world.site, "张小花", allergies="花生"), world.season)
    for name, items in LUNCH:
        dish(name, items, day=MONDAY)
    dish(*PEANUT_DISH, day=MONDAY + timedelta(days=1))
    login(client, world.users["guardian"])
    assert client.get(f"/seasons/{world.season.id}/menus").status_code == 403
    page = client.get(f"/seasons/{world.season.id}/menu?week={MONDAY.isoformat()}").get_data(as_text=True)
    assert "青椒肉丝" in page and "宫保鸡丁" in page and "张小花" not in page
    response = client.get(f"/seasons/{world.season.id}/menu.pdf?week={MONDAY.isoformat()}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    for name in ("青椒肉丝", "番茄炒蛋", "宫保鸡丁", "清炒小白菜", "9–11 岁"):
        assert name in text, name
    assert "张小花" not in text


def test_volunteers_and_other_sites_see_no_menu(client, login, world):
    login(client, world.users["volunteer"])
    assert client.get(f"/seasons/{world.season.id}/menu").status_code == 403
    assert client.get(f"/seasons/{world.season.id}/menus").status_code == 403
    other = client.application.test_client()
    login(other, world.users["other_coordinator"])
    assert other.get(f"/seasons/{world.season.id}/menus").status_code == 403


def test_dish_form_bad_input(client, db, login, world, dish):
    dish("米饭")
    login(client, world.users["coordinator"])
    url = f"/sites/{world.site.id}/recipes"
    for data, message in ((dict(name="", reference_group="9-11"), "必填"),
                          (dict(name="米饭", reference_group="9-11"), "已有同名菜品"),
                          (dict(name="红烧肉", reference_group="3-5"), None)):
        response = client.post(url, data=data)
        assert response.status_code == 422, data
        if message:
            assert message in response.get_data(as_text=True)
    assert db.session.query(Recipe).count() == 1
    response = client.post(url, data=dict(name="红烧肉", reference_group="12-14"))
    assert response.status_code == 303
    assert db.session.query(Recipe).filter_by(name="红烧肉").one().reference_group == "12-14"


def test_a_site_food_is_edited_and_bad_values_refused(client, db, login, world):
    food = Food(site_id=world.site.id, name_zh="自制酱", food_group="other", energy_kcal=300)
    db.session.add(food)
    db.session.commit()
    login(client, world.users["coordinator"])
    assert "自制酱" in client.get(f"/foods/{food.id}/edit").get_data(as_text=True)
    bad = client.post(f"/foods/{food.id}/edit", data=_food_form(name_zh="自制酱", fat_g="101", protein_g=""))
    assert bad.status_code == 422 and "每 100 克最多 100 克" in bad.get_data(as_text=True)
    assert db.session.get(Food, food.id).fat_g is None
    ok = client.post(f"/foods/{food.id}/edit", data=_food_form(name_zh="自制酱", allergens=["sesame", "peanut"]))
    assert ok.status_code == 303
    from app.health.standards import allergen_codes

    assert allergen_codes(db.session.get(Food, food.id).allergens) == ["peanut", "sesame"]


def test_the_add_form_comes_when_it_is_opened_and_only_for_who_may_add(client, db, login, world, make, dish,
                                                                      count_queries):
    """The week's page leaves the add form (and the site's dishes it offers) out: "Add a dish" fetches
    it when opened (htmx), or opens the week with it (a plain link); an auditor gets neither, nor
    the remove buttons. After a dish is added with htmx, the form stays open on the same day."""
    make.enrolment(make.child(world.site, "张小花", allergies="花生"), world.season)
    dish("米饭", [("粳米（标一）", 130)], day=MONDAY)
    dish(*PEANUT_DISH, day=MONDAY)
    dish("番茄炒蛋", [("番茄 [西红柿]", 40), ("鸡蛋（代表值）", 20)])
    form_url = f"/seasons/{world.season.id}/menus/add?week={MONDAY.isoformat()}"
    for role, reader in (("coordinator", client), ("auditor", client.application.test_client())):
        login(reader, world.users[role])
        reader.get(_week_url(world))
        with count_queries() as seen:
            page = reader.get(_week_url(world)).get_data(as_text=True)
        assert [st for st in seen.statements if "FROM recipes" in st and "archived_at IS NULL" in st] == []
        assert "宫保鸡丁" in page and 'data-testid="allergy-list"' in page and "kcal</summary>" in page
        assert 'data-testid="menu-form"' not in page
        assert (f'hx-get="{form_url.replace("&", "&amp;")}" hx-trigger="toggle from:closest details once"'
                in page) == (role == "coordinator")
        assert ("/remove" in page) == (role == "coordinator")
        fragment = reader.get(form_url, headers={"HX-Request": "true"})
        assert fragment.status_code == (200 if role == "coordinator" else 403)
    htmx = client.get(form_url, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert htmx.lstrip().startswith("<form") and 'data-testid="menu-form"' in htmx and "番茄炒蛋" in htmx and "<html" not in htmx
    assert f'value="{MONDAY.isoformat()}"' in htmx  # the week's first day
    plain = client.get(form_url).get_data(as_text=True)
    assert '<details class="add-form" open>' in plain and 'data-testid="menu-form"' in plain and "<html" in plain
    tomato = db.session.query(Recipe).filter_by(name="番茄炒蛋").one()
    wednesday = (MONDAY + timedelta(days=2)).isoformat()
    added = client.post(_week_url(world), data={"day": wednesday, "meal": "lunch", "recipe_id": tomato.id},
                        headers={"HX-Request": "true"}).get_data(as_text=True)
    assert '<details class="add-form" open>' in added and f'value="{wednesday}"' in added
    assert "番茄炒蛋" in added.split(f'data-testid="day-{wednesday}"')[1].split("</article>")[0]


def test_a_weeks_check_follows_every_change_of_what_it_reads(client, db, login, world, make, dish):
    """The week's checks are kept between views of an unchanged week; a change to a food's values, a
    dish added, a child enrolled of another age group or another language shows on the next view."""
    food = Food(site_id=world.site.id, name_zh="自制米饭", food_group="grains_tubers", energy_kcal=100, protein_g=2,
                fat_g=1, carb_g=20)
    db.session.add(food)
    db.session.commit()
    dish("家常饭", [("自制米饭", 100)], day=MONDAY)
    make.enrolment(make.child(world.site, "王一", birth_date=date(2015, 3, 1)), world.season)
    login(client, world.users["coordinator"])

    def monday():
        page = _week(client, world)
        day = page.split('data-testid="day-2025-07-07"')[1].split("</article>")[0]
        return "".join(part.split("</details>")[0] for part in day.split('<details class="menu-check"')[1:])

    first = monday()
    assert "能量 100 千卡" in first and first == monday(), first  # a second view reads the same
    form = _food_form(name_zh="自制米饭", food_group="grains_tubers", energy_kcal="250", protein_g="2", fat_g="1",
                      carb_g="20", allergens=[])
    assert client.post(f"/foods/{food.id}/edit", data=form).status_code == 303
    assert "能量 250 千卡" in monday()
    dish("番茄炒蛋", [("番茄 [西红柿]", 40), ("鸡蛋（代表值）", 20)], day=MONDAY)
    assert "能量 250 千卡" not in monday()
    assert "6–8 岁" not in monday()
    make.enrolment(make.child(world.site, "王二", birth_date=date(2018, 3, 1)), world.season)
    assert "6–8 岁" in monday()
    client.post("/auth/language", data={"locale": "en"})
    assert "Energy " in monday() and "能量" not in monday()


def test_the_weeks_kept_section_follows_today_the_season_each_session_and_the_children(
        client, db, login, world, make, dish, monkeypatch):
    """The week's section is kept with the week between views; today (which days miss a food sample),
    the season's dates (the next week's link), each session's own CSRF token and the allergy list
    (worked out on every view: nothing about a child is kept) follow on the next view, and the
    season's tabs stay around it."""
    from datetime import datetime, timezone

    from app.core import timeutil

    sunday_noon = datetime(2025, 7, 6, 4, tzinfo=timezone.utc)  # 12:00 in Shanghai, the day before MONDAY
    monkeypatch.setattr(timeutil, "clock", lambda: sunday_noon)
    dish(*PEANUT_DISH, day=MONDAY)
    child = make.child(world.site, "张小花", birth_date=date(2015, 3, 1))
    make.enrolment(child, world.season)
    login(client, world.users["coordinator"])

    page = _week(client, world)
    assert f'<a href="/seasons/{world.season.id}/meals">' in page  # the season's tabs
    assert "未留样" not in page and 'data-testid="allergy-list"' not in page and "下一周" in page
    signed = re.compile(r'(csrf_token" value="|"X-CSRFToken": ")[^"]+')  # the token's signature has the second
    assert signed.sub("", page) == signed.sub("", _week(client, world))  # kept: the same page again

    monkeypatch.setattr(timeutil, "clock", lambda: sunday_noon + timedelta(days=1))
    assert "未留样" in _week(client, world)  # Monday has come, and its dish has no sample

    child.allergies = "花生"
    db.session.commit()
    allergy = _week(client, world).split('data-testid="allergy-list"')[1].split("</div>")[0]
    assert "张小花" in allergy and "宫保鸡丁" in allergy
    child.name = "张小草"
    db.session.commit()
    allergy = _week(client, world).split('data-testid="allergy-list"')[1].split("</div>")[0]
    assert "张小草" in allergy and "张小花" not in allergy

    world.season.end_date = MONDAY + timedelta(days=6)
    db.session.commit()
    assert "下一周" not in _week(client, world)

    other = client.application.test_client()
    login(other, world.users["coordinator"])
    for reader in (client, other):
        page = reader.get(_week_url(world)).get_data(as_text=True)
        token = page.split('"X-CSRFToken": "')[1].split('"')[0]
        remove_form = page.split('<form id="menu-remove"')[1].split("</form>")[0]
        assert f'name="csrf_token" value="{token}"' in remove_form
        removed = reader.post(f"/menu-dishes/{db.session.query(MenuDish).one().id}/remove?week={MONDAY.isoformat()}",
                              data={"csrf_token": token}, headers={"HX-Request": "true"})
        assert removed.status_code == 200, removed.status_code
        dish(*PEANUT_DISH, day=MONDAY)  # back, for the next reader


def test_a_dish_name_cannot_pose_as_a_stand_in_of_the_kept_week(client, db, login, world, make, dish):
    """The kept week holds dish names people typed; the stand-ins the CSRF token and the allergy list
    go into cannot be typed (they carry a number drawn when the process starts), so such a name
    stays text and the list shows once."""
    make.enrolment(make.child(world.site, "张小花", allergies="花生"), world.season)
    dish(*PEANUT_DISH, day=MONDAY)
    dish("汤\ue000allergies\ue000\ue000csrf\ue000", [("番茄 [西红柿]", 40)], day=MONDAY)
    login(client, world.users["coordinator"])
    for _ in range(2):  # worked out, then kept
        page = _week(client, world)
        assert page.count('data-testid="allergy-list"') == 1
        assert "<li>汤\ue000allergies\ue000\ue000csrf\ue000" in page


def test_a_childs_name_in_the_allergy_list_stays_text_when_the_week_is_kept(client, db, login, world, make, dish):
    """The allergy list is put into the kept week as HTML: the names in it are escaped first."""
    make.enrolment(make.child(world.site, "<script>alert(1)</script>", allergies="花生"), world.season)
    dish(*PEANUT_DISH, day=MONDAY)
    login(client, world.users["coordinator"])
    for _ in range(2):  # worked out, then kept
        page = _week(client, world)
        allergy = page.split('data-testid="allergy-list"')[1].split("</div>")[0]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in allergy and "<script>alert" not in page

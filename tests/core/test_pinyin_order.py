"""People are listed in pinyin order everywhere (issue 9): volunteers and accounts were in code-point
order (于, 何, 冯...); children already were by pinyin. Same order on SQLite and PostgreSQL, across pages."""
from __future__ import annotations

import re

NAMES = ["于小雨", "何静", "冯磊", "张伟", "安然", "蔡明"]
PINYIN_ORDER = ["安然", "蔡明", "冯磊", "何静", "于小雨", "张伟"]


def in_page_order(html: str, names) -> list[str]:
    found = sorted((html.index(name), name) for name in names if name in html)
    return [name for _pos, name in found]


def test_volunteers_are_listed_in_pinyin_order(client, login, make, world):
    for name in NAMES:
        make.volunteer_profile(make.user("volunteer", world.site, display_name=name), world.site)
    login(client, world.users["coordinator"])
    html = client.get(f"/sites/{world.site.id}/volunteers").get_data(as_text=True)
    assert in_page_order(html, NAMES) == PINYIN_ORDER


def test_the_pinyin_order_holds_across_pages(client, login, make, world):
    names = [f"{surname}某" for surname in "于何冯张安蔡赵钱孙李周吴郑王陈林黄刘杨朱高罗梁宋唐许韩邓"]  # 28
    for name in names:
        make.volunteer_profile(make.user("volunteer", world.site, display_name=name), world.site)
    login(client, world.users["coordinator"])
    first = client.get(f"/sites/{world.site.id}/volunteers").get_data(as_text=True)
    second = client.get(f"/sites/{world.site.id}/volunteers?page=2").get_data(as_text=True)
    from app.core.pinyin import pinyin_key

    expected = sorted(names, key=pinyin_key)
    shown = in_page_order(first, names) + in_page_order(second, names)
    assert shown == expected and len(in_page_order(first, names)) == 25


def test_accounts_are_listed_in_pinyin_order(client, login, make, world):
    for name in NAMES:
        make.user("guardian", world.site, display_name=name)
    login(client, world.users["admin"])
    html = client.get("/admin/users").get_data(as_text=True)
    assert in_page_order(html, NAMES) == PINYIN_ORDER


def test_the_due_list_breaks_ties_by_pinyin(client, login, make, world):
    for name in NAMES:
        make.volunteer_profile(make.user("volunteer", world.site, display_name=name), world.site)
    login(client, world.users["coordinator"])
    html = client.get(f"/sites/{world.site.id}/volunteers/due").get_data(as_text=True)
    assert in_page_order(html, NAMES) == PINYIN_ORDER

"""Chinese first: every string in the code and templates has a zh_CN translation."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _source_messages() -> set[str]:
    method_map = [("app/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    keywords = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), method_map, options, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog():
    with open(ROOT / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po", "rb") as fh:
        return read_po(fh, locale="zh_CN")


def test_every_string_has_a_chinese_translation():
    catalog = _catalog()
    missing = []
    for msgid in sorted(_source_messages()):
        message = catalog.get(msgid)
        text = message.string if message else ""
        text = text if isinstance(text, str) else text[0]
        if not text or (message and message.fuzzy):
            missing.append(msgid)
    assert not missing, "untranslated (run `make extract-messages`, then translate):\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    for message in _catalog():
        if message.id and message.string:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else message.string[0]
            assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(text)), msgid


def test_chinese_is_the_default_and_english_is_a_switch_away(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "登录" in page and 'lang="zh-CN"' in page
    client.post("/auth/language", data={"locale": "en", "next": "/auth/login"})
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Sign in" in page and 'lang="en"' in page


def test_browser_language_is_honoured_before_a_choice(client):
    page = client.get("/auth/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "Sign in" in page


def test_language_choice_is_remembered_per_user(app, make, login, world):
    first = app.test_client()
    login(first, world.users["coordinator"])
    first.post("/auth/language", data={"locale": "en"})
    second = app.test_client()  # another device, same person
    login(second, world.users["coordinator"])
    assert "Home" in second.get("/home").get_data(as_text=True)
    assert world.users["coordinator"].locale == "en"

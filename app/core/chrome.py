"""The page chrome (skip link, top bar, navigation, language switch, user menu): the same HTML for
everyone who holds the same grants, on the same page, in the same language, with the same badge —
except for three values: the CSRF token, this page's path (where the language switch returns) and
the user's name. So it is rendered once per such key, with stand-ins for the three, and each page
only joins the kept pieces with its own three values, escaped as Jinja would escape them.

What the chrome shows must follow from the key or from the stand-ins; templates/_chrome.html says so
at its top. ``tests/core/test_chrome.py`` checks that two people, two pages, two languages, changed
grants and a changed badge never share what they must not."""
from __future__ import annotations

import re

from flask import current_app, g, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from app.core.permissions import grants_key

# stand-ins: private-use characters, which no translation, URL or label of the chrome contains
_SLOTS = {"csrf": "\ue000csrf\ue000", "next": "\ue000next\ue000", "name": "\ue000name\ue000"}
_SLOT = re.compile("\ue000(csrf|next|name)\ue000")
_KEPT: dict[tuple, tuple[list[str], list[str]]] = {}
_MAX = 2000


def page_chrome(csrf: str) -> Markup:
    user = current_user._get_current_object()
    signed_in = bool(user and user.is_authenticated)
    key = (current_app.name, id(current_app.url_map), str(get_locale()), request.script_root, request.endpoint,
           request.blueprint, grants_key(user) if signed_in else None,
           g.get("open_alerts_badge", 0) if signed_in else 0)
    kept = _KEPT.get(key)
    if kept is None:
        html = render_template("_chrome.html", slot_csrf=_SLOTS["csrf"], slot_next=_SLOTS["next"],
                               slot_name=_SLOTS["name"])
        pieces = _SLOT.split(html)  # text, slot, text, slot, ..., text
        kept = (pieces[0::2], pieces[1::2])
        if len(_KEPT) >= _MAX:
            _KEPT.clear()
        _KEPT[key] = kept
    texts, slots = kept
    values = {"csrf": escape(csrf), "next": escape(request.full_path.rstrip("?")),
              "name": escape(user.display_name) if signed_in else ""}
    out = [texts[0]]
    for slot, text in zip(slots, texts[1:]):
        out.append(values[slot])
        out.append(text)
    return Markup("".join(out))

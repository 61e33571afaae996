"""The page chrome (skip link, top bar, navigation, language switch, user menu): the same HTML for
everyone who holds the same grants, on the same page, in the same language, with the same badge —
except for three values: the CSRF token, this page's path (where the language switch returns) and
the user's name. So it is rendered once per such key, with stand-ins for the three, and each page
only joins the kept pieces with its own three values, escaped as Jinja would escape them.

What the chrome shows must follow from the key or from the stand-ins; templates/_chrome.html says so
at its top. ``tests/core/test_chrome.py`` checks that two people, two pages, two languages, changed
grants and a changed badge never share what they must not.

The stand-ins are one mechanism for every kept piece of HTML (``SLOTS``, ``slotted``, ``filled``): the
week of menus (app/health/routes.py) is kept the same way, with the CSRF token and its allergy list
put in on every view."""
from __future__ import annotations

import re
import secrets

from flask import current_app, g, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from app.core.permissions import grants_key

# stand-ins: private-use characters around the slot's name and a number drawn when the process starts,
# so no text a person typed (a dish's name in a kept week) can pose as one
_NONCE = secrets.token_hex(8)
SLOTS = {name: f"\ue000{name}.{_NONCE}\ue000" for name in ("csrf", "next", "name", "allergies")}
_SLOT = re.compile("\ue000(%s)\\.%s\ue000" % ("|".join(SLOTS), _NONCE))
_KEPT: dict[tuple, tuple[list[str], list[str]]] = {}
_MAX = 2000


def slotted(html: str) -> tuple[list[str], list[str]]:
    """HTML rendered with ``SLOTS`` as stand-ins for the values that differ per request, cut at them
    to be kept: (the texts, the slots between them)."""
    pieces = _SLOT.split(html)  # text, slot, text, slot, ..., text
    return pieces[0::2], pieces[1::2]


def filled(kept: tuple[list[str], list[str]], values: dict[str, str]) -> Markup:
    """A ``slotted`` piece with each stand-in replaced by its value, escaped as Jinja would escape it."""
    texts, slots = kept
    out = [texts[0]]
    for slot, text in zip(slots, texts[1:]):
        out.append(escape(values[slot]))
        out.append(text)
    return Markup("".join(out))


def page_chrome(csrf: str) -> Markup:
    user = current_user._get_current_object()
    signed_in = bool(user and user.is_authenticated)
    key = (current_app.name, id(current_app.url_map), str(get_locale()), request.script_root, request.endpoint,
           request.blueprint, grants_key(user) if signed_in else None,
           g.get("open_alerts_badge", 0) if signed_in else 0)
    kept = _KEPT.get(key)
    if kept is None:
        kept = slotted(render_template("_chrome.html", slot_csrf=SLOTS["csrf"], slot_next=SLOTS["next"],
                                       slot_name=SLOTS["name"]))
        if len(_KEPT) >= _MAX:
            _KEPT.clear()
        _KEPT[key] = kept
    return filled(kept, {"csrf": csrf, "next": request.full_path.rstrip("?"),
                         "name": user.display_name if signed_in else ""})


# --- tab bars: the same for every view of one page of one site by one person --------------------------
_TABS: dict[tuple, Markup] = {}


def kept_tabs(template: str, site, season=None) -> Markup:
    """A site's tab bar (``template``: a ``*/_tabs_bar.html``, or a season's
    ``scheduling/_season_nav_bar.html``), rendered once per bar, site (its id and name), season (id
    and name), page (endpoint), language, place (script root), user and grants, and kept: each link
    shows when the user may open it, and for a link that takes only the site or season that answer
    follows from the user's grants and the site alone (the rules in app/core/permissions.py read
    nothing else without the objects of a URL). A bar must show nothing else: a value it shows
    belongs in this key."""
    user = current_user._get_current_object()
    signed_in = bool(user and user.is_authenticated)
    key = (template, current_app.name, id(current_app.url_map), str(get_locale()), request.script_root,
           request.endpoint, user.get_id() if signed_in else None, grants_key(user) if signed_in else None,
           site.id, site.name, season.id if season else None, season.name if season else None)
    html = _TABS.get(key)
    if html is None:
        html = Markup(render_template(template, site=site, season=season))
        if len(_TABS) >= _MAX:
            _TABS.clear()
        _TABS[key] = html
    return html

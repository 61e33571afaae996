"""Ids that arrive in form bodies (a season in a select, the rows ticked in a bulk form): read,
bounded and checked to belong to the request's site, once, here.

    entries = objects_in_site(HourEntry, request.form.getlist("ids"), site.id)

Anything that is not a whole number of a sane size, or an id of another site or of nothing, is
refused with a ``FormError`` (the save path shows it) — never a 500, never a row of another site.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.core.args import KEY_MAX
from app.core.errors import FormError
from app.core.forms import ascii_digits
from app.extensions import db

MAX_IDS = 1000


def parse_ids(values, field: str = "ids", *, limit: int = MAX_IDS) -> list[int]:
    """Whole positive numbers a key can hold (INTEGER: up to 2**31 - 1; a larger one would make
    PostgreSQL refuse the query), duplicates dropped, in the order given."""
    out: list[int] = []
    for value in values if isinstance(values, (list, tuple)) else [values]:
        text = ascii_digits(str(value)).strip()
        if not text:
            continue
        if not text.isdigit() or len(text) > 10 or int(text) > KEY_MAX:
            raise FormError(field, _("The selection could not be read. Reload the page and try again."))
        number = int(text)
        if number not in out:
            out.append(number)
    if len(out) > limit:
        raise FormError(field, _("Choose at most %(count)d rows at once.", count=limit))
    return out


def objects_in_site(model, values, site_id: int, *, field: str = "ids", site_column=None) -> list:
    """The objects of ``model`` with these ids, all of site ``site_id`` (one query); a missing id or
    one of another site is refused as a whole."""
    ids = parse_ids(values, field)
    if not ids:
        return []
    column = site_column if site_column is not None else model.site_id
    found = list(db.session.scalars(select(model).where(model.id.in_(ids), column == site_id)))
    if len(found) != len(ids):
        raise FormError(field, _("Some of the chosen rows do not exist or belong to another site. Reload the "
                                 "page and try again."))
    order = {i: n for n, i in enumerate(ids)}
    return sorted(found, key=lambda obj: order[obj.id])


def object_in_site(model, value, site_id: int, *, field: str, site_column=None, message: str | None = None):
    """One object chosen in a form (a season in a select) that must belong to the site."""
    try:
        found = objects_in_site(model, [value], site_id, field=field, site_column=site_column)
    except FormError:
        found = []
    if not found:
        raise FormError(field, message or _("Choose one of the listed options."))
    return found[0]

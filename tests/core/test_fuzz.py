"""Bad input never answers 500: every POST endpoint of the route walk gets every form field filled
with hostile values (NUL bytes, control characters, 10,000 characters, numbers and dates that do
not fit, full-width digits, formulas, markup), and every GET endpoint gets hostile query strings.

Field names are discovered, not listed: the union of every form class's fields, every ``name=``
of the templates and every ``request.form``/``request.args`` name read in the code. Signed in as
an administrator (who may use every form), and anonymous for the public forms.
"""
from __future__ import annotations

import re
import traceback

from wtforms import fields as wtf
from wtforms.fields.core import UnboundField

from app.config import BASE_DIR
from app.core import forms as core_forms
from tests.core.routes import endpoint_rules, fill, route_values
from tests.core.test_render_sql import RenderWatch
from tests.core.test_permissions import ALLOWED, EXPECTED_NEED

HOSTILE = ["a\x00b", "\x0b\x0c\x1b", "x" * 10_000, "99999999999999999999999999", "9999-12-31", "１２３",
           "=1+1<script>alert(1)</script>", "-1", "NaN"]
IN_QUERY = ["\x00", "x" * 10_000, "99999999999999999999999999", "9999-12-31"]
HTMX_TOO = {"plausible", "plausible, huge ids", repr(HOSTILE[0])}  # also sent as htmx (422 fragments)
# Buttons and forms that end something run last, so they do not take away what the others use.
LAST = re.compile(r"archive|erase|remove|cancel|confirm|void|toggle|logout|decline|accept|withdraw|decide")


def _form_classes():
    import app.models  # noqa: F401  (every area, so every form module is imported through its routes)

    found, todo = set(), [core_forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def _form_fields() -> dict[str, type]:
    """Field name -> field class over every form (the first class seen wins for a shared name)."""
    names: dict[str, type] = {}
    for cls in sorted(_form_classes(), key=lambda c: c.__qualname__):
        for name in dir(cls):
            value = getattr(cls, name, None)
            if isinstance(value, UnboundField) and name != "csrf_token":
                names.setdefault(name, value.field_class)
    return names


NAME_IN_TEMPLATE = re.compile(r'\bname="([A-Za-z_][A-Za-z0-9_]*)"')
READ_IN_CODE = re.compile(r'(?:form|args|values|files)\.get(?:list)?\("([A-Za-z_][A-Za-z0-9_]*)"'
                          r'|form\["([A-Za-z_][A-Za-z0-9_]*)"\]|\barg_(?:int|date|text|choice)\("([A-Za-z_][A-Za-z0-9_]*)"')


def _template_names() -> set[str]:
    names = set()
    for path in (BASE_DIR / "templates").rglob("*.html"):
        names.update(NAME_IN_TEMPLATE.findall(path.read_text(encoding="utf-8")))
    return names - {"csrf_token"}


def _code_names() -> set[str]:
    names = set()
    for path in (BASE_DIR / "app").rglob("*.py"):
        for groups in READ_IN_CODE.findall(path.read_text(encoding="utf-8")):
            names.update(g for g in groups if g)
    return names - {"csrf_token"}


def _plausible(name: str, field_class: type | None, world, values) -> object:
    """A value that passes the field's own parsing, so the hostile text reaches the services."""
    if field_class is None:
        return ["99999999999999999999999999", str(values["hour_entry_id"]), "１"] if name.endswith("ids") else "1"
    if issubclass(field_class, wtf.DateField):
        return "２０２５-０７-０８"
    if issubclass(field_class, wtf.TimeField):
        return "０９:３０"
    if issubclass(field_class, (wtf.IntegerField, wtf.DecimalField)):
        return "１２"
    if issubclass(field_class, wtf.BooleanField):
        return "y"
    if issubclass(field_class, wtf.SelectMultipleField):
        return ["99999999999999999999999999", "-1"]
    if issubclass(field_class, wtf.SelectField):
        return "99999999999999999999999999"  # coerce=int with choices checked (or not) by the view
    if "phone" in name:
        return "１３８-２２２２-００００"
    return '=1+HYPERLINK("http://x")<script>\x00\x0b'


def _first_line_of(error: BaseException) -> str:
    """The traceback's last line, first line of its message only (SQL statements are long)."""
    line = traceback.format_exception_only(type(error), error)[-1].strip().splitlines()[0]
    return line[:240]


def _send(client, method: str, url: str, **kwargs):
    try:
        return client.open(url, method=method, **kwargs).status_code, ""
    except Exception as error:  # TESTING propagates the exception a user would see as a 500
        return 500, _first_line_of(error)


def test_hostile_form_values_never_answer_500(app, db, make, login, world):
    app.config["LOGIN_RATE_LIMIT"] = "10000 per minute"  # the anonymous login posts below are many
    values = route_values(db, make, world)
    form_fields = _form_fields()
    names = set(form_fields) | _template_names() | _code_names()
    posts = [(e, r) for e, r, m in endpoint_rules(app, methods=("POST",))]
    posts.sort(key=lambda er: ("erase" in er[0], bool(LAST.search(er[0])), er[1]))  # erasing a child: last

    failures, seen = [], set()
    with RenderWatch(app) as watch:  # a refused form is rendered again: without SQL too
        for endpoint, rule in posts:
            need = EXPECTED_NEED.get(endpoint)
            url = fill(rule, values)
            client = app.test_client()
            if "admin" in ALLOWED.get(need, ()) and need != "public":
                login(client, world.users["admin"])
            csrf = client.csrf_token()
            bodies = [(repr(v[:20]), {n: v for n in names}) for v in HOSTILE]
            bodies.append(("plausible", {n: _plausible(n, form_fields.get(n), world, values) for n in names}))
            bodies.append(("plausible, huge ids", {**bodies[-1][1], **{n: "99999999999999999999999999"
                                                                       for n in names if n.endswith("_id")}}))
            for label, body in bodies:
                body = {**body, "csrf_token": csrf}
                for headers in ({}, {"HX-Request": "true"}) if label in HTMX_TOO else ({},):
                    watch.rendering.clear()
                    watch.where = f"POST {rule} [{label}{' htmx' if headers else ''}]"
                    status, error = _send(client, "POST", url, data=body, headers=headers)
                    if status >= 500 and (rule, error) not in seen:  # each distinct error once
                        seen.add((rule, error))
                        failures.append(f"POST {rule} [{label}{' htmx' if headers else ''}] -> {status} {error}")
    failures += [f"template ran SQL: {template}: {hits[0]}" for template, hits in sorted(watch.found.items())]
    assert not failures, "\n".join(failures)


def test_hostile_query_strings_never_answer_500(app, db, make, login, world):
    values = route_values(db, make, world)
    names = _code_names() | {"page", "q", "from", "to", "status", "archived", "next", "sent", "child", "user"}
    client = app.test_client()
    login(client, world.users["admin"])
    failures, seen = [], set()
    for endpoint, rule, _ in endpoint_rules(app, methods=("GET",)):
        url = fill(rule, values)
        for value in IN_QUERY:
            query = {n: value for n in names}
            status, error = _send(client, "GET", url, query_string=query)
            if status >= 500 and (rule, error) not in seen:  # each distinct error once
                seen.add((rule, error))
                failures.append(f"GET {rule}?…={value[:20]!r} -> {status} {error}")
    assert not failures, "\n".join(failures)

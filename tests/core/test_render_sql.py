"""Templates never run SQL: every page and htmx fragment of the route × role walk is rendered while
the database engine reports each statement; a statement sent between Flask's
``before_render_template`` and ``template_rendered`` signals is a template (or a Jinja global such
as ``nav_items``/``can_visit`` called from one) loading what the view should have loaded up front.

Context processors run before ``before_render_template`` (Flask's ``_render``), so what they load
counts as the view's work, not the template's. The failure names the template file and line that
was running (the innermost template frame), the URL, role and the statement.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from flask import before_render_template, template_rendered
from sqlalchemy import event

from app.config import BASE_DIR
from app.extensions import db as _db
from tests.core.routes import ROLES_IN_ORDER, endpoint_rules, fill, route_values

TEMPLATES = BASE_DIR / "templates"


def _template_line(app) -> str:
    """The innermost template frame running now, as ``path:line`` of the template source."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".txt", ".xml", ".svg")):
            try:
                name = Path(filename).resolve().relative_to(TEMPLATES).as_posix()
                line = app.jinja_env.get_template(name).get_corresponding_lineno(frame.f_lineno)
            except Exception:
                name, line = filename, frame.f_lineno
            return f"{name}:{line}"
        frame = frame.f_back
    return "?"


class RenderWatch:
    """Which statements ran while a template rendered, by template line."""

    def __init__(self, app):
        self.app = app
        self.rendering: list[str] = []
        self.where = ""
        self.found: dict[str, list[str]] = defaultdict(list)

    def before(self, sender, template, context, **extra):
        self.rendering.append(template.name)

    def after(self, sender, template, context, **extra):
        if self.rendering:
            self.rendering.pop()

    def statement(self, conn, cursor, statement, parameters, context, executemany):
        if self.rendering:
            sql = " ".join(statement.split())[:120]
            self.found[f"{self.rendering[-1]} ({_template_line(self.app)})"].append(f"{self.where}: {sql}")

    def __enter__(self):
        before_render_template.connect(self.before, self.app)
        template_rendered.connect(self.after, self.app)
        event.listen(_db.engine, "before_cursor_execute", self.statement)
        return self

    def __exit__(self, *exc):
        before_render_template.disconnect(self.before, self.app)
        template_rendered.disconnect(self.after, self.app)
        event.remove(_db.engine, "before_cursor_execute", self.statement)


def test_no_template_runs_sql(app, db, make, login, world):
    values = route_values(db, make, world)
    clients = {}
    for role in ROLES_IN_ORDER:
        clients[role] = app.test_client()
        if role != "anonymous":
            login(clients[role], world.users[role])
    rendered = 0
    with RenderWatch(app) as watch:
        urls = [fill(rule, values) for _, rule, _ in endpoint_rules(app, methods=("GET",))]
        for url in [*urls, "/no-such-page", "/children/999999"]:  # error pages render the layout too
            for role, client in clients.items():
                for headers in ({}, {"HX-Request": "true"}):
                    watch.rendering.clear()  # a template that raised never sent template_rendered
                    watch.where = f"{role} GET {url}{' (htmx)' if headers else ''}"
                    response = client.get(url, headers=headers)
                    assert response.status_code < 500, watch.where
                    rendered += 1
    assert rendered > 500
    report = [f"{template}: {len(hits)} statements, e.g. {hits[0]}" for template, hits in sorted(watch.found.items())]
    assert not watch.found, "templates that run SQL while rendering:\n" + "\n".join(report)

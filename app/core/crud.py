"""Inline tables: one list that adds, edits and archives rows in place with htmx.

Every such table in the product (sites, seasons, theme weeks, rooms, parties, ...) is declared as an
``InlineTable`` and gets the same routes, so they all behave alike and each also works as plain
pages without JavaScript:

  GET       <list_url>                 list, paginated
  POST      <list_url>                 create
  GET/POST  /<plural>/<id>/edit        edit form (a table row for htmx, a page otherwise) / save
  GET       /<plural>/<id>             one row (used by "cancel")
  POST      /<plural>/<id>/archive     archive or restore (or delete, for ``removable`` tables)

Views stay thin: loading and access through ``@requires``, reads through ``list_query``, writes
through the ``create``/``update``/``archive`` services and the one save path (``app.core.views.save``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Blueprint, g, request, url_for
from htmx_flask import make_response

from app.core.htmx import redirect_after_post, render
from app.core.pagination import paginate
from app.core.permissions import can, requires
from app.core.views import save


@dataclass
class InlineTable:
    name: str                       # "season": endpoints season_list, season_edit, ...
    plural: str                     # "seasons": URL segment
    form: type
    columns: list                   # header labels (lazy strings)
    list_query: Callable[..., Any]  # (parent, show_archived) -> select()
    create: Callable[..., Any]      # (parent, values) -> obj
    update: Callable[..., Any]      # (obj, values) -> None
    archive: Callable[..., Any]     # (obj) -> None   toggles archived, or deletes if removable
    title: Any                      # page title (lazy string)
    parent_param: str | None = None  # "site_id": URL parameter of the parent object
    list_need: str = ""
    manage_need: str = ""
    create_need: str | None = None   # defaults to manage_need
    row_need: str | None = None      # defaults to list_need
    removable: bool = False          # delete instead of archive
    page_template: str = "core/inline_page.html"
    edit_template: str = "core/inline_edit.html"
    row_template: str = ""
    per_page: int = 25
    extra_context: Callable[..., dict] = field(default=lambda parent: {})

    @property
    def section_id(self) -> str:
        return f"{self.plural}-section"


def register(bp: Blueprint, table: InlineTable, list_rule: str) -> None:
    """Add the inline-table routes for ``table`` to ``bp``; ``list_rule`` is the list URL."""
    name, parent_name = table.name, (table.parent_param or "").removesuffix("_id") or None

    def list_url(parent) -> str:
        kwargs = {table.parent_param: parent.id} if parent is not None else {}
        return url_for(f"{bp.name}.{name}_list", **kwargs)

    def context(parent, form, **extra):
        show_archived = request.args.get("archived") == "1"
        page = paginate(table.list_query(parent, show_archived), per_page=table.per_page)
        return dict(parent=parent, form=form, page=page, show_archived=show_archived,
                    list_url=list_url(parent), **_common(), **table.extra_context(parent), **extra)

    def _common() -> dict:
        return dict(bp=bp.name, table=table, can_manage=can(table.manage_need, g.site_id),
                    can_create=can(table.create_need or table.manage_need, g.site_id))

    def list_view(**kwargs):
        parent = kwargs.get(parent_name) if parent_name else None
        return render(table.page_template, "core/_inline_section.html",
                      **context(parent, table.form(formdata=None)))

    def create_view(**kwargs):
        parent = kwargs.get(parent_name) if parent_name else None
        form = table.form()

        def done(obj):
            if not request.htmx:
                return redirect_after_post(list_url(parent))
            return render(table.page_template, "core/_inline_section.html", trigger=f"{name}-changed",
                          **context(parent, table.form(formdata=None), saved=True))

        return save(form, lambda values: table.create(parent, values), done=done, once=True,
                    again=lambda: render(table.page_template, "core/_inline_section.html",
                                         **context(parent, form)))

    def edit_view(**kwargs):
        obj = kwargs[name]
        form = table.form(obj=obj)

        def done(_):
            if request.htmx:
                return render(table.row_template, table.row_template, row=obj, **_common(),
                              trigger=f"{name}-changed")
            return redirect_after_post(list_url(_parent_of(obj)))

        return save(form, lambda values: table.update(obj, values), done=done,
                    again=lambda: render(table.edit_template, "core/_inline_edit_row.html", row=obj, form=form,
                                         list_url=list_url(_parent_of(obj)), **_common()))

    def row_view(**kwargs):
        obj = kwargs[name]
        return render(table.row_template, table.row_template, row=obj, **_common())

    def archive_view(**kwargs):
        obj = kwargs[name]
        parent = _parent_of(obj)

        def done(_):
            if request.htmx and not table.removable:
                return render(table.row_template, table.row_template, row=obj, **_common(),
                              trigger=f"{name}-changed")
            if request.htmx:
                return _empty_row(trigger=f"{name}-changed")
            return redirect_after_post(list_url(parent))

        return save(None, lambda _: table.archive(obj), done=done,
                    again=lambda: redirect_after_post(list_url(parent)))

    def _parent_of(obj):
        return getattr(obj, parent_name) if parent_name else None

    plural = table.plural
    bp.add_url_rule(list_rule, f"{name}_list", requires(table.list_need)(list_view))
    bp.add_url_rule(list_rule, f"{name}_create", requires(table.create_need or table.manage_need)(create_view),
                    methods=["POST"])
    bp.add_url_rule(f"/{plural}/<int:{name}_id>/edit", f"{name}_edit",
                    requires(table.manage_need)(edit_view), methods=["GET", "POST"])
    bp.add_url_rule(f"/{plural}/<int:{name}_id>", f"{name}_row", requires(table.row_need or table.list_need)(row_view))
    bp.add_url_rule(f"/{plural}/<int:{name}_id>/archive", f"{name}_archive",
                    requires(table.manage_need)(archive_view), methods=["POST"])


def _empty_row(trigger=None):
    """An htmx answer that swaps the row away (after a delete)."""
    response = make_response("", 200, trigger=trigger)
    response.vary.add("HX-Request")
    return response

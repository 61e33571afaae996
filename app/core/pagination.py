"""One way to paginate a list page: the page number from ``?page=``, the size from PAGE_SIZE."""
from __future__ import annotations

from flask import current_app

from app.core.args import arg_int
from app.extensions import db

MAX_PAGE = 100_000


def paginate(query, per_page: int | None = None):
    """``db.paginate`` for the current request; an out-of-range page is empty, never a 404 or a 500."""
    return db.paginate(query, page=arg_int("page", 1, minimum=1, maximum=MAX_PAGE),
                       per_page=per_page or current_app.config["PAGE_SIZE"], error_out=False)


class ListPage:
    """One page holding a list already loaded (e.g. a child's guardians, loaded with the child), for
    templates that take a page: no query to count or fetch it again."""

    page, pages, prev_num, next_num, has_prev, has_next = 1, 1, None, None, False, False

    def __init__(self, items):
        self.items = list(items)
        self.total = len(self.items)


class RowPage:
    """A page of plain rows with Flask-SQLAlchemy's ``Pagination`` attributes that the templates
    read (items, total, page, per_page, pages, has_prev/prev_num, has_next/next_num)."""

    def __init__(self, items: list, total: int, page: int, per_page: int):
        self.items, self.total, self.page, self.per_page = items, total, page, per_page

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def paginate_rows(query, make=tuple, per_page: int | None = None) -> RowPage:
    """``paginate`` for a select of columns: the page's rows (each passed through ``make``) and the
    total in one statement (``count(*) OVER ()``); a second statement counts only when the page is
    past the end. No ORM objects are built."""
    from sqlalchemy import func, select

    page = arg_int("page", 1, minimum=1, maximum=MAX_PAGE)
    per_page = per_page or current_app.config["PAGE_SIZE"]
    rows = db.session.execute(query.add_columns(func.count().over()).limit(per_page)
                              .offset((page - 1) * per_page)).all()
    if rows:
        total = rows[0][-1]
    elif page == 1:
        total = 0
    else:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return RowPage([make(row[:-1]) for row in rows], total, page, per_page)


PAGE_LIMIT, PAGE_OFFSET = "page_limit", "page_offset"


def paginate_built(statement, params: dict, make=tuple, per_page: int | None = None) -> RowPage:
    """``paginate_rows`` for a statement built once (``app.core.db.prepared`` or a cached builder):
    its last column is ``count(*) OVER ()`` and it ends with ``.limit(bindparam(PAGE_LIMIT))
    .offset(bindparam(PAGE_OFFSET))``, so a request only binds its values (building the page's
    statement and working out its cache key cost more than running it). Past the end, the total is
    read from the first row of the same statement."""
    page = arg_int("page", 1, minimum=1, maximum=MAX_PAGE)
    per_page = per_page or current_app.config["PAGE_SIZE"]
    rows = db.session.execute(statement, {**params, PAGE_LIMIT: per_page, PAGE_OFFSET: (page - 1) * per_page}).all()
    if rows:
        total = rows[0][-1]
    elif page == 1:
        total = 0
    else:
        first = db.session.execute(statement, {**params, PAGE_LIMIT: 1, PAGE_OFFSET: 0}).first()
        total = first[-1] if first else 0
    return RowPage([make(row[:-1]) for row in rows], total, page, per_page)

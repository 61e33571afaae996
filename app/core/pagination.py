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

"""One way to paginate a list page: the page number from ``?page=``, the size from PAGE_SIZE."""
from __future__ import annotations

from flask import current_app, request

from app.extensions import db


def paginate(query, per_page: int | None = None):
    """``db.paginate`` for the current request; an out-of-range page is empty, never a 404."""
    return db.paginate(query, page=request.args.get("page", 1, type=int),
                       per_page=per_page or current_app.config["PAGE_SIZE"], error_out=False)

from flask import Blueprint

bp = Blueprint("children", __name__)

from app.children import routes  # noqa: E402,F401

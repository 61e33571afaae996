from flask import Blueprint

bp = Blueprint("daily", __name__)

from app.daily import cli, routes  # noqa: E402,F401

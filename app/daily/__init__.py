from flask import Blueprint

bp = Blueprint("daily", __name__)

from app.daily import cli, routes  # noqa: E402,F401
from app.daily import routes_attendance  # noqa: E402,F401
from app.daily import routes_outcomes  # noqa: E402,F401

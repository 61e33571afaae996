from flask import Blueprint

bp = Blueprint("sites", __name__)

from app.sites import routes  # noqa: E402,F401

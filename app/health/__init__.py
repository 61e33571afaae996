from flask import Blueprint

bp = Blueprint("health", __name__, cli_group="health")

from app.health import cli, routes  # noqa: E402,F401

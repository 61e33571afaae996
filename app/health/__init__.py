from flask import Blueprint

from app.health.standards import standards

bp = Blueprint("health", __name__, cli_group="health")
standards()  # the meal standards file is read and checked at start-up: a broken file stops here, named

from app.health import cli, routes  # noqa: E402,F401

"""Volunteers: sign-up, profiles, trainings, hours, certificates. The views live in one module per
subject (routes_profiles, routes_trainings, routes_hours, routes_certificates); endpoints are all
``volunteers.<name>``."""
from flask import Blueprint

bp = Blueprint("volunteers", __name__)

from app.volunteers import routes_certificates, routes_hours, routes_profiles, routes_trainings  # noqa: E402,F401

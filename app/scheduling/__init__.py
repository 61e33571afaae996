"""Scheduling: activities in the three tracks, groups, recurring schedules and dated sessions, week
views and printed timetables. The views live in one module per subject (routes_*); endpoints are
all ``scheduling.<name>``. URL ids: ``activity_id``, ``group_id``, ``schedule_id`` and
``occurrence_id`` for a Session (``session`` would shadow Flask's)."""
from flask import Blueprint

bp = Blueprint("scheduling", __name__)

from app.scheduling import routes  # noqa: E402,F401
from app.scheduling import routes_staff  # noqa: E402,F401

"""Scheduling: activities in the three tracks, groups, recurring schedules and dated sessions, week
views and printed timetables. The views live in one module per subject (routes_*); endpoints are
all ``scheduling.<name>``. URL ids: ``activity_id``, ``group_id``, ``schedule_id`` and
``occurrence_id`` for a Session (``session`` would shadow Flask's)."""
from flask import Blueprint

from app.core import permissions

bp = Blueprint("scheduling", __name__)
# the tab bars (templates/sites/_tabs.html, scheduling/_season_nav.html) ask through it; registered
# on the app, so every area's page that includes them finds it
bp.add_app_template_global(permissions.tab_url)

from app.scheduling import routes  # noqa: E402,F401
from app.scheduling import routes_staff  # noqa: E402,F401

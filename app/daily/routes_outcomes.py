"""A season's outcomes (issue 11): attendance rates (season, groups, activities, each child, lowest
first) and interest participation (the children below the target, to invite). Both pages only read;
coordinators, auditors and administrators open them (SITE_VIEW); guardians' phone numbers and the
links to the children's records are shown to whoever may manage the site. The season hub shows the
three figures (``outcome_queries.season_outcomes``), each linking here or to the homework page."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user

from app.core import audit
from app.core.args import arg_choice
from app.core.htmx import render
from app.core.pagination import paginate
from app.core.permissions import SITE_MANAGE, SITE_VIEW, can, requires
from app.daily import bp
from app.daily import outcome_queries as queries
from app.extensions import db
from app.scheduling.labels import TRACK_LABELS
from app.sites.models import Season, Site


@bp.route("/seasons/<int:season_id>/attendance")
@requires(SITE_VIEW)
def attendance_rates(season: Season):
    sort = arg_choice("sort", queries.CHILD_SORTS, "rate")
    page = paginate(queries.children_by_rate(season, sort))
    ids = [c.id for c in page.items]
    return render("daily/outcomes_attendance.html", "daily/_outcomes_children.html",
                  site=db.session.get(Site, season.site_id), season=season, sort=sort, sorts=queries.CHILD_SORTS,
                  rate=queries.season_rate(season), groups=queries.group_rates(season),
                  activities=queries.activity_rates(season), track_labels=TRACK_LABELS, page=page,
                  rates=queries.child_rates(season, ids), child_groups=queries.groups_of(season, ids),
                  page_url=url_for("daily.attendance_rates", season_id=season.id, sort=sort))


@bp.route("/seasons/<int:season_id>/interests")
@requires(SITE_VIEW)
def interest_participation(season: Season):
    page = paginate(queries.below_interest_target(season))
    ids = [c.id for c in page.items]
    manage = can(SITE_MANAGE, season.site_id)
    guardians = queries.guardians_of(ids) if manage else {}
    if guardians:
        audit.record_read("guardians.viewed", by=current_user, children=page.items)
    return render("daily/outcomes_interests.html", "daily/_outcomes_below.html",
                  site=db.session.get(Site, season.site_id), season=season, page=page, manage=manage,
                  met=queries.interest_figure(season), target=queries.INTEREST_TARGET,
                  interests=queries.interests_of(season, ids), child_groups=queries.groups_of(season, ids),
                  guardians=guardians, page_url=url_for("daily.interest_participation", season_id=season.id))

"""Scheduling views: activities and groups (inline tables), group members, recurring schedules, the
week grid (by room, group or person; one day or seven), one session's page, and printed timetables.
Loaders for the area's URL ids are registered here (``occurrence_id`` names a Session)."""
from __future__ import annotations

from datetime import timedelta

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.children.labels import GRADE_LABELS
from app.children.models import Child
from app.core import crud
from app.core.args import arg_choice, arg_date, arg_int
from app.core.htmx import redirect_after_post, render
from app.core.permissions import PUBLIC, SITE_MANAGE, SITE_VIEW, can_visit, register_loader, requires
from app.core.timeutil import local_today
from app.core.views import save
from app.extensions import db
from app.scheduling import bp, queries, services
from app.scheduling.forms import (ActivityForm, CancelForm, GroupForm, ScheduleForm, ScheduleRangeForm,
                                  SessionForm, SettingsForm)
from app.scheduling.labels import STAFF_STATUS_LABELS, TRACK_LABELS, VIEW_LABELS, WEEKDAY_LABELS
from app.scheduling.models import Activity, Group, Schedule, Session, SessionStaff
from app.sites.models import Room, Season, Site

register_loader("activity_id", Activity, lambda a: a.site_id)
register_loader("group_id", Group, lambda g: g.site_id)
register_loader("schedule_id", Schedule, lambda s: s.site_id)
register_loader("occurrence_id", Session, lambda s: s.site_id)
register_loader("staff_id", SessionStaff, lambda s: s.session.site_id, owner_id_of=lambda s: s.user_id)


@bp.context_processor
def labels():
    return dict(track_labels=TRACK_LABELS, weekday_labels=WEEKDAY_LABELS, staff_status_labels=STAFF_STATUS_LABELS,
                view_labels=VIEW_LABELS, grade_labels=GRADE_LABELS)


def _season_context(season):
    return {"site": season.site, "season": season}


class _ActivityForm(ActivityForm):
    """The activity form of the request's season (its theme weeks as choices)."""

    def __init__(self, *args, **kwargs):
        from flask import g

        season = g.access.objects.get("season") or g.access.objects["activity"].season
        super().__init__(*args, theme_weeks=queries.theme_weeks_of(season.id), **kwargs)


ACTIVITIES = crud.InlineTable(
    name="activity", plural="activities", form=_ActivityForm, title=_l("Activities"), parent_param="season_id",
    columns=[_l("Track"), _l("Name"), _l("Theme week"), _l("Notes")],
    list_query=queries.activities_of, create=services.create_activity, update=services.update_activity,
    archive=services.toggle_archived, list_need=SITE_VIEW, manage_need=SITE_MANAGE,
    row_template="scheduling/_activity_row.html", extra_context=_season_context,
    page_template="scheduling/inline_page.html",
)
GROUPS = crud.InlineTable(
    name="group", plural="groups", form=GroupForm, title=_l("Groups"), parent_param="season_id",
    columns=[_l("Name"), _l("Grade"), _l("Level"), _l("Children")],
    list_query=queries.groups_of, create=services.create_group, update=services.update_group,
    archive=services.toggle_archived, list_need=SITE_VIEW, manage_need=SITE_MANAGE,
    row_template="scheduling/_group_row.html",
    extra_context=lambda season: dict(_season_context(season), member_counts=queries.member_counts(season)),
    page_template="scheduling/inline_page.html",
)
crud.register(bp, ACTIVITIES, "/seasons/<int:season_id>/activities")
crud.register(bp, GROUPS, "/seasons/<int:season_id>/groups")


# --- groups: members ------------------------------------------------------------------------------------
@bp.route("/seasons/<int:season_id>/groups/assign-by-grade", methods=["POST"])
@requires(SITE_MANAGE)
def assign_by_grade(season: Season):
    back = url_for("scheduling.group_list", season_id=season.id)
    return save(None, lambda _v: services.assign_by_grade(season, by=current_user),
                done=lambda n: redirect_after_post(back, notice=_("%(count)d children put into the group of their "
                                                                  "grade.", count=n)),
                again=lambda: redirect_after_post(back))


def _members_page(group, form_errors=()):
    return render("scheduling/members.html", site=group.season.site, season=group.season,
                  can_manage=can_visit("scheduling.group_members_save", group_id=group),
                  errors=form_errors, **queries.group_page(group))


@bp.route("/groups/<int:group_id>/members")
@requires(SITE_VIEW)
def group_members(group: Group):
    return _members_page(group)


@bp.route("/groups/<int:group_id>/members", methods=["POST"])
@requires(SITE_MANAGE)
def group_members_save(group: Group):
    back = url_for("scheduling.group_members", group_id=group.id)
    return save(None, lambda _v: services.set_members(group, request.form.getlist("ids"), by=current_user),
                done=lambda n: redirect_after_post(back, notice=_("Saved: %(count)d children in the "
                                                                                 "group.", count=n)),
                again=lambda: redirect_after_post(back))


# --- schedules ------------------------------------------------------------------------------------------
def _schedules_page(season, form):
    return render("scheduling/schedules.html", "scheduling/_schedule_form.html", site=season.site, season=season,
                  form=form, schedules=queries.schedules_of(season),
                  can_manage=can_visit("scheduling.schedule_create", season_id=season))


@bp.route("/seasons/<int:season_id>/schedules")
@requires(SITE_VIEW)
def schedules(season: Season):
    form = ScheduleForm(formdata=None, choices=queries.form_choices(season), first_date=season.start_date,
                        last_date=season.end_date, weekdays=[0, 1, 2, 3, 4])
    return _schedules_page(season, form)


@bp.route("/seasons/<int:season_id>/schedules", methods=["POST"])
@requires(SITE_MANAGE)
def schedule_create(season: Season):
    form = ScheduleForm(choices=queries.form_choices(season))
    return save(form, lambda values: services.create_schedule(season, values, by=current_user), once=True,
                done=lambda schedule: redirect_after_post(
                    url_for("scheduling.week", season_id=season.id, start=schedule.first_date.isoformat()),
                    notice=_("Schedule saved; its sessions are in the timetable.")),
                again=lambda: _schedules_page(season, form))


@bp.route("/schedules/<int:schedule_id>/edit", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def schedule_edit(schedule: Schedule):
    season = db.session.get(Season, schedule.season_id)
    schedule.activity, schedule.group, schedule.room  # loaded here: the template shows them
    form = ScheduleRangeForm() if request.method == "POST" else ScheduleRangeForm(
        formdata=None, first_date=schedule.first_date, last_date=schedule.last_date,
        exception_dates=services._dates(schedule.exception_dates))
    return save(form, lambda values: services.update_schedule_range(schedule, values, by=current_user),
                done=lambda n: redirect_after_post(url_for("scheduling.schedules", season_id=season.id),
                                                   notice=_("Schedule saved; %(count)d sessions added.", count=n)),
                again=lambda: render("scheduling/schedule_edit.html", site=season.site, season=season,
                                     schedule=schedule, form=form))


# --- the week -------------------------------------------------------------------------------------------
BY = ("room", "group", "person")


def _week_args(season):
    start = arg_date("start") or queries.default_week(season, local_today())
    start = queries.week_start_of(start)
    day = arg_date("day")
    by = arg_choice("by", BY, "room")
    return start, day, by


@bp.route("/seasons/<int:season_id>/week")
@requires(SITE_VIEW)
def week(season: Season):
    start, day, by = _week_args(season)
    data = queries.week(season, day or start, by, days=1 if day else 7, person_id=arg_int("person"))
    return render("scheduling/week.html", "scheduling/_week.html", site=queries.site_of(season), day=day, **data,
                  volunteer_labels=_volunteer_labels(data["rows"]),
                  can_manage=can_visit("scheduling.session_create", season_id=season))


def _volunteer_labels(rows) -> dict:
    """"volunteers 2/3" for each (holding, needed) pair the grid shows, translated once per pair."""
    pairs = {(slot.staff, slot.needed) for row in rows for cell in row.cells.values() for slot in cell}
    return {(have, need): _("volunteers %(have)d/%(need)d", have=have, need=need) for have, need in pairs}


def _choices_form(season, cls=SessionForm, **kwargs):
    return cls(choices=queries.form_choices(season), **kwargs)


def _slot_form_page(season, form, status=200):
    return render("scheduling/session_new.html", "scheduling/_slot_form.html", site=season.site, season=season,
                  form=form, status=status)


@bp.route("/seasons/<int:season_id>/sessions/new")
@requires(SITE_MANAGE)
def session_new(season: Season):
    """The small form of one slot of the week grid (date and room or group filled in)."""
    form = _choices_form(season, formdata=None, on_date=arg_date("date") or season.start_date,
                         room_id=arg_int("room"), group_id=arg_int("group"))
    return _slot_form_page(season, form)


@bp.route("/seasons/<int:season_id>/sessions", methods=["POST"])
@requires(SITE_MANAGE)
def session_create(season: Season):
    form = _choices_form(season)

    def done(session):
        if request.htmx:  # the form gives way to a note; the grid reloads itself on "session-saved"
            return render("scheduling/_slot_saved.html", "scheduling/_slot_saved.html", trigger="session-saved")
        return redirect_after_post(url_for("scheduling.week", season_id=season.id, by=arg_choice("by", BY, "room"),
                                           start=queries.week_start_of(session.on_date).isoformat()),
                                   notice=_("Session saved."))

    return save(form, lambda values: services.create_session(season, values, by=current_user), once=True,
                done=done, again=lambda: _slot_form_page(season, form))


# --- one session ----------------------------------------------------------------------------------------
def _session_page(session, form=None, cancel_form=None):
    season = queries.season_with_site(session.season_id)
    can_manage = can_visit("scheduling.session_edit", occurrence_id=session)
    if can_manage:  # the forms are shown only to who may change the session
        if form is None:
            form = SessionForm(formdata=None, obj=session, choices=queries.form_choices(season),
                               recurring=session.schedule_id is not None)
        cancel_form = cancel_form or CancelForm(formdata=None)
    return render("scheduling/session.html", site=season.site, season=season, session_=session, form=form,
                  cancel_form=cancel_form, can_manage=can_manage, **queries.session_page(session))


@bp.route("/sessions/<int:occurrence_id>")
@requires(SITE_VIEW)
def session_detail(occurrence: Session):
    return _session_page(occurrence)


@bp.route("/sessions/<int:occurrence_id>/edit", methods=["POST"])
@requires(SITE_MANAGE)
def session_edit(occurrence: Session):
    season = db.session.get(Season, occurrence.season_id)
    form = SessionForm(choices=queries.form_choices(season), recurring=occurrence.schedule_id is not None)
    return save(form, lambda values: services.update_session(occurrence, values, by=current_user),
                done=lambda s: redirect_after_post(url_for("scheduling.session_detail", occurrence_id=s.id),
                                                   notice=_("Saved.")),
                again=lambda: _session_page(occurrence, form=form))


@bp.route("/sessions/<int:occurrence_id>/cancel", methods=["POST"])
@requires(SITE_MANAGE)
def session_cancel(occurrence: Session):
    form = CancelForm()
    return save(form, lambda values: services.cancel_session(occurrence, values, by=current_user),
                done=lambda n: redirect_after_post(url_for("scheduling.session_detail", occurrence_id=occurrence.id),
                                                   notice=_("%(count)d sessions cancelled.", count=n)),
                again=lambda: _session_page(occurrence, cancel_form=form))


# --- settings -------------------------------------------------------------------------------------------
@bp.route("/sites/<int:site_id>/scheduling-settings", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def settings(site: Site):
    current = queries.settings_for(site.id)
    form = SettingsForm() if request.method == "POST" else SettingsForm(formdata=None, **current)
    return save(form, lambda values: services.save_settings(site, values, by=current_user),
                done=lambda _s: redirect_after_post(url_for("scheduling.settings", site_id=site.id), notice=_("Saved.")),
                again=lambda: render("scheduling/settings.html", site=site, form=form))


# --- printed timetables ---------------------------------------------------------------------------------
def _pdf(template, filename, **data):
    from flask import render_template

    from app.core.pdf import pdf_response, render_pdf

    return pdf_response(render_pdf(render_template(template, **data)), filename)


@bp.route("/groups/<int:group_id>/timetable.pdf")
@requires(SITE_VIEW)
def group_timetable(group: Group):
    season = group.season
    start = queries.week_start_of(arg_date("start") or queries.default_week(season, local_today()))
    data = queries.timetable(season, start, group=group)
    return _pdf("scheduling/timetable_pdf.html", f"课表-{group.name}-{start.isoformat()}.pdf",
                title=group.name, site=season.site, **data)


@bp.route("/seasons/<int:season_id>/rooms/<int:room_id>/timetable.pdf")
@requires(SITE_VIEW)
def room_timetable(season: Season, room: Room):
    start = queries.week_start_of(arg_date("start") or queries.default_week(season, local_today()))
    data = queries.timetable(season, start, room=room)
    return _pdf("scheduling/timetable_pdf.html", f"课表-{room.name}-{start.isoformat()}.pdf", title=room.name,
                site=season.site, **data)



# --- a child's week and its calendar feed ----------------------------------------------------------------
def _child_week_page(child, link=None):
    from app.core import audit

    from app.sites.queries import current_season

    season = current_season(child.site_id)
    start = queries.week_start_of(arg_date("start") or (
        queries.default_week(season, local_today()) if season else local_today()))
    audit.record_read("week.viewed", by=current_user, children=[child])
    return render("scheduling/child_week.html", site=child.site, child=child, week_start=start,
                  sessions=queries.child_week(child, start), links=queries.child_calendar_links(child), link=link,
                  previous=start - timedelta(days=7), next=start + timedelta(days=7))


@bp.route("/children/<int:child_id>/week")
@requires(SITE_MANAGE)
def child_week(child: Child):
    return _child_week_page(child)


@bp.route("/children/<int:child_id>/calendar-link", methods=["POST"])
@requires(SITE_MANAGE)
def child_calendar_issue(child: Child):
    """A new calendar link, shown once on the page that answers (only its hash is kept)."""
    from app.scheduling import calendar

    return save(None, lambda _v: calendar.issue_for_child(child, by=current_user),
                done=lambda token: _child_week_page(child, link=url_for("scheduling.calendar_feed", token=token,
                                                                       _external=True)),
                again=lambda: redirect_after_post(url_for("scheduling.child_week", child_id=child.id)))


@bp.route("/children/<int:child_id>/calendar-link/revoke", methods=["POST"])
@requires(SITE_MANAGE)
def child_calendar_revoke(child: Child):
    from app.scheduling import calendar

    back = url_for("scheduling.child_week", child_id=child.id)
    return save(None, lambda _v: calendar.revoke_for_child(child, by=current_user),
                done=lambda _n: redirect_after_post(back, notice=_("The calendar link no longer works.")),
                again=lambda: redirect_after_post(back))


@bp.route("/calendar/<token>.ics")
@requires(PUBLIC)
def calendar_feed(token: str):
    """The subscribed calendar of a child's week: no sign-in, the token is the key (404 when unknown
    or revoked)."""
    from flask import abort, make_response

    from app.children.models import Child as ChildModel
    from app.scheduling import calendar

    found = calendar.active_token(token)
    if found is None or found.child_id is None:
        abort(404)
    child = db.session.get(ChildModel, found.child_id)
    if child is None or child.is_erased:
        abort(404)
    body = calendar.ics(child.name, calendar.child_sessions(child.id, local_today()))
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response

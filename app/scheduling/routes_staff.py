"""Views of staffing: the coordinator's roster of a session (lead, volunteers, candidates with the
reasons they cannot serve, the ratio), the season's shift lists (uncovered, unconfirmed, never
checked out), the volunteer's phone page /me/shifts (confirm, give up, check in and out, open
shifts, swap offers, unavailable dates, calendar link) and the volunteer's calendar feed (.ics)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Response, abort, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from icalendar import Calendar, Event

from app.core.args import arg_date
from app.core.formats import format_date, format_datetime
from app.core.htmx import redirect_after_post, render
from app.core.permissions import (PUBLIC, SITE_MANAGE, SITE_VIEW, VOLUNTEER_HERE, VOLUNTEER_OWN, VOLUNTEER_SELF,
                                  can, requires, url_if_allowed)
from app.core.timeutil import LOCAL_TZ, local_today
from app.core.urls import url_maker
from app.core.views import save
from app.scheduling import bp
from app.scheduling import staff_queries as queries
from app.scheduling import staff_services as services
from app.scheduling.models import Session, SessionStaff
from app.scheduling.staff_forms import LeadForm, RosterForm, UnavailableForm, UnmarkForm
from app.sites.models import Season
from app.volunteers.queries import profile_for_user
from app.volunteers.routes_profiles import back_with_errors

SHIFT_STATUS_LABELS = {
    "rostered": _l("Rostered"),
    "confirmed": _l("Confirmed"),
    "released": _l("Released"),
    "swap_offered": _l("Offered for a swap"),
}


@bp.context_processor
def staff_labels():
    return dict(shift_status_labels=SHIFT_STATUS_LABELS)


def _status_labels() -> dict[str, str]:
    """The statuses in the reader's language, translated once for a page that shows many."""
    return {status: str(label) for status, label in SHIFT_STATUS_LABELS.items()}


# --- the coordinator's roster of one session --------------------------------------------------------------
def _roster_page(session: Session, roster_form=None, lead_form=None, status: int = 200):
    data = queries.roster_page(session)
    return render("scheduling/staff/roster.html", status=status, site_id=session.site_id,
                  roster_form=roster_form or RosterForm(formdata=None),
                  lead_form=lead_form or LeadForm(formdata=None, lead_id=session.lead_id or 0),
                  can_manage=can(SITE_MANAGE, session.site_id), **data)


@bp.route("/sessions/<int:occurrence_id>/staff")
@requires(SITE_VIEW)
def session_staff(occurrence: Session):
    return _roster_page(occurrence)


@bp.route("/sessions/<int:occurrence_id>/staff", methods=["POST"])
@requires(SITE_MANAGE)
def staff_add(occurrence: Session):
    form = RosterForm()
    return save(form, lambda values: services.roster(occurrence, values, by=current_user),
                done=lambda row: redirect_after_post(url_for("scheduling.session_staff", occurrence_id=occurrence.id),
                                                     notice=_("Rostered.")),
                again=lambda: _roster_page(occurrence, roster_form=form))  # a second tap finds the place taken: no once


@bp.route("/sessions/<int:occurrence_id>/lead", methods=["POST"])
@requires(SITE_MANAGE)
def staff_lead(occurrence: Session):
    form = LeadForm()
    return save(form, lambda values: services.set_lead(occurrence, values, by=current_user),
                done=lambda _r: redirect_after_post(url_for("scheduling.session_staff", occurrence_id=occurrence.id),
                                                    notice=_("Saved.")),
                again=lambda: _roster_page(occurrence, lead_form=form))


def _back(staff: SessionStaff) -> str:
    """Where a button on a shift answers: the volunteer's own list, or the session's roster."""
    if staff.user_id == current_user.id:
        return url_for("scheduling.my_shifts")
    return url_for("scheduling.session_staff", occurrence_id=staff.session_id)


def _button(staff: SessionStaff, action, notice):
    back = _back(staff)
    return save(None, lambda _v: action(staff, by=current_user),
                done=lambda result: redirect_after_post(back, notice=notice(result) if callable(notice) else notice),
                again=lambda: redirect_after_post(back))


@bp.route("/staff/<int:staff_id>/remove", methods=["POST"])
@requires(SITE_MANAGE)
def staff_remove(staff: SessionStaff):
    return _button(staff, services.remove, _("Taken off the session; the place is open again."))


@bp.route("/staff/<int:staff_id>/confirm", methods=["POST"])
@requires(VOLUNTEER_OWN)
def staff_confirm(staff: SessionStaff):
    return _button(staff, services.confirm, _("Confirmed. Thank you!"))


@bp.route("/staff/<int:staff_id>/give-up", methods=["POST"])
@requires(VOLUNTEER_OWN)
def staff_give_up(staff: SessionStaff):
    return _button(staff, services.give_up, lambda status: (
        _("Given up: the place is open again.") if status == "released"
        else _("It is past the cut-off, so the shift is offered for a swap; it stays yours until someone takes it.")))


@bp.route("/staff/<int:staff_id>/check-in", methods=["POST"])
@requires(VOLUNTEER_OWN)
def staff_check_in(staff: SessionStaff):
    return _button(staff, services.check_in, _("Checked in."))


@bp.route("/staff/<int:staff_id>/check-out", methods=["POST"])
@requires(VOLUNTEER_OWN)
def staff_check_out(staff: SessionStaff):
    return _button(staff, services.check_out,
                   _("Checked out; the hours wait for a coordinator's approval."))


@bp.route("/staff/<int:staff_id>/take", methods=["POST"])
@requires(VOLUNTEER_HERE)
def staff_take(staff: SessionStaff):
    back = url_for("scheduling.my_shifts")
    return save(None, lambda _v: services.take_swap(staff, by=current_user),
                done=lambda _r: redirect_after_post(back, notice=_("The shift is yours now.")),
                again=lambda: redirect_after_post(back))


@bp.route("/sessions/<int:occurrence_id>/sign-up", methods=["POST"])
@requires(VOLUNTEER_HERE)
def shift_sign_up(occurrence: Session):
    back = url_for("scheduling.my_shifts")
    return save(None, lambda _v: services.sign_up(occurrence, by=current_user),
                done=lambda _r: redirect_after_post(back, notice=_("Signed up. See you there!")),
                again=lambda: redirect_after_post(back))


# --- the season's shift lists ---------------------------------------------------------------------------
@bp.route("/seasons/<int:season_id>/shifts")
@requires(SITE_VIEW)
def season_shifts(season: Season):
    today = local_today()
    start = arg_date("start") or today
    end = arg_date("end") or start + timedelta(days=13)
    if end < start or (end - start).days > 92:
        end = start + timedelta(days=13)
    return render("scheduling/staff/shifts.html", site_id=season.site_id, today=today,
                  can_manage=can(SITE_MANAGE, season.site_id), **queries.shifts_overview(season, start, end, today))


# --- the volunteer's phone ---------------------------------------------------------------------------------
def _my_page(unavailable_form=None, calendar_url: str | None = None, status: int = 200):
    profile = queries.volunteer_of(current_user.id)
    if profile is None:
        return render("volunteers/no_profile.html", status=404)
    data = queries.my_shifts(profile)
    return render("scheduling/staff/my_shifts.html", status=status, calendar_url=calendar_url,
                  unavailable_form=unavailable_form or UnavailableForm(formdata=None),
                  **_phone_rows(data), **data)


def _phone_rows(data: dict) -> dict:
    """The phone page's three lists as rows of what each line shows, in the order the template
    unpacks them: every text formatted and every action's URL built here, each distinct day, status
    and "n places open" once (a page of ~50 shifts otherwise asked Jinja for ~600 attributes and
    ~60 URL functions). An action the volunteer cannot take now is None."""
    today = local_today()
    # the roster of a shift's children, from its day on (attendance cannot be taken before)
    sessions = queries.sessions_by_id(shift.session.id for shift in data["upcoming"] if shift.session.on_date <= today)
    attendance = {session_id: url_if_allowed("daily.attendance", occurrence_id=session)
                  for session_id, session in sessions.items()}
    shifts = data["upcoming"] + data["open_shifts"] + data["swap_offers"]
    days = {day: format_date(day, "medium") for day in {shift.session.on_date for shift in shifts}}
    places = {n: _("%(n)d places open", n=n) for n in {shift.places for shift in data["open_shifts"]}}
    labels = _status_labels()
    confirm, check_in, check_out, give_up, take = (
        url_maker(f"scheduling.staff_{name}", "staff_id") for name in ("confirm", "check_in", "check_out", "give_up", "take"))
    allergies, sign_up = url_maker("health.session_allergies", "occurrence_id"), url_maker("scheduling.shift_sign_up",
                                                                                           "occurrence_id")
    swap, give_up_label = _("Offer for a swap"), _("Give up")
    upcoming = []
    for shift in data["upcoming"]:
        s = shift.session
        upcoming.append((
            s.activity_name, s.group_name, s.room_name, days[s.on_date], shift.time,
            s.status != "confirmed", labels[s.status],
            _("checked in at %(time)s", time=format_datetime(s.checked_in_at, "HH:mm")) if s.checked_in_at else None,
            confirm(s.staff_id) if s.status == "rostered" else None,
            confirm(s.staff_id) if s.status == "swap_offered" else None,   # "I can come after all"
            check_in(s.staff_id) if shift.can_check_in else None,
            check_out(s.staff_id) if shift.can_check_out else None,
            attendance.get(s.id),
            give_up(s.staff_id) if shift.can_give_up else None, swap if shift.after_cutoff else give_up_label,
            allergies(s.id) if s.track == "health" else None))
    open_rows = [(s.activity_name, s.group_name, s.room_name, days[s.on_date], shift.time, places[shift.places],
                  shift.reasons, sign_up(s.id)) for shift in data["open_shifts"] for s in (shift.session,)]
    offers = [(s.activity_name, s.group_name, s.room_name, days[s.on_date], shift.time, shift.reasons,
               take(s.staff_id)) for shift in data["swap_offers"] for s in (shift.session,)]
    return dict(upcoming_rows=upcoming, open_rows=open_rows, offer_rows=offers)


def _my_profile():
    profile = profile_for_user(current_user)
    if profile is None:
        abort(404)
    return profile


@bp.route("/me/shifts")
@requires(VOLUNTEER_SELF)
def my_shifts():
    return _my_page()


@bp.route("/me/shifts/unavailable", methods=["POST"])
@requires(VOLUNTEER_SELF)
def my_unavailable():
    profile = _my_profile()
    form = UnavailableForm()
    return save(form, lambda values: services.mark_unavailable(profile, values, by=current_user),
                done=lambda _r: redirect_after_post(url_for("scheduling.my_shifts"), notice=_("Date marked.")),
                again=lambda: _my_page(unavailable_form=form), once=True)


@bp.route("/me/shifts/unavailable/remove", methods=["POST"])
@requires(VOLUNTEER_SELF)
def my_unavailable_remove():
    profile = _my_profile()
    form = UnmarkForm()
    back = url_for("scheduling.my_shifts")
    return save(form, lambda values: services.unmark_unavailable(profile, values, by=current_user),
                done=lambda _r: redirect_after_post(back, notice=_("Date removed.")),
                again=lambda: back_with_errors(form, back))


@bp.route("/me/shifts/calendar", methods=["POST"])
@requires(VOLUNTEER_SELF)
def my_calendar():
    profile = _my_profile()
    return save(None, lambda _v: services.create_calendar_token(profile.site_id, user=current_user, by=current_user),
                done=lambda raw: _my_page(calendar_url=url_for("scheduling.shifts_feed", token=raw, _external=True)),
                again=lambda: redirect_after_post(url_for("scheduling.my_shifts")))


@bp.route("/me/shifts/calendar/revoke", methods=["POST"])
@requires(VOLUNTEER_SELF)
def my_calendar_revoke():
    _my_profile()
    return save(None, lambda _v: services.revoke_calendar_tokens(user=current_user, by=current_user),
                done=lambda _r: redirect_after_post(url_for("scheduling.my_shifts"),
                                                    notice=_("The calendar link no longer works.")),
                again=lambda: redirect_after_post(url_for("scheduling.my_shifts")))


# --- the volunteer's calendar feed --------------------------------------------------------------------------
# (a child's week has its own feed, /calendar/<token>.ics, made from the child's page)
def _event(row: SessionStaff) -> Event:
    session = row.session
    event = Event()
    event.add("uid", f"shift-{row.id}@huhang")
    event.add("summary", f"{session.activity.name} · {session.group.name}")
    event.add("dtstart", datetime.combine(session.on_date, session.starts_at, tzinfo=LOCAL_TZ))
    event.add("dtend", datetime.combine(session.on_date, session.ends_at, tzinfo=LOCAL_TZ))
    event.add("dtstamp", (session.updated_at or session.created_at).replace(tzinfo=timezone.utc))  # stored as UTC
    event.add("location", session.room.name)
    event.add("description", str(SHIFT_STATUS_LABELS[row.status]))
    if session.cancelled:
        event.add("status", "CANCELLED")
    return event


def shifts_calendar(user_id: int, today) -> bytes:
    """A volunteer's shifts as an iCalendar feed, times in Asia/Shanghai (TZID)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Huhang//shifts//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("My shifts"))
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    for row in queries.volunteer_feed(user_id, today):
        calendar.add_component(_event(row))
    calendar.add_missing_timezones()
    return calendar.to_ical()


@bp.route("/calendar/shifts/<token>.ics")
@requires(PUBLIC)
def shifts_feed(token: str):
    """The subscribed calendar of a volunteer's shifts: no sign-in, the token is the key (404 when
    unknown, revoked, or a child's token)."""
    row = queries.token_from(token)
    if row is None or row.user_id is None:
        abort(404)
    body = shifts_calendar(row.user_id, local_today())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = "inline; filename=shifts.ics"
    return response

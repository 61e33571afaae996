"""A session's attendance roster: every child of the session's group with present / late / excused /
absent, "all present" in one request, then one tap per exception, each saved at once (htmx swaps the
child's row and says the result through #live); the history of marks.

Who: ATTENDANCE_TAKE (admin, the site's coordinators, a volunteer rostered on that very session).
Volunteers see given names and alerts only; coordinators see full names linking to the record."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.children.models import Child
from app.core.htmx import redirect_after_post, render
from app.core.permissions import ATTENDANCE_TAKE, SITE_MANAGE, can, requires, url_if_allowed
from app.core.timeutil import local_today
from app.core.views import save
from app.daily import attendance_queries as queries
from app.daily import attendance_services as services
from app.daily import bp
from app.daily.attendance_forms import MarkForm
from app.daily.labels import ATTENDANCE_MARK_LABELS
from app.scheduling.models import Session


def _full_names(session: Session) -> bool:
    return can(SITE_MANAGE, session.site_id)


def _roster_url(session: Session) -> str:
    return url_for("daily.attendance", occurrence_id=session.id)


def _page_context(session: Session) -> dict:
    session = queries.load_session(session.id)
    full = _full_names(session)
    return dict(session_=session, site_id=session.site_id, full_names=full, mark_labels=ATTENDANCE_MARK_LABELS,
                not_yet=session.on_date > local_today(),
                back_url=url_if_allowed("scheduling.session_detail", occurrence_id=session)
                or url_if_allowed("scheduling.my_shifts"),
                history_url=url_for("daily.attendance_history", occurrence_id=session.id),
                **queries.roster(session, full_names=full))


@bp.route("/sessions/<int:occurrence_id>/attendance")
@requires(ATTENDANCE_TAKE)
def attendance(occurrence: Session):
    return render("daily/attendance.html", "daily/_attendance_roster.html", **_page_context(occurrence))


@bp.route("/sessions/<int:occurrence_id>/attendance/all-present", methods=["POST"])
@requires(ATTENDANCE_TAKE)
def attendance_all_present(occurrence: Session):
    def done(count: int):
        notice = (_("%(num)d children marked present.", num=count) if count
                  else _("Every child already had a mark: nothing changed."))
        if request.htmx:
            return render("daily/attendance.html", "daily/_attendance_roster.html", notice=notice,
                          **_page_context(occurrence))
        return redirect_after_post(_roster_url(occurrence), notice=notice)

    # a refusal (cancelled, not yet taken place) is flashed and the roster shown again
    return save(None, lambda _values: services.mark_all_present(occurrence, by=current_user), done=done,
                again=lambda: redirect_after_post(_roster_url(occurrence)))


def _row_answer(session: Session, child: Child, *, form: MarkForm, notice: str | None = None, status: int = 200):
    """After a tap: the child's row (htmx) with the result said in place, or back to the roster."""
    errors = [str(m) for m in form.form_errors] + [str(m) for f in form for m in f.errors]
    if not request.htmx:
        for message in errors:
            flash(message, "error")
        return redirect_after_post(_roster_url(session), notice=notice)
    session = queries.load_session(session.id)
    full = _full_names(session)
    members = queries.member_ids(session)
    row = queries.roster_row(session, child, full_names=full) if child.id in members else None
    return render("daily/_attendance_row_answer.html", "daily/_attendance_row_answer.html", status=status,
                  session_=session, row=row, child=child, full_names=full, mark_labels=ATTENDANCE_MARK_LABELS,
                  counts=queries.counts(session, len(members)), row_notice=notice, errors=errors)


@bp.route("/sessions/<int:occurrence_id>/attendance/<int:child_id>", methods=["POST"])
@requires(ATTENDANCE_TAKE)
def attendance_mark(occurrence: Session, child: Child):
    form = MarkForm()

    def done(row):
        name = child.name if _full_names(occurrence) else queries.first_name(child.name)
        return _row_answer(occurrence, child, form=form, notice=_("%(name)s: %(mark)s — saved.", name=name,
                                                                  mark=ATTENDANCE_MARK_LABELS[row.status]))

    return save(form, lambda values: services.mark(occurrence, child, values, by=current_user),
                done=done, again=lambda: _row_answer(occurrence, child, form=form, status=422))


@bp.route("/sessions/<int:occurrence_id>/attendance/history")
@requires(ATTENDANCE_TAKE)
def attendance_history(occurrence: Session):
    session = queries.load_session(occurrence.id)
    return render("daily/attendance_history.html", session_=session, site_id=session.site_id,
                  mark_labels=ATTENDANCE_MARK_LABELS, roster_url=_roster_url(session),
                  changes=queries.history(session, full_names=_full_names(session)))

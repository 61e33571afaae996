"""The one save path: every view that changes something goes through ``save``.

    @bp.route("/sites/<int:site_id>/donations", methods=["POST"])
    @requires(SITE_MANAGE)
    def record_donation(site):
        form = DonationForm(parties=queries.parties_of(site.id))
        return save(form, lambda values: services.record_donation(site, values, by=current_user),
                    done=lambda donation: redirect_after_post(url_for(...), notice=_("Donation recorded.")),
                    again=lambda: render("resources/donations.html", **context(site, form)),
                    once=True)

What it does, in this order:

1. GET (a view that shows and saves one form): render ``again()`` with 200, nothing written.
2. Validate the form; invalid: ``again()`` with 422 (htmx swaps 422 in place).
3. Begin the write transaction (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: rules lock their rows).
4. ``once=True`` (forms that create something): claim the form's ``form_token``; a second submit of
   the same rendered form (double tap, two tabs, a retrying proxy) finds the claim, saves nothing
   and is sent where the first one went, with a note.
5. Run ``action(values)`` inside a SAVEPOINT. A ``FormError(field, message)`` or a constraint of the
   database rolls the savepoint back (only what it touched is expired, and reloaded here, so
   templates never query) and the message lands on its field, or the form; then ``again()`` with 422.
   Without a form (a button such as "withdraw"), the message is flashed and ``again()`` answers.
6. Success: ``done(result)`` builds the response (a redirect, ``HX-Redirect`` or a fragment with a
   trigger) before the commit; then the request commits once.

Views never commit, roll back or catch ``FormError`` themselves.
"""
from __future__ import annotations

from typing import Any, Callable

from flask import flash, request, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import inspect, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from app.core.db import begin_write
from app.core.errors import FormError
from app.core.models import FormSubmission
from app.extensions import db

Response = Any


def _conflict_message() -> str:
    return _("This conflicts with an existing record (a name or date already in use).")


def _refresh_expired() -> None:
    """After a savepoint's rollback SQLAlchemy expires what it touched: reload those objects now,
    in the view, so rendering the form again runs no SQL."""
    for obj in list(db.session.identity_map.values()):
        state = inspect(obj)
        if state.persistent and state.expired_attributes:
            try:
                db.session.refresh(obj)
            except Exception:  # deleted meanwhile: nothing to show of it
                db.session.expunge(obj)


def _location(response) -> str:
    return (response.headers.get("HX-Redirect") or response.headers.get("Location") or request.path)[:300]


def _fail(form, message: str, field: str | None = None) -> None:
    if form is not None and hasattr(form, "add_error"):
        form.add_error(field, message)
    else:
        flash(message, "error")


def _again(form, again: Callable[[], Response]) -> Response:
    response = again()
    if form is not None and getattr(form, "has_errors", False) and response.status_code < 300:
        response.status_code = 422
    return response


def _claim(form) -> FormSubmission | str | None:
    """Record the form's token; returns the submission, or the URL of the earlier result when this
    form has been submitted before."""
    token = (form.form_token.data or "")[:64]
    submission = FormSubmission(token=token, endpoint=(request.endpoint or "")[:80],
                                user_id=current_user.id if current_user.is_authenticated else None)
    try:
        with db.session.begin_nested():
            db.session.add(submission)
            db.session.flush()
    except IntegrityError:
        earlier = db.session.scalar(select(FormSubmission.result_url).where(FormSubmission.token == token))
        return earlier or request.referrer or request.path
    return submission


def save(form, action: Callable[[dict], Any], *, done: Callable[[Any], Response],
         again: Callable[[], Response], once: bool = False) -> Response:
    """Validate ``form``, run ``action`` with its values, commit once, answer (see module docstring)."""
    from app.core.htmx import redirect_after_post

    if request.method == "GET":
        return again()
    if form is not None and not form.validate():
        return _again(form, again)
    if once and not (form.form_token.data or "").strip():
        form.add_error(None, _("This form is out of date. Reload the page and submit it again."))
        return _again(form, again)

    begin_write(db.session)
    submission = None
    if once:
        claimed = _claim(form)
        if isinstance(claimed, str):
            db.session.rollback()
            return redirect_after_post(claimed, notice=_("This form had already been sent: it was saved once."),
                                       category="info")
        submission = claimed

    try:
        with db.session.begin_nested():
            result = action(form.values() if form is not None else {})
            db.session.flush()
    except FormError as error:
        _refresh_expired()
        _fail(form, error.message, error.field)
        return _again(form, again)
    except (IntegrityError, DataError):
        _refresh_expired()
        _fail(form, _conflict_message())
        return _again(form, again)

    response = done(result)
    if submission is not None:
        submission.result_url = _location(response)
    try:
        db.session.commit()
    except (IntegrityError, DataError, OperationalError):
        db.session.rollback()
        session.pop("_flashes", None)
        _fail(form, _("Saving failed because someone changed the same records at the same moment. "
                      "Please submit again."))
        _refresh_expired()
        return _again(form, again)
    return response

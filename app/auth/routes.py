"""Signing in and out, one's own password, invitations and the language. Every write goes through
the one save path (``app.core.views.save``)."""
from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import bp, queries, services
from app.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm
from app.core.htmx import redirect_after_post
from app.core.permissions import PUBLIC, SIGNED_IN, requires, shows_open_alerts
from app.core.urls import safe_next
from app.core.views import save
from app.extensions import limit


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _keep_session(user) -> None:
    """What the session keeps of the account once signed in: its session version (a password change
    or a sign-out everywhere ends every other session) and whether its pages show the open alerts
    badge, so the user's own statement counts them (only a hint for the cost: the badge itself
    asks the user's grants on every page)."""
    session["sv"] = user.session_version
    if shows_open_alerts(user):
        session["oa"] = 1
    else:
        session.pop("oa", None)


def _page(template: str, **context):
    return make_response(render_template(template, **context))


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
@limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 303)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))

    def done(attempt):
        if attempt.problem:  # the attempt is counted (committed), the person sees why
            form.add_error("password", attempt.problem)
            response = _page("auth/login.html", form=form)
            response.status_code = 422
            return response
        login_user(attempt.user)
        _keep_session(attempt.user)
        if attempt.notice:
            flash(attempt.notice, "warning")
        session["locale"] = attempt.user.locale or session.get("locale")
        return redirect(safe_next(form.next.data) or url_for("main.dashboard"), 303)

    return save(form, services.sign_in, done=done,
                again=lambda: _page("auth/login.html", form=form))


@bp.route("/logout", methods=["POST"])
@requires(SIGNED_IN)
def logout():
    """Sign out here and everywhere: a session cookie copied before no longer works."""
    def done(_version):
        logout_user()
        session.pop("sv", None)
        flash(_("You have signed out."), "info")
        return redirect(url_for("auth.login"), 303)

    return save(None, lambda _values: services.end_sessions(current_user.account()), done=done,
                again=lambda: redirect(url_for("main.dashboard"), 303))


@bp.route("/password", methods=["GET", "POST"])
@requires(SIGNED_IN)
def change_password():
    form = ChangePasswordForm()
    def done(_result):
        _keep_session(current_user.account())  # this session stays; every other one ends
        return redirect_after_post(url_for("main.dashboard"), notice=_("Your password has been changed."))

    return save(form, lambda values: services.change_password(current_user.account(), values, by=current_user), done=done,
                again=lambda: _page("auth/password.html", form=form))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@requires(PUBLIC)
@limit("30 per minute")
def accept_invitation(token: str):
    invitation = queries.invitation_by_token(token)
    try:
        services.check_invitation(invitation)
    except services.InvitationError as error:
        return render_template("auth/invitation_invalid.html", message=str(error)), 410
    form = SetPasswordForm()

    def done(user):
        if current_user.is_authenticated:
            logout_user()
        login_user(user)
        _keep_session(user)
        return redirect_after_post(url_for("main.dashboard"), notice=_("Welcome, %(name)s. Your password is set.",
                                                                        name=user.display_name))

    return save(form, lambda values: services.accept_invitation(invitation, values), done=done,
                again=lambda: _page("auth/invitation.html", form=form, invitation=invitation))


@bp.route("/language", methods=["POST"])
@requires(PUBLIC)
def set_language():
    """The language switch in every page's footer (a plain form without a form class): the choice
    is kept in the session, and on the account when signed in."""
    locale = request.form.get("locale", "")
    back = safe_next(request.form.get("next")) or url_for("main.dashboard")
    if locale not in current_app.config["LANGUAGES"]:
        return redirect(back, 303)
    session["locale"] = locale
    if not current_user.is_authenticated:
        return redirect(back, 303)
    return save(None, lambda _result: services.set_locale(current_user.account(), locale, by=current_user),
                done=lambda _result: redirect(back, 303), again=lambda: redirect(back, 303))

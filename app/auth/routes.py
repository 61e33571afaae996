from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import bp, queries, services
from app.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm
from app.core.permissions import PUBLIC, SIGNED_IN, requires
from app.core.urls import safe_next
from app.extensions import db, limiter


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 303)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = queries.user_by_login(form.login.data)
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            session["locale"] = user.locale or session.get("locale")
            services.record_login(user)
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("main.dashboard"), 303)
        form.password.errors.append(_("Wrong phone number, user name or password."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@requires(SIGNED_IN)
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@requires(SIGNED_IN)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            services.change_password(current_user, form.password.data)
            db.session.commit()
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.dashboard"), 303)
    return render_template("auth/password.html", form=form), 422 if form.errors else 200


@bp.route("/invite/<token>", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit("30 per minute")
def accept_invitation(token: str):
    invitation = queries.invitation_by_token(token)
    try:
        services.check_invitation(invitation)
    except services.InvitationError as error:
        return render_template("auth/invitation_invalid.html", message=str(error)), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = services.accept_invitation(invitation, form.password.data)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        login_user(user)
        flash(_("Welcome, %(name)s. Your password is set.", name=user.display_name), "success")
        return redirect(url_for("main.dashboard"), 303)
    return render_template("auth/invitation.html", form=form, invitation=invitation), 422 if form.errors else 200


@bp.route("/language", methods=["POST"])
@requires(PUBLIC)
def set_language():
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            services.set_locale(current_user, locale)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.dashboard"), 303)

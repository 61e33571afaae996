import segno
from flask import current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp, queries, services
from app.admin.forms import GrantForm, UserForm
from app.auth.models import RoleGrant, User
from app.auth.services import create_invitation
from app.core.errors import FormError
from app.core.htmx import redirect_after_post, render
from app.core.permissions import ADMINISTER, register_loader, requires
from app.core.pagination import paginate
from app.extensions import db

register_loader("user_id", User, lambda user: None)
register_loader("grant_id", RoleGrant, lambda grant: None)


def _users_context(form):
    search = request.args.get("q", "")
    page = paginate(queries.users(search))
    return dict(form=form, page=page, search=search)


@bp.route("/users", methods=["GET", "POST"])
@requires(ADMINISTER)
def users():
    sites = queries.active_sites()
    form = UserForm(sites=sites)
    if form.validate_on_submit():
        try:
            user = services.create_user(form.data)
        except FormError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Account %(name)s created. Give them an invitation link to set a password.",
                    name=user.display_name), "success")
            return redirect_after_post(url_for("admin.user", user_id=user.id))
    fragment = "admin/_user_table.html" if request.method == "GET" else "admin/_user_form.html"
    return render("admin/users.html", fragment, status=422 if form.errors else 200, **_users_context(form))


def _user_context(user, grant_form=None, **extra):
    return dict(user=user, grant_form=grant_form or GrantForm(formdata=None, sites=queries.active_sites()),
                **extra)


@bp.route("/users/<int:user_id>")
@requires(ADMINISTER)
def user(user: User):
    return render("admin/user.html", **_user_context(user))


@bp.route("/users/<int:user_id>/grants", methods=["POST"])
@requires(ADMINISTER)
def add_grant(user: User):
    form = GrantForm(sites=queries.active_sites())
    if form.validate():
        try:
            services.add_grant(user, form.role.data, form.site_id.data)
        except FormError as error:
            db.session.rollback()
            form.role.errors.append(error.message)
        else:
            db.session.commit()
            if not request.htmx:
                return redirect_after_post(url_for("admin.user", user_id=user.id))
            return render("admin/user.html", "admin/_grants.html", **_user_context(user))
    return render("admin/user.html", "admin/_grants.html", status=422, **_user_context(user, form))


@bp.route("/grants/<int:grant_id>/remove", methods=["POST"])
@requires(ADMINISTER)
def remove_grant(grant: RoleGrant):
    user = grant.user
    error = None
    try:
        services.remove_grant(grant)
    except FormError as exc:
        db.session.rollback()
        error = exc.message
    else:
        db.session.commit()
    if not request.htmx:
        if error:
            flash(error, "error")
        return redirect_after_post(url_for("admin.user", user_id=user.id))
    return render("admin/user.html", "admin/_grants.html", status=422 if error else 200,
                  **_user_context(user, grant_error=error))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@requires(ADMINISTER)
def toggle_active(user: User):
    try:
        services.toggle_active(user, current_user)
    except FormError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Account enabled.") if user.active else _("Account disabled."), "success")
    return redirect_after_post(url_for("admin.user", user_id=user.id))


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@requires(ADMINISTER)
def invite(user: User):
    if not user.active:
        flash(_("Enable the account before inviting."), "error")
        return redirect_after_post(url_for("admin.user", user_id=user.id))
    ttl = current_app.config["INVITATION_TTL_HOURS"]
    token = create_invitation(user, current_user, ttl)
    db.session.commit()
    link = url_for("auth.accept_invitation", token=token, _external=True)
    qr_svg = segno.make(link, error="m").svg_inline(scale=4, dark="#1f2937", light="#ffffff")
    return render("admin/user.html", "admin/_invitation.html",
                  **_user_context(user, invitation_link=link, qr_svg=qr_svg, ttl=ttl))

"""Accounts, roles, invitations and the audit trail: the administrator's pages."""
from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp, queries, services
from app.admin.forms import GrantForm, InvitationForm, UserForm
from app.auth import services as auth_services
from app.auth.models import RoleGrant, User
from app.children.labels import ACTION_LABELS
from app.core import audit
from app.core.htmx import redirect_after_post, render
from app.core.models import AUDIT_ACTIONS
from app.core.pagination import paginate
from app.core.permissions import ADMINISTER, register_loader, requires
from app.core.qr import qr_svg
from app.core.views import save

register_loader("user_id", User, lambda user: None)
register_loader("grant_id", RoleGrant, lambda grant: None)


def _users_context(form):
    search = queries.user_search()
    return dict(form=form, page=paginate(queries.users(search)), search=search)


@bp.route("/admin/users", methods=["GET", "POST"])
@requires(ADMINISTER)
def users():
    form = UserForm(sites=queries.active_sites())

    def again():
        fragment = "admin/_user_table.html" if request.method == "GET" else "admin/_user_form.html"
        return render("admin/users.html", fragment, **_users_context(form))

    return save(form, lambda values: services.create_user(values, by=current_user), again=again, once=True,
                done=lambda user: redirect_after_post(
                    url_for("admin.user", user_id=user.id),
                    notice=_("Account %(name)s created. Give them an invitation link to set a password.",
                             name=user.display_name)))


def _user_context(user, grant_form=None, invitation_form=None, **extra):
    queries.grants_of(user)  # roles and their sites loaded before the page renders
    return dict(user=user, grant_form=grant_form or GrantForm(formdata=None, sites=queries.active_sites()),
                invitation_form=invitation_form or InvitationForm(formdata=None), **extra)


@bp.route("/admin/users/<int:user_id>")
@requires(ADMINISTER)
def user(user: User):
    return render("admin/user.html", **_user_context(user))


def _grants(user, form=None):
    return render("admin/user.html", "admin/_grants.html", **_user_context(user, grant_form=form))


@bp.route("/admin/users/<int:user_id>/grants", methods=["POST"])
@requires(ADMINISTER)
def add_grant(user: User):
    form = GrantForm(sites=queries.active_sites())

    def done(_grant):
        if not request.htmx:
            return redirect_after_post(url_for("admin.user", user_id=user.id), notice=_("Role added."))
        return _grants(user)

    return save(form, lambda values: services.add_grant(user, values["role"], values["site_id"], by=current_user),
                done=done, again=lambda: _grants(user, form), once=True)


@bp.route("/admin/grants/<int:grant_id>/remove", methods=["POST"])
@requires(ADMINISTER)
def remove_grant(grant: RoleGrant):
    user = grant.user
    back = url_for("admin.user", user_id=user.id)

    def done(_result):
        if not request.htmx:
            return redirect_after_post(back, notice=_("Role removed."))
        return _grants(user)

    def again():  # the refusal was flashed: shown in the card (htmx) or on the account page
        if request.htmx:
            return render("admin/user.html", "admin/_grants.html", status=422, **_user_context(user))
        return redirect_after_post(back)

    return save(None, lambda _result: services.remove_grant(grant, by=current_user), done=done, again=again)


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@requires(ADMINISTER)
def toggle_active(user: User):
    back = url_for("admin.user", user_id=user.id)
    return save(None, lambda _result: services.toggle_active(user, by=current_user),
                done=lambda _result: redirect_after_post(
                    back, notice=_("Account enabled.") if user.active else _("Account disabled.")),
                again=lambda: redirect_after_post(back))


@bp.route("/admin/users/<int:user_id>/invitation", methods=["GET", "POST"])
@requires(ADMINISTER)
def invite(user: User):
    """POST makes a new one-time link and shows it (once). GET (where a second submit of the same
    form lands) shows the account page without a link."""
    form = InvitationForm()
    ttl = current_app.config["INVITATION_TTL_HOURS"]

    def done(token):
        link = url_for("auth.accept_invitation", token=token, _external=True)
        return render("admin/user.html", "admin/_invitation.html",
                      **_user_context(user, invitation_link=link, qr_svg=qr_svg(link), ttl=ttl))

    return save(form, lambda _result: auth_services.invite(user, by=current_user, ttl_hours=ttl), done=done, once=True,
                again=lambda: render("admin/user.html", "admin/_invitation.html",
                                     **_user_context(user, invitation_form=form)))


# --- the audit trail ------------------------------------------------------------------------------
@bp.route("/audit", endpoint="audit_trail")
@requires(ADMINISTER)
def audit_trail():
    """Who viewed or changed a child's record: filters from the query string (bad values ignored),
    each entry described in the reader's language, the child named and linked."""
    filters = queries.AuditFilters.from_request()
    page = paginate(queries.audit_entries(filters), per_page=50)
    entries = list(page.items)
    return render("admin/audit.html", "admin/_audit_table.html", filters=filters, page=page,
                  descriptions=audit.describe_all(entries), children=queries.children_of(entries),
                  actions=AUDIT_ACTIONS, action_labels=ACTION_LABELS,
                  page_url=url_for("admin.audit_trail", **filters.args()))

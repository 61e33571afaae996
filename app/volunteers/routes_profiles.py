"""Views of sign-up and profiles: the staff hub, the public sign-up page, applications, the list
of a site's volunteers, a volunteer's page (also the volunteer's own corner), edits and checks."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.args import arg_text
from app.core.htmx import redirect_after_post, render
from app.core.pagination import paginate
from app.core.permissions import (PUBLIC, SITE_MANAGE, SITE_VIEW, STAFF, VOLUNTEER_OWN, VOLUNTEER_SELF, can,
                                  register_loader, requires)
from app.core.qr import qr_svg
from app.core.timeutil import local_today
from app.core.views import save
from app.extensions import limit
from app.sites.models import Site
from app.volunteers import bp, queries, services
from app.volunteers.forms import (AcceptForm, ApplicationForm, CertificateForm, CheckForm, DeclineForm, HourForm,
                                  ProfileForm)
from app.volunteers.labels import (CHECK_RESULT_LABELS, HOUR_FIELD_LABELS, HOUR_SOURCE_LABELS, HOUR_STATUS_LABELS, ID_TYPE_LABELS,
                                   QUALIFICATION_STATE_LABELS)
from app.volunteers.notice import current_notice
from app.volunteers.models import (Certificate, HourEntry, TrainingKind, VolunteerApplication, VolunteerProfile,
                                   format_hours)

register_loader("profile_id", VolunteerProfile, lambda p: p.site_id, owner_id_of=lambda p: p.user_id,
                options=queries.PROFILE_LOAD)
register_loader("hour_entry_id", HourEntry, lambda e: e.site_id, owner_id_of=lambda e: e.profile.user_id)
register_loader("certificate_id", Certificate, lambda c: c.site_id, owner_id_of=lambda c: c.profile.user_id)
register_loader("application_id", VolunteerApplication, lambda a: a.site_id)
register_loader("training_kind_id", TrainingKind, lambda k: k.site_id)


@bp.app_template_filter("hours")
def hours_filter(minutes) -> str:
    return format_hours(minutes)


@bp.context_processor
def labels():
    return dict(id_type_labels=ID_TYPE_LABELS, check_result_labels=CHECK_RESULT_LABELS,
                hour_status_labels=HOUR_STATUS_LABELS, hour_source_labels=HOUR_SOURCE_LABELS,
                hour_field_labels=HOUR_FIELD_LABELS,
                qualification_labels=QUALIFICATION_STATE_LABELS)


def home_page(profile: VolunteerProfile, *, hour_form=None, certificate_form=None, check_form=None, **extra):
    """The volunteer's page, with any of its forms as submitted (and their errors)."""
    today = local_today()
    site, settings = queries.site_with_settings(profile.site_id)
    can_manage = can(SITE_MANAGE, profile.site_id)
    # the certificate form shows only once the site has said who issues certificates, the check
    # form only to whoever manages the site: neither is built (nor its period read) otherwise
    if certificate_form is None and settings is not None:
        period_from, period_to = queries.certificate_period(profile, today)
        certificate_form = CertificateForm(formdata=None, period_from=period_from, period_to=period_to)
    if check_form is None and can_manage:
        check_form = CheckForm(formdata=None, checked_on=today)
    return render(
        "volunteers/home.html", profile=profile, site=site, today=today,
        totals=queries.totals(profile),
        history=queries.history_page(profile, per_page=10),
        certificates=queries.certificates_of(profile), settings=settings,
        hour_form=hour_form or HourForm(formdata=None, work_date=today), certificate_form=certificate_form,
        check_form=check_form, can_manage=can_manage, **queries.profile_page(profile, today),
        admin_only_reset=can_manage and not current_user.is_admin and queries.has_other_roles(profile), **extra)


def back_with_errors(form, url: str):
    """Answer a button's form that failed: its messages flashed, back to ``url``."""
    for message in [*form.form_errors, *(m for errors in form.errors.values() for m in errors)]:
        flash(message, "error")
    return redirect_after_post(url)


def _invitation_page(profile: VolunteerProfile, token: str):
    link = url_for("auth.accept_invitation", token=token, _external=True)
    return render("volunteers/accepted.html", profile=profile, invitation_link=link, qr_svg=qr_svg(link),
                  ttl=current_app.config["INVITATION_TTL_HOURS"], site=profile.site)


# --- staff hub -------------------------------------------------------------------------------------
@bp.route("/volunteers")
@requires(STAFF)
def index():
    return render("volunteers/index.html", rows=queries.staff_hub(current_user))


# --- public sign-up --------------------------------------------------------------------------------
@bp.route("/join/<int:site_id>", methods=["GET", "POST"])
@requires(PUBLIC)
@limit("10 per hour", methods=["POST"], deduct_when=lambda response: response.status_code in (303, 204))
def join(site: Site):
    if site.archived_at is not None:
        abort(404)
    form = ApplicationForm(notice_url=url_for("volunteers.join_privacy", site_id=site.id))
    return save(form, lambda values: services.submit_application(site, values),
                done=lambda _result: redirect_after_post(url_for("volunteers.join", site_id=site.id, sent=1)),
                again=lambda: render("volunteers/join.html", "volunteers/_join_form.html", site=site, form=form,
                                     sent=request.args.get("sent") == "1"),
                once=True)


@bp.route("/join/<int:site_id>/privacy")
@requires(PUBLIC)
def join_privacy(site: Site):
    """The privacy notice the sign-up form's "I agree" refers to, with whom to ask."""
    if site.archived_at is not None:
        abort(404)
    version, text = current_notice()
    return render("volunteers/privacy.html", site=site, version=version, paragraphs=text.split("\n\n"),
                  contact=queries.settings_of(site.id))


@bp.route("/sites/<int:site_id>/applications")
@requires(SITE_MANAGE)
def applications(site: Site):
    link = url_for("volunteers.join", site_id=site.id, _external=True)
    rows = queries.applications_of(site)
    return render("volunteers/applications.html", site=site, applications=rows,
                  accept_forms={a.id: AcceptForm(formdata=None) for a in rows},
                  decline_form=DeclineForm(formdata=None), join_link=link, qr_svg=qr_svg(link))


@bp.route("/applications/<int:application_id>/accept", methods=["POST"])
@requires(SITE_MANAGE)
def accept(application: VolunteerApplication):
    form = AcceptForm()
    back = url_for("volunteers.applications", site_id=application.site_id)

    def done(result):
        profile, token = result
        response = _invitation_page(profile, token)
        # The link is shown once; a second send of the same form goes to the volunteer's page,
        # which offers a new link (the save path sends repeats to this Location).
        response.headers["Location"] = url_for("volunteers.home", profile_id=profile.id)
        return response

    return save(form, lambda _result: services.accept_application(application, by=current_user), done=done,
                again=lambda: back_with_errors(form, back), once=True)


@bp.route("/applications/<int:application_id>/decline", methods=["POST"])
@requires(SITE_MANAGE)
def decline(application: VolunteerApplication):
    form = DeclineForm()
    back = url_for("volunteers.applications", site_id=application.site_id)
    return save(form, lambda values: services.decline_application(application, values, by=current_user),
                done=lambda _result: redirect_after_post(back, notice=_("The application of %(name)s was declined.",
                                                                  name=application.real_name), category="info"),
                again=lambda: back_with_errors(form, back))


@bp.route("/volunteers/<int:profile_id>/invitation", methods=["POST"])
@requires(SITE_MANAGE)
def invite(profile: VolunteerProfile):
    return save(None, lambda _result: services.new_invitation(profile, by=current_user),
                done=lambda token: _invitation_page(profile, token),
                again=lambda: redirect_after_post(url_for("volunteers.home", profile_id=profile.id)))


# --- coordinators: the volunteers of a site --------------------------------------------------------
@bp.route("/sites/<int:site_id>/volunteers")
@requires(SITE_VIEW)
def profile_list(site: Site):
    search = arg_text("q", max_length=60)
    show_archived = request.args.get("archived") == "1"
    page = paginate(queries.profiles_of(site, show_archived, search))
    rows = queries.list_rows(list(page.items), local_today())
    return render("volunteers/list.html", "volunteers/_list_table.html", site=site, page=page, rows=rows,
                  search=search, show_archived=show_archived, today=local_today())


@bp.route("/sites/<int:site_id>/volunteers/due")
@requires(SITE_VIEW)
def due(site: Site):
    return render("volunteers/due.html", site=site, items=queries.due_soon(site, local_today()),
                  soon_days=queries.soon_days())


@bp.route("/volunteers/<int:profile_id>/edit", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def edit_profile(profile: VolunteerProfile):
    form = ProfileForm(obj=profile, parties=queries.volunteer_parties(profile.site_id))
    if request.method == "GET":
        form.id_number.data = ""
        form.party_id.data = profile.party_id or 0
    return save(form, lambda values: services.update_profile(profile, values, by=current_user),
                done=lambda _result: redirect_after_post(url_for("volunteers.home", profile_id=profile.id),
                                                   notice=_("Saved.")),
                again=lambda: render("volunteers/edit.html", profile=profile, form=form, site=profile.site))


@bp.route("/volunteers/<int:profile_id>/archive", methods=["POST"])
@requires(SITE_MANAGE)
def archive_profile(profile: VolunteerProfile):
    url = url_for("volunteers.home", profile_id=profile.id)
    return save(None, lambda _result: services.toggle_archived(profile, by=current_user),
                done=lambda _result: redirect_after_post(url, notice=_("Archived.") if profile.archived_at
                                                   else _("Restored.")),
                again=lambda: redirect_after_post(url))


@bp.route("/volunteers/<int:profile_id>/checks", methods=["POST"])
@requires(SITE_MANAGE)
def add_check(profile: VolunteerProfile):
    form = CheckForm()
    return save(form, lambda values: services.record_check(profile, values, by=current_user),
                done=lambda _result: redirect_after_post(url_for("volunteers.home", profile_id=profile.id),
                                                   notice=_("Background check recorded.")),
                again=lambda: home_page(profile, check_form=form), once=True)


# --- a volunteer's page ----------------------------------------------------------------------------
@bp.route("/me/volunteer")
@requires(VOLUNTEER_SELF)
def me():
    profile = queries.profile_for_user(current_user)
    if profile is None:
        return render("volunteers/no_profile.html", status=404)
    return redirect(url_for("volunteers.home", profile_id=profile.id))


@bp.route("/volunteers/<int:profile_id>")
@requires(VOLUNTEER_OWN)
def home(profile: VolunteerProfile):
    return home_page(profile)

import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core import crud
from app.core.errors import FormError
from app.core.htmx import redirect_after_post, render
from app.core.pdf import pdf_response, render_pdf
from app.core.permissions import (PUBLIC, SITE_MANAGE, SITE_VIEW, STAFF, VOLUNTEER_OWN, VOLUNTEER_SELF, can,
                                  register_loader, requires)
from app.core.timeutil import local_today
from app.core.pagination import paginate
from app.extensions import db, limiter
from app.sites.models import Site
from app.volunteers import bp, queries, services
from app.volunteers.forms import (ApplicationForm, CertificateForm, CheckForm, CorrectionForm, DeclineForm,
                                  HourForm, ProfileForm, SettingsForm, TrainingKindForm, TrainingSessionForm)
from app.volunteers.labels import (CHECK_RESULT_LABELS, HOUR_SOURCE_LABELS, HOUR_STATUS_LABELS, ID_TYPE_LABELS,
                                   QUALIFICATION_STATE_LABELS)
from app.volunteers.models import (Certificate, HourEntry, TrainingKind, VolunteerApplication, VolunteerProfile,
                                   format_hours)

register_loader("profile_id", VolunteerProfile, lambda p: p.site_id, owner_id_of=lambda p: p.user_id)
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
                qualification_labels=QUALIFICATION_STATE_LABELS)


def _field_error(form, error: FormError) -> None:
    db.session.rollback()
    field = getattr(form, error.field, None)
    (field.errors if field is not None else form.form_errors).append(error.message)


def _qr_svg(link: str) -> str:
    return segno.make(link, error="m").svg_inline(scale=4, dark="#1f2937", light="#ffffff")


# --- staff hub -------------------------------------------------------------------------------------
@bp.route("/volunteers")
@requires(STAFF)
def index():
    return render("volunteers/index.html", rows=queries.staff_hub(current_user))


# --- public sign-up --------------------------------------------------------------------------------
@bp.route("/join/<int:site_id>", methods=["GET", "POST"])
@requires(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"], deduct_when=lambda response: response.status_code == 303)
def join(site: Site):
    if site.archived_at is not None:
        abort(404)
    form = ApplicationForm()
    if form.validate_on_submit():
        try:
            services.submit_application(site, form.data)
        except FormError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("volunteers.join", site_id=site.id, sent=1), 303)
    return render("volunteers/join.html", "volunteers/_join_form.html", status=422 if form.errors else 200,
                  site=site, form=form, sent=request.args.get("sent") == "1")


@bp.route("/sites/<int:site_id>/applications")
@requires(SITE_MANAGE)
def applications(site: Site):
    link = url_for("volunteers.join", site_id=site.id, _external=True)
    return render("volunteers/applications.html", site=site, applications=queries.applications_of(site),
                  decline_form=DeclineForm(formdata=None), join_link=link, qr_svg=_qr_svg(link))


@bp.route("/applications/<int:application_id>/accept", methods=["POST"])
@requires(SITE_MANAGE)
def accept(application: VolunteerApplication):
    try:
        profile, token = services.accept_application(application, current_user)
    except FormError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect_after_post(url_for("volunteers.applications", site_id=application.site_id))
    db.session.commit()
    link = url_for("auth.accept_invitation", token=token, _external=True)
    return render("volunteers/accepted.html", profile=profile, invitation_link=link, qr_svg=_qr_svg(link),
                  ttl=current_app.config["INVITATION_TTL_HOURS"], site=profile.site)


@bp.route("/applications/<int:application_id>/decline", methods=["POST"])
@requires(SITE_MANAGE)
def decline(application: VolunteerApplication):
    form = DeclineForm()
    if form.validate():
        try:
            services.decline_application(application, current_user, form.reason.data)
        except FormError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The application of %(name)s was declined.", name=application.real_name), "info")
    return redirect_after_post(url_for("volunteers.applications", site_id=application.site_id))


@bp.route("/volunteers/<int:profile_id>/invitation", methods=["POST"])
@requires(SITE_MANAGE)
def invite(profile: VolunteerProfile):
    from app.auth.services import create_invitation

    token = create_invitation(profile.user, current_user, current_app.config["INVITATION_TTL_HOURS"])
    db.session.commit()
    link = url_for("auth.accept_invitation", token=token, _external=True)
    return render("volunteers/accepted.html", profile=profile, invitation_link=link, qr_svg=_qr_svg(link),
                  ttl=current_app.config["INVITATION_TTL_HOURS"], site=profile.site)


# --- coordinators: the volunteers of a site --------------------------------------------------------
@bp.route("/sites/<int:site_id>/volunteers")
@requires(SITE_VIEW)
def profile_list(site: Site):
    search = request.args.get("q", "").strip()
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
    if request.method == "POST" and form.validate():
        try:
            services.update_profile(profile, form.data)
        except FormError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect_after_post(url_for("volunteers.home", profile_id=profile.id))
    return render("volunteers/edit.html", status=422 if form.errors or form.form_errors else 200,
                  profile=profile, form=form, site=profile.site)


@bp.route("/volunteers/<int:profile_id>/archive", methods=["POST"])
@requires(SITE_MANAGE)
def archive_profile(profile: VolunteerProfile):
    services.toggle_archived(profile)
    db.session.commit()
    flash(_("Archived.") if profile.archived_at else _("Restored."), "success")
    return redirect_after_post(url_for("volunteers.home", profile_id=profile.id))


@bp.route("/volunteers/<int:profile_id>/checks", methods=["POST"])
@requires(SITE_MANAGE)
def add_check(profile: VolunteerProfile):
    form = CheckForm()
    if form.validate():
        try:
            services.record_check(profile, form.data, current_user)
        except FormError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Background check recorded."), "success")
            return redirect_after_post(url_for("volunteers.home", profile_id=profile.id))
    return _home(profile, status=422, check_form=form)


# --- training kinds (an inline table) and training sessions ---------------------------------------
TRAINING_KINDS = crud.InlineTable(
    name="training_kind", plural="training-kinds", form=TrainingKindForm, title=_l("Training kinds"),
    parent_param="site_id", columns=[_l("Name"), _l("Valid for"), _l("Required")],
    list_query=queries.training_kinds_of, create=services.create_training_kind,
    update=services.update_training_kind, archive=services.toggle_kind_archived,
    list_need=SITE_VIEW, manage_need=SITE_MANAGE, row_template="volunteers/_training_kind_row.html",
    page_template="volunteers/inline_page.html", extra_context=lambda site: {"site": site},
)
crud.register(bp, TRAINING_KINDS, "/sites/<int:site_id>/training-kinds")


def _trainings_context(site, form=None):
    form = form or TrainingSessionForm(formdata=None, kinds=queries.active_kinds(site),
                                       profiles=queries.active_profiles(site))
    page = paginate(queries.training_sessions_of(site))
    return dict(site=site, form=form, page=page, attendees=queries.attendee_counts(list(page.items)))


@bp.route("/sites/<int:site_id>/trainings")
@requires(SITE_VIEW)
def trainings(site: Site):
    return render("volunteers/trainings.html", **_trainings_context(site))


@bp.route("/sites/<int:site_id>/trainings", methods=["POST"])
@requires(SITE_MANAGE)
def record_training(site: Site):
    form = TrainingSessionForm(kinds=queries.active_kinds(site), profiles=queries.active_profiles(site))
    if form.validate():
        try:
            session = services.record_training(site, form.data, current_user)
        except FormError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Training recorded for %(count)d volunteers.", count=len(session.attendances)), "success")
            return redirect_after_post(url_for("volunteers.trainings", site_id=site.id))
    return render("volunteers/trainings.html", status=422, **_trainings_context(site, form))


# --- hours: the volunteer's corner -----------------------------------------------------------------
@bp.route("/me/volunteer")
@requires(VOLUNTEER_SELF)
def me():
    profile = queries.profile_for_user(current_user)
    if profile is None:
        return render("volunteers/no_profile.html", status=404)
    return redirect(url_for("volunteers.home", profile_id=profile.id))


def _home(profile, *, status=200, hour_form=None, certificate_form=None, check_form=None, **extra):
    today = local_today()
    return render(
        "volunteers/home.html", status=status, profile=profile, site=profile.site, today=today,
        totals=queries.totals(profile), history=paginate(queries.history(profile), per_page=10),
        certificates=queries.certificates_of(profile), settings=queries.settings_of(profile.site_id),
        hour_form=hour_form or HourForm(formdata=None, work_date=today),
        certificate_form=certificate_form or _default_certificate_form(profile),
        check_form=check_form or CheckForm(formdata=None, checked_on=today),
        can_manage=can(SITE_MANAGE, profile.site_id), **queries.profile_page(profile, today), **extra)


def _default_certificate_form(profile):
    season = services.season_on(profile.site_id, local_today()) or (
        profile.site.seasons[0] if profile.site.seasons else None)
    period_from = season.start_date if season else local_today().replace(month=1, day=1)
    period_to = min(season.end_date, local_today()) if season else local_today()
    return CertificateForm(formdata=None, period_from=period_from, period_to=period_to)


@bp.route("/volunteers/<int:profile_id>")
@requires(VOLUNTEER_OWN)
def home(profile: VolunteerProfile):
    return _home(profile)


@bp.route("/volunteers/<int:profile_id>/hours", methods=["POST"])
@requires(VOLUNTEER_OWN)
def log_hours(profile: VolunteerProfile):
    form = HourForm()
    if form.validate():
        try:
            entry = services.log_hours(profile, form.data, current_user)
        except FormError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            if not request.htmx:
                flash(_("Hours logged; they count once a coordinator approves them."), "success")
                return redirect_after_post(url_for("volunteers.home", profile_id=profile.id))
            return render("volunteers/home.html", "volunteers/_log_form.html", trigger="hours-changed",
                          profile=profile, saved=entry,
                          hour_form=HourForm(formdata=None, work_date=entry.work_date))
    if request.htmx:
        return render("volunteers/home.html", "volunteers/_log_form.html", status=422, profile=profile,
                      hour_form=form)
    return _home(profile, status=422, hour_form=form)


@bp.route("/volunteers/<int:profile_id>/totals")
@requires(VOLUNTEER_OWN)
def totals(profile: VolunteerProfile):
    return render("volunteers/totals.html", "volunteers/_totals.html", profile=profile, site=profile.site,
                  totals=queries.totals(profile))


@bp.route("/volunteers/<int:profile_id>/hours")
@requires(VOLUNTEER_OWN)
def hours(profile: VolunteerProfile):
    return render("volunteers/hours.html", "volunteers/_history.html", profile=profile, site=profile.site,
                  history=paginate(queries.history(profile), per_page=10 if request.htmx else 25),
                  can_manage=can(SITE_MANAGE, profile.site_id))


# --- hours: coordinators ---------------------------------------------------------------------------
def _queue_context(site, **extra):
    return dict(site=site, page=paginate(queries.pending_queue(site), per_page=100), **extra)


@bp.route("/sites/<int:site_id>/hours/pending")
@requires(SITE_MANAGE)
def queue(site: Site):
    return render("volunteers/queue.html", "volunteers/_queue.html", **_queue_context(site))


@bp.route("/sites/<int:site_id>/hours/review", methods=["POST"])
@requires(SITE_MANAGE)
def review(site: Site):
    form = request.form
    if form.get("approve_one"):
        ids, action = [form["approve_one"]], "approve"
    elif form.get("reject_one"):
        ids, action = [form["reject_one"]], "reject"
    elif form.get("scope") == "page":
        ids, action = form.getlist("page_ids"), "approve"
    else:
        ids, action = form.getlist("ids"), form.get("action", "")
    error = None
    try:
        ids = [int(i) for i in ids]
        count = services.review(site.id, ids, action, current_user, form.get("reason", ""))
    except ValueError:
        db.session.rollback()
        error = _("Choose entries from the list.")
    except FormError as exc:
        db.session.rollback()
        error = exc.message
    else:
        db.session.commit()
        message = (_("%(count)d entries approved.", count=count) if action == "approve"
                   else _("%(count)d entries rejected.", count=count))
    if not request.htmx:
        flash(error or message, "error" if error else "success")
        return redirect_after_post(url_for("volunteers.queue", site_id=site.id))
    return render("volunteers/queue.html", "volunteers/_queue.html", status=422 if error else 200,
                  trigger=None if error else "hours-changed",
                  **_queue_context(site, error=error, message=None if error else message,
                                   reason=form.get("reason", "")))


@bp.route("/hours/<int:hour_entry_id>/edit", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def correct(hour_entry: HourEntry):
    form = CorrectionForm(obj=hour_entry)
    if request.method == "GET":
        form.reason.data = ""
    if request.method == "POST" and form.validate():
        try:
            services.correct_entry(hour_entry, form.data, current_user)
        except FormError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("The entry was corrected; the original is kept in its history."), "success")
            return redirect_after_post(url_for("volunteers.home", profile_id=hour_entry.profile_id))
    entry = queries.entry_with_history(hour_entry)
    return render("volunteers/correct.html", status=422 if form.errors or form.form_errors else 200,
                  entry=entry, form=form, site=entry.profile.site)


# --- certificates ----------------------------------------------------------------------------------
@bp.route("/volunteers/<int:profile_id>/certificates", methods=["POST"])
@requires(VOLUNTEER_OWN)
def issue_certificate(profile: VolunteerProfile):
    form = CertificateForm()
    if form.validate():
        try:
            certificate = services.issue_certificate(profile, form.data, current_user)
        except FormError as error:
            _field_error(form, error)
        except IntegrityError:
            db.session.rollback()
            form.form_errors.append(_("The certificate could not be numbered; please try again."))
        else:
            db.session.commit()
            flash(_("Certificate %(number)s issued.", number=certificate.number), "success")
            return redirect_after_post(url_for("volunteers.home", profile_id=profile.id) + "#certificates")
    return _home(profile, status=422, certificate_form=form)


def verification_url(certificate: Certificate) -> str:
    return url_for("volunteers.verify", number=certificate.number, _external=True)


def certificate_html(certificate: Certificate) -> str:
    """The certificate as HTML, always in Chinese (the document's regulatory format)."""
    url = verification_url(certificate)
    qr_svg = segno.make(url, error="m").svg_inline(scale=3, dark="#111111", light="#ffffff", omitsize=True)
    with force_locale("zh_CN"):
        return render_template("volunteers/certificate_pdf.html", certificate=certificate, qr_svg=qr_svg,
                               verify_url=url, id_type_labels=ID_TYPE_LABELS)


@bp.route("/certificates/<int:certificate_id>.pdf")
@requires(VOLUNTEER_OWN)
def certificate_pdf(certificate: Certificate):
    if certificate.voided_at is not None:
        abort(404)
    pdf = render_pdf(certificate_html(certificate), stylesheets=["/static/css/certificate.css"])
    return pdf_response(pdf, f"志愿服务证明-{certificate.number}.pdf", inline=True)


@bp.route("/sites/<int:site_id>/certificates")
@requires(SITE_VIEW)
def certificates(site: Site):
    return render("volunteers/certificates.html", site=site, page=paginate(queries.certificates_of_site(site)))


@bp.route("/certificates/<int:certificate_id>/void", methods=["POST"])
@requires(SITE_MANAGE)
def void_certificate(certificate: Certificate):
    try:
        services.void_certificate(certificate)
    except FormError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Certificate %(number)s is void; its number will not be used again.", number=certificate.number),
              "success")
    return redirect_after_post(url_for("volunteers.certificates", site_id=certificate.site_id))


@bp.route("/verify/<number>")
@requires(PUBLIC)
@limiter.limit("30 per minute")
def verify(number: str):
    certificate = queries.certificate_by_number(number[:20])
    status = 200 if certificate is not None else 404
    return render("volunteers/verify.html", status=status, certificate=certificate, number=number[:20])


@bp.route("/sites/<int:site_id>/volunteer-settings", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def settings(site: Site):
    current = queries.settings_of(site.id)
    form = SettingsForm(obj=current)
    if request.method == "GET" and current is None:
        form.issuer_name.data = site.name
    if request.method == "POST" and form.validate():
        services.save_settings(site, form.data)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect_after_post(url_for("volunteers.settings", site_id=site.id))
    return render("volunteers/settings.html", status=422 if form.errors else 200, site=site, form=form)

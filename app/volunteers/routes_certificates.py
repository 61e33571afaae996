"""Views of certificates: issuing one (the volunteer or a coordinator), its PDF, the site's list,
voiding, the public verification page and the site's issuer settings."""
from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.args import arg_text
from app.core.htmx import redirect_after_post, render
from app.core.pagination import paginate
from app.core.pdf import pdf_response
from app.core.permissions import PUBLIC, SITE_MANAGE, SITE_VIEW, VOLUNTEER_OWN, requires
from app.core.views import save
from app.extensions import limit
from app.sites.models import Site
from app.volunteers import bp, queries, services
from app.volunteers.forms import CertificateForm, SettingsForm
from app.volunteers.models import Certificate, VolunteerProfile
from app.volunteers.pdf import certificate_filename, certificate_pdf_bytes
from app.volunteers.routes_profiles import home_page


@bp.route("/volunteers/<int:profile_id>/certificates", methods=["POST"])
@requires(VOLUNTEER_OWN)
def issue_certificate(profile: VolunteerProfile):
    form = CertificateForm()
    # One tap: the answer is the PDF itself (a 303 to its download).
    return save(form, lambda values: services.issue_certificate(profile, values, by=current_user),
                done=lambda certificate: redirect_after_post(
                    url_for("volunteers.certificate_pdf", certificate_id=certificate.id)),
                again=lambda: home_page(profile, certificate_form=form), once=True)


@bp.route("/certificates/<int:certificate_id>.pdf")
@requires(VOLUNTEER_OWN)
def certificate_pdf(certificate: Certificate):
    if certificate.voided_at is not None:
        abort(404)
    return pdf_response(certificate_pdf_bytes(certificate), certificate_filename(certificate))


@bp.route("/sites/<int:site_id>/certificates")
@requires(SITE_VIEW)
def certificates(site: Site):
    return render("volunteers/certificates.html", site=site, page=paginate(queries.certificates_of_site(site)))


@bp.route("/certificates/<int:certificate_id>/void", methods=["POST"])
@requires(SITE_MANAGE)
def void_certificate(certificate: Certificate):
    back = url_for("volunteers.certificates", site_id=certificate.site_id)
    return save(None, lambda _result: services.void_certificate(certificate, by=current_user),
                done=lambda _result: redirect_after_post(back, notice=_(
                    "Certificate %(number)s is void; its number will not be used again.", number=certificate.number)),
                again=lambda: redirect_after_post(back))


@bp.route("/verify")
@bp.route("/verify/<number>")
@requires(PUBLIC)
@limit("30 per minute")
def verify(number: str | None = None):
    """The public check of a certificate by its number (from the QR code, or typed into the box)."""
    number = (number if number is not None else arg_text("number", max_length=40)).strip()[:20]
    if not number:
        return render("volunteers/verify.html", certificate=None, number="")
    certificate = queries.certificate_by_number(number)
    status = 200 if certificate is not None else 404
    return render("volunteers/verify.html", status=status, certificate=certificate, number=number)


@bp.route("/sites/<int:site_id>/volunteer-settings", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def settings(site: Site):
    current = queries.settings_of(site.id)
    form = SettingsForm(obj=current)
    if request.method == "GET" and current is None:
        form.issuer_name.data = site.name
    return save(form, lambda values: services.save_settings(site, values, by=current_user),
                done=lambda _result: redirect_after_post(url_for("volunteers.settings", site_id=site.id),
                                                   notice=_("Saved.")),
                again=lambda: render("volunteers/settings.html", site=site, form=form))

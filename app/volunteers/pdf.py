"""The certificate as a document: HTML (always in Chinese) -> PDF with its verification QR code.

An issued certificate never changes, so its PDF is rendered once and kept in ``Certificate.pdf``
with ``pdf_key``, a hash of everything the layout comes from (the template, the stylesheets, the
Chinese catalogue). A download serves the kept bytes; only a certificate never downloaded yet, or
one whose layout files changed since, is rendered (and kept again).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import after_this_request, current_app, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select, update

from app.core.pdf import STATIC_DIR, render_pdf
from app.core.qr import qr_svg
from app.extensions import db
from app.volunteers.labels import ID_TYPE_LABELS
from app.volunteers.models import Certificate

TEMPLATE = "volunteers/certificate_pdf.html"
STYLESHEETS = ["/static/css/certificate.css"]
_LAYOUT_FILES = (STATIC_DIR / "css" / "print.css", STATIC_DIR / "css" / "certificate.css")


def verification_url(certificate: Certificate) -> str:
    """The link printed on the certificate and in its QR code: under PUBLIC_BASE_URL when set (it must
    be outside development, see ``services.certificates.check_public_base_url``), else the request's host."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if base:
        return base + url_for("volunteers.verify", number=certificate.number)
    return url_for("volunteers.verify", number=certificate.number, _external=True)


def certificate_filename(certificate: Certificate) -> str:
    """志愿服务证明-张三-HH-2026-000001.pdf"""
    return f"志愿服务证明-{certificate.holder_name}-{certificate.number}.pdf"


def certificate_html(certificate: Certificate) -> str:
    """The certificate as HTML, always in Chinese (the document's regulatory format)."""
    url = verification_url(certificate)
    with force_locale("zh_CN"):
        return render_template(TEMPLATE, certificate=certificate, verify_url=url, id_type_labels=ID_TYPE_LABELS,
                               qr_svg=qr_svg(url, scale=3, dark="#111111", omitsize=True))


def _layout_files() -> list[Path]:
    template_source = current_app.jinja_env.loader.get_source(current_app.jinja_env, TEMPLATE)[1]
    catalogues = sorted(Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"]).glob("zh*/LC_MESSAGES/*.mo"))
    return [Path(template_source), *_LAYOUT_FILES, *catalogues]


def layout_key() -> str:
    """A hash of the content of every file the certificate's look comes from, and of the public address
    printed on it (a changed PUBLIC_BASE_URL renders kept certificates again with the new link)."""
    digest = hashlib.sha256((current_app.config.get("PUBLIC_BASE_URL") or "").encode() + b"\0")
    for path in _layout_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def certificate_pdf_bytes(certificate: Certificate) -> bytes:
    """The certificate's PDF: the kept one when its layout is current, else rendered now and kept
    (written after the response, in one UPDATE, like the reads of the audit trail: the GET itself
    changes nothing)."""
    key = layout_key()
    if certificate.pdf_key == key:
        kept = db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate.id))
        if kept:
            return kept
    pdf = render_pdf(certificate_html(certificate), stylesheets=STYLESHEETS)

    @after_this_request
    def keep(response):
        if response.status_code == 200:
            db.session.rollback()
            db.session.execute(update(Certificate).where(Certificate.id == certificate.id)
                               .values(pdf=pdf, pdf_key=key).execution_options(synchronize_session=False))
            db.session.commit()
        return response

    return pdf

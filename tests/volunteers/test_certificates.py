"""Service certificates: numbered, recorded, printed as a PDF in Chinese, verifiable without leaking."""
from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader

from app.volunteers.models import Certificate
from app.volunteers.services import void_certificate


@pytest.fixture
def holder(make, world):
    profile = make.volunteer_profile(world.users["volunteer"], world.site, real_name="张喆",
                                     phone="13911112222", volunteer_number="330503-2025-0417")
    make.hour_entry(profile, date(2025, 7, 8), "08:30", "11:30", status="approved", activity="三年级数学辅导",
                    season=world.season)
    make.hour_entry(profile, date(2025, 7, 9), "14:00", "16:00", status="approved", activity="书法兴趣课助教（堃玥组）",
                    season=world.season)
    make.hour_entry(profile, date(2025, 7, 10), "14:00", "16:00", status="pending", activity="未审核的活动",
                    season=world.season)
    make.volunteer_settings(world.site, issuer_name="南浔区旧馆街道社会工作服务站", person_in_charge="沈建华",
                            handler="李晓梅", contact="0572-3010002")
    return profile


def _issue(client, profile, **values):
    data = {"period_from": "2025-07-01", "period_to": "2025-07-31", "content": ""}
    data.update(values)
    return client.post(f"/volunteers/{profile.id}/certificates", data=data)


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_volunteer_prints_a_certificate(client, db, login, world, holder):
    login(client, world.users["volunteer"])
    response = _issue(client, holder)
    assert response.status_code == 303
    certificate = db.session.query(Certificate).one()
    assert re.fullmatch(r"HH-\d{4}-000001", certificate.number)
    assert (certificate.minutes, certificate.holder_name) == (300, "张喆")
    assert certificate.content == "三年级数学辅导、书法兴趣课助教（堃玥组）"
    assert re.fullmatch(r"3\*{16}[0-9X]", certificate.id_number_masked)  # only the first and last character
    assert certificate.issued_by_id == world.users["volunteer"].id

    pdf = client.get(f"/certificates/{certificate.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "no-store" in pdf.headers["Cache-Control"]
    text = re.sub(r"\s+", "", _text(pdf.data))
    with force_locale("zh_CN"):
        title = _("Volunteer service certificate")
    for expected in (title, "张喆", certificate.number, "330503-2025-0417", certificate.id_number_masked,
                     "三年级数学辅导、书法兴趣课助教（堃玥组）", "南浔区旧馆街道社会工作服务站", "沈建华", "李晓梅",
                     "0572-3010002", "2025-07-01", "2025-07-31", "5"):
        assert re.sub(r"\s+", "", expected) in text, expected
    assert "未审核的活动" not in text and "13911112222" not in text


def test_the_certificate_embeds_the_prepared_chinese_font(client, db, login, world, holder):
    login(client, world.users["volunteer"])
    _issue(client, holder)
    certificate = db.session.query(Certificate).one()
    pdf = client.get(f"/certificates/{certificate.id}.pdf").data
    names = set()
    for page in PdfReader(BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
    # only the prepared subset: no character (not even 喆 堃 玥) fell back to the 19 MB system font
    assert names and all("Huhang" in name for name in names), names


def test_numbers_are_unique_and_never_reused(client, db, login, make, world, holder):
    login(client, world.users["coordinator"])
    assert _issue(client, holder).status_code == 303
    first = db.session.query(Certificate).one()
    void_certificate(first)
    db.session.commit()
    assert _issue(client, holder).status_code == 303
    second = db.session.query(Certificate).order_by(Certificate.id.desc()).first()
    assert second.number.endswith("000002") and second.number != first.number
    assert client.get(f"/certificates/{first.id}.pdf").status_code == 404  # void: not printed
    listing = client.get(f"/sites/{world.site.id}/certificates").get_data(as_text=True)
    assert first.number in listing and second.number in listing
    response = client.post(f"/certificates/{second.id}/void", data={})
    assert response.status_code == 303
    db.session.refresh(second)
    assert second.voided_at is not None
    assert client.get(f"/certificates/{second.id}.pdf").status_code == 404
    assert client.post(f"/certificates/{second.id}/void", data={}).status_code == 303  # twice: a message, no 500
    listing = client.get(f"/sites/{world.site.id}/certificates").get_data(as_text=True)
    assert f'href="/certificates/{second.id}.pdf"' not in listing


@pytest.mark.parametrize("values,message", [
    ({"period_from": "2025-08-01", "period_to": "2025-07-01"}, "cannot be before"),
    ({"period_from": "2025-08-01", "period_to": "2025-08-15"}, "no approved hours"),
    ({"period_to": "2099-01-01"}, "cannot end in the future"),
    ({"period_from": "July"}, "YYYY-MM-DD"),
])
def test_bad_certificate_requests(client, db, login, world, holder, values, message):
    login(client, world.users["volunteer"])
    client.post("/auth/language", data={"locale": "en"})
    response = _issue(client, holder, **values)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.query(Certificate).count() == 0


def test_no_certificate_before_the_site_names_its_issuer(app, client, db, login, make, world):
    profile = make.volunteer_profile(world.users["volunteer"], world.site)
    make.hour_entry(profile, date(2025, 7, 8), status="approved")
    login(client, world.users["volunteer"])
    client.post("/auth/language", data={"locale": "en"})
    response = _issue(client, profile)
    assert response.status_code == 422 and "has not set who issues certificates" in response.get_data(as_text=True)

    client = app.test_client()
    login(client, world.users["coordinator"])
    bad = client.post(f"/sites/{world.site.id}/volunteer-settings", data={"issuer_name": "", "person_in_charge": "x",
                                                                           "handler": "y", "contact": "z"})
    assert bad.status_code == 422
    ok = client.post(f"/sites/{world.site.id}/volunteer-settings", data={
        "issuer_name": "旧馆街道社工站", "person_in_charge": "沈建华", "handler": "李晓梅", "contact": "0572-3010002"})
    assert ok.status_code == 303
    assert 'value="旧馆街道社工站"' in client.get(ok.location).get_data(as_text=True)
    volunteer = app.test_client()
    login(volunteer, world.users["volunteer"])
    assert _issue(volunteer, profile).status_code == 303  # now the volunteer can print one


def test_the_verification_page_shows_only_the_certificates_own_facts(app, client, db, login, make, world, holder):
    login(client, world.users["volunteer"])
    _issue(client, holder)
    certificate = db.session.query(Certificate).one()
    anonymous = app.test_client()
    html = anonymous.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert certificate.number in html and "<dd>张*</dd>" in html and "<dd>5 小时</dd>" in html
    assert "南浔区旧馆街道社会工作服务站" in html and "2025-07-01" in html
    for secret in ("张喆", "13911112222", "330503-2025-0417", certificate.id_number_masked, "三年级数学辅导",
                   "沈建华", "李晓梅", "0572-3010002", f"/volunteers/{holder.id}"):
        assert secret not in html, secret
    assert anonymous.get("/verify/HH-2025-999999").status_code == 404
    void_certificate(certificate)
    db.session.commit()
    html = anonymous.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert "2025-07-31" not in html


def test_the_qr_code_points_to_the_verification_page(app, client, db, login, world, holder):
    from app.core.qr import qr_svg
    from app.volunteers.pdf import certificate_html

    login(client, world.users["volunteer"])
    _issue(client, holder)
    certificate = db.session.query(Certificate).one()
    text = re.sub(r"\s+", "", _text(client.get(f"/certificates/{certificate.id}.pdf").data))
    assert f"/verify/{certificate.number}" in text
    with app.test_request_context():
        html = certificate_html(certificate)
        code = qr_svg(f"http://localhost/verify/{certificate.number}", scale=3, dark="#111111", omitsize=True)
    assert code in html  # the code printed is the one of the verification link


def test_another_volunteer_cannot_print_my_certificate(app, client, db, login, make, world, holder):
    login(client, world.users["volunteer"])
    _issue(client, holder)
    certificate = db.session.query(Certificate).one()
    stranger = make.user("volunteer", world.site)
    make.volunteer_profile(stranger, world.site)
    client = app.test_client()
    login(client, stranger)
    assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 403
    assert _issue(client, holder).status_code == 403


def test_an_issued_certificate_is_rendered_once_and_kept(client, db, login, world, holder, monkeypatch):
    import app.volunteers.pdf as certificate_pdf

    renders = []
    real = certificate_pdf.render_pdf
    monkeypatch.setattr(certificate_pdf, "render_pdf", lambda *a, **k: renders.append(1) or real(*a, **k))
    login(client, world.users["volunteer"])
    _issue(client, holder)
    certificate = db.session.query(Certificate).one()
    first = client.get(f"/certificates/{certificate.id}.pdf")
    second = client.get(f"/certificates/{certificate.id}.pdf")
    assert first.status_code == second.status_code == 200 and len(renders) == 1
    assert second.data == first.data and second.mimetype == "application/pdf"
    assert certificate.number in re.sub(r"\s+", "", _text(second.data))
    db.session.expire_all()
    kept = db.session.get(Certificate, certificate.id)
    assert kept.pdf == first.data and kept.pdf_key == certificate_pdf.layout_key()

    # the layout changed since (a new stylesheet or template): rendered again once, then kept again
    monkeypatch.setattr(certificate_pdf, "layout_key", lambda: "new layout")
    client.get(f"/certificates/{certificate.id}.pdf")
    client.get(f"/certificates/{certificate.id}.pdf")
    assert len(renders) == 2

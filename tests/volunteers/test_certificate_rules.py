"""Issues 8 and 9: who may request a certificate and what it says; one tap gives the PDF; a newer
certificate for an overlapping period supersedes the older; the public address on the certificate;
the verification box."""
from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from app.auth.models import RoleGrant
from app.core.timeutil import utcnow
from app.volunteers.models import Certificate
from tests.http import HttpClient, race


@pytest.fixture
def holder(make, world):
    profile = make.volunteer_profile(world.users["volunteer"], world.site, real_name="张喆")
    make.hour_entry(profile, date(2025, 7, 8), "08:30", "11:30", status="approved", activity="三年级数学辅导")
    make.hour_entry(profile, date(2025, 8, 8), "08:30", "10:30", status="approved", activity="书法兴趣课助教")
    make.volunteer_settings(world.site, issuer_name="旧馆街道社工站")
    return profile


def _issue(client, profile, period=("2025-07-01", "2025-07-31"), **values):
    return client.post(f"/volunteers/{profile.id}/certificates",
                       data={"period_from": period[0], "period_to": period[1], **values})


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages))


# --- one tap -------------------------------------------------------------------------------------
def test_issuing_answers_with_the_pdf_as_a_named_download(client, db, login, world, holder):
    login(client, world.users["volunteer"])
    response = _issue(client, holder)
    certificate = db.session.query(Certificate).one()
    assert response.status_code == 303 and response.location == f"/certificates/{certificate.id}.pdf"
    pdf = client.get(response.location)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    disposition = pdf.headers["Content-Disposition"]
    name = f"志愿服务证明-张喆-{certificate.number}.pdf"
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(name)}" in disposition


# --- what a certificate says, and who may ask for one --------------------------------------------
def test_the_content_comes_from_approved_hours_never_from_the_requester(client, db, login, world, holder):
    login(client, world.users["volunteer"])
    assert _issue(client, holder, content="国家级优秀志愿者，服务一千小时").status_code == 303
    certificate = db.session.query(Certificate).one()
    assert certificate.content == "三年级数学辅导" and certificate.minutes == 180
    assert "一千小时" not in _text(client.get(f"/certificates/{certificate.id}.pdf").data)
    assert 'name="content"' not in client.get(f"/volunteers/{holder.id}").get_data(as_text=True)


def test_a_volunteer_whose_role_was_removed_cannot_request_one(client, db, login, world, holder):
    login(client, world.users["volunteer"])
    world.users["volunteer"].grants.clear()  # no longer a volunteer of the site; keeps a role elsewhere
    db.session.add(RoleGrant(user_id=world.users["volunteer"].id, role="guardian", site_id=world.other_site.id))
    db.session.commit()
    response = _issue(client, holder)
    assert response.status_code == 422 and "只有本服务点在册的志愿者才能申请证明" in response.get_data(as_text=True)
    assert db.session.query(Certificate).count() == 0


@pytest.mark.parametrize("who", ["volunteer", "coordinator", "admin"])
def test_no_certificate_for_an_archived_profile(client, db, login, world, holder, who):
    holder.archived_at = utcnow()
    db.session.commit()
    login(client, world.users[who])
    response = _issue(client, holder)
    assert response.status_code == 422 and "该志愿者档案已归档，不能出具证明" in response.get_data(as_text=True)
    assert db.session.query(Certificate).count() == 0


def test_a_coordinator_issues_for_a_volunteer_of_the_site(client, db, login, world, holder):
    login(client, world.users["coordinator"])
    assert _issue(client, holder).status_code == 303
    assert db.session.query(Certificate).one().issued_by_id == world.users["coordinator"].id


def test_verify_refuses_a_new_certificate_of_a_holder_archived_before_it_was_issued(app, db, make, world, holder):
    """The rule refuses to issue one; a row that slipped past it (e.g. written by hand) is not called
    genuine. A certificate from before the rule stays as issued."""
    old = make.certificate(holder, date(2025, 7, 1), date(2025, 7, 31))
    new = make.certificate(holder, date(2025, 8, 1), date(2025, 8, 31))
    holder.archived_at = utcnow() - timedelta(days=1)
    old.holder_checked = False  # issued before the rule
    db.session.commit()
    anonymous = app.test_client()
    assert "该证明真实有效" in anonymous.get(f"/verify/{old.number}").get_data(as_text=True)
    html = anonymous.get(f"/verify/{new.number}").get_data(as_text=True)
    assert "该证明真实有效" not in html and "不是有效证明" in html


def test_archiving_after_issue_keeps_the_certificate_valid(app, db, make, world, holder):
    certificate = make.certificate(holder, date(2025, 7, 1), date(2025, 7, 31))
    holder.archived_at = utcnow() + timedelta(seconds=1)
    db.session.commit()
    assert "该证明真实有效" in app.test_client().get(f"/verify/{certificate.number}").get_data(as_text=True)


# --- superseding ---------------------------------------------------------------------------------
def test_a_new_certificate_for_an_overlapping_period_supersedes_the_older(app, client, db, login, world, holder):
    login(client, world.users["volunteer"])
    _issue(client, holder, ("2025-07-01", "2025-07-31"))
    _issue(client, holder, ("2025-08-01", "2025-08-31"))  # no overlap: both stay valid
    _issue(client, holder, ("2025-07-15", "2025-08-31"))  # overlaps both
    first, second, third = db.session.query(Certificate).order_by(Certificate.id).all()
    anonymous = app.test_client()
    for older in (first, second):
        html = anonymous.get(f"/verify/{older.number}").get_data(as_text=True)
        assert "已被新证明取代" in html and third.number in html and "该证明真实有效" not in html
    assert "该证明真实有效" in anonymous.get(f"/verify/{third.number}").get_data(as_text=True)
    page = client.get(f"/volunteers/{holder.id}").get_data(as_text=True)
    assert page.count("已被取代") == 2


def test_two_overlapping_certificates_issued_at_once_leave_one_valid(live_server, db, world, holder):
    client = HttpClient(live_server).login(world.users["volunteer"])
    tokens = [client.page_tokens(f"/volunteers/{holder.id}")[1] for _ in range(2)]
    calls = [lambda t=t, p=p: client.post(f"/volunteers/{holder.id}/certificates",
                                          {"period_from": p[0], "period_to": p[1], "form_token": t})
             for t, p in zip(tokens, [("2025-07-01", "2025-07-31"), ("2025-07-01", "2025-08-31")])]
    results = race(calls)
    assert [getattr(r, "status", r) for r in results] == [303, 303]
    db.session.expire_all()
    certificates = db.session.query(Certificate).order_by(Certificate.id).all()
    assert len(certificates) == 2
    assert [c.verdict for c in certificates] == ["superseded", "genuine"]
    assert certificates[0].superseded_by_id == certificates[1].id


# --- the public address --------------------------------------------------------------------------
def test_the_printed_link_uses_the_public_base_url(app, client, db, login, world, holder):
    login(client, world.users["volunteer"])
    response = _issue(client, holder)
    number = db.session.query(Certificate).one().number
    assert f"http://localhost/verify/{number}" in _text(client.get(response.location).data)  # development
    app.config["PUBLIC_BASE_URL"] = "https://huhang.example.org/"
    text = _text(client.get(response.location).data)  # the kept PDF is rendered again with the new address
    assert f"https://huhang.example.org/verify/{number}" in text and "localhost" not in text


def test_outside_development_issuing_needs_the_public_base_url(app, client, db, login, world, holder):
    app.config["HUHANG_ENV"] = "production"
    login(client, world.users["volunteer"])
    response = _issue(client, holder)
    assert response.status_code == 422 and "PUBLIC_BASE_URL" in response.get_data(as_text=True)
    assert db.session.query(Certificate).count() == 0
    app.config["PUBLIC_BASE_URL"] = "https://huhang.example.org"
    assert _issue(client, holder).status_code == 303


# --- the verification box ------------------------------------------------------------------------
def test_verify_without_a_number_offers_a_box(app, db, make, world, holder):
    certificate = make.certificate(holder, date(2025, 7, 1), date(2025, 7, 31))
    anonymous = app.test_client()
    page = anonymous.get("/verify")
    assert page.status_code == 200 and 'name="number"' in page.get_data(as_text=True)
    assert "该证明真实有效" not in page.get_data(as_text=True)
    typed = anonymous.get(f"/verify?number={certificate.number.lower()}")
    assert typed.status_code == 200 and "该证明真实有效" in typed.get_data(as_text=True)
    assert anonymous.get("/verify?number=HH-2025-999999").status_code == 404

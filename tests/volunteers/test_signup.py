"""Sign-up through the site's public page; a coordinator accepts or declines; profiles, trainings, checks."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import inspect

from app.auth.models import RoleGrant, User
from app.core.timeutil import local_today
from app.volunteers.models import (BackgroundCheck, TrainingKind, TrainingSession, VolunteerApplication,
                                   VolunteerProfile)
from tests.factories import resident_id

ID = resident_id("20030512", seq=417)


def _apply(client, site, **values):
    data = {"real_name": "张喆", "phone": "139 0000 1234", "id_type": "resident_id", "id_number": ID,
            "skills": "小学数学、英语", "interests": "书法", "availability": "7月工作日上午",
            "team": "湖州师范学院青年志愿者服务队", "agree": "y"}
    data.update(values)
    return client.post(f"/join/{site.id}", data=data)


def test_apply_then_get_accepted_then_sign_in(app, client, db, login, world):
    page = client.get(f"/join/{world.site.id}")
    assert page.status_code == 200 and world.site.name in page.get_data(as_text=True)
    users_before = db.session.query(User).count()
    response = _apply(client, world.site)
    assert response.status_code == 303
    assert "application-sent" in client.get(response.location).get_data(as_text=True)
    application = db.session.query(VolunteerApplication).one()
    assert application.status == "applied" and application.phone == "13900001234"
    assert application.birth_date == date(2003, 5, 12)
    assert db.session.query(User).count() == users_before  # no account until accepted

    login(client, world.users["coordinator"])
    listing = client.get(f"/sites/{world.site.id}/applications").get_data(as_text=True)
    assert "张喆" in listing and f"/join/{world.site.id}" in listing and "<svg" in listing
    assert ID not in listing and ID[0] + "*" * 16 + ID[-1] in listing

    accepted = client.post(f"/applications/{application.id}/accept", data={})
    assert accepted.status_code == 200
    html = accepted.get_data(as_text=True)
    link = re.search(r'value="(http://localhost/auth/invite/[^"]+)"', html).group(1)
    profile = db.session.query(VolunteerProfile).one()
    assert profile.real_name == "张喆" and profile.volunteer_number in html
    assert profile.party is None  # no such party on the site yet
    grant = db.session.query(RoleGrant).filter_by(user_id=profile.user_id).one()
    assert (grant.role, grant.site_id) == ("volunteer", world.site.id)
    db.session.refresh(application)
    assert application.status == "accepted" and application.profile_id == profile.id

    client.post("/auth/language", data={"locale": "en"})
    again = client.post(f"/applications/{application.id}/accept", data={})  # another tab: decided already
    assert again.status_code == 303
    assert "This application has already been decided." in client.get(again.location).get_data(as_text=True)
    assert db.session.query(VolunteerProfile).count() == 1

    volunteer = app.test_client()
    token_path = link.removeprefix("http://localhost")
    response = volunteer.post(token_path, data={"password": "a good long password", "confirm": "a good long password"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    assert "/home" in response.location  # the invitation signs the new volunteer in
    home = volunteer.get("/me/volunteer", follow_redirects=True).get_data(as_text=True)
    assert "张喆" in home and ID[0] + "*" * 16 + ID[-1] in home


def test_the_id_number_is_never_stored(app, client, db, world):
    _apply(client, world.site)
    application = db.session.query(VolunteerApplication).one()
    for column in inspect(VolunteerApplication).columns:
        assert ID not in str(getattr(application, column.key) or ""), column.key
    assert application.id_number_masked == ID[0] + "*" * 16 + ID[-1]  # only the first and last character
    version, digest = application.id_number_hash.split(":")
    assert version == "1" and len(digest) == 64


def test_a_coordinator_declines(client, db, login, make, world):
    application = make.application(world.site)
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})
    bad = client.post(f"/applications/{application.id}/decline", data={"reason": "太" * 301})
    assert bad.status_code == 303 and "At most 300 characters." in client.get(bad.location).get_data(as_text=True)
    db.session.refresh(application)
    assert application.status == "applied"
    response = client.post(f"/applications/{application.id}/decline", data={"reason": "时间不合适"})
    assert response.status_code == 303
    listing = client.get(response.location).get_data(as_text=True)
    assert f"The application of {application.real_name} was declined." in listing
    assert f'data-testid="application-{application.id}"' not in listing
    db.session.refresh(application)
    assert (application.status, application.decline_reason) == ("declined", "时间不合适")
    assert db.session.query(VolunteerProfile).count() == 0


@pytest.mark.parametrize("values,message", [
    ({"real_name": ""}, "This field is required."),
    ({"phone": "abc"}, "A phone number has digits only."),
    ({"id_number": "330503200305124170"}, "not a valid resident ID"),
    ({"id_type": "passport", "id_number": "E1234"}, None),  # valid, used as a control
    ({"id_type": "passport", "id_number": "护照"}, "Use 5 to 30 letters and digits."),
    ({"agree": ""}, "This field is required."),
    ({"id_number": resident_id("20100101", seq=1)}, "under 18 need a guardian"),
    ({"id_number": resident_id("20150101", seq=1), "guardian_name": "张建国", "guardian_phone": "13900002222",
      "guardian_consent": "y"}, "at least 14 years old"),
])
def test_bad_applications_are_refused(client, db, world, values, message):
    client.post("/auth/language", data={"locale": "en"})
    response = _apply(client, world.site, **values)
    if message is None:
        assert response.status_code == 303
        return
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.query(VolunteerApplication).count() == 0


def test_a_minor_with_guardian_consent_may_apply(client, db, world):
    response = _apply(client, world.site, id_number=resident_id(f"{local_today().year - 16}0101", seq=3),
                      guardian_name="张建国", guardian_phone="13900002222", guardian_consent="y")
    assert response.status_code == 303
    assert db.session.query(VolunteerApplication).one().guardian_consent is True


def test_the_same_person_cannot_apply_twice(client, db, world):
    assert _apply(client, world.site).status_code == 303
    client.post("/auth/language", data={"locale": "en"})
    response = _apply(client, world.site, real_name="张喆喆")
    assert response.status_code == 422 and "already exists" in response.get_data(as_text=True)


def test_coordinator_edits_a_profile(client, db, login, make, world):
    team = make.party(world.site, "volunteer", "湖州师范学院青年志愿者服务队")
    profile = make.volunteer_profile(world.users["volunteer"], world.site, real_name="王浩然")
    old_hash = profile.id_number_hash
    login(client, world.users["coordinator"])
    form = client.get(f"/volunteers/{profile.id}/edit").get_data(as_text=True)
    assert 'value="王浩然"' in form and profile.id_number_masked in form
    assert re.search(r'<input[^>]*name="id_number"[^>]*value=""', form)  # the number itself is never shown
    data = {"real_name": "王浩然", "phone": "13900001111", "id_type": "resident_id", "id_number": "",
            "volunteer_number": "330503-2025-0001", "party_id": team.id, "insurance_policy": "PICC-123",
            "insurance_from": "2025-07-01", "insurance_until": "2025-08-31", "skills": "初中物理"}
    response = client.post(f"/volunteers/{profile.id}/edit", data=data)
    assert response.status_code == 303
    db.session.refresh(profile)
    assert (profile.party_id, profile.volunteer_number, profile.insurance_policy) == (team.id, "330503-2025-0001",
                                                                                        "PICC-123")
    assert profile.id_number_hash == old_hash  # empty ID keeps the number on record

    client.post("/auth/language", data={"locale": "en"})
    bad = client.post(f"/volunteers/{profile.id}/edit", data={**data, "insurance_until": "2025-06-01"})
    assert bad.status_code == 422 and "cannot be before" in bad.get_data(as_text=True)
    other = make.volunteer_profile(make.user("volunteer", world.site), world.site)
    bad = client.post(f"/volunteers/{other.id}/edit", data={**data, "real_name": "赵"})
    assert bad.status_code == 422 and "already in use" in bad.get_data(as_text=True)


def test_coordinator_records_training_kinds_sessions_and_checks(client, db, login, make, world):
    a = make.volunteer_profile(world.users["volunteer"], world.site, real_name="王浩然")
    b = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name="李玥")
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})
    response = client.post(f"/sites/{world.site.id}/training-kinds",
                           data={"name": "消防安全与疏散", "validity_months": "12", "required": "y"})
    assert response.status_code == 303
    kind = db.session.query(TrainingKind).one()
    assert kind.required and kind.validity_months == 12
    bad = client.post(f"/sites/{world.site.id}/training-kinds", data={"name": "急救", "validity_months": "0"})
    assert bad.status_code == 422 and "whole number from 1" in bad.get_data(as_text=True)
    bad = client.post(f"/sites/{world.site.id}/training-kinds", data={"name": "消防安全与疏散", "validity_months": "6"})
    assert bad.status_code == 422 and "already in use" in bad.get_data(as_text=True)

    held = local_today() - timedelta(days=3)
    response = client.post(f"/sites/{world.site.id}/trainings", data={
        "kind_id": kind.id, "held_on": held.isoformat(), "trainer": "南浔消防大队", "attendee_ids": [a.id, b.id]})
    assert response.status_code == 303
    session = db.session.query(TrainingSession).one()
    assert {x.profile_id for x in session.attendances} == {a.id, b.id}
    for data, message in [
        ({"kind_id": kind.id, "held_on": held.isoformat()}, "at least one volunteer"),
        ({"kind_id": kind.id, "held_on": (local_today() + timedelta(days=2)).isoformat(), "attendee_ids": [a.id]},
         "once it has taken place"),
        ({"kind_id": kind.id, "held_on": "yesterday", "attendee_ids": [a.id]}, "YYYY-MM-DD"),
        ({"kind_id": kind.id, "held_on": held.isoformat(), "attendee_ids": [999999]}, "volunteers of this site"),
    ]:
        bad = client.post(f"/sites/{world.site.id}/trainings", data=data)
        assert bad.status_code == 422 and message in bad.get_data(as_text=True), message
    assert db.session.query(TrainingSession).count() == 1

    response = client.post(f"/volunteers/{a.id}/checks", data={
        "checked_on": held.isoformat(), "checked_by": "旧馆派出所", "result": "clear"})
    assert response.status_code == 303
    bad = client.post(f"/volunteers/{a.id}/checks", data={"checked_on": "", "checked_by": "", "result": "clear"})
    assert bad.status_code == 422 and "This field is required." in bad.get_data(as_text=True)
    bad = client.post(f"/volunteers/{a.id}/checks", data={
        "checked_on": (local_today() + timedelta(days=1)).isoformat(), "checked_by": "x", "result": "clear"})
    assert bad.status_code == 422 and "cannot be in the future" in bad.get_data(as_text=True)
    assert db.session.query(BackgroundCheck).count() == 1

    home = client.get(f"/volunteers/{a.id}").get_data(as_text=True)
    assert "May work with children today." in home
    home = client.get(f"/volunteers/{b.id}").get_data(as_text=True)
    assert "No background check on record." in home


def test_the_volunteer_list_runs_a_fixed_number_of_queries(client, login, make, world, count_queries):
    kind = make.training_kind(world.site, "儿童保护")
    login(client, world.users["coordinator"])

    def page_queries():
        with count_queries() as counter:
            assert client.get(f"/sites/{world.site.id}/volunteers").status_code == 200
        return counter.count

    profiles = [make.volunteer_profile(make.user("volunteer", world.site), world.site) for _ in range(2)]
    make.training(kind, date(2025, 6, 1), profiles)
    few = page_queries()
    more = [make.volunteer_profile(make.user("volunteer", world.site), world.site) for _ in range(10)]
    make.training(kind, date(2025, 6, 1), more)
    for p in more:
        make.background_check(p, date(2025, 6, 1))
    assert page_queries() == few


def test_accept_tapped_twice_creates_one_volunteer_and_keeps_the_link(client, db, login, make, world):
    application = make.application(world.site, real_name="李玥")
    login(client, world.users["coordinator"])
    application_page = client.get(f"/sites/{world.site.id}/applications").get_data(as_text=True)
    row = application_page[application_page.index(f'data-testid="accept-{application.id}"'):]
    token = re.search(r'name="form_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_token"', row)
    token = token.group(1) or token.group(2)
    first = client.post(f"/applications/{application.id}/accept", data={"form_token": token})
    assert first.status_code == 200 and "/auth/invite/" in first.get_data(as_text=True)
    second = client.post(f"/applications/{application.id}/accept", data={"form_token": token})
    profile = db.session.query(VolunteerProfile).one()
    # the repeat lands on the new volunteer's page, which offers a new invitation link
    assert second.status_code == 303 and second.location.endswith(f"/volunteers/{profile.id}")
    assert "李玥" in client.get(second.location).get_data(as_text=True)
    assert db.session.query(User).filter(User.display_name == "李玥").count() == 1


def test_each_application_has_its_own_accept_token(client, db, login, make, world):
    a, b = make.application(world.site), make.application(world.site)
    login(client, world.users["coordinator"])
    html = client.get(f"/sites/{world.site.id}/applications").get_data(as_text=True)
    tokens = set()
    for application in (a, b):
        row = html[html.index(f'data-testid="accept-{application.id}"'):]
        tokens.add(re.search(r'name="form_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_token"',
                             row).groups())
    assert len(tokens) == 2  # accepting one never blocks the other as "already sent"


def test_i_agree_links_to_the_notice_it_agrees_to(client, make, world):
    """Issue 9: /join's "我同意" had no link to the privacy notice it agrees to."""
    import re

    make.volunteer_settings(world.site)
    html = client.get(f"/join/{world.site.id}").get_data(as_text=True)
    agree = html[html.index('name="agree"'):]
    agree = agree[:agree.index("</div>")]
    link = re.search(r'<a href="([^"]+)"[^>]*data-testid="privacy-notice">([^<]+)</a>', agree)
    assert link and link.group(1) == f"/join/{world.site.id}/privacy" and "告知书" in link.group(2)
    notice = client.get(link.group(1))
    text = notice.get_data(as_text=True)
    assert notice.status_code == 200 and "志愿者个人信息处理告知书" in text
    assert "证件号码" in text and "撤回同意" in text and world.site.name in text and "0572-3010002" in text


def test_the_notice_of_an_unknown_or_archived_site_is_not_found(client, make, world):
    from app.core.timeutil import utcnow
    from app.extensions import db

    assert client.get("/join/99999/privacy").status_code == 404
    closed = make.site("旧点")
    closed.archived_at = utcnow()
    db.session.commit()
    assert client.get(f"/join/{closed.id}/privacy").status_code == 404

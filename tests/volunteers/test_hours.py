"""Hours: a volunteer logs them from the phone under clear rules; coordinators approve, reject, correct."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from app.core.timeutil import LOCAL_TZ, local_today
from app.volunteers.models import HourCorrection, HourEntry

D = date(2025, 7, 8)  # a day in the world's season (2025-07-07 .. 2025-08-29)


@pytest.fixture
def me(make, world):
    return make.volunteer_profile(world.users["volunteer"], world.site, real_name="王浩然")


def _log(client, profile, htmx=True, **values):
    data = {"work_date": D.isoformat(), "starts_at": "09:00", "ends_at": "11:30", "activity": "三年级数学辅导"}
    data.update(values)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/volunteers/{profile.id}/hours", data=data, headers=headers)


def test_volunteer_logs_hours_and_sees_pending_total(client, db, login, world, me):
    login(client, world.users["volunteer"])
    page = client.get("/me/volunteer", follow_redirects=True)
    assert page.status_code == 200 and "王浩然" in page.get_data(as_text=True)
    assert "not the journey" in page.get_data(as_text=True) or "往返" in page.get_data(as_text=True)

    response = _log(client, me)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "hours-changed"
    assert 'data-testid="hours-saved"' in response.get_data(as_text=True)
    entry = db.session.query(HourEntry).one()
    assert (entry.minutes, entry.status, entry.source, entry.season_id) == (150, "pending", "manual", world.season.id)
    assert entry.created_by_id == world.users["volunteer"].id

    totals = client.get(f"/volunteers/{me.id}/totals", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-testid="pending-total">2.5<' in totals and 'data-testid="approved-total">0<' in totals
    assert world.season.name in totals


def test_plain_post_redirects_to_the_home_page(client, db, login, world, me):
    login(client, world.users["volunteer"])
    client.post("/auth/language", data={"locale": "en"})
    response = _log(client, me, htmx=False)
    assert response.status_code == 303 and response.location.endswith(f"/volunteers/{me.id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Hours logged; they count once a coordinator approves them." in page
    assert 'data-testid="pending-total">2.5<' in page and "三年级数学辅导" in page


@pytest.mark.parametrize("values,field_message", [
    ({"work_date": ""}, "work_date"),
    ({"work_date": "2025-13-45"}, "work_date"),
    ({"starts_at": "9h"}, "starts_at"),
    ({"activity": ""}, "activity"),
    ({"starts_at": "11:00", "ends_at": "10:00"}, "end time must be after"),
    ({"starts_at": "11:00", "ends_at": "11:00"}, "end time must be after"),
    ({"work_date": "tomorrow"}, "future day"),  # worked out when the test runs, not when it is collected
])
def test_bad_hours_are_refused_with_a_message(client, db, login, world, me, values, field_message):
    login(client, world.users["volunteer"])
    client.post("/auth/language", data={"locale": "en"})
    if values.get("work_date") == "tomorrow":  # a run across midnight in Beijing must not make it today
        values = {**values, "work_date": (local_today() + timedelta(days=1)).isoformat()}
    response = _log(client, me, **values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error"' in html and 'data-testid="log-hours-form"' in html
    if " " in field_message:
        assert field_message in html
    assert db.session.query(HourEntry).count() == 0


def test_hours_ending_later_today_are_refused(client, db, login, world, me, monkeypatch):
    now = datetime.now(LOCAL_TZ).replace(hour=10, minute=0, second=0, microsecond=0)
    monkeypatch.setattr("app.volunteers.services.hours.local_now", lambda: now)  # it is 10:00 in Huzhou
    login(client, world.users["volunteer"])
    client.post("/auth/language", data={"locale": "en"})
    response = _log(client, me, work_date=now.date().isoformat(), starts_at="09:00", ends_at="11:00")
    assert response.status_code == 422 and "has not come yet" in response.get_data(as_text=True)
    assert _log(client, me, work_date=now.date().isoformat(), starts_at="08:00", ends_at="09:30").status_code == 200


def test_overlap_and_daily_maximum(app, client, db, make, login, world, me):
    make.hour_entry(me, D, "09:00", "11:00")
    make.hour_entry(me, D, "12:00", "13:00", status="rejected")  # rejected entries don't block
    login(client, world.users["volunteer"])
    client.post("/auth/language", data={"locale": "en"})
    response = _log(client, me, starts_at="10:30", ends_at="12:00")
    assert response.status_code == 422 and "overlaps your entry from 09:00 to 11:00" in response.get_data(as_text=True)
    assert _log(client, me, starts_at="12:00", ends_at="13:00").status_code == 200

    app.config["VOLUNTEER_MAX_HOURS_PER_DAY"] = 4
    response = _log(client, me, starts_at="14:00", ends_at="15:30")
    assert response.status_code == 422 and "At most 4 hours" in response.get_data(as_text=True)
    assert db.session.query(HourEntry).count() == 3


def test_a_volunteer_never_sees_another_volunteers_entries(client, db, make, login, world, me):
    other = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name="赵玥")
    theirs = make.hour_entry(other, D, activity="书法课助教")
    login(client, world.users["volunteer"])
    for url in (f"/volunteers/{other.id}", f"/volunteers/{other.id}/hours", f"/volunteers/{other.id}/totals",
                f"/hours/{theirs.id}/edit", f"/sites/{world.site.id}/hours/pending"):
        assert client.get(url).status_code == 403, url
    assert _log(client, other).status_code == 403
    own = client.get(f"/volunteers/{me.id}/hours").get_data(as_text=True)
    assert "书法课助教" not in own and "赵玥" not in own
    assert db.session.query(HourEntry).filter_by(profile_id=other.id).count() == 1


def test_totals_per_season_and_overall(client, db, make, login, world, me):
    last_year = make.season(world.site, "2024年暑期", start_date=date(2024, 7, 8), end_date=date(2024, 8, 30))
    make.hour_entry(me, D, "09:00", "12:00", status="approved", season=world.season)
    make.hour_entry(me, D + timedelta(days=1), "09:00", "10:00", season=world.season)
    make.hour_entry(me, date(2024, 7, 10), "14:00", "16:00", status="approved", season=last_year)
    make.hour_entry(me, date(2024, 7, 11), "14:00", "15:00", status="rejected", season=last_year)
    login(client, world.users["volunteer"])
    html = client.get(f"/volunteers/{me.id}").get_data(as_text=True)
    assert 'data-testid="approved-total">5<' in html and 'data-testid="pending-total">1<' in html
    assert html.index("2025年暑期") < html.index("2024年暑期")


def test_coordinator_approves_and_rejects_in_bulk(client, db, make, login, world, me):
    entries = [make.hour_entry(me, D + timedelta(days=i)) for i in range(4)]
    login(client, world.users["coordinator"])
    queue = client.get(f"/sites/{world.site.id}/hours/pending").get_data(as_text=True)
    assert 'data-testid="queue-count">4<' in queue

    response = client.post(f"/sites/{world.site.id}/hours/review",
                           data={"ids": [entries[0].id, entries[1].id], "action": "approve"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "hours-changed"
    assert 'data-testid="queue-count">2<' in response.get_data(as_text=True)
    db.session.refresh(entries[0])
    assert entries[0].status == "approved" and entries[0].reviewed_by_id == world.users["coordinator"].id

    client.post("/auth/language", data={"locale": "en"})
    response = client.post(f"/sites/{world.site.id}/hours/review",
                           data={"ids": [entries[2].id], "action": "reject"}, headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Say why" in response.get_data(as_text=True)
    response = client.post(f"/sites/{world.site.id}/hours/review", data={"reject_one": entries[2].id,
                                                                         "reason": "当天未到岗"})
    assert response.status_code == 303
    db.session.refresh(entries[2])
    assert (entries[2].status, entries[2].reject_reason) == ("rejected", "当天未到岗")

    response = client.post(f"/sites/{world.site.id}/hours/review", data={"action": "approve"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "Choose at least one entry" in response.get_data(as_text=True)
    response = client.post(f"/sites/{world.site.id}/hours/review", data={"ids": ["x"], "action": "approve"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422

    client.post(f"/sites/{world.site.id}/hours/review", data={"scope": "page", "page_ids": [entries[3].id]})
    db.session.refresh(entries[3])
    assert entries[3].status == "approved"


def test_review_never_touches_entries_of_another_site(client, db, make, login, world):
    other_profile = make.volunteer_profile(make.user("volunteer", world.other_site), world.other_site)
    theirs = make.hour_entry(other_profile, D)
    mine = make.hour_entry(make.volunteer_profile(world.users["volunteer"], world.site), D)
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})
    response = client.post(f"/sites/{world.site.id}/hours/review",
                           data={"ids": [mine.id, theirs.id], "action": "approve"})
    assert response.status_code == 303
    queue = client.get(response.location).get_data(as_text=True)
    assert "belong to another site" in queue and 'data-testid="queue-count">1<' in queue
    db.session.refresh(theirs)
    db.session.refresh(mine)
    assert theirs.status == mine.status == "pending"  # refused as a whole
    response = client.post(f"/sites/{world.site.id}/hours/review", data={"approve_one": theirs.id},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422 and "belong to another site" in response.get_data(as_text=True)


def _bulk(client, db, make, world, profile, n, count_queries):
    from app.extensions import db as _db
    from app.volunteers.models import HourEntry as H

    base = date(2020, 1, 1)
    _db.session.bulk_insert_mappings(H, [dict(
        profile_id=profile.id, site_id=profile.site_id, work_date=base + timedelta(days=i),
        starts_at=datetime(2020, 1, 1, 9).time(), ends_at=datetime(2020, 1, 1, 10).time(), minutes=60,
        activity="辅导", source="manual", status="pending", reject_reason="") for i in range(n)])
    _db.session.commit()
    ids = [i for (i,) in _db.session.query(H.id).filter(H.status == "pending")]
    with count_queries() as counter:
        response = client.post(f"/sites/{world.site.id}/hours/review", data={"ids": ids, "action": "approve"})
    assert response.status_code == 303
    assert _db.session.query(H).filter(H.status == "approved").count() >= n
    return counter.count


def test_bulk_approval_runs_a_constant_number_of_queries(client, db, make, login, world, me, count_queries):
    login(client, world.users["coordinator"])
    client.csrf_token()
    small = _bulk(client, db, make, world, me, 10, count_queries)
    large = _bulk(client, db, make, world, me, 1000, count_queries)
    assert large == small, (small, large)


def test_coordinator_corrects_an_entry_and_the_original_is_kept(client, db, make, login, world, me):
    entry = make.hour_entry(me, D, "09:00", "12:00", status="approved", season=world.season)
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})
    form = client.get(f"/hours/{entry.id}/edit").get_data(as_text=True)
    assert 'value="12:00"' in form and 'value="三年级数学辅导"' in form
    assert re.search(r'<input[^>]*name="reason"[^>]*value=""', form)  # the reason is asked anew
    data = {"work_date": D.isoformat(), "starts_at": "09:00", "ends_at": "11:00", "activity": "三年级数学辅导",
            "status": "approved"}
    response = client.post(f"/hours/{entry.id}/edit", data=data)
    assert response.status_code == 422 and "This field is required" in response.get_data(as_text=True)
    response = client.post(f"/hours/{entry.id}/edit", data={**data, "reason": "签到表显示11点离开"})
    assert response.status_code == 303 and response.location.endswith(f"/volunteers/{me.id}")
    assert "the original is kept in its history" in client.get(response.location).get_data(as_text=True)
    db.session.refresh(entry)
    assert (entry.minutes, entry.ends_at.strftime("%H:%M")) == (120, "11:00")
    correction = db.session.query(HourCorrection).one()
    assert correction.old_values == {"ends_at": "12:00"} and correction.new_values == {"ends_at": "11:00"}
    assert correction.changed_by_id == world.users["coordinator"].id and correction.reason == "签到表显示11点离开"
    history = client.get(f"/hours/{entry.id}/edit").get_data(as_text=True)
    assert "签到表显示11点离开" in history and "12:00" in history

    response = client.post(f"/hours/{entry.id}/edit", data={**data, "ends_at": "11:00", "reason": "again"})
    assert response.status_code == 422 and "Nothing was changed" in response.get_data(as_text=True)
    response = client.post(f"/hours/{entry.id}/edit", data={**data, "ends_at": "08:00", "reason": "typo"})
    assert response.status_code == 422
    assert db.session.query(HourCorrection).count() == 1


def test_shift_source_is_recorded(db, make, world, me):
    from app.volunteers import services

    entry = services.log_hours(me, {"work_date": D, "starts_at": datetime(2025, 1, 1, 8).time(),
                                    "ends_at": datetime(2025, 1, 1, 9).time(), "activity": "签到"},
                               world.users["coordinator"], source="shift")
    db.session.commit()
    assert entry.source == "shift" and entry.status == "pending"


def test_the_check_constraints_hold_in_the_database(db, make, world, me):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        make.hour_entry(me, D, "10:00", "09:00")
    db.session.rollback()
    with pytest.raises(IntegrityError):
        make.hour_entry(me, D, status="done")
    db.session.rollback()


# --- bugs the suite used to miss -------------------------------------------------------------------
def test_a_new_entry_enclosing_an_old_one_is_an_overlap(client, db, make, login, world, me):
    make.hour_entry(me, D, "09:00", "11:00")
    login(client, world.users["volunteer"])
    client.post("/auth/language", data={"locale": "en"})
    response = _log(client, me, starts_at="08:00", ends_at="12:00")
    assert response.status_code == 422
    assert "overlaps your entry from 09:00 to 11:00" in response.get_data(as_text=True)
    response = _log(client, me, starts_at="09:30", ends_at="10:30")  # and one inside an old one
    assert response.status_code == 422
    assert db.session.query(HourEntry).count() == 1


def test_a_correction_keeps_the_rules_of_the_day(app, client, db, make, login, world, me):
    morning = make.hour_entry(me, D, "09:00", "11:00", status="approved", season=world.season)
    afternoon = make.hour_entry(me, D, "13:00", "15:00", season=world.season)
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})
    data = {"work_date": D.isoformat(), "starts_at": "10:00", "ends_at": "15:00", "activity": "三年级数学辅导",
            "status": "pending", "reason": "签到表"}
    response = client.post(f"/hours/{afternoon.id}/edit", data=data)
    assert response.status_code == 422
    assert "overlaps your entry from 09:00 to 11:00" in response.get_data(as_text=True)

    app.config["VOLUNTEER_MAX_HOURS_PER_DAY"] = 5
    response = client.post(f"/hours/{afternoon.id}/edit", data={**data, "starts_at": "12:00", "ends_at": "16:00"})
    assert response.status_code == 422 and "At most 5 hours" in response.get_data(as_text=True)

    db.session.refresh(afternoon)
    db.session.refresh(morning)
    assert (afternoon.starts_at.strftime("%H:%M"), afternoon.ends_at.strftime("%H:%M")) == ("13:00", "15:00")
    assert db.session.query(HourCorrection).count() == 0


def test_an_activity_with_markup_shows_as_text_in_the_queue(app, client, db, login, make, world, me):
    login(client, world.users["volunteer"])
    assert _log(client, me, activity='<script>alert("x")</script><b>辅导</b>').status_code == 200
    client = app.test_client()
    login(client, world.users["coordinator"])
    for headers in ({}, {"HX-Request": "true"}):
        html = client.get(f"/sites/{world.site.id}/hours/pending", headers=headers).get_data(as_text=True)
        assert "&lt;script&gt;alert(" in html and "&lt;b&gt;辅导&lt;/b&gt;" in html
        assert '<script>alert("x")' not in html and "<b>辅导</b>" not in html


def test_every_text_of_a_queue_row_is_escaped(client, db, login, make, world):
    """The queue's rows are written without autoescaping (for speed): each text in them is escaped
    by hand, the volunteer's name (twice), their team, the activity, the duration, the labels."""
    team = make.party(world.site, "volunteer", '<i>"队"</i> & 服务')
    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name='<b>王"浩然</b>',
                                     party_id=team.id)
    entry = make.hour_entry(profile, D, activity="<script>x()</script> & 'y'", source="shift")
    login(client, world.users["coordinator"])
    for headers in ({}, {"HX-Request": "true"}):
        html = client.get(f"/sites/{world.site.id}/hours/pending", headers=headers).get_data(as_text=True)
        row = html[html.index(f'data-testid="pending-{entry.id}"'):]
        row = row[:row.index("</tr>")]
        assert row.count("&lt;b&gt;王&#34;浩然&lt;/b&gt;") == 2, row
        assert "&lt;i&gt;&#34;队&#34;&lt;/i&gt; &amp; 服务" in row
        assert "&lt;script&gt;x()&lt;/script&gt; &amp; &#39;y&#39;" in row
        assert "<b>" not in row and "<i>" not in row and "<script>" not in row and '王"' not in row
        assert f'href="/volunteers/{profile.id}"' in row and f'href="/hours/{entry.id}/edit"' in row


def test_the_queue_shows_who_and_what_and_loads_only_those_columns(client, db, make, login, world, count_queries):
    team = make.party(world.site, "volunteer", "湖州师范学院青年志愿者服务队")
    login(client, world.users["coordinator"])
    client.csrf_token()

    def page(n):
        for i in range(n):
            profile = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name=f"志愿者{i}{n}",
                                             party_id=team.id if i % 2 else None)
            make.hour_entry(profile, D + timedelta(days=i), activity=f"活动{i}{n}")
        with count_queries() as counter:
            html = client.get(f"/sites/{world.site.id}/hours/pending").get_data(as_text=True)
        assert f"志愿者0{n}" in html and f"活动{n - 1}{n}" in html and team.name in html
        return counter

    few, many = page(3), page(30)
    assert many.count == few.count, (few.statements, many.statements)
    entry_reads = [s for s in many.statements if "hour_entries" in s]
    assert len(entry_reads) == 1, entry_reads  # one query, columns only (fewer than 100 waiting: no count)
    assert "hour_entries.created_by_id" not in entry_reads[0] and "users" not in entry_reads[0]


def test_the_volunteer_page_reads_each_fact_once(client, db, make, login, world, me, count_queries):
    kind = make.training_kind(world.site, "儿童保护")
    make.volunteer_settings(world.site)
    login(client, world.users["volunteer"])
    client.post("/auth/language", data={"locale": "en"})
    recent = local_today() - timedelta(days=30)

    def page():
        client.get(f"/volunteers/{me.id}")  # the same session twice: both measured alike
        with count_queries() as counter:
            html = client.get(f"/volunteers/{me.id}").get_data(as_text=True)
        assert "儿童保护" in html
        return counter, html

    def add(n, first_day):
        make.training(kind, recent - timedelta(days=n), [me])
        for i in range(n):
            make.background_check(me, recent - timedelta(days=400 * (i + 1)))
            make.hour_entry(me, first_day + timedelta(days=i), status="approved", season=world.season)
        make.certificate(me, first_day, first_day + timedelta(days=n))

    add(1, D)
    few, _ = page()
    add(5, D + timedelta(days=10))
    make.background_check(me, recent)
    many, html = page()
    assert "May work with children today." in html and recent.isoformat() in html
    assert many.count == few.count, "\n".join(s[:150] for s in many.statements) + "\n----\n" + "\n".join(
        s[:150] for s in few.statements)
    assert len([s for s in many.statements if "FROM background_checks" in s]) == 1
    assert len([s for s in many.statements if "FROM training_kinds" in s]) == 1  # the facts are read once


def test_hub_and_tabs_show_what_each_role_may_open(app, client, db, make, login, world, me):
    make.hour_entry(me, D)
    make.application(world.site)
    login(client, world.users["coordinator"])
    hub = client.get("/volunteers").get_data(as_text=True)
    card = hub[hub.index(f'data-testid="hub-site-{world.site.id}"'):]
    assert f'href="/sites/{world.site.id}/hours/pending"' in card and f'href="/sites/{world.site.id}/applications"' in card
    assert f'data-testid="hub-site-{world.other_site.id}"' not in hub  # not their site
    tabs = client.get(f"/sites/{world.site.id}/volunteers").get_data(as_text=True)
    assert f'href="/sites/{world.site.id}/hours/pending"' in tabs
    assert f'href="/sites/{world.site.id}/volunteer-settings"' in tabs

    auditor = app.test_client()
    login(auditor, world.users["auditor"])
    hub = auditor.get("/volunteers").get_data(as_text=True)
    assert f'href="/sites/{world.site.id}/volunteers"' in hub
    assert "/hours/pending" not in hub and "/applications" not in hub  # pages an auditor may not open
    tabs = auditor.get(f"/sites/{world.site.id}/volunteers").get_data(as_text=True)
    assert f'href="/sites/{world.site.id}/certificates"' in tabs
    assert "/hours/pending" not in tabs and "/volunteer-settings" not in tabs


def test_the_queue_counts_what_waits_beyond_its_page_in_the_same_statement(app, db, make, world, count_queries):
    from app.core.formats import format_duration
    from app.volunteers.queries import pending_queue

    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site)
    with app.test_request_context():
        assert (pending_queue(world.site).items, pending_queue(world.site).total) == ([], 0)
        entries = [make.hour_entry(profile, D + timedelta(days=i)) for i in range(5)]
        make.hour_entry(profile, D, status="approved")
        with count_queries() as reads:
            page = pending_queue(world.site, per_page=3)
        assert reads.count == 1 and [e.id for e in page.items] == [e.id for e in entries[:3]]
        assert (page.total, page.pages) == (5, 2)
        assert [page.duration(e.minutes) for e in page.items] == [format_duration(120)] * 3
        whole = pending_queue(world.site, per_page=10)
        assert (len(whole.items), whole.total, whole.pages) == (5, 5, 1)

"""The one rule that gates rostering with children, with every reason it can give."""
from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from app.core.timeutil import utcnow
from app.volunteers.eligibility import add_months, eligibility, eligibility_many

DAY = date(2025, 7, 15)


@pytest.fixture
def ready(make, world):
    """A volunteer who is eligible on DAY: a clear check and both required trainings current."""
    profile = make.volunteer_profile(world.users["volunteer"], world.site, real_name="王浩然",
                                     birth_date=date(2003, 5, 1))
    fire = make.training_kind(world.site, "消防安全与疏散", validity_months=12)
    child = make.training_kind(world.site, "儿童保护", validity_months=24)
    make.training_kind(world.site, "急救", validity_months=12, required=False)
    make.background_check(profile, date(2025, 3, 1))
    make.training(fire, date(2024, 9, 1), [profile])
    make.training(child, date(2025, 6, 1), [profile])
    return dict(profile=profile, fire=fire, child=child)


def _reasons(profile, day=DAY):
    with force_locale("en"):
        result = eligibility(profile, day)
    assert result.ok is (not result.reasons)
    return result.reasons


def test_eligible_with_current_check_and_trainings(app, ready):
    assert _reasons(ready["profile"]) == []
    assert eligibility(ready["profile"], DAY)


def test_a_required_training_that_lapsed_is_named_with_its_date(app, ready):
    assert _reasons(ready["profile"], date(2025, 9, 1)) == ["消防安全与疏散 training expired on 2025-09-01."]
    with force_locale("zh_CN"):
        reason = eligibility(ready["profile"], date(2025, 9, 1)).reasons[0]
    assert "消防安全与疏散" in reason and "2025-09-01" in reason


def test_a_missing_required_training(app, make, world, ready):
    make.training_kind(world.site, "食品卫生", required=True)
    assert _reasons(ready["profile"]) == ["No 食品卫生 training on record."]


def test_a_training_after_the_day_does_not_count(app, make, ready):
    late = make.training_kind(ready["profile"].site, "防溺水", required=True)
    make.training(late, date(2025, 8, 1), [ready["profile"]])
    assert _reasons(ready["profile"]) == ["No 防溺水 training on record."]
    assert _reasons(ready["profile"], date(2025, 8, 2)) == []


def test_optional_and_archived_trainings_are_not_required(app, db, make, world, ready):
    kind = make.training_kind(world.site, "手工", required=True)
    kind.archived_at = utcnow()
    db.session.commit()
    assert _reasons(ready["profile"]) == []


def test_no_background_check(app, make, world):
    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site)
    assert _reasons(profile) == ["No background check on record."]


def test_background_check_lapses_after_a_year(app, ready):
    assert _reasons(ready["profile"], date(2026, 3, 1))[0] == "The background check expired on 2026-03-01."
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_a_check_that_found_a_record(app, make, ready):
    make.background_check(ready["profile"], date(2025, 7, 1), result="record")
    assert _reasons(ready["profile"]) == [
        "The background check of 2025-07-01 found a record: may not work with children."]


def test_a_minor_needs_a_guardians_consent(app, db, ready):
    profile = ready["profile"]
    profile.birth_date = date(2009, 1, 1)
    db.session.commit()
    assert _reasons(profile) == ["Under 18 and no guardian's consent is recorded."]
    profile.guardian_consent = True
    db.session.commit()
    assert _reasons(profile) == []


def test_an_archived_profile(app, db, ready):
    ready["profile"].archived_at = utcnow()
    db.session.commit()
    assert _reasons(ready["profile"]) == ["The volunteer's profile is archived."]


def test_several_reasons_at_once(app, db, make, world):
    profile = make.volunteer_profile(make.user("volunteer", world.site), world.site, birth_date=date(2010, 1, 1))
    make.training_kind(world.site, "儿童保护")
    assert _reasons(profile) == ["Under 18 and no guardian's consent is recorded.",
                                 "No background check on record.", "No 儿童保护 training on record."]


def test_many_volunteers_cost_the_same_queries(app, db, make, world, ready, count_queries):
    from app.volunteers.models import VolunteerProfile

    for _ in range(12):
        make.volunteer_profile(make.user("volunteer", world.site), world.site)
    profiles = db.session.query(VolunteerProfile).order_by(VolunteerProfile.id.desc()).all()
    with force_locale("en"), count_queries() as one:
        eligibility_many(profiles[:1], DAY)
    with force_locale("en"), count_queries() as many:
        result = eligibility_many(profiles, DAY)
    assert one.count == many.count == 3
    assert sum(r.ok for r in result.values()) == 1  # only `ready`


def test_reasons_show_on_the_list_and_the_due_soon_page(client, login, make, world, ready):
    stranger = make.volunteer_profile(make.user("volunteer", world.site), world.site, real_name="赵堃")
    login(client, world.users["coordinator"])
    client.post("/auth/language", data={"locale": "en"})
    html = client.get(f"/sites/{world.site.id}/volunteers").get_data(as_text=True)
    row = html[html.index(f'data-testid="volunteer-{stranger.id}"'):]
    assert "No background check on record." in row[:3000]
    due = client.get(f"/sites/{world.site.id}/volunteers/due").get_data(as_text=True)
    assert "赵堃" in due and "Background check" in due

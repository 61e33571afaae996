"""Every endpoint × every role: each view declares the need this table expects, and the walk
enforces the table's need, not the view's.

The table below is the test's own: it is written independently of app/core/permissions.py and of
the views. Loosening ``@requires`` on one view (say, hours review to SITE_VIEW so an auditor could
approve) fails twice: the declared need differs from the table, and the walk finds the auditor
let in. A new endpoint without an entry fails with a message that says to add one.
"""
from __future__ import annotations

import pytest

from app import create_app
from app.config import TestConfig
from tests.core.routes import ROLES_IN_ORDER, endpoint_rules, fill, route_values

EVERYONE = set(ROLES_IN_ORDER)
ALLOWED = {
    "public": EVERYONE,
    "signed_in": EVERYONE - {"anonymous"},
    "administer": {"admin"},
    "staff": {"admin", "coordinator", "auditor", "other_coordinator"},
    "site.view": {"admin", "coordinator", "auditor"},
    "site.manage": {"admin", "coordinator"},
    # the volunteer's own objects: the "volunteer" user owns those filled into the URLs (routes.py)
    "volunteer.own": {"admin", "coordinator", "volunteer"},
    "volunteer.self": {"volunteer"},
    "volunteer.here": {"volunteer"},  # a volunteer of the object's site
    "coordinate": {"admin", "coordinator", "other_coordinator"},
    # menus without children's names: the site's staff and its guardians
    "meals.view": {"admin", "coordinator", "auditor", "guardian"},
    # a session's attendance: the site's coordinators, and the "volunteer" user rostered on the session
    "attendance.take": {"admin", "coordinator", "volunteer"},
    # a session's allergy list: the site's coordinators and the volunteer rostered on it (routes.py)
    "session.allergies": {"admin", "coordinator", "volunteer"},
    "guardian.self": {"guardian"},
    # the child's guardian phone is the world's guardian's phone (routes.py)
    "guardian.own_child": {"guardian"},
}

# The audit trail moves from the children area to admin (same URL /audit, same need): exactly one
# of these two endpoints exists, before and after that change.
AUDIT_TRAIL_ENDPOINTS = ("children.audit_trail", "admin.audit_trail")

EXPECTED_NEED = {
    # admin
    "admin.audit_trail": "administer",
    "admin.add_grant": "administer",
    "admin.invite": "administer",
    "admin.remove_grant": "administer",
    "admin.toggle_active": "administer",
    "admin.user": "administer",
    "admin.users": "administer",
    # auth
    "auth.accept_invitation": "public",
    "auth.change_password": "signed_in",
    "auth.login": "public",
    "auth.logout": "signed_in",
    "auth.set_language": "public",
    # children
    "children.audit_trail": "administer",
    "children.child_detail": "site.manage",
    "children.child_edit": "site.manage",
    "children.child_enrol": "site.manage",
    "children.child_erase": "site.manage",
    "children.child_export": "site.manage",
    "children.child_list": "site.manage",
    "children.child_new": "site.manage",
    "children.consent": "site.manage",
    "children.enrolment_decide": "site.manage",
    "children.enrolment_withdraw": "site.manage",
    "children.guardian_archive": "site.manage",
    "children.guardian_create": "site.manage",
    "children.guardian_edit": "site.manage",
    "children.guardian_list": "site.manage",
    "children.guardian_row": "site.manage",
    "children.import_cancel": "site.manage",
    "children.import_confirm": "site.manage",
    "children.import_preview": "site.manage",
    "children.import_start": "site.manage",
    "children.import_template": "coordinate",
    "children.index": "coordinate",
    "children.pickup_archive": "site.manage",
    "children.pickup_create": "site.manage",
    "children.pickup_edit": "site.manage",
    "children.pickup_list": "site.manage",
    "children.pickup_row": "site.manage",
    "children.promote": "site.manage",
    "children.roster": "site.manage",
    "children.roster_export": "site.manage",
    # daily (issue 11)
    "daily.alert_acknowledge": "site.manage",
    "daily.alert_resolve": "site.manage",
    "daily.alerts": "site.view",
    "daily.arrive": "site.manage",
    "daily.attendance": "attendance.take",
    "daily.attendance_all_present": "attendance.take",
    "daily.attendance_history": "attendance.take",
    "daily.attendance_mark": "attendance.take",
    "daily.attendance_rates": "site.view",
    "daily.child_homework": "site.view",
    "daily.depart": "site.manage",
    "daily.excuse": "site.manage",
    "daily.homework": "site.view",
    "daily.incident": "site.view",
    "daily.incident_addendum": "site.manage",
    "daily.incident_new": "site.manage",
    "daily.incident_report": "site.manage",
    "daily.incidents": "site.view",
    "daily.interest_participation": "site.view",
    "daily.paper_entry": "site.manage",
    "daily.pickup_exception": "site.manage",
    "daily.plan_create": "site.manage",
    "daily.progress_add": "site.manage",
    "daily.settings": "site.manage",
    "daily.sheet": "site.view",
    "daily.site_homework": "site.view",
    "daily.today": "site.view",
    # health and meals
    "health.check_add": "site.manage",
    "health.family_menu": "meals.view",
    "health.session_allergies": "session.allergies",
    "health.my_children": "guardian.self",
    "health.child_meals": "guardian.own_child",
    "health.food_edit": "site.manage",
    "health.food_new": "site.manage",
    "health.foods": "site.view",
    "health.health_day": "site.manage",
    "health.meal_day": "site.view",
    "health.medicine_add": "site.manage",
    "health.menu_add": "site.manage",
    "health.menu_add_form": "site.manage",
    "health.menu_copy": "site.manage",
    "health.menu_pdf": "meals.view",
    "health.menu_remove": "site.manage",
    "health.menu_week": "site.view",
    "health.recipe": "site.view",
    "health.recipe_create": "site.manage",
    "health.recipe_edit": "site.manage",
    "health.recipe_item_add": "site.manage",
    "health.recipe_item_remove": "site.manage",
    "health.recipes": "site.view",
    "health.sample_add": "site.manage",
    "health.served_set": "site.manage",
    "health.site_menus": "site.view",
    "health.substitution_add": "site.manage",
    # main
    "main.dashboard": "signed_in",
    "main.healthz": "public",
    "main.index": "public",
    # scheduling
    "scheduling.activity_archive": "site.manage",
    "scheduling.activity_create": "site.manage",
    "scheduling.activity_edit": "site.manage",
    "scheduling.activity_list": "site.view",
    "scheduling.activity_row": "site.view",
    "scheduling.assign_by_grade": "site.manage",
    "scheduling.calendar_feed": "public",
    "scheduling.child_calendar_issue": "site.manage",
    "scheduling.child_calendar_revoke": "site.manage",
    "scheduling.child_week": "site.manage",
    "scheduling.group_archive": "site.manage",
    "scheduling.group_create": "site.manage",
    "scheduling.group_edit": "site.manage",
    "scheduling.group_list": "site.view",
    "scheduling.group_members": "site.view",
    "scheduling.group_members_save": "site.manage",
    "scheduling.group_row": "site.view",
    "scheduling.group_timetable": "site.view",
    "scheduling.room_timetable": "site.view",
    "scheduling.schedule_create": "site.manage",
    "scheduling.schedule_edit": "site.manage",
    "scheduling.schedules": "site.view",
    "scheduling.session_cancel": "site.manage",
    "scheduling.session_create": "site.manage",
    "scheduling.session_detail": "site.view",
    "scheduling.session_edit": "site.manage",
    "scheduling.session_new": "site.manage",
    "scheduling.settings": "site.manage",
    "scheduling.week": "site.view",
    # scheduling: staffing (rosters, open shifts, my shifts, calendar feeds)
    "scheduling.my_calendar": "volunteer.self",
    "scheduling.my_calendar_revoke": "volunteer.self",
    "scheduling.my_shifts": "volunteer.self",
    "scheduling.my_unavailable": "volunteer.self",
    "scheduling.my_unavailable_remove": "volunteer.self",
    "scheduling.season_shifts": "site.view",
    "scheduling.session_staff": "site.view",
    "scheduling.shift_sign_up": "volunteer.here",
    "scheduling.shifts_feed": "public",
    "scheduling.staff_add": "site.manage",
    "scheduling.staff_check_in": "volunteer.own",
    "scheduling.staff_check_out": "volunteer.own",
    "scheduling.staff_confirm": "volunteer.own",
    "scheduling.staff_give_up": "volunteer.own",
    "scheduling.staff_lead": "site.manage",
    "scheduling.staff_remove": "site.manage",
    "scheduling.staff_take": "volunteer.here",
    # resources
    "resources.allocate": "site.manage",
    "resources.donation": "site.view",
    "resources.donations": "site.view",
    "resources.ledger": "site.view",
    "resources.record_donation": "site.manage",
    "resources.site_ledger": "site.view",
    # sites
    "sites.overview": "site.view",
    "sites.season_overview": "site.view",
    "sites.party_archive": "site.manage",
    "sites.party_create": "site.manage",
    "sites.party_edit": "site.manage",
    "sites.party_list": "site.view",
    "sites.party_row": "site.view",
    "sites.room_archive": "site.manage",
    "sites.room_create": "site.manage",
    "sites.room_edit": "site.manage",
    "sites.room_list": "site.view",
    "sites.room_row": "site.view",
    "sites.season_archive": "site.manage",
    "sites.season_create": "site.manage",
    "sites.season_edit": "site.manage",
    "sites.season_list": "site.view",
    "sites.season_row": "site.view",
    "sites.site_archive": "administer",
    "sites.site_create": "administer",
    "sites.site_edit": "administer",
    "sites.site_list": "staff",
    "sites.site_row": "site.view",
    "sites.theme_week_archive": "site.manage",
    "sites.theme_week_create": "site.manage",
    "sites.theme_week_edit": "site.manage",
    "sites.theme_week_list": "site.view",
    "sites.theme_week_row": "site.view",
    # volunteers
    "volunteers.accept": "site.manage",
    "volunteers.add_check": "site.manage",
    "volunteers.applications": "site.manage",
    "volunteers.archive_profile": "site.manage",
    "volunteers.certificate_pdf": "volunteer.own",
    "volunteers.change_entry": "volunteer.own",
    "volunteers.withdraw_entry": "volunteer.own",
    "volunteers.certificates": "site.view",
    "volunteers.correct": "site.manage",
    "volunteers.decline": "site.manage",
    "volunteers.due": "site.view",
    "volunteers.edit_profile": "site.manage",
    "volunteers.home": "volunteer.own",
    "volunteers.hours": "volunteer.own",
    "volunteers.index": "staff",
    "volunteers.invite": "site.manage",
    "volunteers.issue_certificate": "volunteer.own",
    "volunteers.join": "public",
    "volunteers.join_privacy": "public",
    "volunteers.log_hours": "volunteer.own",
    "volunteers.me": "volunteer.self",
    "volunteers.profile_list": "site.view",
    "volunteers.queue": "site.manage",
    "volunteers.record_training": "site.manage",
    "volunteers.review": "site.manage",
    "volunteers.settings": "site.manage",
    "volunteers.totals": "volunteer.own",
    "volunteers.training_kind_archive": "site.manage",
    "volunteers.training_kind_create": "site.manage",
    "volunteers.training_kind_edit": "site.manage",
    "volunteers.training_kind_list": "site.view",
    "volunteers.training_kind_row": "site.view",
    "volunteers.trainings": "site.view",
    "volunteers.verify": "public",
    "volunteers.void_certificate": "site.manage",
}


def _app():
    return create_app(TestConfig("sqlite://"))


def _walk_params():
    return [pytest.param(endpoint, rule, method, id=f"{method} {rule}")
            for endpoint, rule, method in endpoint_rules(_app())]


def test_every_endpoint_has_an_expected_need(app):
    endpoints = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = {endpoint: rule for endpoint, rule in endpoints.items() if endpoint not in EXPECTED_NEED}
    assert not missing, (
        "endpoints without an entry in EXPECTED_NEED (tests/core/test_permissions.py): "
        + ", ".join(f"{endpoint} ({rule})" for endpoint, rule in sorted(missing.items()))
        + " — add each with the need it should have")
    audit = [endpoint for endpoint in AUDIT_TRAIL_ENDPOINTS if endpoint in endpoints]
    assert len(audit) == 1, f"exactly one audit trail endpoint expected, found {audit}"
    assert endpoints[audit[0]] == "/audit"
    stale = set(EXPECTED_NEED) - set(endpoints) - set(AUDIT_TRAIL_ENDPOINTS)
    assert not stale, f"EXPECTED_NEED names endpoints the app no longer has: {sorted(stale)}"
    assert set(EXPECTED_NEED.values()) <= set(ALLOWED)


def test_every_view_declares_the_expected_need(app):
    wrong = {}
    for endpoint, view in app.view_functions.items():
        if endpoint == "static" or endpoint not in EXPECTED_NEED:
            continue  # a missing entry is reported by the test above
        declared = getattr(view, "access_need", None)
        if declared != EXPECTED_NEED[endpoint]:
            wrong[endpoint] = (declared, EXPECTED_NEED[endpoint])
    assert not wrong, "views whose @requires differs from EXPECTED_NEED (declared, expected): " + ", ".join(
        f"{endpoint}: {pair}" for endpoint, pair in sorted(wrong.items()))


@pytest.mark.parametrize("endpoint,rule,method", _walk_params())
def test_route_by_role(app, db, make, login, world, endpoint, rule, method):
    assert endpoint in EXPECTED_NEED, f"{endpoint} ({rule}) has no entry in EXPECTED_NEED: add it"
    need = EXPECTED_NEED[endpoint]  # the table's need, never the view's
    url = fill(rule, route_values(db, make, world))

    for role in ROLES_IN_ORDER:
        client = app.test_client()
        if role != "anonymous":
            login(client, world.users[role])
        data = {"csrf_token": client.csrf_token()} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        status = response.status_code
        assert status < 500, f"{role} {method} {url} -> {status}"
        if role in ALLOWED[need]:
            assert status not in (401, 403), f"{role} should reach {method} {url}, got {status}"
            if need != "public":
                assert "/auth/login?next=" not in (response.location or ""), f"{role} sent to sign in for {url}"
        elif role == "anonymous":
            assert status == 302 and "/auth/login" in response.location, f"anonymous {url} -> {status}"
        else:
            assert status == 403, f"{role} should be refused {method} {url} (needs {need}), got {status}"


def test_object_of_another_site_is_refused(app, make, login, world):
    """A coordinator of another site gets 403 on this site's objects, through every loader."""
    client = app.test_client()
    login(client, world.users["other_coordinator"])
    for url in (f"/sites/{world.site.id}/overview", f"/sites/{world.site.id}/seasons",
                f"/seasons/{world.season.id}/edit", f"/rooms/{world.room.id}/edit",
                f"/parties/{world.party.id}/edit"):
        assert client.get(url).status_code == 403, url
    assert client.get("/seasons/999999/edit").status_code == 404

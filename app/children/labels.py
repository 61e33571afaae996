from flask_babel import lazy_gettext as _l

from app.children.models import GRADES

SEX_LABELS = {"m": _l("Boy"), "f": _l("Girl")}
GRADE_LABELS = dict(zip(GRADES, (
    _l("Grade 1"), _l("Grade 2"), _l("Grade 3"), _l("Grade 4"), _l("Grade 5"), _l("Grade 6"),
    _l("Grade 7"), _l("Grade 8"), _l("Grade 9"))))
STATUS_LABELS = {
    "applied": _l("Applied"),
    "enrolled": _l("Enrolled"),
    "waitlisted": _l("Waitlisted"),
    "withdrawn": _l("Withdrawn"),
}
ACTION_LABELS = {
    "view": _l("Viewed"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "consent": _l("Consent recorded"),
    "enrol": _l("Enrolment"),
    "import": _l("Imported"),
    "export": _l("Exported"),
    "erase": _l("Erased"),
}

# --- the audit trail (app.core.audit): events written by the children area, in the reader's language.
# Details carry ids and field names only; ``season`` ids are named when the trail is read.
from app.core.audit import register_events, register_field_labels, register_legacy, register_names  # noqa: E402

register_events({
    "child.viewed": _l("Viewed the child's record"),
    "child.created": _l("Registered the child"),
    "child.imported": _l("Registered the child from an imported list"),
    "child.changed": _l("Changed: %(fields)s"),
    "child.erased": _l("Erased the personal data on the guardian's request"),
    "child.exported": _l("Exported everything held about the child (%(format)s)"),
    "health.viewed": _l("Viewed the health details"),
    "guardians.viewed": _l("Viewed the guardians' phone numbers"),
    "guardian.added": _l("Added a guardian"),
    "guardian.changed": _l("Changed a guardian's details"),
    "guardian.removed": _l("Removed a guardian"),
    "pickup.added": _l("Added an authorised pickup person"),
    "pickup.changed": _l("Changed an authorised pickup person's details"),
    "pickup.removed": _l("Removed an authorised pickup person"),
    "consent.recorded": _l("Recorded the guardian's consent (notice version %(version)s)"),
    "consent.paper": _l("Recorded the guardian's paper consent form from an imported list (notice version "
                        "%(version)s)"),
    "child.merged": _l("Filled empty fields from an imported list: %(fields)s"),
    "enrolment.applied": _l("Applied for %(season)s"),
    "enrolment.enrolled": _l("Enrolled in %(season)s"),
    "enrolment.waitlisted": _l("Waitlisted for %(season)s"),
    "enrolment.withdrawn": _l("Withdrawn from %(season)s"),
    "enrolment.promoted": _l("Given a freed place in %(season)s"),
    "roster.viewed": _l("Viewed the roster of %(season)s with allergy alerts"),
    "roster.exported": _l("Exported the roster of %(season)s"),
})

# Field names in "child.changed" details are prefixed (``child.allergies``) so they never clash
# with another area's labels.
CHILD_FIELD_LABELS = {
    "name": _l("Full name"), "sex": _l("Sex"), "birth_date": _l("Birth date"), "grade": _l("Grade"),
    "school": _l("School"), "hometown": _l("Hometown"), "may_go_home_alone": _l("May go home alone"),
    "allergies": _l("Allergies"), "conditions": _l("Health conditions"), "medicines": _l("Medicines"),
    "high_risk": _l("High risk"), "notes": _l("Notes"),
}
register_field_labels({f"child.{key}": label for key, label in CHILD_FIELD_LABELS.items()})


def _season_names(ids: set[int]) -> dict[int, str]:
    from sqlalchemy import select

    from app.extensions import db
    from app.sites.models import Season

    return dict(db.session.execute(select(Season.id, Season.name).where(Season.id.in_(ids))).all())


register_names("season", _season_names)


# Entries written before events carry an English summary (the trail cannot be rewritten): read them
# as the events they were, so the trail shows them in the reader's language with names.
def _fields(match) -> dict:
    return {"fields": [f"child.{name.strip()}" for name in match.group(1).split(",") if name.strip()]}


for _pattern, _event, _details in [
    (r"record", "child.viewed", None),
    (r"health", "health.viewed", None),
    (r"guardians", "guardians.viewed", None),
    (r"created", "child.created", None),
    (r"created by import \d+", "child.imported", None),
    (r"changed: (.*)", "child.changed", _fields),
    (r"guardian added", "guardian.added", None),
    (r"guardian \d+ changed", "guardian.changed", None),
    (r"guardian \d+ removed", "guardian.removed", None),
    (r"pickup person added", "pickup.added", None),
    (r"pickup person \d+ changed", "pickup.changed", None),
    (r"pickup person \d+ removed", "pickup.removed", None),
    (r"consent to notice (.+) recorded", "consent.recorded", lambda m: {"version": m.group(1)}),
    (r"(?:applied to|applied in) season (\d+)", "enrolment.applied", lambda m: {"season": int(m.group(1))}),
    (r"enrolled in season (\d+)", "enrolment.enrolled", lambda m: {"season": int(m.group(1))}),
    (r"waitlisted in season (\d+)", "enrolment.waitlisted", lambda m: {"season": int(m.group(1))}),
    (r"withdrawn (?:from|in) season (\d+)", "enrolment.withdrawn", lambda m: {"season": int(m.group(1))}),
    (r"offered a freed place in season (\d+)", "enrolment.promoted", lambda m: {"season": int(m.group(1))}),
    (r"personal data erased on the guardian's request", "child.erased", None),
    (r"roster of season (\d+)", "roster.exported", lambda m: {"season": int(m.group(1))}),
    (r"all data exported \((\w+)\)", "child.exported", lambda m: {"format": m.group(1)}),
]:
    register_legacy(_pattern, _event, _details or (lambda match: {}))

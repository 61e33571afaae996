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

# Events of the audit trail written by the children area (app.core.audit), in the reader's language.
from app.core.audit import register_events  # noqa: E402

register_events({
    "child.viewed": _l("Viewed the child's record"),
})

from flask_babel import lazy_gettext as _l

from app.children.models import GRADES

SEX_LABELS = {"m": _l("Boy"), "f": _l("Girl")}
GRADE_LABELS = {g: _l("Grade %(grade)d", grade=g) for g in GRADES}
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

from flask_babel import lazy_gettext as _l

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "coordinator": _l("Social worker"),
    "volunteer": _l("Volunteer"),
    "guardian": _l("Parent or guardian"),
    "auditor": _l("Auditor"),
}

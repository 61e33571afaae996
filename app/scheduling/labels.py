from flask_babel import lazy_gettext as _l

TRACK_LABELS = {
    "tutoring": _l("Tutoring"),
    "interest": _l("Interest classes"),
    "health": _l("Health care"),
}
WEEKDAY_LABELS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))
STAFF_ROLE_LABELS = {"lead": _l("Lead"), "volunteer": _l("Volunteer")}
STAFF_STATUS_LABELS = {
    "rostered": _l("Rostered"),
    "confirmed": _l("Confirmed"),
    "released": _l("Released"),
    "swap_offered": _l("Offered for a swap"),
}
VIEW_LABELS = {"room": _l("By room"), "group": _l("By group"), "person": _l("By person")}

# The audit trail's words for this area's events (app.core.audit).
from app.core.audit import register_events  # noqa: E402

register_events({
    "week.viewed": _l("Viewed the child's week"),
    "calendar.issued": _l("Issued a calendar link for the child's week"),
    "calendar.revoked": _l("Revoked the child's calendar links"),
})

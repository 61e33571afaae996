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

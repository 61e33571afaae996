from flask_babel import lazy_gettext as _l

DONATION_KIND_LABELS = {
    "cash": _l("Cash"),
    "in_kind": _l("In kind"),
}
USE_LABELS = {
    "meals": _l("Meals"),
    "materials": _l("Learning materials"),
    "prizes": _l("Prizes"),
    "transport": _l("Transport"),
    "insurance": _l("Insurance"),
    "other": _l("Other"),
}

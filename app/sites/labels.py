from flask_babel import lazy_gettext as _l

PARTY_KIND_LABELS = {
    "community": _l("Community"),
    "social_org": _l("Social organisation"),
    "social_worker": _l("Social workers"),
    "volunteer": _l("Community volunteers"),
    "charity": _l("Charitable resources"),
}

from flask_babel import lazy_gettext as _l

PARTY_KIND_LABELS = {
    "community": _l("Community"),
    "social_org": _l("Social organisation"),
    "social_worker": _l("Social workers"),
    "volunteer": _l("Community volunteers"),
    "charity": _l("Charitable resources"),
}

# How the audit trail names the sites, seasons and parties its entries mention (app.core.audit).
from app.core.audit import register_names  # noqa: E402
from app.sites import queries as _queries  # noqa: E402

register_names("site", _queries.site_names)
register_names("season", _queries.season_names)
register_names("party", _queries.party_names)

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from app.core.permissions import SITE_VIEW, visible_site_ids
from app.extensions import db
from app.sites.models import Site
from app.sites.queries import current_seasons


def dashboard(user) -> dict:
    """What the home page shows: the sites the user may see (``visible_site_ids``) and those where
    they hold any role (a volunteer's or a guardian's own site), their roles there, and the newest
    seasons of each (one query for sites, one for seasons)."""
    roles_by_site: dict[int, list[str]] = defaultdict(list)
    for grant in user.grants:
        if grant.site_id is not None:
            roles_by_site[grant.site_id].append(grant.role)
    visible = visible_site_ids(user, SITE_VIEW)
    site_ids = None if visible is None else visible | set(roles_by_site)
    query = select(Site).where(Site.archived_at.is_(None)).order_by(Site.name)
    if site_ids is not None:
        query = query.where(Site.id.in_(site_ids or {-1}))
    sites = list(db.session.scalars(query.limit(50)))
    seasons_by_site = defaultdict(list)
    for season in current_seasons({site.id for site in sites}):
        seasons_by_site[season.site_id].append(season)
    return dict(sites=sites, roles_by_site=roles_by_site, seasons_by_site=seasons_by_site)

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from app.extensions import db
from app.sites.models import Site
from app.sites.queries import current_seasons


def dashboard(user) -> dict:
    """What the home page shows: the user's roles per site and the current seasons there."""
    site_ids = None if user.is_admin else user.site_ids()
    roles_by_site: dict[int, list[str]] = defaultdict(list)
    for grant in user.grants:
        if grant.site_id is not None:
            roles_by_site[grant.site_id].append(grant.role)
    query = select(Site).where(Site.archived_at.is_(None)).order_by(Site.name)
    if site_ids is not None:
        query = query.where(Site.id.in_(site_ids or {-1}))
    sites = list(db.session.scalars(query.limit(50)))
    seasons = current_seasons(site_ids)
    seasons_by_site = defaultdict(list)
    for season in seasons:
        seasons_by_site[season.site_id].append(season)
    return dict(sites=sites, roles_by_site=roles_by_site, seasons_by_site=seasons_by_site)

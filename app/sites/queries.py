from __future__ import annotations

from sqlalchemy import Select, bindparam, case, func, select

from app.core.permissions import SITE_VIEW, where_visible
from app.extensions import db
from app.sites.models import PARTY_KINDS, Party, Room, Season, Site, ThemeWeek


def sites_for(user, show_archived: bool = False) -> Select:
    """Sites the user may see in the staff area (where they hold SITE_VIEW; every site for an administrator)."""
    query = select(Site).where(where_visible(Site.id, user, SITE_VIEW)).order_by(Site.name)
    if not show_archived:
        query = query.where(Site.archived_at.is_(None))
    return query


def seasons_of(site: Site, show_archived: bool = False) -> Select:
    query = select(Season).where(Season.site_id == site.id).order_by(Season.start_date.desc())
    if not show_archived:
        query = query.where(Season.archived_at.is_(None))
    return query


def theme_weeks_of(season: Season, show_archived: bool = False) -> Select:
    return select(ThemeWeek).where(ThemeWeek.season_id == season.id).order_by(ThemeWeek.starts_on)


def rooms_of(site: Site, show_archived: bool = False) -> Select:
    query = select(Room).where(Room.site_id == site.id).order_by(Room.floor, Room.name)
    if not show_archived:
        query = query.where(Room.archived_at.is_(None))
    return query


def parties_of(site: Site, show_archived: bool = False) -> Select:
    kind_order = case({kind: i for i, kind in enumerate(PARTY_KINDS)}, value=Party.kind)
    query = select(Party).where(Party.site_id == site.id).order_by(kind_order, Party.name)
    if not show_archived:
        query = query.where(Party.archived_at.is_(None))
    return query


def site_overview(site: Site) -> dict:
    """Counts for the site page, in one query per table kind (independent of data size)."""
    counts = {}
    for key, model in (("seasons", Season), ("rooms", Room), ("parties", Party)):
        counts[key] = db.session.scalar(select(func.count()).select_from(model).where(
            model.site_id == site.id, model.archived_at.is_(None)))
    return counts


def current_seasons(site_ids: set[int] | None, per_site: int = 3) -> list[Season]:
    """The newest ``per_site`` seasons (not archived) of each site in ``site_ids`` (None: every site),
    newest first, for the dashboard (one query; a season's site is the caller's to load, the
    dashboard has them). The statement (a window function over a subquery) is built once per kind
    (some sites / every site), so each request only binds its values."""
    query = _CURRENT_SEASONS.get(site_ids is None)
    if query is None:
        rank = func.row_number().over(partition_by=Season.site_id,
                                      order_by=(Season.start_date.desc(), Season.id.desc()))
        ranked = select(Season.id, rank.label("rank")).where(Season.archived_at.is_(None))
        if site_ids is not None:
            ranked = ranked.where(Season.site_id.in_(bindparam("site_ids", expanding=True)))
        ranked = ranked.subquery()
        query = (select(Season).join(ranked, ranked.c.id == Season.id)
                 .where(ranked.c.rank <= bindparam("per_site")).order_by(Season.start_date.desc(), Season.id.desc()))
        _CURRENT_SEASONS[site_ids is None] = query
    values = {"per_site": per_site}
    if site_ids is not None:
        values["site_ids"] = sorted(site_ids) or [-1]
    return list(db.session.scalars(query, values))


_CURRENT_SEASONS: dict[bool, Select] = {}


# --- the season a page means when it names none -----------------------------------------------------
def season_on(site_id: int, day) -> Season | None:
    """The site's (not archived) season that ``day`` falls in."""
    return db.session.scalar(select(Season).where(
        Season.site_id == site_id, Season.start_date <= day, Season.end_date >= day,
        Season.archived_at.is_(None)).order_by(Season.start_date.desc()).limit(1))


def pick_current_season(seasons, today):
    """The one "current season" rule every default uses, over a site's seasons: the season today
    falls in, else the next one to start, else the last one that ended (archived ones never count)."""
    live = [s for s in seasons if s.archived_at is None]
    inside = [s for s in live if s.start_date <= today <= s.end_date]
    if inside:
        return max(inside, key=lambda s: s.start_date)
    coming = [s for s in live if s.start_date > today]
    if coming:
        return min(coming, key=lambda s: s.start_date)
    return max(live, key=lambda s: s.end_date, default=None)


def current_season(site_id: int, today=None) -> Season | None:
    """``pick_current_season`` over the site's seasons (one query)."""
    from app.core.timeutil import local_today

    seasons = db.session.scalars(select(Season).where(Season.site_id == site_id, Season.archived_at.is_(None)))
    return pick_current_season(list(seasons), today or local_today())


# --- names for the audit trail (app.core.audit.describe_all) ---------------------------------------
def _names(model, ids: set[int]) -> dict[int, str]:
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def site_names(ids: set[int]) -> dict[int, str]:
    return _names(Site, ids)


def season_names(ids: set[int]) -> dict[int, str]:
    return _names(Season, ids)


def party_names(ids: set[int]) -> dict[int, str]:
    return _names(Party, ids)

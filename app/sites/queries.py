from __future__ import annotations

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload

from app.core.permissions import SITE_VIEW, where_visible
from app.extensions import db
from app.sites.models import PARTY_KINDS, Party, Room, Season, Site, ThemeWeek

# How a season in a URL is loaded (@requires): with its site (joined), which nearly every page of a
# season shows (its tabs, its title) and would otherwise load in a statement of its own.
SEASON_LOAD = (joinedload(Season.site),)


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
    """The site page: its counts, its current season (``current_season``) with that season's
    numbers (``season_hub``), and what waits today (hour entries, volunteer applications), in a
    fixed number of queries whatever the data."""
    from app.volunteers.models import HourEntry, VolunteerApplication

    counts = {}
    for key, model in (("seasons", Season), ("rooms", Room), ("parties", Party)):
        counts[key] = db.session.scalar(select(func.count()).select_from(model).where(
            model.site_id == site.id, model.archived_at.is_(None)))
    pending_hours = (select(func.count()).select_from(HourEntry)
                     .where(HourEntry.site_id == site.id, HourEntry.status == "pending").scalar_subquery())
    applications = (select(func.count()).select_from(VolunteerApplication)
                    .where(VolunteerApplication.site_id == site.id, VolunteerApplication.status == "applied")
                    .scalar_subquery())
    counts["pending_hours"], counts["applications"] = db.session.execute(select(pending_hours, applications)).one()
    season = current_season(site.id)
    return dict(site=site, counts=counts, season=season, hub=season_hub(season, site) if season is not None else None)


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


# --- a season's page: the coordinator's hub -------------------------------------------------------
def season_hub(season: Season, site: Site | None = None) -> dict:
    """Everything a season's page shows, in five statements whatever the data: the site, the
    enrolments by status with how many active ones lack the guardian's consent, the season's
    volunteer hours (volunteers active, pending and approved time), its donations, its theme weeks."""
    from app.children.models import Consent, Enrolment
    from app.resources.models import Donation
    from app.volunteers.models import HourEntry, VolunteerProfile

    site = site if site is not None else db.session.get(Site, season.site_id)
    no_consent = ~select(Consent.id).where(Consent.child_id == Enrolment.child_id).exists()
    rows = db.session.execute(
        select(Enrolment.status, func.count(), func.sum(case((no_consent, 1), else_=0)))
        .where(Enrolment.season_id == season.id).group_by(Enrolment.status)).all()
    counts = {"applied": 0, "enrolled": 0, "waitlisted": 0, "withdrawn": 0}
    consent_missing = 0
    for status, n, missing in rows:
        counts[status] = n
        if status != "withdrawn":
            consent_missing += int(missing or 0)

    pending = HourEntry.status == "pending"
    approved = HourEntry.status == "approved"
    active_profiles = (select(func.count()).select_from(VolunteerProfile)
                       .where(VolunteerProfile.site_id == season.site_id, VolunteerProfile.archived_at.is_(None))
                       .scalar_subquery())
    hours = db.session.execute(
        select(func.count(func.distinct(case((pending | approved, HourEntry.profile_id)))),
               func.coalesce(func.sum(case((pending, 1), else_=0)), 0),
               func.coalesce(func.sum(case((pending, HourEntry.minutes), else_=0)), 0),
               func.coalesce(func.sum(case((approved, HourEntry.minutes), else_=0)), 0),
               active_profiles)
        .where(HourEntry.season_id == season.id)).one()

    donations, donation_total = db.session.execute(
        select(func.count(Donation.id), func.coalesce(func.sum(Donation.value_yuan), 0))
        .where(Donation.season_id == season.id)).one()
    weeks = list(db.session.scalars(theme_weeks_of(season)))
    return dict(
        site=site, season=season, counts=counts, consent_missing=consent_missing,
        free=max(season.capacity - counts["enrolled"], 0),
        volunteers_active=int(hours[0] or 0), pending_entries=int(hours[1] or 0),
        pending_minutes=int(hours[2] or 0), approved_minutes=int(hours[3] or 0),
        volunteers_on_site=int(hours[4] or 0), donations=int(donations or 0),
        donation_total=donation_total or 0, theme_weeks=weeks)

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, select

from app.core.permissions import AUDITOR, GUARDIAN, SITE_MANAGE, SITE_VIEW, VOLUNTEER, visible_site_ids
from app.core.timeutil import local_today
from app.extensions import db
from app.sites.models import Party, Season, Site
from app.sites.queries import pick_current_season

# Whom a guardian calls, in this order of preference: the site's social workers, then the community.
CONTACT_KINDS = ("social_worker", "community")


def dashboard(user) -> dict:
    """What the home page shows, in a fixed number of queries whatever the data: the sites the user
    may see (``visible_site_ids``) and those where they hold any role (a volunteer's or a guardian's
    own site), their roles there; per site its current season (``pick_current_season``) and the
    newest others; for staff the current seasons' numbers; for a guardian whom to call."""
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
    ids = [site.id for site in sites] or [-1]

    all_seasons = defaultdict(list)
    for season in db.session.scalars(select(Season).where(Season.site_id.in_(ids), Season.archived_at.is_(None))
                                     .order_by(Season.start_date.desc(), Season.id.desc())):
        all_seasons[season.site_id].append(season)
    today = local_today()
    current = {site.id: pick_current_season(all_seasons[site.id], today) for site in sites}
    seasons_by_site = {}
    for site in sites:
        others = [s for s in all_seasons[site.id] if s is not current[site.id]]
        seasons_by_site[site.id] = ([current[site.id]] if current[site.id] else []) + others[:2]

    staff_ids = set(ids) if visible is None else set(ids) & visible
    numbers = _season_numbers([s for site_id, s in current.items() if s is not None and site_id in staff_ids])
    pending = _pending_hours(staff_ids)
    guardian_sites = [s.id for s in sites if GUARDIAN in roles_by_site.get(s.id, ())]
    return dict(sites=sites, roles_by_site=roles_by_site, seasons_by_site=seasons_by_site, current=current,
                numbers=numbers, pending=pending, staff_ids=staff_ids, contacts=_contacts(guardian_sites),
                is_volunteer=any(VOLUNTEER in roles for roles in roles_by_site.values()),
                auditor_sites=[s for s in sites if AUDITOR in roles_by_site.get(s.id, ())],
                is_guardian=bool(guardian_sites))


def _season_numbers(seasons: list[Season]) -> dict[int, dict]:
    """{season id: {"enrolled": n, "waitlisted": n}} for the given seasons, in one query."""
    if not seasons:
        return {}
    from app.children.models import Enrolment

    rows = db.session.execute(
        select(Enrolment.season_id,
               func.sum(case((Enrolment.status == "enrolled", 1), else_=0)),
               func.sum(case((Enrolment.status == "waitlisted", 1), else_=0)))
        .where(Enrolment.season_id.in_([s.id for s in seasons])).group_by(Enrolment.season_id)).all()
    found = {season_id: {"enrolled": int(e or 0), "waitlisted": int(w or 0)} for season_id, e, w in rows}
    return {s.id: found.get(s.id, {"enrolled": 0, "waitlisted": 0}) for s in seasons}


def _pending_hours(site_ids: set[int]) -> dict[int, int]:
    """{site id: hour entries waiting for approval}, in one query."""
    if not site_ids:
        return {}
    from app.volunteers.models import HourEntry

    return dict(db.session.execute(select(HourEntry.site_id, func.count()).where(
        HourEntry.site_id.in_(site_ids), HourEntry.status == "pending").group_by(HourEntry.site_id)).all())


def _contacts(site_ids: list[int]) -> dict[int, Party]:
    """{site id: the party a guardian calls} (a social workers' station, else the community, with a
    phone number), in one query. Sites have no phone of their own: their parties carry the contacts."""
    if not site_ids:
        return {}
    order = case({kind: i for i, kind in enumerate(CONTACT_KINDS)}, value=Party.kind)
    found: dict[int, Party] = {}
    for party in db.session.scalars(select(Party).where(
            Party.site_id.in_(site_ids), Party.kind.in_(CONTACT_KINDS), Party.phone != "",
            Party.archived_at.is_(None)).order_by(Party.site_id, order, Party.id)):
        found.setdefault(party.site_id, party)
    return found


# --- a coordinator's home: the today page -----------------------------------------------------------
def coordinated_sites(user) -> list[Site]:
    """The sites (not archived) ``user`` coordinates, oldest first; none for an administrator (whose
    home stays the list of sites) or anyone who coordinates nothing. No query: the grants are loaded."""
    if user.is_admin:
        return []
    ids = visible_site_ids(user, SITE_MANAGE) or set()
    if not ids:
        return []
    return [s for s in db.session.scalars(select(Site).where(Site.id.in_(ids), Site.archived_at.is_(None))
                                           .order_by(Site.id))]


def today_home(sites: list[Site], chosen_id: int | None) -> dict:
    """A coordinator's home: with several sites a chooser (each site's open alerts and children
    arrived / expected today, two queries), then the today page of the chosen site (else the first)."""
    from app.daily import queries as daily
    from app.daily.models import DailyAlert

    today = local_today()
    site = next((s for s in sites if s.id == chosen_id), sites[0])
    chooser = []
    if len(sites) > 1:
        ids = [s.id for s in sites]
        open_alerts = dict(db.session.execute(select(DailyAlert.site_id, func.count()).where(
            DailyAlert.site_id.in_(ids), DailyAlert.state != "resolved").group_by(DailyAlert.site_id)).all())
        present = daily.expected_counts(ids, today)
        chooser = [dict(site=s, alerts=int(open_alerts.get(s.id, 0)), arrived=present[s.id][0],
                        expected=present[s.id][1], chosen=s is site) for s in sites]
    from app.sites.queries import current_season

    # the season's hub stays one tap away from the day (the home used to list the seasons)
    return dict(daily.today(site, today), chooser=chooser, home_season=current_season(site.id, today))

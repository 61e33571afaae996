"""Reads for donations and the five-party ledger; a fixed number of queries per page."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.core.db import prepared
from app.extensions import db
from app.resources.models import Allocation, Donation
from app.sites.models import PARTY_KINDS, Party, Room, Season, Site
from app.volunteers.models import HourEntry, VolunteerProfile




def donations_of(site: Site):
    return (select(Donation).options(joinedload(Donation.party), joinedload(Donation.season))
            .where(Donation.site_id == site.id)
            .order_by(Donation.received_on.desc(), Donation.id.desc()))


def used_by_donation(donations: list[Donation]) -> dict[int, Decimal]:
    """What has been used of each donation, in one query."""
    ids = [d.id for d in donations] or [-1]
    rows = db.session.execute(select(Allocation.donation_id, func.sum(Allocation.value_yuan))
                              .where(Allocation.donation_id.in_(ids)).group_by(Allocation.donation_id)).all()
    used = {donation_id: Decimal(total or 0) for donation_id, total in rows}
    return {d.id: used.get(d.id, Decimal(0)) for d in donations}


def donation_page(donation: Donation) -> dict:
    donation = db.session.scalar(select(Donation).options(
        joinedload(Donation.party), selectinload(Donation.allocations)).where(Donation.id == donation.id))
    used = sum((Decimal(a.value_yuan) for a in donation.allocations), Decimal(0))
    return dict(donation=donation, used=used, left=Decimal(donation.value_yuan) - used)


def parties_of(site_id: int) -> list[Party]:
    return list(db.session.scalars(select(Party).where(Party.site_id == site_id, Party.archived_at.is_(None))
                                   .order_by(Party.kind, Party.name)))


def ledger(season: Season) -> dict:
    """What each of the five kinds of party contributed to a season (a fixed number of queries, whatever the season's size)."""
    from app.scheduling.queries import sessions_led

    site_id = season.site_id
    # the parties' names and kinds only (rows, not entities: the page shows them and nothing else)
    parties = db.session.execute(prepared("resources.ledger_parties", lambda: select(Party.id, Party.name, Party.kind).where(
        Party.site_id == bindparam("site_id"), Party.archived_at.is_(None)).order_by(Party.kind, Party.name)),
        {"site_id": site_id}).all()
    by_kind = {kind: [p for p in parties if p.kind == kind] for kind in PARTY_KINDS}

    hours_rows = db.session.execute(prepared("resources.ledger_hours", lambda: (
        select(VolunteerProfile.party_id, func.sum(HourEntry.minutes), func.count(func.distinct(HourEntry.profile_id)))
        .join(VolunteerProfile, HourEntry.profile_id == VolunteerProfile.id)
        .where(HourEntry.season_id == bindparam("season_id"), HourEntry.status == "approved")
        .group_by(VolunteerProfile.party_id))), {"season_id": season.id}).all()
    party_names = {p.id: p.name for p in parties}
    hours_by_team = sorted(((party_names.get(pid) or "—", int(m or 0)) for pid, m, _n in hours_rows),
                           key=lambda r: -r[1])
    volunteer_minutes = sum(m for _n, m in hours_by_team)
    # a profile belongs to one team (party_id, or none), so the teams' distinct counts add up
    volunteers = sum(n for _pid, _m, n in hours_rows)

    rooms, seats = db.session.execute(prepared("resources.ledger_rooms", lambda: (
        select(func.count(Room.id), func.coalesce(func.sum(Room.capacity), 0))
        .where(Room.site_id == bindparam("site_id"), Room.archived_at.is_(None)))), {"site_id": site_id}).one()

    donation_rows = db.session.execute(prepared("resources.ledger_donations", lambda: (
        select(Party.id, Party.name, Party.kind, func.sum(Donation.value_yuan), func.count(Donation.id))
        .join(Party, Donation.party_id == Party.id)
        .where(Donation.season_id == bindparam("season_id"))
        .group_by(Party.id, Party.name, Party.kind))), {"season_id": season.id}).all()
    donations_by_party = sorted(((name, kind, Decimal(total or 0), n) for _id, name, kind, total, n in donation_rows),
                                key=lambda r: -r[2])
    donations_by_kind = {kind: sum((r[2] for r in donations_by_party if r[1] == kind), Decimal(0))
                         for kind in PARTY_KINDS}
    donation_counts = {kind: sum(r[3] for r in donations_by_party if r[1] == kind) for kind in PARTY_KINDS}
    donation_total = sum(donations_by_kind.values(), Decimal(0))
    return dict(season=season, by_kind=by_kind, volunteer_minutes=volunteer_minutes, volunteers=volunteers,
                hours_by_team=hours_by_team, rooms=rooms, seats=int(seats or 0),
                donations_by_party=donations_by_party, donations_by_kind=donations_by_kind, donation_counts=donation_counts,
                donation_total=donation_total, **sessions_led(season))


def seasons_for_ledger(site_id: int, *, with_site: bool = False) -> list[Season]:
    """The site's seasons, newest first; ``with_site``: the site joined in, for a page that shows it
    and has not loaded it yet (``season.site`` is then answered from the identity map instead of its
    own SELECT; a site without seasons is read by that SELECT as before)."""
    def build():
        query = select(Season).where(Season.site_id == bindparam("site_id"))
        if with_site:
            query = query.options(joinedload(Season.site))
        return query.order_by(Season.start_date.desc())

    return list(db.session.scalars(prepared(f"resources.seasons:{with_site}", build), {"site_id": site_id}))

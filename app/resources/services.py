"""Writes for donations and their use. Services take the acting user (``by=``), lock what their
rule reads, flush; the save path commits."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import User
from app.core.db import lock
from app.core.errors import FormError
from app.core.timeutil import local_today
from app.extensions import db
from app.resources.models import Allocation, Donation
from app.sites.models import Party, Site
from app.sites.queries import season_on


def record_donation(site: Site, values: dict, *, by: User) -> Donation:
    party = db.session.get(Party, values["party_id"])
    if party is None or party.site_id != site.id:
        raise FormError("party_id", _("Choose the party the donation came from."))
    if values["received_on"] > local_today():
        raise FormError("received_on", _("The date cannot be in the future."))
    in_kind = values["kind"] == "in_kind"
    season = season_on(site.id, values["received_on"])
    donation = Donation(
        site_id=site.id, season_id=season.id if season else None, party_id=party.id, kind=values["kind"],
        item=(values.get("item") or "") if in_kind else "",
        quantity=values.get("quantity") if in_kind else None,
        unit=(values.get("unit") or "") if in_kind else "",
        value_yuan=values["value_yuan"], received_on=values["received_on"],
        purpose=values.get("purpose") or "", recorded_by_id=by.id)
    db.session.add(donation)
    db.session.flush()
    return donation


def balance(donation: Donation) -> Decimal:
    used = db.session.scalar(select(func.coalesce(func.sum(Allocation.value_yuan), 0)).where(
        Allocation.donation_id == donation.id))
    return Decimal(donation.value_yuan) - Decimal(used)


def allocate(donation: Donation, values: dict, *, by: User) -> Allocation:
    """Put part of a donation to a use; the balance never goes below zero (the donation is locked
    first, so two uses recorded at once cannot both pass the check)."""
    lock(db.session, Donation, donation.id)
    if values["used_on"] < donation.received_on:
        raise FormError("used_on", _("A donation cannot be used before it was received (%(date)s).",
                                     date=donation.received_on.isoformat()))
    if values["used_on"] > local_today():
        raise FormError("used_on", _("The date cannot be in the future."))
    left = balance(donation)
    if Decimal(values["value_yuan"]) > left:
        raise FormError("value_yuan", _("Only %(left)s yuan of this donation is left.", left=f"{left:.2f}"))
    allocation = Allocation(donation_id=donation.id, used_for=values["used_for"], value_yuan=values["value_yuan"],
                            used_on=values["used_on"], note=values.get("note") or "", recorded_by_id=by.id)
    db.session.add(allocation)
    db.session.flush()
    return allocation

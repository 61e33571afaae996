"""Who may be rostered with children: the one rule (未成年人保护法 art. 62, 志愿服务条例 art. 16).

``eligibility(profile, on_date)`` says whether a volunteer may work with children on a date and,
when not, why, in words with dates ("Fire safety training expired on 2025-06-30"). Scheduling uses
it; for many volunteers at once ``eligibility_many`` loads the facts in a fixed number of queries
and applies the same rule (``evaluate``).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from functools import cache
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from app.core.db import run
from app.volunteers.models import (BackgroundCheck, TrainingAttendance, TrainingKind, TrainingSession,
                                   VolunteerProfile)

CHECK_VALID_MONTHS = 12  # art. 62: re-checked every year


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class Eligibility:
    ok: bool
    reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok


@dataclass
class Qualification:
    """A volunteer's standing for one training kind: last attended and valid until (exclusive)."""
    kind: TrainingKind  # or a row of its id, site_id, name, validity_months and required (facts_for)
    held_on: date | None
    expires_on: date | None

    def state(self, on: date, soon_days: int = 30) -> str:
        if self.expires_on is None:
            return "missing"
        if self.expires_on <= on:
            return "expired"
        if (self.expires_on - on).days <= soon_days:
            return "due_soon"
        return "valid"


@dataclass
class Facts:
    """What the rule needs to know about one volunteer. The latest check is a ``BackgroundCheck``
    when the caller gave the checks, else a row of its ``id``, ``profile_id``, ``checked_on`` and
    ``result``."""
    latest_check: BackgroundCheck | None
    qualifications: list[Qualification]  # one per training kind of the site (not archived)


def check_expires_on(check: BackgroundCheck) -> date:
    return add_months(check.checked_on, CHECK_VALID_MONTHS)


def _iso(day: date) -> str:
    return day.isoformat()


def evaluate(profile: VolunteerProfile, on_date: date, facts: Facts) -> Eligibility:
    """The rule itself. Every reason names what is missing or since when it lapsed."""
    reasons: list[str] = []
    if profile.archived_at is not None:
        reasons.append(_("The volunteer's profile is archived."))
    if profile.is_minor(on_date) and not profile.guardian_consent:
        reasons.append(_("Under 18 and no guardian's consent is recorded."))
    check = facts.latest_check
    if check is None:
        reasons.append(_("No background check on record."))
    elif check.result != "clear":
        reasons.append(_("The background check of %(date)s found a record: may not work with children.",
                         date=_iso(check.checked_on)))
    elif check_expires_on(check) <= on_date:
        reasons.append(_("The background check expired on %(date)s.", date=_iso(check_expires_on(check))))
    for qualification in facts.qualifications:
        if not qualification.kind.required:
            continue
        if qualification.expires_on is None:
            reasons.append(_("No %(training)s training on record.", training=qualification.kind.name))
        elif qualification.expires_on <= on_date:
            reasons.append(_("%(training)s training expired on %(date)s.", training=qualification.kind.name,
                             date=_iso(qualification.expires_on)))
    return Eligibility(ok=not reasons, reasons=reasons)


def eligibility(profile: VolunteerProfile, on_date: date) -> Eligibility:
    """May this volunteer be rostered with children on ``on_date``? If not, the reasons in words."""
    return eligibility_many([profile], on_date)[profile.id]


@cache
def _statements(until_a_day: bool):
    """The three statements of ``facts_for``, built once (values bound by name: ``site_ids``,
    ``ids`` and, ``until_a_day``, ``on_date``): the site's training kinds; each volunteer's last
    training of each kind; their background checks (each the columns the rule and the pages read,
    run through ``app.core.db.run``: no ORM objects)."""
    kinds = (select(TrainingKind.id, TrainingKind.site_id, TrainingKind.name, TrainingKind.validity_months,
                    TrainingKind.required)
             .where(TrainingKind.site_id.in_(bindparam("site_ids", expanding=True)), TrainingKind.archived_at.is_(None))
             .order_by(TrainingKind.name))
    latest = (select(TrainingAttendance.profile_id, TrainingSession.kind_id, func.max(TrainingSession.held_on))
              .join(TrainingSession, TrainingAttendance.session_id == TrainingSession.id)
              .where(TrainingAttendance.profile_id.in_(bindparam("ids", expanding=True))))
    checks = (select(BackgroundCheck.id, BackgroundCheck.profile_id, BackgroundCheck.checked_on, BackgroundCheck.result)
              .where(BackgroundCheck.profile_id.in_(bindparam("ids", expanding=True))))
    if until_a_day:
        latest = latest.where(TrainingSession.held_on <= bindparam("on_date"))
        checks = checks.where(BackgroundCheck.checked_on <= bindparam("on_date"))
    return kinds, latest.group_by(TrainingAttendance.profile_id, TrainingSession.kind_id), checks


def facts_for(profiles: list[VolunteerProfile], on_date: date | None = None, *,
              checks: list[BackgroundCheck] | None = None) -> dict[int, Facts]:
    """The facts for many volunteers in three queries, whatever their number (two when the page
    already loaded the volunteers' background ``checks``).

    Only trainings and checks on or before ``on_date`` count (a training next week does not make
    anyone eligible today)."""
    if not profiles:
        return {}
    ids = [p.id for p in profiles]
    site_ids = list({p.site_id for p in profiles})
    kinds_query, latest_query, check_query = _statements(on_date is not None)
    values = dict(ids=ids, on_date=on_date) if on_date is not None else dict(ids=ids)
    kinds = run(kinds_query, dict(site_ids=site_ids)).all()
    latest = {(pid, kid): held for pid, kid, held in run(latest_query, values)}
    if checks is None:  # the columns the rule reads (no ORM objects)
        checks = run(check_query, values).all()
    latest_checks: dict[int, BackgroundCheck] = {}
    for check in sorted(checks, key=lambda c: (c.checked_on, c.id)):
        if on_date is None or check.checked_on <= on_date:
            latest_checks[check.profile_id] = check  # ordered: the last one wins

    out = {}
    for profile in profiles:
        qualifications = []
        for kind in kinds:
            if kind.site_id != profile.site_id:
                continue
            held = latest.get((profile.id, kind.id))
            qualifications.append(Qualification(kind, held, add_months(held, kind.validity_months) if held else None))
        out[profile.id] = Facts(latest_checks.get(profile.id), qualifications)
    return out


def eligibility_many(profiles: list[VolunteerProfile], on_date: date) -> dict[int, Eligibility]:
    facts = facts_for(profiles, on_date)
    return {p.id: evaluate(p, on_date, facts[p.id]) for p in profiles}

"""Writes of the programme's day. Services take the acting user (``by=``), lock what their rule reads,
raise ``FormError(field, message)``, flush and never commit (the save path does).

Arrivals and departures: one ``DayRecord`` per child per day (a unique constraint); every mark locks
the site's row first (PostgreSQL ``FOR UPDATE``; SQLite's write lock), so two people marking the same
child at once are serialised: the latest mark wins and both are kept in ``DayRecordChange``. The same
lock serialises ``generate_alerts`` for the site, so two writers never create the same alert twice.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import RoleGrant
from app.children.models import Child
from app.core import audit
from app.core.db import lock
from app.core.errors import FormError
from app.core.timeutil import LOCAL_TZ, local_today, to_local, utcnow
from app.daily import queries
from app.daily.models import (DailyAlert, DailySettings, DayRecord, DayRecordChange, HomeworkPlan,
                              HomeworkProgress, Incident, IncidentAddendum, IncidentChild, IncidentReport)
from app.extensions import db
from app.sites.models import Season, Site


# --- time helpers ---------------------------------------------------------------------------------
def local_to_utc(day: date, at: time) -> datetime:
    """A local (Asia/Shanghai) time on ``day`` as the naive UTC datetime the database stores."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def _naive_utc(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is not None:
        return now.astimezone(timezone.utc).replace(tzinfo=None)
    return now


# --- arrival and departure ------------------------------------------------------------------------
def _check_day(child: Child, day: date) -> None:
    if not queries.is_expected(child, day):
        raise FormError("day", _("%(name)s is not expected on %(day)s: the day is outside the child's season, "
                                 "a weekend, or the child is not enrolled.", name=child.name, day=day.isoformat()))


def _record(site: Site, child: Child, day: date, by) -> DayRecord:
    """The child's record of the day, locked for this transaction (created when missing)."""
    if child.site_id != site.id:
        raise FormError("day", _("This child is not at this site."))
    lock(db.session, Site, site.id)
    _check_day(child, day)
    record = db.session.scalar(select(DayRecord).where(DayRecord.child_id == child.id, DayRecord.day == day)
                               .execution_options(populate_existing=True))
    if record is None:
        record = DayRecord(site_id=site.id, child_id=child.id, day=day, picked_up_by="", exception_reason="",
                           excuse="")
        db.session.add(record)
        db.session.flush()
    return record


def _keep(record: DayRecord, kind: str, by, note: str = "") -> None:
    record.updated_by_id = by.id if by is not None else None
    record.updated_at = utcnow()
    db.session.add(DayRecordChange(record_id=record.id, kind=kind, arrived_at=record.arrived_at,
                                   departed_at=record.departed_at, picked_up_by=record.picked_up_by,
                                   note=note[:300], by_id=record.updated_by_id, at=record.updated_at))


def _check_today(day: date) -> None:
    if day != local_today():
        raise FormError("day", _("A tap records the time now, so it works for today only; enter other days "
                                 "from the paper sheet."))


def mark_arrival(site: Site, child: Child, day: date, *, by, now: datetime | None = None) -> DayRecord:
    """One tap: the child arrived now (the latest tap wins; each is kept in the history)."""
    _check_today(day)
    record = _record(site, child, day, by)
    at = _naive_utc(now)
    if record.departed_at is not None and record.departed_at < at:
        raise FormError("day", _("%(name)s has already gone home today.", name=child.name))
    record.arrived_at = at
    record.excuse = ""
    _keep(record, "arrival", by)
    db.session.flush()
    generate_alerts(site, now, locked=True)
    return record


def _choose(child: Child, value: str):
    for choice in queries.pickup_choices(child):
        if choice.value == value:
            return choice
    return None


def _apply_departure(record: DayRecord, child: Child, choice, at: datetime) -> None:
    if record.arrived_at is None:
        raise FormError("picked_up_by", _("%(name)s has not arrived: a departure cannot come before the arrival.",
                                          name=child.name))
    if at < record.arrived_at:
        raise FormError("picked_up_by", _("The departure cannot be before the arrival (%(time)s).",
                                          time=to_local(record.arrived_at).strftime("%H:%M")))
    record.departed_at = at
    record.departure_kind = choice.kind
    record.guardian_id = choice.person_id if choice.kind == "guardian" else None
    record.pickup_person_id = choice.person_id if choice.kind == "pickup" else None
    record.picked_up_by = choice.name
    record.exception_reason = ""


def mark_departure(site: Site, child: Child, day: date, values: dict, *, by,
                   now: datetime | None = None) -> DayRecord:
    """The child went home with a person on its list (guardian, authorised pickup person) or alone
    where the guardian consented; anyone else is refused (the coordinator records an exception)."""
    _check_today(day)
    record = _record(site, child, day, by)
    child = queries.child_with_people(child.id)
    choice = _choose(child, values.get("picked_up_by") or "")
    if choice is None:
        raise FormError("picked_up_by", _("Choose a person on %(name)s's authorised list. Anyone else can only "
                                          "be recorded by the coordinator as an exception.", name=child.name))
    _apply_departure(record, child, choice, _naive_utc(now))
    _keep(record, "departure", by)
    db.session.flush()
    generate_alerts(site, now, locked=True)
    return record


def record_exception(site: Site, child: Child, day: date, values: dict, *, by,
                     now: datetime | None = None) -> DayRecord:
    """A person not on the list took the child home (the coordinator's decision): kept with the
    reason, and an alert is raised for someone to follow up."""
    _check_today(day)
    record = _record(site, child, day, by)
    name, reason = (values.get("name") or "").strip(), (values.get("reason") or "").strip()
    if not name:
        raise FormError("name", _("Say who took the child home."))
    if not reason:
        raise FormError("reason", _("Give the reason for the exception."))
    from app.daily.queries import Choice

    _apply_departure(record, child, Choice("exception", "exception", name[:80]), _naive_utc(now))
    record.exception_reason = reason[:300]
    _keep(record, "departure", by, note=reason)
    raise_alert(site, child, day, "pickup_exception", f"{name}: {reason}",
                owner_id=by.id)
    audit.record("update", "daily.pickup_exception", by=by, child=child, day=day.isoformat())
    db.session.flush()
    return record


def excuse_absence(site: Site, child: Child, day: date, values: dict, *, by) -> DayRecord:
    """The child is absent with an excuse (the guardian called): no "not arrived" alert."""
    record = _record(site, child, day, by)
    reason = (values.get("reason") or "").strip()
    if not reason:
        raise FormError("reason", _("Give the reason for the absence."))
    if record.arrived_at is not None:
        raise FormError("reason", _("%(name)s has already arrived.", name=child.name))
    record.excuse = reason[:200]
    _keep(record, "excuse", by, note=reason)
    db.session.flush()
    return record


def save_paper_sheet(site: Site, day: date, rows: list[dict], *, by) -> int:
    """The paper sheet of a day entered afterwards, all rows in one transaction: each row
    ``{"child", "arrival", "departure", "picked_up_by", "field"}`` (times are local); a broken rule
    in any row refuses the whole sheet. Returns the number of children changed."""
    lock(db.session, Site, site.id)
    if day > local_today():
        raise FormError("day", _("The day cannot be in the future."))
    changed = 0
    for row in rows:
        child, arrival, departure = row["child"], row.get("arrival"), row.get("departure")
        if arrival is None and departure is None:
            continue
        record = _record(site, child, day, by)
        before = (record.arrived_at, record.departed_at, record.picked_up_by)
        if arrival is not None:
            record.arrived_at = local_to_utc(day, arrival)
            record.excuse = ""
        elif record.arrived_at is None:
            raise FormError(row["field"] + "arrival", _("%(name)s: enter the arrival time before the departure.",
                                                        name=child.name))
        if departure is not None:
            choice = _choose(child, row.get("picked_up_by") or "")
            if choice is None and record.departure_kind == "exception" and not row.get("picked_up_by"):
                choice = None  # an exception already recorded keeps its person
            elif choice is None:
                raise FormError(row["field"] + "picked_up_by", _("%(name)s: choose who picked the child up from "
                                                                 "the authorised list.", name=child.name))
            at = local_to_utc(day, departure)
            if at < record.arrived_at:
                raise FormError(row["field"] + "departure", _("%(name)s: the departure cannot be before the arrival.",
                                                              name=child.name))
            if choice is None:
                record.departed_at = at
            else:
                _apply_departure(record, child, choice, at)
        elif record.departed_at is not None and record.departed_at < record.arrived_at:
            raise FormError(row["field"] + "arrival", _("%(name)s: the arrival cannot be after the departure.",
                                                        name=child.name))
        if (record.arrived_at, record.departed_at, record.picked_up_by) != before:
            _keep(record, "paper", by)
            changed += 1
    db.session.flush()
    return changed


# --- alerts ---------------------------------------------------------------------------------------
def _default_owner(site_id: int) -> int | None:
    """Generated alerts belong to the site's first coordinator until someone acknowledges them."""
    return db.session.scalar(select(RoleGrant.user_id).where(RoleGrant.site_id == site_id,
                                                             RoleGrant.role == "coordinator")
                             .order_by(RoleGrant.id).limit(1))


def raise_alert(site: Site, child: Child, day: date, kind: str, detail: str, *, owner_id: int | None = None
                ) -> DailyAlert | None:
    """An alert for the child and day (one per kind; an existing one is kept as it is)."""
    existing = db.session.scalar(select(DailyAlert).where(DailyAlert.child_id == child.id, DailyAlert.day == day,
                                                          DailyAlert.kind == kind))
    if existing is not None:
        return None
    alert = DailyAlert(site_id=site.id, child_id=child.id, day=day, kind=kind, state="open", detail=detail[:300],
                       owner_id=owner_id if owner_id is not None else _default_owner(site.id),
                       created_at=utcnow(), resolution_note="")
    db.session.add(alert)
    return alert


def generate_alerts(site: Site, now: datetime | None = None, *, locked: bool = False) -> list[DailyAlert]:
    """Alerts due at ``now`` (default: now) for the site's day: an expected child whose allergies
    meet the day's menu (at any time of the day: the kitchen must know before lunch); an expected
    child not arrived by the site's arrive-by time without an excuse; an arrived child not picked up
    by the pick-up-by time. Called by ``flask daily alerts`` (cron) and after each arrival and
    departure; a GET never writes."""
    from app.health.queries import allergy_conflicts

    if not locked:
        lock(db.session, Site, site.id)
    local = to_local(_naive_utc(now))
    day, clock = local.date(), local.time()
    settings = queries.settings_of(site.id)
    due_arrival, due_pickup = clock >= settings.arrive_by, clock >= settings.pickup_by
    children = queries.expected_children(site, day)
    if not children:
        return []
    kinds = ("not_arrived", "not_picked_up", "allergy")
    existing = set(db.session.execute(select(DailyAlert.child_id, DailyAlert.kind).where(
        DailyAlert.site_id == site.id, DailyAlert.day == day, DailyAlert.kind.in_(kinds))).all())
    owner = _default_owner(site.id)
    created = []
    conflicts: dict[int, list[str]] = {}
    with force_locale("zh_CN"):  # stored text, in the programme's language (cron has no request)
        for conflict in allergy_conflicts(site, day, children):
            conflicts.setdefault(conflict.child_id, []).append(f"{conflict.dish}：{conflict.reason}")
    for child_id, dishes in conflicts.items():
        if (child_id, "allergy") not in existing:
            created.append(DailyAlert(
                site_id=site.id, child_id=child_id, day=day, kind="allergy", state="open", owner_id=owner,
                detail="；".join(dishes)[:300], created_at=utcnow(), resolution_note=""))
    records = queries.records_of(site.id, day, [c.id for c in children]) if due_arrival or due_pickup else {}
    for child in children if due_arrival or due_pickup else ():
        record = records.get(child.id)
        if due_arrival and (record is None or (record.arrived_at is None and not record.excuse)) \
                and (child.id, "not_arrived") not in existing:
            created.append(DailyAlert(
                site_id=site.id, child_id=child.id, day=day, kind="not_arrived", state="open", owner_id=owner,
                detail=settings.arrive_by.strftime("%H:%M"),
                created_at=utcnow(), resolution_note=""))
        if due_pickup and record is not None and record.arrived_at is not None and record.departed_at is None \
                and (child.id, "not_picked_up") not in existing:
            created.append(DailyAlert(
                site_id=site.id, child_id=child.id, day=day, kind="not_picked_up", state="open", owner_id=owner,
                detail=settings.pickup_by.strftime("%H:%M"),
                created_at=utcnow(), resolution_note=""))
    db.session.add_all(created)
    db.session.flush()
    return created


def acknowledge_alert(alert: DailyAlert, *, by) -> DailyAlert:
    """Someone takes the alert on: it becomes theirs."""
    lock(db.session, DailyAlert, alert.id)
    db.session.refresh(alert)
    if alert.state == "resolved":
        raise FormError("note", _("This alert has already been resolved."))
    alert.state = "acknowledged"
    alert.owner_id = by.id
    alert.acknowledged_at = alert.acknowledged_at or utcnow()
    db.session.flush()
    return alert


def resolve_alert(alert: DailyAlert, values: dict, *, by) -> DailyAlert:
    """Resolved with a note (called the guardian, child found, ...); never without one."""
    lock(db.session, DailyAlert, alert.id)
    db.session.refresh(alert)
    note = (values.get("note") or "").strip()
    if not note:
        raise FormError("note", _("Say how the alert was resolved (e.g. called the guardian, child found)."))
    if alert.state == "resolved":
        raise FormError("note", _("This alert has already been resolved."))
    alert.state = "resolved"
    alert.resolution_note = note[:500]
    alert.resolved_at = utcnow()
    alert.resolved_by_id = by.id
    if alert.owner_id is None:
        alert.owner_id = by.id
    alert.acknowledged_at = alert.acknowledged_at or alert.resolved_at
    db.session.flush()
    return alert


def update_settings(site: Site, values: dict, *, by) -> DailySettings:
    lock(db.session, Site, site.id)
    settings = db.session.scalar(select(DailySettings).where(DailySettings.site_id == site.id))
    if settings is None:
        settings = DailySettings(site_id=site.id)
        db.session.add(settings)
    if values["pickup_by"] <= values["arrive_by"]:
        raise FormError("pickup_by", _("The pick-up-by time must be after the arrive-by time."))
    settings.arrive_by, settings.pickup_by = values["arrive_by"], values["pickup_by"]
    db.session.flush()
    return settings


# --- incidents ------------------------------------------------------------------------------------
def record_incident(site: Site, values: dict, *, by) -> Incident:
    """Write an incident once (it is never edited or deleted afterwards)."""
    occurred = local_to_utc(values["occurred_on"], values["occurred_time"])
    if occurred > utcnow():
        raise FormError("occurred_on", _("The time cannot be in the future."))
    informed = None
    if values.get("informed_on") or values.get("informed_time"):
        if not (values.get("informed_on") and values.get("informed_time")):
            raise FormError("informed_time", _("Give both the date and the time the guardian was informed."))
        informed = local_to_utc(values["informed_on"], values["informed_time"])
        if informed < occurred:
            raise FormError("informed_time", _("The guardian cannot have been informed before it happened."))
    child_ids = sorted(set(values.get("child_ids") or []))
    children = list(db.session.scalars(select(Child).where(Child.id.in_(child_ids or [-1]))))
    if len(children) != len(child_ids) or any(c.site_id != site.id or c.is_erased for c in children):
        raise FormError("child_ids", _("Choose children of this site."))
    if not children and not values.get("others_involved"):
        raise FormError("child_ids", _("Say who was involved: children of the site, or others in the text field."))
    incident = Incident(site_id=site.id, kind=values["kind"], occurred_at=occurred, place=values["place"],
                        others_involved=values.get("others_involved") or "", what_happened=values["what_happened"],
                        action_taken=values.get("action_taken") or "", guardian_informed_at=informed,
                        recorded_by_id=by.id, created_at=utcnow())
    db.session.add(incident)
    db.session.flush()
    for child in children:
        db.session.add(IncidentChild(incident_id=incident.id, child_id=child.id))
        audit.record("create", "incident.recorded", by=by, child=child, incident=incident.id)
    if not children:
        audit.record("create", "incident.recorded", by=by, site_id=site.id, incident=incident.id)
    db.session.flush()
    return incident


def edit_incident(incident: Incident, values: dict, *, by):
    """There is no editing of an incident: this refuses, so no caller can do it by accident."""
    raise FormError("text", _("An incident is never edited or deleted: add an addendum instead."))


def add_addendum(incident: Incident, values: dict, *, by) -> IncidentAddendum:
    text = (values.get("text") or "").strip()
    if not text:
        raise FormError("text", _("Write the addendum."))
    addendum = IncidentAddendum(incident_id=incident.id, text=text, author_id=by.id, created_at=utcnow())
    db.session.add(addendum)
    audit.record("update", "incident.addendum", by=by, site_id=incident.site_id, incident=incident.id)
    db.session.flush()
    return addendum


def record_report(incident: Incident, values: dict, *, by) -> IncidentReport:
    """That suspected harm was reported to the police, civil affairs or education: to whom, when."""
    if incident.kind != "suspected_harm":
        raise FormError("reported_to", _("Reports are recorded for suspected harm only."))
    at = local_to_utc(values["reported_on"], values["reported_time"])
    if at > utcnow():
        raise FormError("reported_on", _("The time cannot be in the future."))
    if at < incident.occurred_at:
        raise FormError("reported_on", _("The report cannot be before the incident."))
    report = IncidentReport(incident_id=incident.id, reported_to=values["reported_to"], reported_at=at,
                            note=values.get("note") or "", recorded_by_id=by.id, created_at=utcnow())
    db.session.add(report)
    audit.record("update", "incident.reported", by=by, site_id=incident.site_id, incident=incident.id)
    db.session.flush()
    return report


# --- homework -------------------------------------------------------------------------------------
def create_plan(season: Season, child: Child, values: dict, *, by) -> HomeworkPlan:
    """The home school's workbook for a subject (one plan per child, season and subject)."""
    if child.site_id != season.site_id or child.is_erased:
        raise FormError("subject", _("This child is not at this site."))
    lock(db.session, Season, season.id)
    subject = values["subject"].strip()
    taken = db.session.scalar(select(HomeworkPlan.id).where(
        HomeworkPlan.child_id == child.id, HomeworkPlan.season_id == season.id, HomeworkPlan.subject == subject))
    if taken:
        raise FormError("subject", _("%(subject)s already has a plan for this season.", subject=subject))
    plan = HomeworkPlan(child_id=child.id, season_id=season.id, subject=subject, workbook=values["workbook"],
                        units=values["units"], set_by_id=by.id, created_at=utcnow())
    db.session.add(plan)
    db.session.flush()
    return plan


def add_progress(plan: HomeworkPlan, values: dict, *, by) -> HomeworkProgress:
    """Units done on a day; never beyond the plan (the plan is locked so two entries at once cannot
    both pass) and only on a day of the plan's season, not in the future."""
    lock(db.session, HomeworkPlan, plan.id)
    season = db.session.get(Season, plan.season_id)
    day = values["day"]
    if not season.start_date <= day <= season.end_date:
        raise FormError("day", _("Choose a day of the season (%(start)s to %(end)s).",
                                 start=season.start_date.isoformat(), end=season.end_date.isoformat()))
    if day > local_today():
        raise FormError("day", _("The day cannot be in the future."))
    left = plan.units - queries.units_done(plan.id)
    if values["units_done"] > left:
        raise FormError("units_done", _("Only %(left)d of %(units)d units are left in this plan.",
                                        left=max(left, 0), units=plan.units))
    entry = HomeworkProgress(plan_id=plan.id, day=day, units_done=values["units_done"],
                             remarks=values.get("remarks") or "", recorded_by_id=by.id, created_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    return entry

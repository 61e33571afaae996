"""Writes for children, guardians, pickups, consent, enrolment, imports and erasure.

Services flush, never commit (the view commits once). Every change of a child's record writes an
``AuditEntry``; the summaries name fields and ids, never the child's personal data.
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import delete, select, text

from app.children import queries
from app.children.models import (ACTIVE_STATUSES, ERASED_NAME, AuditEntry, Child, Consent,
                                 ConsentNotice, Enrolment, ErasureRecord, Guardian, ImportBatch,
                                 PickupPerson)
from app.children.names import name_pinyin
from app.children.notice import CURRENT_VERSION, NOTICES
from app.core.errors import FormError
from app.core.timeutil import utcnow
from app.extensions import db
from app.sites.models import Season, Site

CHILD_FIELDS = ("name", "sex", "birth_date", "grade", "school", "hometown", "may_go_home_alone",
                "allergies", "conditions", "medicines", "high_risk", "notes")
IMPORT_TTL = timedelta(hours=24)


# --- audit trail ----------------------------------------------------------------------------------
def audit(action: str, child: Child | None = None, summary: str = "", *, site_id: int | None = None,
          user=None) -> AuditEntry:
    user = user if user is not None else current_user
    entry = AuditEntry(action=action, child_id=child.id if child is not None else None,
                       site_id=child.site_id if child is not None else site_id,
                       user_id=user.id if user is not None and user.is_authenticated else None,
                       summary=summary[:300], at=utcnow())
    db.session.add(entry)
    return entry


def log_view(child: Child, what: str = "record") -> None:
    audit("view", child, what)


# --- children -------------------------------------------------------------------------------------
def _clean(value):
    return value.strip() if isinstance(value, str) else value


def _set_name(child: Child, name: str) -> None:
    child.name = " ".join(name.split())
    child.name_pinyin, child.name_initials = name_pinyin(child.name)


def _check_duplicates(site_id: int, values: dict, phones: list[str], exclude_id: int | None = None) -> None:
    if values.get("not_duplicate"):
        return
    found = queries.likely_duplicates(site_id, values["name"], values.get("birth_date"), phones, exclude_id)
    if found:
        listing = "、".join(f"{c.name}（{c.birth_date.isoformat() if c.birth_date else '?'}）" for c in found)
        raise FormError("name", _("This looks like a child already registered: %(children)s. If it is a "
                                  "different child, tick “This is a different child” and save again.",
                                  children=listing))


def create_child(site: Site, values: dict) -> Child:
    values = {k: _clean(v) for k, v in values.items()}
    _check_duplicates(site.id, values, [values.get("guardian_phone") or ""])
    child = Child(site_id=site.id)
    for key in CHILD_FIELDS:
        if key in values:
            setattr(child, key, values[key] if values[key] is not None or key in ("birth_date", "grade") else "")
    _set_name(child, values["name"])
    if values.get("guardian_phone"):
        child.guardians.append(Guardian(name=values.get("guardian_name") or "", phone=values["guardian_phone"],
                                        relation=values.get("guardian_relation") or "",
                                        employer=values.get("guardian_employer") or ""))
    db.session.add(child)
    db.session.flush()
    audit("create", child, "created")
    return child


def update_child(child: Child, values: dict) -> None:
    _refuse_erased(child)
    values = {k: _clean(v) for k, v in values.items()}
    _check_duplicates(child.site_id, values, [g.phone for g in child.guardians], exclude_id=child.id)
    changed = []
    for key in CHILD_FIELDS:
        if key not in values:
            continue
        value = values[key] if values[key] is not None or key in ("birth_date", "grade") else ""
        if key == "name":
            value = " ".join(value.split())
        if getattr(child, key) != value:
            changed.append(key)
            setattr(child, key, value)
    if "name" in changed:
        _set_name(child, child.name)
    if changed:
        audit("update", child, "changed: " + ", ".join(changed))


def _refuse_erased(child: Child) -> None:
    if child.is_erased:
        raise FormError("name", _("This child's data has been erased; the record cannot be changed."))


# --- guardians and pickup persons (inline tables on the child's page) -----------------------------
def _person_values(values: dict) -> dict:
    return {k: _clean(v) or "" for k, v in values.items()}


def create_guardian(child: Child, values: dict) -> Guardian:
    _refuse_erased(child)
    guardian = Guardian(child_id=child.id, **_person_values(values))
    db.session.add(guardian)
    audit("update", child, "guardian added")
    return guardian


def update_guardian(guardian: Guardian, values: dict) -> None:
    _refuse_erased(guardian.child)
    for key, value in _person_values(values).items():
        setattr(guardian, key, value)
    audit("update", guardian.child, f"guardian {guardian.id} changed")


def delete_guardian(guardian: Guardian) -> None:
    audit("update", guardian.child, f"guardian {guardian.id} removed")
    db.session.delete(guardian)


def create_pickup(child: Child, values: dict) -> PickupPerson:
    _refuse_erased(child)
    person = PickupPerson(child_id=child.id, **_person_values(values))
    db.session.add(person)
    audit("update", child, "pickup person added")
    return person


def update_pickup(person: PickupPerson, values: dict) -> None:
    _refuse_erased(person.child)
    for key, value in _person_values(values).items():
        setattr(person, key, value)
    audit("update", person.child, f"pickup person {person.id} changed")


def delete_pickup(person: PickupPerson) -> None:
    audit("update", person.child, f"pickup person {person.id} removed")
    db.session.delete(person)


# --- consent --------------------------------------------------------------------------------------
def current_notice() -> ConsentNotice:
    """The notice in force, stored the first time it is needed (its text never changes after)."""
    notice = db.session.scalar(select(ConsentNotice).where(ConsentNotice.version == CURRENT_VERSION))
    if notice is None:
        published_at, body = NOTICES[CURRENT_VERSION]
        notice = ConsentNotice(version=CURRENT_VERSION, text=body, published_at=published_at)
        db.session.add(notice)
        db.session.flush()
    return notice


def record_consent(child: Child, values: dict, user=None) -> Consent:
    _refuse_erased(child)
    notice = current_notice()
    consent = Consent(child_id=child.id, notice_id=notice.id, guardian_name=values["guardian_name"].strip(),
                      guardian_relation=values["guardian_relation"].strip(), consented_at=utcnow(),
                      recorded_by_id=(user or current_user).id)
    db.session.add(consent)
    audit("consent", child, f"consent to notice {notice.version} recorded")
    return consent


# --- enrolment ------------------------------------------------------------------------------------
def _lock_season(season_id: int) -> None:
    """Serialise enrolment decisions of one season until the transaction ends.

    PostgreSQL: a row lock on the season (SELECT ... FOR UPDATE). SQLite: a no-op write, which takes
    the database's single write lock (other writers wait for it, up to busy_timeout); reads after it
    see every committed enrolment."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(Season.id).where(Season.id == season_id).with_for_update())
    else:
        db.session.execute(text("UPDATE seasons SET capacity = capacity WHERE id = :id"), {"id": season_id})


def apply(child: Child, season: Season) -> Enrolment:
    """Put the child on the season's list (applied), or back on it after a withdrawal."""
    _refuse_erased(child)
    if season.site_id != child.site_id:
        raise FormError("season_id", _("Choose a season of this child's site."))
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.child_id == child.id,
                                                          Enrolment.season_id == season.id))
    if enrolment is None:
        enrolment = Enrolment(child=child, season=season, status="applied", applied_at=utcnow())
        db.session.add(enrolment)
    elif enrolment.status == "withdrawn":
        enrolment.status, enrolment.applied_at, enrolment.withdrawn_at = "applied", utcnow(), None
    else:
        raise FormError("season_id", _("This child is already on the list of this season."))
    db.session.flush()
    audit("enrol", child, f"applied to season {season.id}")
    return enrolment


def decide(enrolment: Enrolment) -> Enrolment:
    """Enrol if a place is free, else put on the waitlist (in order of application). Needs consent."""
    child = enrolment.child
    _refuse_erased(child)
    if enrolment.status not in ("applied",):
        raise FormError("season_id", _("Only an application can be decided."))
    if not queries.has_consent(child):
        raise FormError("season_id", _("Record the guardian's consent before enrolling this child."))
    _lock_season(enrolment.season_id)
    season = enrolment.season
    free = season.capacity - queries.enrolled_count(season.id)
    enrolment.status = "enrolled" if free > 0 else "waitlisted"
    enrolment.decided_at = utcnow()
    db.session.flush()
    audit("enrol", child, f"{enrolment.status} in season {season.id}")
    return enrolment


def enrol(child: Child, season: Season) -> Enrolment:
    """Apply and decide in one step (the child page's "Enrol" button)."""
    if not queries.has_consent(child):
        raise FormError("season_id", _("Record the guardian's consent before enrolling this child."))
    return decide(apply(child, season))


def withdraw(enrolment: Enrolment) -> None:
    if enrolment.status == "withdrawn":
        raise FormError("season_id", _("This child has already withdrawn."))
    enrolment.status, enrolment.withdrawn_at = "withdrawn", utcnow()
    db.session.flush()
    audit("enrol", enrolment.child, f"withdrawn from season {enrolment.season_id}")


def promote_next(season: Season) -> Enrolment:
    """Give a free place to the first child on the waitlist."""
    _lock_season(season.id)
    if queries.enrolled_count(season.id) >= season.capacity:
        raise FormError("season_id", _("There is no free place in this season."))
    waiting = queries.waitlist(season, limit=1)
    if not waiting:
        raise FormError("season_id", _("Nobody is waiting for a place."))
    enrolment = waiting[0]
    enrolment.status, enrolment.decided_at = "enrolled", utcnow()
    db.session.flush()
    audit("enrol", enrolment.child, f"offered a freed place in season {season.id}")
    return enrolment


# --- erasure --------------------------------------------------------------------------------------
def erase(child: Child, reason: str, user=None) -> ErasureRecord:
    """A guardian's erasure request: personal data replaced or deleted; enrolment rows (with sex and
    grade) stay so the season's counts are kept, anonymised."""
    _refuse_erased(child)
    user = user or current_user
    now = utcnow()
    for enrolment in child.enrolments:
        if enrolment.status in ACTIVE_STATUSES:
            enrolment.status, enrolment.withdrawn_at = "withdrawn", now
    child.name, child.name_pinyin, child.name_initials = ERASED_NAME, "", ""
    child.birth_date = None
    for key in ("school", "hometown", "allergies", "conditions", "medicines", "notes"):
        setattr(child, key, "")
    child.high_risk = child.may_go_home_alone = False
    child.guardians.clear()
    child.pickups.clear()
    child.consents.clear()
    child.erased_at = now
    record = ErasureRecord(child_id=child.id, site_id=child.site_id, erased_by_id=user.id, erased_at=now,
                           reason=reason.strip()[:300])
    db.session.add(record)
    db.session.flush()
    audit("erase", child, "personal data erased on the guardian's request", user=user)
    return record


# --- import ---------------------------------------------------------------------------------------
def purge_expired_imports() -> None:
    db.session.execute(delete(ImportBatch).where(ImportBatch.expires_at < utcnow()))


def store_import(site: Site, season: Season | None, filename: str, payload: dict, user=None) -> ImportBatch:
    purge_expired_imports()
    batch = ImportBatch(site_id=site.id, season_id=season.id if season else None, filename=filename[:200],
                        payload=payload, created_by_id=(user or current_user).id, created_at=utcnow(),
                        expires_at=utcnow() + IMPORT_TTL)
    db.session.add(batch)
    db.session.flush()
    return batch


def save_import(batch: ImportBatch) -> int:
    """Save every valid row of a previewed import in this transaction; returns how many were saved.
    Rows that became duplicates since the preview are skipped (the view reports the count)."""
    from datetime import date

    if batch.expires_at < utcnow():
        raise FormError("file", _("This preview has expired. Upload the file again."))
    by_birth, by_phone = queries.duplicate_keys(batch.site_id)
    saved = 0
    children = []
    for row in batch.payload.get("rows", []):
        if row["errors"]:
            continue
        v = row["values"]
        birth = date.fromisoformat(v["birth_date"])
        if (v["name"], birth) in by_birth or (v["name"], v["guardian_phone"]) in by_phone:
            continue
        by_birth.add((v["name"], birth))
        by_phone.add((v["name"], v["guardian_phone"]))
        child = Child(site_id=batch.site_id, sex=v["sex"], birth_date=birth, grade=v["grade"],
                      school=v["school"], hometown=v["hometown"], allergies=v["allergies"],
                      conditions=v["conditions"], medicines=v["medicines"], high_risk=v["high_risk"],
                      may_go_home_alone=v["may_go_home_alone"], notes="")
        _set_name(child, v["name"])
        child.guardians.append(Guardian(name=v["guardian_name"], relation=v["guardian_relation"],
                                        phone=v["guardian_phone"], employer=v["guardian_employer"]))
        if batch.season_id:
            child.enrolments.append(Enrolment(season_id=batch.season_id, status="applied",
                                              applied_at=utcnow()))
        children.append(child)
        saved += 1
    db.session.add_all(children)
    db.session.flush()
    now = utcnow()
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    db.session.add_all([AuditEntry(action="import", child_id=c.id, site_id=c.site_id, user_id=user_id, at=now,
                                   summary=f"created by import {batch.id}") for c in children])
    db.session.delete(batch)
    db.session.flush()
    return saved

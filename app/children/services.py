"""Writes for children, guardians, pickups, consent, enrolment, imports and erasure.

Services take the acting user (``by=``), flush and never commit: the save path
(``app.core.views.save``) commits once. Every change of a child's record writes an audit entry
(``app.core.audit.record``) with an event code and ids or field names, never personal data.

Enrolment decisions depend on how many places a season has left: every path that inserts or
changes enrolments locks the season row FIRST (``app.core.db.lock``), then reads what it decides on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.children import importer, queries
from app.children.models import (ACTIVE_STATUSES, ERASED_NAME, Child, Consent, ConsentNotice, Enrolment,
                                 ErasureRecord, Guardian, ImportBatch, PickupPerson)
from app.children.names import name_pinyin
from app.children.notice import CURRENT_VERSION, NOTICES
from app.core import audit
from app.core.db import lock
from app.core.errors import FormError
from app.core.ids import object_in_site
from app.core.timeutil import utcnow
from app.extensions import db
from app.sites.models import Season, Site

CHILD_FIELDS = ("name", "sex", "birth_date", "grade", "school", "hometown", "may_go_home_alone",
                "allergies", "conditions", "medicines", "high_risk", "notes")
IMPORT_TTL = timedelta(hours=24)


# --- children -------------------------------------------------------------------------------------
def _field_value(values: dict, key: str):
    value = values[key]
    return value if value is not None or key in ("birth_date", "grade") else ""


def _set_name(child: Child, name: str) -> None:
    child.name = " ".join(name.split())  # inner runs of spaces as one
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


def create_child(site: Site, values: dict, *, by) -> Child:
    _check_duplicates(site.id, values, [values.get("guardian_phone") or ""])
    child = Child(site_id=site.id)
    for key in CHILD_FIELDS:
        if key in values:
            setattr(child, key, _field_value(values, key))
    _set_name(child, values["name"])
    if values.get("guardian_phone"):
        child.guardians.append(Guardian(name=values.get("guardian_name") or "", phone=values["guardian_phone"],
                                        relation=values.get("guardian_relation") or "",
                                        employer=values.get("guardian_employer") or ""))
    db.session.add(child)
    db.session.flush()
    audit.record("create", "child.created", by=by, child=child)
    return child


def update_child(child: Child, values: dict, *, by) -> None:
    _refuse_erased(child)
    _check_duplicates(child.site_id, values, [g.phone for g in child.guardians], exclude_id=child.id)
    changed = []
    for key in CHILD_FIELDS:
        if key not in values:
            continue
        value = _field_value(values, key)
        if key == "name":
            value = " ".join(value.split())
        if getattr(child, key) != value:
            changed.append(key)
            setattr(child, key, value)
    if "name" in changed:
        _set_name(child, child.name)
    if changed:
        audit.record("update", "child.changed", by=by, child=child, fields=[f"child.{key}" for key in changed])


def _refuse_erased(child: Child) -> None:
    if child.is_erased:
        raise FormError("name", _("This child's data has been erased; the record cannot be changed."))


# --- guardians and pickup persons (inline tables on the child's page) -----------------------------
def _person_values(values: dict) -> dict:
    return {k: v or "" for k, v in values.items()}


def create_guardian(child: Child, values: dict, *, by) -> Guardian:
    _refuse_erased(child)
    guardian = Guardian(child_id=child.id, **_person_values(values))
    db.session.add(guardian)
    audit.record("update", "guardian.added", by=by, child=child)
    return guardian


def update_guardian(guardian: Guardian, values: dict, *, by) -> None:
    _refuse_erased(guardian.child)
    for key, value in _person_values(values).items():
        setattr(guardian, key, value)
    audit.record("update", "guardian.changed", by=by, child=guardian.child, guardian=guardian.id)


def delete_guardian(guardian: Guardian, *, by) -> None:
    audit.record("update", "guardian.removed", by=by, child=guardian.child, guardian=guardian.id)
    db.session.delete(guardian)


def create_pickup(child: Child, values: dict, *, by) -> PickupPerson:
    _refuse_erased(child)
    person = PickupPerson(child_id=child.id, **_person_values(values))
    db.session.add(person)
    audit.record("update", "pickup.added", by=by, child=child)
    return person


def update_pickup(person: PickupPerson, values: dict, *, by) -> None:
    _refuse_erased(person.child)
    for key, value in _person_values(values).items():
        setattr(person, key, value)
    audit.record("update", "pickup.changed", by=by, child=person.child, pickup=person.id)


def delete_pickup(person: PickupPerson, *, by) -> None:
    audit.record("update", "pickup.removed", by=by, child=person.child, pickup=person.id)
    db.session.delete(person)


# --- consent --------------------------------------------------------------------------------------
def current_notice() -> ConsentNotice:
    """The notice in force, stored the first time a consent refers to it (its text never changes
    after). Called only while saving; the consent page shows ``notice.current_notice_text()``."""
    notice = db.session.scalar(select(ConsentNotice).where(ConsentNotice.version == CURRENT_VERSION))
    if notice is None:
        published_at, body = NOTICES[CURRENT_VERSION]
        notice = ConsentNotice(version=CURRENT_VERSION, text=body, published_at=published_at)
        db.session.add(notice)
        db.session.flush()
    return notice


def record_consent(child: Child, values: dict, *, by) -> Consent:
    _refuse_erased(child)
    notice = current_notice()
    signed_on = values.get("signed_on")
    consent = Consent(child_id=child.id, notice_id=notice.id, guardian_name=values["guardian_name"],
                      guardian_relation=values["guardian_relation"], consented_at=utcnow(), recorded_by_id=by.id,
                      source="paper" if signed_on else "online", signed_on=signed_on)
    db.session.add(consent)
    audit.record("consent", "consent.recorded", by=by, child=child, version=notice.version,
                 source=consent.source)
    return consent


# --- enrolment ------------------------------------------------------------------------------------
def _lock_season(season_id: int) -> Season:
    """Lock the season (before anything else of the enrolment decision) and return it fresh."""
    lock(db.session, Season, season_id)
    return db.session.scalar(select(Season).where(Season.id == season_id)
                             .execution_options(populate_existing=True))


def _fresh(enrolment: Enrolment) -> Enrolment:
    """The enrolment as committed now (it was loaded before the lock)."""
    found = db.session.scalar(select(Enrolment).where(Enrolment.id == enrolment.id)
                              .execution_options(populate_existing=True))
    if found is None:
        raise FormError("season_id", _("This enrolment no longer exists. Reload the page."))
    return found


def _check_season(child: Child, season: Season) -> None:
    _refuse_erased(child)
    if season.site_id != child.site_id:
        raise FormError("season_id", _("Choose a season of this child's site."))


def _apply_locked(child: Child, season: Season, by) -> Enrolment:
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.child_id == child.id,
                                                          Enrolment.season_id == season.id)
                                  .execution_options(populate_existing=True))
    if enrolment is None:
        enrolment = Enrolment(child=child, season=season, status="applied", applied_at=utcnow())
        db.session.add(enrolment)
    elif enrolment.status == "withdrawn":
        enrolment.status, enrolment.applied_at, enrolment.withdrawn_at = "applied", utcnow(), None
    else:
        raise FormError("season_id", _("This child is already on the list of this season."))
    db.session.flush()
    audit.record("enrol", "enrolment.applied", by=by, child=child, season=season.id)
    return enrolment


def _decide_locked(enrolment: Enrolment, season: Season, by) -> Enrolment:
    child = enrolment.child
    _refuse_erased(child)
    if enrolment.status != "applied":
        raise FormError("season_id", _("Only an application can be decided."))
    if not queries.has_consent(child):
        raise FormError("season_id", _("Record the guardian's consent before enrolling this child."))
    free = season.capacity - queries.enrolled_count(season.id)
    enrolment.status = "enrolled" if free > 0 else "waitlisted"
    enrolment.decided_at = utcnow()
    db.session.flush()
    audit.record("enrol", f"enrolment.{enrolment.status}", by=by, child=child, season=season.id)
    return enrolment


def apply(child: Child, season: Season, *, by) -> Enrolment:
    """Put the child on the season's list (applied), or back on it after a withdrawal."""
    _check_season(child, season)
    season = _lock_season(season.id)
    return _apply_locked(child, season, by)


def decide(enrolment: Enrolment, *, by) -> Enrolment:
    """Enrol if a place is free, else put on the waitlist (in order of application). Needs consent."""
    season = _lock_season(enrolment.season_id)
    return _decide_locked(_fresh(enrolment), season, by)


def enrol(child: Child, season: Season, *, by) -> Enrolment:
    """Apply and decide in one step (the child page's "Enrol" button)."""
    _check_season(child, season)
    if not queries.has_consent(child):
        raise FormError("season_id", _("Record the guardian's consent before enrolling this child."))
    season = _lock_season(season.id)
    return _decide_locked(_apply_locked(child, season, by), season, by)


def enrol_from_form(child: Child, values: dict, action: str, *, by) -> Enrolment:
    """The child page's enrolment form: the season (an id from the form, checked against the
    child's site), then "apply" or "enrol"."""
    season = object_in_site(Season, values.get("season_id"), child.site_id, field="season_id",
                            message=_("Choose a season of this site."))
    if action == "apply":
        return apply(child, season, by=by)
    return enrol(child, season, by=by)


def withdraw(enrolment: Enrolment, *, by) -> Enrolment:
    _lock_season(enrolment.season_id)
    enrolment = _fresh(enrolment)
    if enrolment.status == "withdrawn":
        raise FormError("season_id", _("This child has already withdrawn."))
    enrolment.status, enrolment.withdrawn_at = "withdrawn", utcnow()
    db.session.flush()
    audit.record("enrol", "enrolment.withdrawn", by=by, child=enrolment.child, season=enrolment.season_id)
    return enrolment


def promote_next(season: Season, *, by) -> Enrolment:
    """Give a free place to the first child on the waitlist."""
    season = _lock_season(season.id)
    if queries.enrolled_count(season.id) >= season.capacity:
        raise FormError("season_id", _("There is no free place in this season."))
    waiting = queries.waitlist(season, limit=1)
    if not waiting:
        raise FormError("season_id", _("Nobody is waiting for a place."))
    enrolment = waiting[0]
    enrolment.status, enrolment.decided_at = "enrolled", utcnow()
    db.session.flush()
    audit.record("enrol", "enrolment.promoted", by=by, child=enrolment.child, season=season.id)
    return enrolment


# --- erasure --------------------------------------------------------------------------------------
def erase(child: Child, reason: str, *, by) -> ErasureRecord:
    """A guardian's erasure request: personal data replaced or deleted; enrolment rows (with sex and
    grade) stay so the season's counts are kept, anonymised."""
    _refuse_erased(child)
    for season_id in sorted({e.season_id for e in child.enrolments}):
        lock(db.session, Season, season_id)
    now = utcnow()
    for enrolment in child.enrolments:
        db.session.refresh(enrolment)
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
    record = ErasureRecord(child_id=child.id, site_id=child.site_id, erased_by_id=by.id, erased_at=now,
                           reason=reason[:300])
    db.session.add(record)
    db.session.flush()
    audit.record("erase", "child.erased", by=by, child=child)
    return record


# --- import ---------------------------------------------------------------------------------------
def purge_expired_imports() -> None:
    db.session.execute(delete(ImportBatch).where(ImportBatch.expires_at < utcnow()))


def start_import(site: Site, values: dict, *, by) -> ImportBatch:
    """Read and check an uploaded roster file and keep it for the preview (nothing is saved yet).
    A file that cannot be read as a whole is refused on the ``file`` field."""
    upload = values["file"]
    try:
        data = upload.stream.read(importer.MAX_BYTES + 1)
    finally:
        upload.close()  # large uploads are spooled to a temporary file
    filename = upload.filename or ""
    try:
        table = importer.read_table(filename, data)
        payload = importer.parse_rows(table, queries.duplicate_keys(site.id))
    except importer.FileProblem as problem:
        raise FormError("file", str(problem)) from None
    season = None
    if values.get("season_id"):
        season = object_in_site(Season, values["season_id"], site.id, field="season_id",
                                message=_("Choose a season of this site."))
    purge_expired_imports()
    batch = ImportBatch(site_id=site.id, season_id=season.id if season else None, filename=filename[:200],
                        payload=payload, created_by_id=by.id, created_at=utcnow(), expires_at=utcnow() + IMPORT_TTL)
    db.session.add(batch)
    db.session.flush()
    return batch


def _batch_now(batch_id: int) -> ImportBatch | None:
    """Lock the batch row, then read it as committed now (another confirm may have saved it)."""
    lock(db.session, ImportBatch, batch_id)
    return db.session.scalar(select(ImportBatch).where(ImportBatch.id == batch_id)
                             .execution_options(populate_existing=True))


IMPORT_CHOICES = {"skip", "import", "merge"}
MERGE_FIELDS = ("birth_date", "grade", "school", "hometown", "allergies", "conditions", "medicines", "notes")


@dataclass
class ImportResult:
    saved: int = 0        # new children
    merged: int = 0       # rows merged into a child already registered
    skipped: int = 0      # rows that became duplicates since the preview
    season_id: int | None = None
    kept: list = field(default_factory=list)  # (child name, [field keys]) where the file differed


def import_choices(batch: ImportBatch, form) -> dict[int, str]:
    """The coordinator's choice for every flagged likely-duplicate row of the preview (``row-<n>``:
    skip, import anyway, or merge into the child already registered); unknown rows or choices refused."""
    flagged = {row["row"]: row["duplicate"] for row in batch.payload.get("rows", [])
               if row.get("duplicate") and not row["errors"]}
    choices = {}
    for key in form:
        if not key.startswith("row-"):
            continue
        number = key.removeprefix("row-")
        value = form.get(key)
        if not number.isdigit() or int(number) not in flagged:
            raise FormError(None, _("The choice for row %(row)s does not belong to this import. Reload the "
                                    "preview.", row=number[:8]))
        allowed = {"skip", "import", "merge"} if flagged[int(number)].get("child_id") else {"skip", "import"}
        if value not in allowed:
            raise FormError(None, _("Choose what to do with row %(row)s: skip it, import it anyway or merge it "
                                    "into the child already registered.", row=number))
        choices[int(number)] = value
    return choices


def _new_child(batch: ImportBatch, v: dict) -> Child:
    child = Child(site_id=batch.site_id, sex=v["sex"], birth_date=date.fromisoformat(v["birth_date"]),
                  grade=v["grade"], school=v["school"], hometown=v["hometown"], allergies=v["allergies"],
                  conditions=v["conditions"], medicines=v["medicines"], high_risk=v["high_risk"],
                  may_go_home_alone=v["may_go_home_alone"], notes=v.get("notes", ""))
    _set_name(child, v["name"])
    child.guardians.append(_guardian_of(v))
    if batch.season_id:
        child.enrolments.append(Enrolment(season_id=batch.season_id, status="applied", applied_at=utcnow()))
    return child


def _guardian_of(v: dict) -> Guardian:
    return Guardian(name=v["guardian_name"], relation=v["guardian_relation"], phone=v["guardian_phone"],
                    employer=v["guardian_employer"])


def _paper_consent(child: Child, v: dict, notice: ConsentNotice, by) -> bool:
    """The paper consent form of an imported row (its signing day in ``paper_consent``)."""
    if not v.get("paper_consent"):
        return False
    child.consents.append(Consent(notice_id=notice.id, guardian_name=v["guardian_name"],
                                  guardian_relation=v["guardian_relation"], consented_at=utcnow(),
                                  recorded_by_id=by.id, source="paper",
                                  signed_on=date.fromisoformat(v["paper_consent"])))
    return True


def _merge(batch: ImportBatch, child_id: int, v: dict, notice, by, result: ImportResult) -> None:
    """Fill the registered child's empty fields from the row, add its guardian when new, its paper
    consent and its place on the season's list; fields that already hold another value are kept (and
    named in the result)."""
    lock(db.session, Child, child_id)
    child = db.session.scalar(select(Child).where(Child.id == child_id).execution_options(populate_existing=True))
    if child is None or child.site_id != batch.site_id or child.is_erased:
        raise FormError(None, _("The child to merge “%(name)s” into no longer exists. Upload the file again.",
                                name=v["name"]))
    filled, kept = [], []
    for key in MERGE_FIELDS:
        new = v.get(key)
        if key == "birth_date" and new:
            new = date.fromisoformat(new)
        if new in (None, ""):
            continue
        old = getattr(child, key)
        if old in (None, ""):
            setattr(child, key, new)
            filled.append(key)
        elif old != new:
            kept.append(key)
    for key in ("high_risk", "may_go_home_alone"):
        if bool(v.get(key)) != getattr(child, key):
            kept.append(key)
    if kept:
        result.kept.append((child.name, kept))
    if filled:
        audit.record("update", "child.merged", by=by, child=child, fields=[f"child.{key}" for key in filled])
    if v["guardian_phone"] not in {g.phone for g in child.guardians}:
        child.guardians.append(_guardian_of(v))
        audit.record("update", "guardian.added", by=by, child=child)
    if batch.season_id and _put_on_list(child, batch.season_id):
        db.session.flush()
        audit.record("enrol", "enrolment.applied", by=by, child=child, season=batch.season_id)
    if _paper_consent(child, v, notice, by):
        db.session.flush()
        audit.record("consent", "consent.paper", by=by, child=child, version=notice.version)
    result.merged += 1


def _put_on_list(child: Child, season_id: int) -> bool:
    """Put a registered child on the season's list (applied) unless it is on it already."""
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.child_id == child.id,
                                                          Enrolment.season_id == season_id))
    if enrolment is None:
        child.enrolments.append(Enrolment(season_id=season_id, status="applied", applied_at=utcnow()))
    elif enrolment.status == "withdrawn":
        enrolment.status, enrolment.applied_at, enrolment.withdrawn_at = "applied", utcnow(), None
    else:
        return False
    return True


def save_import(batch_id: int, form=None, *, by) -> ImportResult:
    """Save every valid row of a previewed import, and the flagged likely duplicates as the
    coordinator chose (``form``: ``row-<n>`` = skip / import / merge). Valid rows that became
    duplicates since the preview are skipped. The batch is locked and read again first, so the same
    import confirmed twice at once is saved once; the second gets a clear message."""
    batch = _batch_now(batch_id)
    if batch is None:
        raise FormError(None, _("This import has already been saved (or was cancelled): nothing more was saved."))
    if batch.expires_at < utcnow():
        raise FormError("file", _("This preview has expired. Upload the file again."))
    choices = import_choices(batch, form or {})
    if batch.season_id:
        _lock_season(batch.season_id)
    result = ImportResult(season_id=batch.season_id)
    notice = current_notice()
    by_birth, by_phone = queries.duplicate_keys(batch.site_id)
    children = []
    for row in batch.payload.get("rows", []):
        if row["errors"]:
            continue
        v = row["values"]
        choice = choices.get(row["row"], "skip") if row.get("duplicate") else "new"
        if choice == "skip":
            continue
        if choice == "merge":
            _merge(batch, row["duplicate"]["child_id"], v, notice, by, result)
            continue
        birth = date.fromisoformat(v["birth_date"])
        if choice == "new" and ((v["name"], birth) in by_birth or (v["name"], v["guardian_phone"]) in by_phone):
            result.skipped += 1
            continue
        by_birth[(v["name"], birth)] = by_phone[(v["name"], v["guardian_phone"])] = 0
        child = _new_child(batch, v)
        _paper_consent(child, v, notice, by)
        children.append(child)
    db.session.add_all(children)
    db.session.flush()
    for child in children:
        audit.record("import", "child.imported", by=by, child=child)
        if child.consents:
            audit.record("consent", "consent.paper", by=by, child=child, version=notice.version)
    result.saved = len(children)
    db.session.delete(batch)
    db.session.flush()
    return result


def cancel_import(batch_id: int, *, by) -> None:
    """Drop a previewed import (nothing of it was saved). Already gone: nothing to do."""
    batch = _batch_now(batch_id)
    if batch is not None:
        db.session.delete(batch)
        db.session.flush()

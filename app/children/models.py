"""Children, their guardians and pickup persons, consent, enrolment, imports and the audit trail.

Information about children under 14 is sensitive under PIPL art. 28: consent is recorded before a
child is enrolled, every view and change is written to the audit trail (never updated: a database
trigger refuses UPDATE on ``audit_entries``), and a guardian's erasure request replaces the
personal fields while enrolment rows stay for anonymised counts.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin
from app.core.models import AUDIT_ACTIONS, AuditEntry  # noqa: F401  (the trail lives in core)
from app.core.timeutil import utcnow
from app.extensions import db

SEXES = ("m", "f")
GRADES = tuple(range(1, 10))  # 一年级 .. 九年级 (初三)
ENROLMENT_STATUSES = ("applied", "enrolled", "waitlisted", "withdrawn")
CONSENT_SOURCES = ("online", "paper")  # recorded on the consent page / signed on paper (e.g. imported)
ACTIVE_STATUSES = ("applied", "enrolled", "waitlisted")
ERASED_NAME = "已删除"


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Child(TimestampMixin, db.Model):
    __tablename__ = "children"
    __table_args__ = (
        CheckConstraint(f"sex IN ({_in(SEXES)})", name="sex_known"),
        CheckConstraint("grade IS NULL OR (grade >= 1 AND grade <= 9)", name="grade_range"),
        Index("ix_children_site_id_name", "site_id", "name"),
        Index("ix_children_site_id_name_pinyin", "site_id", "name_pinyin"),
        Index("ix_children_site_id_name_initials", "site_id", "name_initials"),
        Index("ix_children_name_birth_date", "name", "birth_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    name_pinyin: Mapped[str] = mapped_column(String(240), default="")
    name_initials: Mapped[str] = mapped_column(String(60), default="")
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date | None]
    grade: Mapped[int | None]
    school: Mapped[str] = mapped_column(String(120), default="")
    hometown: Mapped[str] = mapped_column(String(120), default="")
    may_go_home_alone: Mapped[bool] = mapped_column(default=False)
    allergies: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    medicines: Mapped[str] = mapped_column(Text, default="")
    high_risk: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    erased_at: Mapped[datetime | None]

    site: Mapped["Site"] = relationship()  # noqa: F821
    guardians: Mapped[list[Guardian]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Guardian.id")
    pickups: Mapped[list[PickupPerson]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="PickupPerson.id")
    consents: Mapped[list[Consent]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Consent.consented_at")
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="child", order_by="Enrolment.applied_at")

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class Guardian(db.Model):
    __tablename__ = "guardians"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    relation: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    employer: Mapped[str] = mapped_column(String(120), default="")

    child: Mapped[Child] = relationship(back_populates="guardians")


class PickupPerson(db.Model):
    """A person the guardian authorised to pick the child up."""
    __tablename__ = "pickup_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    relation: Mapped[str] = mapped_column(String(20))
    phone: Mapped[str] = mapped_column(String(20))

    child: Mapped[Child] = relationship(back_populates="pickups")


class ConsentNotice(db.Model):
    """A version of the notice a guardian reads before consenting (stored text, in Chinese)."""
    __tablename__ = "consent_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(20), unique=True)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class Consent(db.Model):
    """A guardian's consent to one notice version; written once, never edited. ``source`` says how it
    was given: read and agreed on the consent page ("online") or signed on a paper form ("paper",
    with the day it was signed in ``signed_on``, e.g. from an imported roster)."""
    __tablename__ = "consents"
    __table_args__ = (CheckConstraint(f"source IN ({_in(CONSENT_SOURCES)})", name="source_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("consent_notices.id"))
    guardian_name: Mapped[str] = mapped_column(String(60))
    guardian_relation: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10), default="online", server_default="online")
    signed_on: Mapped[date | None]

    child: Mapped[Child] = relationship(back_populates="consents")
    notice: Mapped[ConsentNotice] = relationship(lazy="joined")
    recorded_by: Mapped["User | None"] = relationship()  # noqa: F821


class Enrolment(db.Model):
    """Child × season: applied → enrolled / waitlisted → withdrawn."""
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("child_id", "season_id"),
        CheckConstraint(f"status IN ({_in(ENROLMENT_STATUSES)})", name="status_known"),
        Index("ix_enrolments_season_id_status_applied_at", "season_id", "status", "applied_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    status: Mapped[str] = mapped_column(String(12), default="applied")
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]

    child: Mapped[Child] = relationship(back_populates="enrolments")
    season: Mapped["Season"] = relationship()  # noqa: F821


class ImportBatch(db.Model):
    """An uploaded roster file, parsed and kept server-side between preview and confirmation."""
    __tablename__ = "child_import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    season_id: Mapped[int | None] = mapped_column(ForeignKey("seasons.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    # loaded by queries.import_batch for the preview; never lazily from a template
    season: Mapped["Season | None"] = relationship(lazy="raise_on_sql")  # noqa: F821
    site: Mapped["Site"] = relationship(lazy="raise_on_sql")  # noqa: F821


class ErasureRecord(db.Model):
    """That a child's personal data was erased on a guardian's request: who, when, why."""
    __tablename__ = "child_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(String(300))

    erased_by: Mapped["User | None"] = relationship()  # noqa: F821



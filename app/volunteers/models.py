"""Volunteers: applications, profiles, trainings, background checks, hour entries, certificates."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import LargeBinary, JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin
from app.core.timeutil import utcnow
from app.extensions import db

ID_TYPES = ("resident_id", "passport", "hk_macau_permit", "taiwan_permit", "other")
APPLICATION_STATUSES = ("applied", "accepted", "declined")
CHECK_RESULTS = ("clear", "record")
HOUR_STATUSES = ("pending", "approved", "rejected", "withdrawn")
HOUR_SOURCES = ("manual", "shift")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class IdentityMixin:
    """Real name, phone and a protected ID number: only a keyed hash and a masked form are stored."""
    real_name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(20))
    id_type: Mapped[str] = mapped_column(String(20), default="resident_id")
    id_number_hash: Mapped[str] = mapped_column(String(80))     # "<key version>:<hex HMAC>"
    id_number_masked: Mapped[str] = mapped_column(String(40))
    birth_date: Mapped[date | None]
    skills: Mapped[str] = mapped_column(Text, default="")        # subjects they can tutor
    interests: Mapped[str] = mapped_column(Text, default="")     # interests they can teach
    availability: Mapped[str] = mapped_column(Text, default="")
    guardian_name: Mapped[str] = mapped_column(String(60), default="")
    guardian_phone: Mapped[str] = mapped_column(String(20), default="")
    guardian_consent: Mapped[bool] = mapped_column(Boolean, default=False)

    def is_minor(self, on: date) -> bool:
        if self.birth_date is None:
            return False
        b = self.birth_date
        age = on.year - b.year - ((on.month, on.day) < (b.month, b.day))
        return age < 18


class VolunteerApplication(IdentityMixin, db.Model):
    """A person's application through the site's public sign-up page; no account until accepted."""
    __tablename__ = "volunteer_applications"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(APPLICATION_STATUSES)})", name="status_known"),
        CheckConstraint(f"id_type IN ({_in(ID_TYPES)})", name="id_type_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    team: Mapped[str] = mapped_column(String(120), default="")   # e.g. a university team, as written
    motivation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="applied")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_profiles.id", ondelete="SET NULL"))

    site: Mapped["Site"] = relationship()  # noqa: F821


class VolunteerProfile(IdentityMixin, TimestampMixin, db.Model):
    __tablename__ = "volunteer_profiles"
    __table_args__ = (
        CheckConstraint(f"id_type IN ({_in(ID_TYPES)})", name="id_type_known"),
        CheckConstraint("insurance_until IS NULL OR insurance_from IS NULL OR insurance_until >= insurance_from",
                        name="insurance_dates_ordered"),
        UniqueConstraint("site_id", "id_number_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id", ondelete="SET NULL"), index=True)
    volunteer_number: Mapped[str] = mapped_column(String(40), unique=True)
    insurance_policy: Mapped[str] = mapped_column(String(80), default="")
    insurance_from: Mapped[date | None]
    insurance_until: Mapped[date | None]
    archived_at: Mapped[datetime | None]

    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821
    site: Mapped["Site"] = relationship()  # noqa: F821
    party: Mapped["Party | None"] = relationship()  # noqa: F821

    @property
    def display_name(self) -> str:
        return self.real_name


class TrainingKind(TimestampMixin, db.Model):
    """A kind of training a site defines (child protection, fire safety, first aid, ...)."""
    __tablename__ = "training_kinds"
    __table_args__ = (
        UniqueConstraint("site_id", "name"),
        CheckConstraint("validity_months > 0", name="validity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    validity_months: Mapped[int] = mapped_column(Integer, default=12)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None]

    site: Mapped["Site"] = relationship()  # noqa: F821


class TrainingSession(TimestampMixin, db.Model):
    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("training_kinds.id"), index=True)
    held_on: Mapped[date]
    trainer: Mapped[str] = mapped_column(String(100), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    kind: Mapped[TrainingKind] = relationship()
    attendances: Mapped[list[TrainingAttendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan")


class TrainingAttendance(db.Model):
    __tablename__ = "training_attendances"
    __table_args__ = (UniqueConstraint("session_id", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True)

    session: Mapped[TrainingSession] = relationship(back_populates="attendances")
    profile: Mapped[VolunteerProfile] = relationship()


class BackgroundCheck(db.Model):
    """入职查询: a query for records of offences against minors (未成年人保护法 art. 62), yearly."""
    __tablename__ = "background_checks"
    __table_args__ = (CheckConstraint(f"result IN ({_in(CHECK_RESULTS)})", name="result_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), index=True)
    checked_on: Mapped[date]
    checked_by: Mapped[str] = mapped_column(String(120))    # who made the query (person or office)
    result: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HourEntry(db.Model):
    """Service time of one volunteer on one day: entered by hand or (later) from a shift."""
    __tablename__ = "hour_entries"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(HOUR_STATUSES)})", name="status_known"),
        CheckConstraint(f"source IN ({_in(HOUR_SOURCES)})", name="source_known"),
        CheckConstraint("ends_at > starts_at", name="end_after_start"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("status <> 'rejected' OR reject_reason <> ''", name="rejection_has_reason"),
        db.Index("ix_hour_entries_site_status", "site_id", "status"),
        db.Index("ix_hour_entries_profile_date", "profile_id", "work_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profiles.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    season_id: Mapped[int | None] = mapped_column(ForeignKey("seasons.id", ondelete="SET NULL"), index=True)
    work_date: Mapped[date]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    minutes: Mapped[int]
    activity: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(10), default="manual")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reject_reason: Mapped[str] = mapped_column(Text, default="")

    profile: Mapped[VolunteerProfile] = relationship()
    season: Mapped["Season | None"] = relationship()  # noqa: F821
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821
    corrections: Mapped[list[HourCorrection]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="HourCorrection.id")


class HourCorrection(db.Model):
    """A coordinator's correction of an hour entry: the old and new values, who, when and why."""
    __tablename__ = "hour_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("hour_entries.id", ondelete="CASCADE"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    old_values: Mapped[dict] = mapped_column(JSON)
    new_values: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)

    entry: Mapped[HourEntry] = relationship(back_populates="corrections")
    changed_by: Mapped["User | None"] = relationship()  # noqa: F821


class VolunteerSettings(db.Model):
    """Per site: who issues certificates (志愿服务证明) and who to contact."""
    __tablename__ = "volunteer_settings"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    issuer_name: Mapped[str] = mapped_column(String(120))
    person_in_charge: Mapped[str] = mapped_column(String(60))
    handler: Mapped[str] = mapped_column(String(60))
    contact: Mapped[str] = mapped_column(String(60))


class CertificateCounter(db.Model):
    """The last certificate number used per year; numbers only go up, so none is reused."""
    __tablename__ = "certificate_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Certificate(db.Model):
    """志愿服务证明 as issued (民发〔2015〕149号): numbered, recorded, verifiable."""
    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("period_to >= period_from", name="period_ordered"),
        CheckConstraint("minutes > 0", name="minutes_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profiles.id"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(60))
    id_type: Mapped[str] = mapped_column(String(20))
    id_number_masked: Mapped[str] = mapped_column(String(40))
    volunteer_number: Mapped[str] = mapped_column(String(40))
    period_from: Mapped[date]
    period_to: Mapped[date]
    minutes: Mapped[int]
    content: Mapped[str] = mapped_column(Text)
    issuer_name: Mapped[str] = mapped_column(String(120))
    person_in_charge: Mapped[str] = mapped_column(String(60))
    handler: Mapped[str] = mapped_column(String(60))
    contact: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    voided_at: Mapped[datetime | None]
    # A newer certificate of the same volunteer for an overlapping period replaces this one.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id", ondelete="SET NULL"))
    # Issued under the rule that only an active volunteer (or the site's staff) may request one for a
    # profile that is not archived; older certificates stay as issued.
    holder_checked: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # An issued certificate never changes: its PDF is kept, keyed by the template and style version
    # it was rendered with, so the next download costs nothing.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_key: Mapped[str | None] = mapped_column(String(64))

    profile: Mapped[VolunteerProfile] = relationship()
    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id])

    @property
    def hours(self) -> str:
        return format_hours(self.minutes)

    @property
    def verdict(self) -> str:
        """What /verify says: "void", "superseded", "not_valid" (issued under the holder rule to a
        profile archived by then, which the rule refuses) or "genuine". Needs ``profile`` loaded."""
        if self.voided_at is not None:
            return "void"
        if self.superseded_by_id is not None:
            return "superseded"
        if self.holder_checked and self.profile.archived_at is not None and self.profile.archived_at <= self.issued_at:
            return "not_valid"
        return "genuine"

    @property
    def masked_holder(self) -> str:
        return mask_name(self.holder_name)


def format_hours(minutes: int | None) -> str:
    """Minutes as hours with at most two decimals: 90 -> '1.5', 120 -> '2'."""
    value = (minutes or 0) / 60
    return f"{value:.2f}".rstrip("0").rstrip(".")


def mask_name(name: str) -> str:
    """王浩然 -> 王*然, 李娜 -> 李*: enough to recognise, not to identify."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]

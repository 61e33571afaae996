"""The programme's day: arrivals and pickups, alerts followed to an end, incidents, homework.

- ``DayRecord``: one row per child per day (unique), the latest arrival and departure; every change
  is kept in ``DayRecordChange`` (inserted only).
- ``DailyAlert``: open → acknowledged → resolved (with a note), one per child, day and kind.
- ``Incident``: written once, never edited or deleted (a mapper guard refuses both); corrections are
  ``IncidentAddendum`` rows, and the report of suspected harm is an ``IncidentReport`` row.
- ``HomeworkPlan`` per child, season and subject; ``HomeworkProgress`` entries never exceed it.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.timeutil import utcnow
from app.extensions import db

DEPARTURE_KINDS = ("guardian", "pickup", "alone", "exception")
ALERT_KINDS = ("not_arrived", "not_picked_up", "pickup_exception", "allergy")
ALERT_STATES = ("open", "acknowledged", "resolved")
INCIDENT_KINDS = ("injury", "illness", "conflict", "hazard", "suspected_harm")
CHANGE_KINDS = ("arrival", "departure", "excuse", "paper")
DEFAULT_ARRIVE_BY = time(9, 30)
DEFAULT_PICKUP_BY = time(18, 0)


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class DailySettings(db.Model):
    """A site's times for the day's alerts (defaults 09:30 and 18:00 when a site has no row)."""
    __tablename__ = "daily_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), unique=True)
    arrive_by: Mapped[time] = mapped_column(default=DEFAULT_ARRIVE_BY)
    pickup_by: Mapped[time] = mapped_column(default=DEFAULT_PICKUP_BY)


class DayRecord(db.Model):
    """A child's day at the site: arrival, departure and who picked the child up (latest mark)."""
    __tablename__ = "day_records"
    __table_args__ = (
        UniqueConstraint("child_id", "day"),
        CheckConstraint(f"departure_kind IS NULL OR departure_kind IN ({_in(DEPARTURE_KINDS)})",
                        name="departure_kind_known"),
        CheckConstraint("departed_at IS NULL OR (arrived_at IS NOT NULL AND departed_at >= arrived_at)",
                        name="departure_after_arrival"),
        Index("ix_day_records_site_id_day", "site_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    day: Mapped[date]
    arrived_at: Mapped[datetime | None]           # naive UTC
    departed_at: Mapped[datetime | None]          # naive UTC
    departure_kind: Mapped[str | None] = mapped_column(String(10))
    guardian_id: Mapped[int | None] = mapped_column(ForeignKey("guardians.id", ondelete="SET NULL"))
    pickup_person_id: Mapped[int | None] = mapped_column(ForeignKey("pickup_persons.id", ondelete="SET NULL"))
    picked_up_by: Mapped[str] = mapped_column(String(80), default="")   # the name as it was then
    exception_reason: Mapped[str] = mapped_column(String(300), default="")
    excuse: Mapped[str] = mapped_column(String(200), default="")        # absent with an excuse
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    changes: Mapped[list[DayRecordChange]] = relationship(
        back_populates="record", order_by="DayRecordChange.id", lazy="raise_on_sql")


class DayRecordChange(db.Model):
    """One mark as it was made (inserted only): what the record became, by whom, when."""
    __tablename__ = "day_record_changes"
    __table_args__ = (CheckConstraint(f"kind IN ({_in(CHANGE_KINDS)})", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("day_records.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    arrived_at: Mapped[datetime | None]
    departed_at: Mapped[datetime | None]
    picked_up_by: Mapped[str] = mapped_column(String(80), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    record: Mapped[DayRecord] = relationship(back_populates="changes")


class DailyAlert(db.Model):
    """Something about a child today that someone must follow to an end."""
    __tablename__ = "daily_alerts"
    __table_args__ = (
        UniqueConstraint("child_id", "day", "kind"),
        CheckConstraint(f"kind IN ({_in(ALERT_KINDS)})", name="kind_known"),
        CheckConstraint(f"state IN ({_in(ALERT_STATES)})", name="state_known"),
        CheckConstraint("state != 'resolved' OR resolution_note != ''", name="resolved_with_note"),
        Index("ix_daily_alerts_site_id_state", "site_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12), default="open")
    detail: Mapped[str] = mapped_column(String(300), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution_note: Mapped[str] = mapped_column(String(500), default="")

    child: Mapped["Child"] = relationship(lazy="raise_on_sql")  # noqa: F821
    owner: Mapped["User | None"] = relationship(foreign_keys=[owner_id], lazy="raise_on_sql")  # noqa: F821
    resolved_by: Mapped["User | None"] = relationship(foreign_keys=[resolved_by_id], lazy="raise_on_sql")  # noqa: F821


class Incident(db.Model):
    """An incident log entry: written once, never edited or deleted (corrections are addenda)."""
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(INCIDENT_KINDS)})", name="kind_known"),
        Index("ix_incidents_site_id_occurred_at", "site_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime]                      # naive UTC
    place: Mapped[str] = mapped_column(String(120))
    others_involved: Mapped[str] = mapped_column(String(300), default="")
    what_happened: Mapped[str] = mapped_column(Text)
    action_taken: Mapped[str] = mapped_column(Text, default="")
    guardian_informed_at: Mapped[datetime | None]     # naive UTC
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    children: Mapped[list[IncidentChild]] = relationship(
        back_populates="incident", order_by="IncidentChild.id", lazy="raise_on_sql",
        passive_deletes="all")
    addenda: Mapped[list[IncidentAddendum]] = relationship(
        back_populates="incident", order_by="IncidentAddendum.id", lazy="raise_on_sql",
        passive_deletes="all")
    reports: Mapped[list[IncidentReport]] = relationship(
        back_populates="incident", order_by="IncidentReport.id", lazy="raise_on_sql",
        passive_deletes="all")
    recorded_by: Mapped["User | None"] = relationship(lazy="raise_on_sql")  # noqa: F821


class IncidentChild(db.Model):
    __tablename__ = "incident_children"
    __table_args__ = (UniqueConstraint("incident_id", "child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)

    incident: Mapped[Incident] = relationship(back_populates="children")
    child: Mapped["Child"] = relationship(lazy="raise_on_sql")  # noqa: F821


class IncidentAddendum(db.Model):
    """A correction or later fact added to an incident, with its author and time."""
    __tablename__ = "incident_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="addenda")
    author: Mapped["User | None"] = relationship(lazy="raise_on_sql")  # noqa: F821


class IncidentReport(db.Model):
    """That suspected harm was reported to an authority: to whom, when, recorded by whom."""
    __tablename__ = "incident_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    reported_to: Mapped[str] = mapped_column(String(120))
    reported_at: Mapped[datetime]                      # naive UTC
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="reports")
    recorded_by: Mapped["User | None"] = relationship(lazy="raise_on_sql")  # noqa: F821


class IncidentNotEditable(Exception):
    """An incident, its addenda and reports are never changed or deleted once written."""


@event.listens_for(Incident, "before_update")
@event.listens_for(Incident, "before_delete")
@event.listens_for(IncidentAddendum, "before_update")
@event.listens_for(IncidentAddendum, "before_delete")
@event.listens_for(IncidentReport, "before_update")
@event.listens_for(IncidentReport, "before_delete")
def _never_changed(mapper, connection, target):
    raise IncidentNotEditable(f"{type(target).__name__} {target.id} cannot be changed or deleted")


class HomeworkPlan(db.Model):
    """The home school's workbook for one child, season and subject: name and number of units."""
    __tablename__ = "homework_plans"
    __table_args__ = (
        UniqueConstraint("child_id", "season_id", "subject"),
        CheckConstraint("units > 0", name="units_positive"),
        Index("ix_homework_plans_season_id_child_id", "season_id", "child_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    subject: Mapped[str] = mapped_column(String(30))
    workbook: Mapped[str] = mapped_column(String(120))
    units: Mapped[int]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    child: Mapped["Child"] = relationship(lazy="raise_on_sql")  # noqa: F821
    season: Mapped["Season"] = relationship(lazy="raise_on_sql")  # noqa: F821
    entries: Mapped[list[HomeworkProgress]] = relationship(
        back_populates="plan", order_by="HomeworkProgress.day", lazy="raise_on_sql")


class HomeworkProgress(db.Model):
    """Units done on a day, with the tutor's remarks ("分数应用题有困难")."""
    __tablename__ = "homework_progress"
    __table_args__ = (CheckConstraint("units_done > 0", name="units_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("homework_plans.id"), index=True)
    day: Mapped[date]
    units_done: Mapped[int]
    remarks: Mapped[str] = mapped_column(String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[HomeworkPlan] = relationship(back_populates="entries")
    recorded_by: Mapped["User | None"] = relationship(lazy="raise_on_sql")  # noqa: F821


ATTENDANCE_MARKS = ("present", "late", "excused", "absent")


class SessionAttendance(db.Model):
    """A child's mark on a session's roster (the latest wins, one row per session and child); every
    mark as it was made is kept in ``AttendanceChange`` (inserted only)."""
    __tablename__ = "session_attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "child_id"),
        CheckConstraint(f"status IN ({_in(ATTENDANCE_MARKS)})", name="status_known"),
        Index("ix_session_attendance_child_id_status", "child_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(String(300), default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)

    child: Mapped["Child"] = relationship()  # noqa: F821


class AttendanceChange(db.Model):
    """One attendance mark as it was made (inserted only): the status, by whom, when."""
    __tablename__ = "attendance_changes"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(ATTENDANCE_MARKS)})", name="status_known"),
        Index("ix_attendance_changes_session_id_child_id", "session_id", "child_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(String(300), default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

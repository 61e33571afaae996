"""Scheduling: activities in the three tracks, groups of children, recurring schedules and the dated
sessions they generate, people on sessions (leads and volunteers), volunteers' unavailable dates,
calendar tokens and each site's ratio settings.

A ``Schedule`` is a recurrence ("Mon-Fri 9:00-10:30 from 7 July to 15 August except these dates, in
room 2, group 三年级"); each of its dates becomes one ``Session`` row. A session remembers the
recurrence date it was made for (``origin_date``, unique per schedule), so moving or cancelling one
session and extending the schedule later never creates a second session for the same date.
Dates are local (Asia/Shanghai, no DST); times are wall-clock times of that day.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin
from app.core.timeutil import utcnow
from app.extensions import db

TRACKS = ("tutoring", "interest", "health")  # 学业辅导, 兴趣培养, 健康守护 (fixed)
STAFF_ROLES = ("lead", "volunteer")
STAFF_STATUSES = ("rostered", "confirmed", "released", "swap_offered")
ACTIVE_STAFF_STATUSES = ("rostered", "confirmed", "swap_offered")  # the person still holds the place
ALL_WEEKDAYS = 0b1111111  # bit 0 = Monday ... bit 6 = Sunday (date.weekday())


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class SchedulingSettings(db.Model):
    """Per site: the adult-to-child ratio a session must meet (1 adult per ``children_per_adult``
    children), the largest group, and how long before a shift a volunteer may still give it up
    without it becoming a swap offer. A site without a row uses the defaults."""
    __tablename__ = "scheduling_settings"
    __table_args__ = (
        CheckConstraint("children_per_adult > 0", name="ratio_positive"),
        CheckConstraint("max_group_size > 0", name="max_group_positive"),
        CheckConstraint("release_cutoff_hours >= 0", name="cutoff_not_negative"),
    )

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    children_per_adult: Mapped[int] = mapped_column(default=10, server_default="10")
    max_group_size: Mapped[int] = mapped_column(default=40, server_default="40")
    release_cutoff_hours: Mapped[int] = mapped_column(default=24, server_default="24")


DEFAULT_CHILDREN_PER_ADULT = 10
DEFAULT_MAX_GROUP_SIZE = 40
DEFAULT_RELEASE_CUTOFF_HOURS = 24


class Activity(TimestampMixin, db.Model):
    """An activity of a season in one of the three tracks (三年级数学, 书法, 营养午餐), maybe tied to
    one of the season's theme weeks."""
    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("season_id", "name"),
        CheckConstraint(f"track IN ({_in(TRACKS)})", name="track_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"), index=True)
    track: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100))
    theme_week_id: Mapped[int | None] = mapped_column(ForeignKey("theme_weeks.id", ondelete="SET NULL"),
                                                      index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None]

    season: Mapped["Season"] = relationship()  # noqa: F821
    theme_week: Mapped["ThemeWeek | None"] = relationship()  # noqa: F821


class Group(TimestampMixin, db.Model):
    """A group of a season's children, by grade (1-9) or by a level named in words."""
    __tablename__ = "child_groups"
    __table_args__ = (
        UniqueConstraint("season_id", "name"),
        CheckConstraint("grade IS NULL OR (grade >= 1 AND grade <= 9)", name="grade_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    grade: Mapped[int | None]
    level: Mapped[str] = mapped_column(String(40), default="")
    archived_at: Mapped[datetime | None]

    season: Mapped["Season"] = relationship()  # noqa: F821
    members: Mapped[list[GroupMember]] = relationship(back_populates="group", cascade="all, delete-orphan",
                                                      lazy="raise_on_sql")


class GroupMember(db.Model):
    """An enrolled child in a group (a child may be in several groups of a season)."""
    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("child_groups.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    group: Mapped[Group] = relationship(back_populates="members")
    enrolment: Mapped["Enrolment"] = relationship()  # noqa: F821


class Schedule(TimestampMixin, db.Model):
    """A recurrence that generates sessions: weekdays (bit 0 = Monday), a time of day, a date range
    within the season, and dates left out (ISO strings)."""
    __tablename__ = "schedules"
    __table_args__ = (
        CheckConstraint(f"weekdays >= 1 AND weekdays <= {ALL_WEEKDAYS}", name="weekdays_valid"),
        CheckConstraint("ends_at > starts_at", name="end_after_start"),
        CheckConstraint("last_date >= first_date", name="dates_ordered"),
        CheckConstraint("volunteers_needed >= 0", name="volunteers_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("child_groups.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    weekdays: Mapped[int]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    first_date: Mapped[date]
    last_date: Mapped[date]
    exception_dates: Mapped[list] = mapped_column(JSON, default=list)
    volunteers_needed: Mapped[int] = mapped_column(default=0)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    activity: Mapped[Activity] = relationship()
    group: Mapped[Group] = relationship()
    room: Mapped["Room"] = relationship()  # noqa: F821
    lead: Mapped["User | None"] = relationship(foreign_keys=[lead_id])  # noqa: F821

    @property
    def weekday_list(self) -> list[int]:
        """The weekdays as numbers, 0 = Monday."""
        return [day for day in range(7) if self.weekdays & (1 << day)]


class Session(TimestampMixin, db.Model):
    """One dated occurrence: an activity for a group in a room on a day. Made by a schedule (then
    ``origin_date`` is the recurrence date it stands for) or alone (``schedule_id`` NULL). A
    cancelled session stays, with its reason, so the schedule never makes it again."""
    __tablename__ = "sessions"
    __table_args__ = (
        UniqueConstraint("schedule_id", "origin_date"),
        CheckConstraint("ends_at > starts_at", name="end_after_start"),
        CheckConstraint("volunteers_needed >= 0", name="volunteers_not_negative"),
        CheckConstraint("(schedule_id IS NULL) = (origin_date IS NULL)", name="origin_with_schedule"),
        CheckConstraint("NOT cancelled OR cancel_reason <> ''", name="cancellation_has_reason"),
        Index("ix_sessions_site_id_on_date", "site_id", "on_date"),
        Index("ix_sessions_room_id_on_date", "room_id", "on_date"),
        Index("ix_sessions_group_id_on_date", "group_id", "on_date"),
        Index("ix_sessions_lead_id_on_date", "lead_id", "on_date"),
        Index("ix_sessions_season_id_on_date", "season_id", "on_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id"))
    origin_date: Mapped[date | None]
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("child_groups.id"))
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    on_date: Mapped[date]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    cancelled: Mapped[bool] = mapped_column(default=False, server_default="0")
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    volunteers_needed: Mapped[int] = mapped_column(default=0, server_default="0")
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    schedule: Mapped[Schedule | None] = relationship()
    activity: Mapped[Activity] = relationship()
    group: Mapped[Group] = relationship()
    room: Mapped["Room"] = relationship()  # noqa: F821
    lead: Mapped["User | None"] = relationship(foreign_keys=[lead_id])  # noqa: F821
    staff: Mapped[list[SessionStaff]] = relationship(back_populates="session", cascade="all, delete-orphan",
                                                     lazy="raise_on_sql", order_by="SessionStaff.id")


class SessionStaff(db.Model):
    """A person on a session: the lead (a social worker) or a volunteer; one row per person and
    session, whose status follows the shift (rostered → confirmed; released; offered for a swap).
    Check-in and check-out make the hour entry (source 'shift')."""
    __tablename__ = "session_staff"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint(f"role IN ({_in(STAFF_ROLES)})", name="role_known"),
        CheckConstraint(f"status IN ({_in(STAFF_STATUSES)})", name="status_known"),
        CheckConstraint("checked_out_at IS NULL OR checked_in_at IS NOT NULL", name="out_after_in"),
        Index("ix_session_staff_user_id_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer_profiles.id", ondelete="CASCADE"),
                                                   index=True)
    role: Mapped[str] = mapped_column(String(10), default="volunteer")
    status: Mapped[str] = mapped_column(String(12), default="rostered")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    hour_entry_id: Mapped[int | None] = mapped_column(ForeignKey("hour_entries.id", ondelete="SET NULL"))

    session: Mapped[Session] = relationship(back_populates="staff")
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
    profile: Mapped["VolunteerProfile | None"] = relationship()  # noqa: F821


class Unavailability(db.Model):
    """A date a volunteer cannot come (rostering refuses them on it, with the reason)."""
    __tablename__ = "unavailabilities"
    __table_args__ = (UniqueConstraint("profile_id", "on_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("volunteer_profiles.id", ondelete="CASCADE"))
    on_date: Mapped[date]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    profile: Mapped["VolunteerProfile"] = relationship()  # noqa: F821


class CalendarToken(db.Model):
    """An unguessable per-person token for a calendar feed (a volunteer's shifts or a child's week);
    only its hash is stored; a revoked token answers nothing."""
    __tablename__ = "calendar_tokens"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (child_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]

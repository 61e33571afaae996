from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin
from app.extensions import db

PARTY_KINDS = ("community", "social_org", "social_worker", "volunteer", "charity")
_KIND_LIST = ", ".join(f"'{k}'" for k in PARTY_KINDS)


class Site(TimestampMixin, db.Model):
    """服务点: one street's or community's programme."""
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    district: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    archived_at: Mapped[datetime | None]

    seasons: Mapped[list[Season]] = relationship(back_populates="site", order_by="Season.start_date.desc()")


class Season(TimestampMixin, db.Model):
    __tablename__ = "seasons"
    __table_args__ = (
        UniqueConstraint("site_id", "name"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    theme: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date]
    end_date: Mapped[date]
    capacity: Mapped[int]
    archived_at: Mapped[datetime | None]

    site: Mapped[Site] = relationship(back_populates="seasons")
    theme_weeks: Mapped[list[ThemeWeek]] = relationship(
        back_populates="season", cascade="all, delete-orphan", order_by="ThemeWeek.starts_on")


class ThemeWeek(db.Model):
    """主题周: a week of a season organised around one theme."""
    __tablename__ = "theme_weeks"
    __table_args__ = (
        UniqueConstraint("season_id", "starts_on"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    season: Mapped[Season] = relationship(back_populates="theme_weeks")


class Room(TimestampMixin, db.Model):
    __tablename__ = "rooms"
    __table_args__ = (
        UniqueConstraint("site_id", "name"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    floor: Mapped[int | None]
    capacity: Mapped[int | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None]

    site: Mapped[Site] = relationship()


class Party(TimestampMixin, db.Model):
    """参与方: one of the five kinds of party in 五社联动."""
    __tablename__ = "parties"
    __table_args__ = (
        UniqueConstraint("site_id", "name"),
        CheckConstraint(f"kind IN ({_KIND_LIST})", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None]

    site: Mapped[Site] = relationship()

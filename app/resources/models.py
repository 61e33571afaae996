"""Charitable resources: donations in cash or kind, and how they were used."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.timeutil import utcnow
from app.extensions import db

DONATION_KINDS = ("cash", "in_kind")
USES = ("meals", "materials", "prizes", "transport", "insurance", "other")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Donation(db.Model):
    __tablename__ = "donations"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(DONATION_KINDS)})", name="kind_known"),
        CheckConstraint("value_yuan > 0", name="value_positive"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    season_id: Mapped[int | None] = mapped_column(ForeignKey("seasons.id", ondelete="SET NULL"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    item: Mapped[str] = mapped_column(String(120), default="")      # in kind: what
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(20), default="")
    value_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    received_on: Mapped[date]
    purpose: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    party: Mapped["Party"] = relationship()  # noqa: F821
    season: Mapped["Season | None"] = relationship()  # noqa: F821
    allocations: Mapped[list[Allocation]] = relationship(
        back_populates="donation", cascade="all, delete-orphan", order_by="Allocation.used_on")


class Allocation(db.Model):
    """Part of a donation put to a use (meals, materials, prizes, ...)."""
    __tablename__ = "allocations"
    __table_args__ = (
        CheckConstraint(f"used_for IN ({_in(USES)})", name="use_known"),
        CheckConstraint("value_yuan > 0", name="value_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("donations.id", ondelete="CASCADE"), index=True)
    used_for: Mapped[str] = mapped_column(String(20))
    value_yuan: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    used_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    donation: Mapped[Donation] = relationship(back_populates="allocations")

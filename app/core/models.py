"""Tables every area shares: the audit trail and the record of submitted forms."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.timeutil import utcnow
from app.extensions import db

AUDIT_ACTIONS = ("view", "create", "update", "consent", "enrol", "import", "export", "erase")


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class AuditEntry(db.Model):
    """Who viewed or changed personal data, when, and what. Inserted only (triggers refuse
    UPDATE and DELETE; entries are chained by hash so a gap or a change shows in ``flask audit verify``).
    ``event`` names what happened (``enrolment.waitlisted``) and ``details`` holds its ids
    and field names, never personal data, so entries survive erasure and are shown in the reader's
    language (``app.core.audit.describe``). ``summary`` is the English text of entries written
    before events existed."""
    __tablename__ = "audit_entries"
    __table_args__ = (
        CheckConstraint(f"action IN ({_in(AUDIT_ACTIONS)})", name="action_known"),
        Index("ix_audit_entries_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"), index=True)
    action: Mapped[str] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(String(300), default="")
    event: Mapped[str] = mapped_column(String(40), default="", server_default="")
    details: Mapped[dict | None] = mapped_column(JSON)
    # the chain (app.core.audit): position, hash of the previous entry, own hash; set at commit
    seq: Mapped[int | None] = mapped_column(unique=True, index=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    user: Mapped["User | None"] = relationship(lazy="raise_on_sql")  # noqa: F821


class AuditChainHead(db.Model):
    """One row: the position and hash of the last chained audit entry. Locked while a transaction
    chains its entries, so chains never fork; a deleted tail shows against it."""
    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default="")


class FormSubmission(db.Model):
    """A form that created something, by the token it was rendered with: a second submit of the
    same form (double tap, second tab, retrying proxy) finds it and saves nothing twice."""
    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(80))
    result_url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

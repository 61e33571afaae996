"""audit chain: entries chained by hash, a head row, DELETE (and TRUNCATE) refused like UPDATE

Revision ID: 0005_audit_chain
Revises: 0004_core
"""
import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0005_audit_chain"
down_revision = "0004_core"
branch_labels = None
depends_on = None

CHAINED = ("at", "user_id", "site_id", "child_id", "action", "event", "details", "summary")


def _hash(prev_hash, row):
    # the same computation as app.core.audit.entry_hash, frozen here for this migration
    values = [prev_hash] + [row[name] for name in CHAINED]
    values[1] = row["at"].isoformat(timespec="microseconds") if row["at"] is not None else None
    payload = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    # the old trigger refuses every UPDATE: replace it before chaining the existing entries
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update ON audit_entries")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
    op.add_column("audit_entries", sa.Column("seq", sa.Integer(), nullable=True))
    op.add_column("audit_entries", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_entries", sa.Column("hash", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_audit_entries_seq"), "audit_entries", ["seq"], unique=True)
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )

    entries = sa.table("audit_entries", sa.column("id"), *(sa.column(n) for n in CHAINED), sa.column("seq"),
                       sa.column("prev_hash"), sa.column("hash"))
    entries.c.details.type = sa.JSON()
    entries.c.at.type = sa.DateTime()
    position, last = 0, ""
    rows = bind.execute(sa.select(entries.c.id, *(entries.c[n] for n in CHAINED)).order_by(entries.c.id)).mappings().all()
    for row in rows:
        position += 1
        digest = _hash(last, row)
        bind.execute(entries.update().where(entries.c.id == row["id"])
                     .values(seq=position, prev_hash=last, hash=digest))
        last = digest
    op.bulk_insert(head, [{"id": 1, "seq": position, "hash": last}])

    if postgres:
        op.execute("CREATE OR REPLACE FUNCTION audit_entries_read_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN IF TG_OP = 'UPDATE' AND OLD.hash IS NULL THEN RETURN NEW; END IF; "
                   "RAISE EXCEPTION 'audit entries cannot be changed or deleted'; END $$")
        op.execute("CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries "
                   "FOR EACH ROW EXECUTE FUNCTION audit_entries_read_only()")
        op.execute("CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_read_only()")
    else:
        op.execute("CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
                   "WHEN OLD.hash IS NOT NULL "
                   "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed or deleted'); END")
        op.execute("CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
                   "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed or deleted'); END")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update ON audit_entries")
        op.execute("CREATE OR REPLACE FUNCTION audit_entries_read_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'audit entries cannot be changed'; END $$")
        op.execute("CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
                   "FOR EACH ROW EXECUTE FUNCTION audit_entries_read_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
        op.execute("CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
                   "BEGIN SELECT RAISE(ABORT, 'audit entries cannot be changed'); END")
    op.drop_table("audit_chain_head")
    op.drop_index(op.f("ix_audit_entries_seq"), table_name="audit_entries")
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")

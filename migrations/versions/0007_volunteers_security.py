"""volunteers security: versioned ID-number hashes, shorter masks, superseded certificates,
certificates issued under the holder rule, withdrawn hour entries

Existing ID hashes were derived from SECRET_KEY; the numbers are not stored, so they cannot be
recomputed under the new key: they are kept as version "0" ("0:<hex>") and lookups also try that
derivation while SECRET_KEY is set (app.volunteers.services.identity). Masks are cut to the first
and last character (the length stays). Certificates already issued keep their printed mask.

Revision ID: 0007_volunteers_security
Revises: 0006_consent_source
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_volunteers_security"
down_revision = "0006_consent_source"
branch_labels = None
depends_on = None

IDENTITY_TABLES = ("volunteer_profiles", "volunteer_applications")


def _short_mask(masked: str) -> str:
    if len(masked) <= 2:
        return "*" * len(masked)
    return masked[0] + "*" * (len(masked) - 2) + masked[-1]


def upgrade():
    bind = op.get_bind()
    for table in IDENTITY_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("id_number_hash", existing_type=sa.String(length=64), type_=sa.String(length=80),
                                  existing_nullable=False)
        t = sa.table(table, sa.column("id", sa.Integer), sa.column("id_number_hash", sa.String),
                     sa.column("id_number_masked", sa.String))
        rows = bind.execute(sa.select(t.c.id, t.c.id_number_hash, t.c.id_number_masked)).all()
        for row_id, hashed, masked in rows:
            values = {"id_number_masked": _short_mask(masked or "")}
            if hashed and ":" not in hashed:
                values["id_number_hash"] = "0:" + hashed
            bind.execute(t.update().where(t.c.id == row_id).values(**values))

    with op.batch_alter_table("certificates") as batch_op:
        batch_op.add_column(sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("holder_checked", sa.Boolean(), server_default="0", nullable=False))
        batch_op.create_foreign_key(op.f("fk_certificates_superseded_by_id_certificates"), "certificates",
                                    ["superseded_by_id"], ["id"], ondelete="SET NULL")

    with op.batch_alter_table("hour_entries") as batch_op:
        batch_op.drop_constraint(op.f("ck_hour_entries_status_known"), type_="check")
        batch_op.create_check_constraint(
            "status_known", "status IN ('pending', 'approved', 'rejected', 'withdrawn')")


def downgrade():
    bind = op.get_bind()
    h = sa.table("hour_entries", sa.column("status", sa.String))
    bind.execute(h.delete().where(h.c.status == "withdrawn"))
    with op.batch_alter_table("hour_entries") as batch_op:
        batch_op.drop_constraint(op.f("ck_hour_entries_status_known"), type_="check")
        batch_op.create_check_constraint("status_known", "status IN ('pending', 'approved', 'rejected')")
    with op.batch_alter_table("certificates") as batch_op:
        batch_op.drop_constraint(op.f("fk_certificates_superseded_by_id_certificates"), type_="foreignkey")
        batch_op.drop_column("holder_checked")
        batch_op.drop_column("superseded_by_id")
    for table in IDENTITY_TABLES:
        t = sa.table(table, sa.column("id_number_hash", sa.String))
        bind.execute(t.update().where(t.c.id_number_hash.like("0:%"))
                     .values(id_number_hash=sa.func.substr(t.c.id_number_hash, 3)))
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("id_number_hash", existing_type=sa.String(length=80), type_=sa.String(length=64),
                                  existing_nullable=False)

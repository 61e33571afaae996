"""consent source: online (the consent page) or paper (a signed form, with the day it was signed)

Revision ID: 0006_consent_source
Revises: 0005_audit_chain
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_consent_source"
down_revision = "0005_audit_chain"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=10), server_default="online", nullable=False))
        batch_op.add_column(sa.Column("signed_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_consents_source_known"), "source IN ('online', 'paper')")


def downgrade():
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_consents_source_known"), type_="check")
        batch_op.drop_column("signed_on")
        batch_op.drop_column("source")

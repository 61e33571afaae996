"""core: the record of submitted forms (saved once), structured audit entries, kept certificate PDFs

Revision ID: 0004_core
Revises: 0003_volunteers
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_core"
down_revision = "0003_volunteers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "form_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("endpoint", sa.String(length=80), nullable=False),
        sa.Column("result_url", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_form_submissions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submissions")),
        sa.UniqueConstraint("token", name=op.f("uq_form_submissions_token")),
    )
    op.create_index(op.f("ix_form_submissions_created_at"), "form_submissions", ["created_at"], unique=False)
    # plain ADD COLUMN (no table rebuild): the trigger that refuses UPDATE on the trail stays in place
    op.add_column("audit_entries", sa.Column("event", sa.String(length=40), server_default="", nullable=False))
    op.add_column("audit_entries", sa.Column("details", sa.JSON(), nullable=True))
    op.add_column("certificates", sa.Column("pdf", sa.LargeBinary(), nullable=True))
    op.add_column("certificates", sa.Column("pdf_key", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("certificates") as batch_op:
        batch_op.drop_column("pdf_key")
        batch_op.drop_column("pdf")
    with op.batch_alter_table("audit_entries") as batch_op:
        batch_op.drop_column("details")
        batch_op.drop_column("event")
    op.drop_index(op.f("ix_form_submissions_created_at"), table_name="form_submissions")
    op.drop_table("form_submissions")

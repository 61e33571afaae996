"""sign-in: wrong passwords counted per account, a short lock, a session version per account

Revision ID: 0008_sign_in
Revises: 0007_volunteers_security
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_sign_in"
down_revision = "0007_volunteers_security"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
    op.add_column("users", sa.Column("failed_since", sa.DateTime(), nullable=True))
    op.add_column("users", sa.Column("locked_until", sa.DateTime(), nullable=True))
    op.add_column("users", sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_version")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_since")
        batch_op.drop_column("failed_logins")

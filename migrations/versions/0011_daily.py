"""daily: day records (arrival, departure, who picked up) with their history, alerts followed to an
end, incidents with addenda and reports, homework plans and progress, per-site alert times

Revision ID: 0011_daily
Revises: 0010_health
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_daily"
down_revision = "0010_health"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('daily_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('arrive_by', sa.Time(), nullable=False),
    sa.Column('pickup_by', sa.Time(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_daily_settings_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_settings')),
    sa.UniqueConstraint('site_id', name=op.f('uq_daily_settings_site_id'))
    )
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('others_involved', sa.String(length=300), nullable=False),
    sa.Column('what_happened', sa.Text(), nullable=False),
    sa.Column('action_taken', sa.Text(), nullable=False),
    sa.Column('guardian_informed_at', sa.DateTime(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('injury', 'illness', 'conflict', 'hazard', 'suspected_harm')", name=op.f('ck_incidents_kind_known')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_incidents_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_incidents_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_site_id_occurred_at', ['site_id', 'occurred_at'], unique=False)

    op.create_table('daily_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution_note', sa.String(length=500), nullable=False),
    sa.CheckConstraint("kind IN ('not_arrived', 'not_picked_up', 'pickup_exception', 'allergy')", name=op.f('ck_daily_alerts_kind_known')),
    sa.CheckConstraint("state != 'resolved' OR resolution_note != ''", name=op.f('ck_daily_alerts_resolved_with_note')),
    sa.CheckConstraint("state IN ('open', 'acknowledged', 'resolved')", name=op.f('ck_daily_alerts_state_known')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_daily_alerts_child_id_children')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_daily_alerts_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_daily_alerts_resolved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_daily_alerts_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_alerts')),
    sa.UniqueConstraint('child_id', 'day', 'kind', name=op.f('uq_daily_alerts_child_id_day_kind'))
    )
    with op.batch_alter_table('daily_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_daily_alerts_child_id'), ['child_id'], unique=False)
        batch_op.create_index('ix_daily_alerts_site_id_state', ['site_id', 'state'], unique=False)

    op.create_table('homework_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('season_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=30), nullable=False),
    sa.Column('workbook', sa.String(length=120), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('units > 0', name=op.f('ck_homework_plans_units_positive')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_homework_plans_child_id_children')),
    sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_homework_plans_season_id_seasons')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_homework_plans_set_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_homework_plans')),
    sa.UniqueConstraint('child_id', 'season_id', 'subject', name=op.f('uq_homework_plans_child_id_season_id_subject'))
    )
    with op.batch_alter_table('homework_plans', schema=None) as batch_op:
        batch_op.create_index('ix_homework_plans_season_id_child_id', ['season_id', 'child_id'], unique=False)

    op.create_table('incident_addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_incident_addenda_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_addenda_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_addenda'))
    )
    with op.batch_alter_table('incident_addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_addenda_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_children',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_incident_children_child_id_children')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_children_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_children')),
    sa.UniqueConstraint('incident_id', 'child_id', name=op.f('uq_incident_children_incident_id_child_id'))
    )
    with op.batch_alter_table('incident_children', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_children_child_id'), ['child_id'], unique=False)

    op.create_table('incident_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('reported_to', sa.String(length=120), nullable=False),
    sa.Column('reported_at', sa.DateTime(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_reports_incident_id_incidents')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_incident_reports_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_reports'))
    )
    with op.batch_alter_table('incident_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_reports_incident_id'), ['incident_id'], unique=False)

    op.create_table('day_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('arrived_at', sa.DateTime(), nullable=True),
    sa.Column('departed_at', sa.DateTime(), nullable=True),
    sa.Column('departure_kind', sa.String(length=10), nullable=True),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('pickup_person_id', sa.Integer(), nullable=True),
    sa.Column('picked_up_by', sa.String(length=80), nullable=False),
    sa.Column('exception_reason', sa.String(length=300), nullable=False),
    sa.Column('excuse', sa.String(length=200), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("departure_kind IS NULL OR departure_kind IN ('guardian', 'pickup', 'alone', 'exception')", name=op.f('ck_day_records_departure_kind_known')),
    sa.CheckConstraint('departed_at IS NULL OR (arrived_at IS NOT NULL AND departed_at >= arrived_at)', name=op.f('ck_day_records_departure_after_arrival')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_day_records_child_id_children')),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardians.id'], name=op.f('fk_day_records_guardian_id_guardians'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pickup_person_id'], ['pickup_persons.id'], name=op.f('fk_day_records_pickup_person_id_pickup_persons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_day_records_site_id_sites')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_day_records_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_records')),
    sa.UniqueConstraint('child_id', 'day', name=op.f('uq_day_records_child_id_day'))
    )
    with op.batch_alter_table('day_records', schema=None) as batch_op:
        batch_op.create_index('ix_day_records_site_id_day', ['site_id', 'day'], unique=False)

    op.create_table('homework_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('units_done', sa.Integer(), nullable=False),
    sa.Column('remarks', sa.String(length=300), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('units_done > 0', name=op.f('ck_homework_progress_units_positive')),
    sa.ForeignKeyConstraint(['plan_id'], ['homework_plans.id'], name=op.f('fk_homework_progress_plan_id_homework_plans')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_homework_progress_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_homework_progress'))
    )
    with op.batch_alter_table('homework_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_homework_progress_plan_id'), ['plan_id'], unique=False)

    op.create_table('day_record_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('arrived_at', sa.DateTime(), nullable=True),
    sa.Column('departed_at', sa.DateTime(), nullable=True),
    sa.Column('picked_up_by', sa.String(length=80), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('arrival', 'departure', 'excuse', 'paper')", name=op.f('ck_day_record_changes_kind_known')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_day_record_changes_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['record_id'], ['day_records.id'], name=op.f('fk_day_record_changes_record_id_day_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_day_record_changes'))
    )
    with op.batch_alter_table('day_record_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_day_record_changes_record_id'), ['record_id'], unique=False)



def downgrade():
    with op.batch_alter_table('day_record_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_day_record_changes_record_id'))

    op.drop_table('day_record_changes')
    with op.batch_alter_table('homework_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_homework_progress_plan_id'))

    op.drop_table('homework_progress')
    with op.batch_alter_table('day_records', schema=None) as batch_op:
        batch_op.drop_index('ix_day_records_site_id_day')

    op.drop_table('day_records')
    with op.batch_alter_table('incident_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_reports_incident_id'))

    op.drop_table('incident_reports')
    with op.batch_alter_table('incident_children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_children_child_id'))

    op.drop_table('incident_children')
    with op.batch_alter_table('incident_addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_addenda_incident_id'))

    op.drop_table('incident_addenda')
    with op.batch_alter_table('homework_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_homework_plans_season_id_child_id')

    op.drop_table('homework_plans')
    with op.batch_alter_table('daily_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_daily_alerts_site_id_state')
        batch_op.drop_index(batch_op.f('ix_daily_alerts_child_id'))

    op.drop_table('daily_alerts')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_site_id_occurred_at')

    op.drop_table('incidents')
    op.drop_table('daily_settings')

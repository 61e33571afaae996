"""scheduling: activities in the three tracks, groups and members, recurring schedules, dated
sessions (one per schedule and recurrence date), people on sessions, volunteers' unavailable dates,
calendar tokens and each site's ratio settings

Revision ID: 0009_scheduling
Revises: 0008_sign_in
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_scheduling'
down_revision = '0008_sign_in'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduling_settings',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('children_per_adult', sa.Integer(), server_default='10', nullable=False),
    sa.Column('max_group_size', sa.Integer(), server_default='40', nullable=False),
    sa.Column('release_cutoff_hours', sa.Integer(), server_default='24', nullable=False),
    sa.CheckConstraint('children_per_adult > 0', name=op.f('ck_scheduling_settings_ratio_positive')),
    sa.CheckConstraint('max_group_size > 0', name=op.f('ck_scheduling_settings_max_group_positive')),
    sa.CheckConstraint('release_cutoff_hours >= 0', name=op.f('ck_scheduling_settings_cutoff_not_negative')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_scheduling_settings_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_scheduling_settings'))
    )
    op.create_table('calendar_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('(user_id IS NULL) <> (child_id IS NULL)', name=op.f('ck_calendar_tokens_one_owner')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_calendar_tokens_child_id_children'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calendar_tokens_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_calendar_tokens_site_id_sites')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_tokens_token_hash'))
    )
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_tokens_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_tokens_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('child_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('season_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=40), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('grade IS NULL OR (grade >= 1 AND grade <= 9)', name=op.f('ck_child_groups_grade_range')),
    sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_child_groups_season_id_seasons')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_child_groups_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_groups')),
    sa.UniqueConstraint('season_id', 'name', name=op.f('uq_child_groups_season_id_name'))
    )
    with op.batch_alter_table('child_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_groups_season_id'), ['season_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_groups_site_id'), ['site_id'], unique=False)

    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('season_id', sa.Integer(), nullable=False),
    sa.Column('track', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('theme_week_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("track IN ('tutoring', 'interest', 'health')", name=op.f('ck_activities_track_known')),
    sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_activities_season_id_seasons')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_activities_site_id_sites')),
    sa.ForeignKeyConstraint(['theme_week_id'], ['theme_weeks.id'], name=op.f('fk_activities_theme_week_id_theme_weeks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities')),
    sa.UniqueConstraint('season_id', 'name', name=op.f('uq_activities_season_id_name'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_season_id'), ['season_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_theme_week_id'), ['theme_week_id'], unique=False)

    op.create_table('group_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_group_members_enrolment_id_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['child_groups.id'], name=op.f('fk_group_members_group_id_child_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_members')),
    sa.UniqueConstraint('group_id', 'enrolment_id', name=op.f('uq_group_members_group_id_enrolment_id'))
    )
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_members_enrolment_id'), ['enrolment_id'], unique=False)

    op.create_table('unavailabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['volunteer_profiles.id'], name=op.f('fk_unavailabilities_profile_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unavailabilities')),
    sa.UniqueConstraint('profile_id', 'on_date', name=op.f('uq_unavailabilities_profile_id_on_date'))
    )
    op.create_table('schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('season_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('weekdays', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('ends_at', sa.Time(), nullable=False),
    sa.Column('first_date', sa.Date(), nullable=False),
    sa.Column('last_date', sa.Date(), nullable=False),
    sa.Column('exception_dates', sa.JSON(), nullable=False),
    sa.Column('volunteers_needed', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_schedules_end_after_start')),
    sa.CheckConstraint('last_date >= first_date', name=op.f('ck_schedules_dates_ordered')),
    sa.CheckConstraint('volunteers_needed >= 0', name=op.f('ck_schedules_volunteers_not_negative')),
    sa.CheckConstraint('weekdays >= 1 AND weekdays <= 127', name=op.f('ck_schedules_weekdays_valid')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_schedules_activity_id_activities')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_schedules_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['child_groups.id'], name=op.f('fk_schedules_group_id_child_groups')),
    sa.ForeignKeyConstraint(['lead_id'], ['users.id'], name=op.f('fk_schedules_lead_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_schedules_room_id_rooms')),
    sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_schedules_season_id_seasons')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_schedules_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedules'))
    )
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedules_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedules_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedules_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedules_room_id'), ['room_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedules_season_id'), ['season_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedules_site_id'), ['site_id'], unique=False)

    op.create_table('sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('season_id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=True),
    sa.Column('origin_date', sa.Date(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('ends_at', sa.Time(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('cancel_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('volunteers_needed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("NOT cancelled OR cancel_reason <> ''", name=op.f('ck_sessions_cancellation_has_reason')),
    sa.CheckConstraint('(schedule_id IS NULL) = (origin_date IS NULL)', name=op.f('ck_sessions_origin_with_schedule')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_sessions_end_after_start')),
    sa.CheckConstraint('volunteers_needed >= 0', name=op.f('ck_sessions_volunteers_not_negative')),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_sessions_activity_id_activities')),
    sa.ForeignKeyConstraint(['group_id'], ['child_groups.id'], name=op.f('fk_sessions_group_id_child_groups')),
    sa.ForeignKeyConstraint(['lead_id'], ['users.id'], name=op.f('fk_sessions_lead_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['room_id'], ['rooms.id'], name=op.f('fk_sessions_room_id_rooms')),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedules.id'], name=op.f('fk_sessions_schedule_id_schedules')),
    sa.ForeignKeyConstraint(['season_id'], ['seasons.id'], name=op.f('fk_sessions_season_id_seasons')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_sessions_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
    sa.UniqueConstraint('schedule_id', 'origin_date', name=op.f('uq_sessions_schedule_id_origin_date'))
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index('ix_sessions_group_id_on_date', ['group_id', 'on_date'], unique=False)
        batch_op.create_index('ix_sessions_lead_id_on_date', ['lead_id', 'on_date'], unique=False)
        batch_op.create_index('ix_sessions_room_id_on_date', ['room_id', 'on_date'], unique=False)
        batch_op.create_index('ix_sessions_season_id_on_date', ['season_id', 'on_date'], unique=False)
        batch_op.create_index('ix_sessions_site_id_on_date', ['site_id', 'on_date'], unique=False)

    op.create_table('session_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('checked_out_at', sa.DateTime(), nullable=True),
    sa.Column('hour_entry_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("role IN ('lead', 'volunteer')", name=op.f('ck_session_staff_role_known')),
    sa.CheckConstraint("status IN ('rostered', 'confirmed', 'released', 'swap_offered')", name=op.f('ck_session_staff_status_known')),
    sa.CheckConstraint('checked_out_at IS NULL OR checked_in_at IS NOT NULL', name=op.f('ck_session_staff_out_after_in')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_session_staff_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hour_entry_id'], ['hour_entries.id'], name=op.f('fk_session_staff_hour_entry_id_hour_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['profile_id'], ['volunteer_profiles.id'], name=op.f('fk_session_staff_profile_id_volunteer_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_session_staff_session_id_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_session_staff_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_staff')),
    sa.UniqueConstraint('session_id', 'user_id', name=op.f('uq_session_staff_session_id_user_id'))
    )
    with op.batch_alter_table('session_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_staff_profile_id'), ['profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_staff_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_session_staff_user_id_status', ['user_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('session_staff', schema=None) as batch_op:
        batch_op.drop_index('ix_session_staff_user_id_status')
        batch_op.drop_index(batch_op.f('ix_session_staff_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_staff_profile_id'))

    op.drop_table('session_staff')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_sessions_site_id_on_date')
        batch_op.drop_index('ix_sessions_season_id_on_date')
        batch_op.drop_index('ix_sessions_room_id_on_date')
        batch_op.drop_index('ix_sessions_lead_id_on_date')
        batch_op.drop_index('ix_sessions_group_id_on_date')
        batch_op.drop_index(batch_op.f('ix_sessions_activity_id'))

    op.drop_table('sessions')
    with op.batch_alter_table('schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedules_site_id'))
        batch_op.drop_index(batch_op.f('ix_schedules_season_id'))
        batch_op.drop_index(batch_op.f('ix_schedules_room_id'))
        batch_op.drop_index(batch_op.f('ix_schedules_lead_id'))
        batch_op.drop_index(batch_op.f('ix_schedules_group_id'))
        batch_op.drop_index(batch_op.f('ix_schedules_activity_id'))

    op.drop_table('schedules')
    op.drop_table('unavailabilities')
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_members_enrolment_id'))

    op.drop_table('group_members')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_theme_week_id'))
        batch_op.drop_index(batch_op.f('ix_activities_site_id'))
        batch_op.drop_index(batch_op.f('ix_activities_season_id'))

    op.drop_table('activities')
    with op.batch_alter_table('child_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_groups_site_id'))
        batch_op.drop_index(batch_op.f('ix_child_groups_season_id'))

    op.drop_table('child_groups')
    with op.batch_alter_table('calendar_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_tokens_site_id'))
        batch_op.drop_index(batch_op.f('ix_calendar_tokens_child_id'))

    op.drop_table('calendar_tokens')
    op.drop_table('scheduling_settings')

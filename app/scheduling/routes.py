"""Loaders for the scheduling area's URL ids; the views live in routes_* modules."""
from app.core.permissions import register_loader
from app.scheduling.models import Activity, Group, Schedule, Session, SessionStaff

register_loader("activity_id", Activity, lambda a: a.site_id)
register_loader("group_id", Group, lambda g: g.site_id)
register_loader("schedule_id", Schedule, lambda s: s.site_id)
register_loader("occurrence_id", Session, lambda s: s.site_id)
register_loader("staff_id", SessionStaff, lambda s: s.session.site_id, owner_id_of=lambda s: s.user_id)

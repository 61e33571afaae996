"""Import every area's models so SQLAlchemy's metadata (and Alembic) sees them all."""
from app.auth.models import Invitation, RoleGrant, User  # noqa: F401
from app.sites.models import Party, Room, Season, Site, ThemeWeek  # noqa: F401

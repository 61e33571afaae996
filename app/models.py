"""Import every area's models so SQLAlchemy's metadata (and Alembic) sees them all."""
from app.core.models import AuditEntry, FormSubmission  # noqa: F401
from app.auth.models import Invitation, RoleGrant, User  # noqa: F401
from app.sites.models import Party, Room, Season, Site, ThemeWeek  # noqa: F401
from app.volunteers.models import (BackgroundCheck, Certificate, CertificateCounter, HourCorrection,  # noqa: F401
                                   HourEntry, TrainingAttendance, TrainingKind, TrainingSession,
                                   VolunteerApplication, VolunteerProfile, VolunteerSettings)
from app.resources.models import Allocation, Donation  # noqa: F401
from app.children.models import (Child, Consent, ConsentNotice, Enrolment,  # noqa: F401
                                 ErasureRecord, Guardian, ImportBatch, PickupPerson)
from app.daily.models import (DailyAlert, DailySettings, DayRecord, DayRecordChange, HomeworkPlan,  # noqa: F401
                              HomeworkProgress, Incident, IncidentAddendum, IncidentChild, IncidentReport)
from app.health.models import (Food, FoodSample, HealthCheck, MealCount, MealSubstitution, MedicineGiven,  # noqa: F401
                               MenuDish, Recipe, RecipeItem)
from app.scheduling.models import (Activity, CalendarToken, Group, GroupMember, Schedule,  # noqa: F401
                                   SchedulingSettings, Session, SessionStaff, Unavailability)

from flask_babel import lazy_gettext as _l
from app.core.forms import BaseForm
from wtforms import SelectField, StringField
from wtforms.validators import Regexp, ValidationError

from app.core.forms import length, max_len, optional, phone_number, required
from app.core.permissions import ADMIN, AUDITOR, COORDINATOR, GUARDIAN, ROLES, VOLUNTEER
from app.admin.labels import ROLE_LABELS

# Roles from the least powerful up; a new account or role starts at the least powerful one, so a
# slip gives too little, never the administrator's role.
ROLES_BY_POWER = (GUARDIAN, VOLUNTEER, AUDITOR, COORDINATOR, ADMIN)
assert set(ROLES_BY_POWER) == set(ROLES)


class GrantForm(BaseForm):
    role = SelectField(_l("Role"), choices=[(r, ROLE_LABELS[r]) for r in ROLES_BY_POWER], default=ROLES_BY_POWER[0],
                       validators=[required()])
    site_id = SelectField(_l("Site"), coerce=int, choices=[], validate_choice=False)

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.site_id.choices = [(0, "—")] + [(s.id, s.name) for s in sites]
        self._site_ids = {s.id for s in sites}

    def validate_site_id(self, field):
        if self.role.data == ADMIN:
            field.data = None
            return
        if not field.data:
            raise ValidationError(_l("Choose the site where this role holds."))
        if field.data not in self._site_ids:
            raise ValidationError(_l("Choose a site from the list."))


class UserForm(GrantForm):
    username = StringField(_l("User name"), validators=[
        required(), length(3, 64),
        Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dot, dash or underscore."))])
    display_name = StringField(_l("Full name"), validators=[required(), max_len(80)])
    phone = StringField(_l("Mobile phone"), validators=[optional(), max_len(20), phone_number])
    field_order = ("username", "display_name", "phone", "role", "site_id")

    def __iter__(self):
        return iter([self[name] for name in (*self.field_order, "csrf_token", "form_token") if name in self._fields])


class InvitationForm(BaseForm):
    """The "new invitation link" button: no fields, but a form token, so a double tap makes one link."""

from flask_babel import lazy_gettext as _l
from app.core.forms import BaseForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo

from app.core.forms import length, max_len, required

PASSWORD_MIN = 8


class LoginForm(BaseForm):
    login = StringField(_l("Phone number or user name"), validators=[required(), max_len(64)])
    password = PasswordField(_l("Password"), validators=[required(), max_len(128)])
    next = HiddenField()


class SetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[required(), length(PASSWORD_MIN, 128)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        required(), EqualTo("password", message=_l("The two passwords differ."))])


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(_l("Current password"), validators=[required(), max_len(128)])
    field_order = ("current", "password", "confirm")

    def __iter__(self):  # the current password first
        return iter([self[name] for name in (*self.field_order, "csrf_token", "form_token") if name in self._fields])

"""The roster's one form: a child's mark (the button pressed) and, for an excused absence, a note."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField

from app.core.forms import BaseForm, max_len, required
from app.daily.models import ATTENDANCE_MARKS


class MarkForm(BaseForm):
    # an unknown value is refused by the service with a message of its own (not wtforms' English one)
    status = SelectField(_l("Attendance"), choices=[(m, m) for m in ATTENDANCE_MARKS], validate_choice=False,
                         validators=[required()])
    note = StringField(_l("Note"), validators=[max_len(200)])

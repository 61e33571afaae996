"""Forms of the staffing pages: roster a volunteer, name the lead, mark a date unavailable."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField

from app.core.forms import BaseForm, DateField, IntegerField, input_required, max_len, optional, required


class RosterForm(BaseForm):
    profile_id = IntegerField(_l("Volunteer"), validators=[required()])


class LeadForm(BaseForm):
    lead_id = IntegerField(_l("Lead"), validators=[optional()])


class UnavailableForm(BaseForm):
    on_date = DateField(_l("Date"), validators=[input_required()])
    reason = StringField(_l("Reason (optional)"), validators=[optional(), max_len(200)],
                         render_kw={"placeholder": _l("e.g. exam, family visit")})


class UnmarkForm(BaseForm):
    on_date = DateField(_l("Date"), validators=[input_required()])

from flask_babel import lazy_gettext as _l
from app.core.forms import BaseForm
from wtforms import SelectField, StringField, TextAreaField

from app.core.forms import (DateField, IntegerField, end_not_before, input_required, max_len,
                            optional, phone_number, positive, required)
from app.sites.models import PARTY_KINDS
from app.sites.labels import PARTY_KIND_LABELS


class SiteForm(BaseForm):
    name = StringField(_l("Name"), validators=[required(), max_len(100)])
    district = StringField(_l("District"), validators=[optional(), max_len(100)])
    address = StringField(_l("Address"), validators=[optional(), max_len(200)])


class SeasonForm(BaseForm):
    name = StringField(_l("Name"), validators=[required(), max_len(100)],
                       render_kw={"placeholder": _l("e.g. 2025 summer")})
    theme = StringField(_l("Theme"), validators=[optional(), max_len(200)])
    start_date = DateField(_l("First day"), validators=[input_required()])
    end_date = DateField(_l("Last day"), validators=[input_required(), end_not_before("start_date")])
    capacity = IntegerField(_l("Places"), validators=[input_required(), positive(10000)])


class ThemeWeekForm(BaseForm):
    title = StringField(_l("Theme"), validators=[required(), max_len(100)])
    starts_on = DateField(_l("From"), validators=[input_required()])
    ends_on = DateField(_l("To"), validators=[input_required(), end_not_before("starts_on")])


class RoomForm(BaseForm):
    name = StringField(_l("Name"), validators=[required(), max_len(100)])
    floor = IntegerField(_l("Floor"), validators=[optional()])
    capacity = IntegerField(_l("Capacity"), validators=[optional(), positive(1000)])
    notes = StringField(_l("Notes"), validators=[optional(), max_len(500)])


class PartyForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=[(k, PARTY_KIND_LABELS[k]) for k in PARTY_KINDS],
                       validators=[required()])
    name = StringField(_l("Name"), validators=[required(), max_len(120)])
    contact_name = StringField(_l("Contact person"), validators=[optional(), max_len(60)])
    phone = StringField(_l("Phone"), validators=[optional(), max_len(20), phone_number])
    notes = TextAreaField(_l("Notes"), validators=[optional(), max_len(1000)])

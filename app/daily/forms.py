from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import NumberRange

from app.core.forms import (BaseForm, DateField, IntegerField, TimeField, input_required, max_len, optional,
                            required)
from app.daily.labels import INCIDENT_KIND_LABELS
from app.daily.models import INCIDENT_KINDS


class DayField(DateField):
    """The day a mark is for (a hidden field of the today page's buttons)."""


class ArrivalForm(BaseForm):
    day = DayField(_l("Day"), validators=[input_required()])


class DepartureForm(BaseForm):
    day = DayField(_l("Day"), validators=[input_required()])
    picked_up_by = SelectField(_l("Picked up by"), choices=[], validate_choice=False,
                               validators=[required()])

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.picked_up_by.choices = [("", "—")] + [(c.value, c.name) for c in choices]


class ExceptionForm(BaseForm):
    day = DayField(_l("Day"), validators=[input_required()])
    name = StringField(_l("Who took the child home"), validators=[required(), max_len(80)])
    reason = StringField(_l("Reason"), validators=[required(), max_len(300)])


class ExcuseForm(BaseForm):
    day = DayField(_l("Day"), validators=[input_required()])
    reason = StringField(_l("Reason for the absence"), validators=[required(), max_len(200)])


class ResolveForm(BaseForm):
    note = TextAreaField(_l("How it was resolved"), validators=[required(), max_len(500)],
                         render_kw={"rows": 2, "placeholder": _l("e.g. called the guardian; child found")})


class SettingsForm(BaseForm):
    arrive_by = TimeField(_l("Alert when not arrived by"), validators=[input_required()])
    pickup_by = TimeField(_l("Alert when not picked up by"), validators=[input_required()])


def paper_sheet_form(rows):
    """A form with three fields per expected child: arrival and departure times (local) and who
    picked the child up (from the child's own list). Field names: ``c<child id>_arrival`` ..."""

    class PaperSheetForm(BaseForm):
        def row_fields(self, child_id):
            prefix = f"c{child_id}_"
            return (self[prefix + "arrival"], self[prefix + "departure"], self[prefix + "picked_up_by"])

        def validate(self, extra_validators=None):
            ok = super().validate(extra_validators)
            for row in rows:
                arrival, departure, who = self.row_fields(row.child.id)
                if departure.data and not (arrival.data or (row.record and row.record.arrived_at)):
                    arrival.errors = [*arrival.errors, _l("Enter the arrival time before the departure.")]
                    ok = False
                if arrival.data and departure.data and departure.data < arrival.data:
                    departure.errors = [*departure.errors, _l("The departure cannot be before the arrival.")]
                    ok = False
                if departure.data and not who.data and not (row.record and row.record.departure_kind == "exception"):
                    who.errors = [*who.errors, _l("Choose who picked the child up.")]
                    ok = False
            return ok

    for row in rows:
        prefix = f"c{row.child.id}_"
        setattr(PaperSheetForm, prefix + "arrival", TimeField(_l("Arrival"), validators=[optional()]))
        setattr(PaperSheetForm, prefix + "departure", TimeField(_l("Departure"), validators=[optional()]))
        setattr(PaperSheetForm, prefix + "picked_up_by", SelectField(
            _l("Picked up by"), choices=[("", "—")] + [(c.value, c.name) for c in row.choices], validators=[optional()],
            validate_choice=True))
    return PaperSheetForm


class IncidentForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=[(k, INCIDENT_KIND_LABELS[k]) for k in INCIDENT_KINDS],
                       validators=[required()])
    occurred_on = DateField(_l("Date"), validators=[input_required()])
    occurred_time = TimeField(_l("Time"), validators=[input_required()])
    place = StringField(_l("Where"), validators=[required(), max_len(120)])
    child_ids = SelectMultipleField(_l("Children involved"), coerce=int, choices=[], validate_choice=False)
    others_involved = StringField(_l("Others involved"), validators=[optional(), max_len(300)],
                                  render_kw={"placeholder": _l("e.g. a visitor, a volunteer")})
    what_happened = TextAreaField(_l("What happened"), validators=[required(), max_len(4000)], render_kw={"rows": 4})
    action_taken = TextAreaField(_l("Action taken"), validators=[optional(), max_len(4000)], render_kw={"rows": 3})
    informed_on = DateField(_l("Guardian informed on"), validators=[optional()])
    informed_time = TimeField(_l("Guardian informed at"), validators=[optional()])

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.child_ids.choices = [(c.id, c.name) for c in children]


class AddendumForm(BaseForm):
    text = TextAreaField(_l("Addendum"), validators=[required(), max_len(4000)], render_kw={"rows": 3})


class ReportForm(BaseForm):
    reported_to = StringField(_l("Reported to"), validators=[required(), max_len(120)],
                              render_kw={"placeholder": _l("e.g. 旧馆派出所 (police), civil affairs office")})
    reported_on = DateField(_l("Date"), validators=[input_required()])
    reported_time = TimeField(_l("Time"), validators=[input_required()])
    note = StringField(_l("Note"), validators=[optional(), max_len(300)])


class PlanForm(BaseForm):
    subject = StringField(_l("Subject"), validators=[required(), max_len(30)],
                          render_kw={"placeholder": _l("e.g. 数学")})
    workbook = StringField(_l("Workbook"), validators=[required(), max_len(120)],
                           render_kw={"placeholder": _l("e.g. 暑假作业 三年级")})
    units = IntegerField(_l("Units or pages"), validators=[input_required(), NumberRange(
        min=1, max=1000, message=_l("Enter a whole number from 1 to %(max)d.", max=1000))])


class ProgressForm(BaseForm):
    day = DateField(_l("Date"), validators=[input_required()])
    units_done = IntegerField(_l("Units done"), validators=[input_required(), NumberRange(
        min=1, max=1000, message=_l("Enter a whole number from 1 to %(max)d.", max=1000))])
    remarks = StringField(_l("Remarks"), validators=[optional(), max_len(300)],
                          render_kw={"placeholder": _l("e.g. 分数应用题有困难")})

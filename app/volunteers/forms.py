import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import ValidationError

from app.core.forms import (BaseForm, DateField, IntegerField, TimeField, end_not_before, input_required, max_len,
                            optional, phone_number, positive, required)
from app.volunteers.labels import CHECK_RESULT_LABELS, ID_TYPE_LABELS
from app.volunteers.models import CHECK_RESULTS, ID_TYPES

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def resident_id_ok(number: str) -> bool:
    """GB 11643: 17 digits and a check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return _CHECK[sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS)) % 11] == number[17]


class IdentityForm(BaseForm):
    real_name = StringField(_l("Real name"), validators=[required(), max_len(60)])
    phone = StringField(_l("Mobile phone"), validators=[required(), max_len(20), phone_number])
    id_type = SelectField(_l("ID type"), choices=[(k, ID_TYPE_LABELS[k]) for k in ID_TYPES],
                          validators=[required()])
    id_number = StringField(_l("ID number"), validators=[required(), max_len(30)],
                            description=_l("Stored protected; shown only masked."))
    birth_date = DateField(_l("Date of birth"), validators=[optional()],
                           description=_l("Read from a resident ID; needed for other documents."))
    skills = StringField(_l("Subjects you can tutor"), validators=[optional(), max_len(200)],
                         render_kw={"placeholder": _l("e.g. primary maths, English")})
    interests = StringField(_l("Interests you can teach"), validators=[optional(), max_len(200)],
                            render_kw={"placeholder": _l("e.g. calligraphy, football")})
    availability = StringField(_l("When you are available"), validators=[optional(), max_len(200)],
                               render_kw={"placeholder": _l("e.g. weekday mornings in July")})
    guardian_name = StringField(_l("Guardian's name (under 18)"), validators=[optional(), max_len(60)])
    guardian_phone = StringField(_l("Guardian's phone (under 18)"), validators=[optional(), max_len(20), phone_number])
    guardian_consent = BooleanField(_l("The guardian agrees to this volunteering (under 18)"))

    def validate_id_number(self, field):
        if not field.data:
            return
        number = "".join(field.data.split()).upper()
        if self.id_type.data == "resident_id" and not resident_id_ok(number):
            raise ValidationError(_l("This is not a valid resident ID number (18 characters, check digit)."))
        if not re.fullmatch(r"[A-Z0-9]{5,30}", number):
            raise ValidationError(_l("Use 5 to 30 letters and digits."))
        field.data = number


class ApplicationForm(IdentityForm):
    team = StringField(_l("Team or organisation"), validators=[optional(), max_len(120)],
                       render_kw={"placeholder": _l("e.g. a university volunteer team")})
    motivation = TextAreaField(_l("Why you would like to help"), validators=[optional(), max_len(1000)])
    agree = BooleanField(_l("I agree that the programme keeps these details to organise volunteering."),
                         validators=[input_required()])

    def __init__(self, *args, notice_url: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if notice_url:  # "I agree" names what is agreed to: the privacy notice, one tap away
            from flask_babel import gettext
            from markupsafe import Markup

            self.agree.description = Markup('<a href="{}" target="_blank" rel="noopener" data-testid="privacy-notice">{}</a>').format(
                notice_url, gettext("Read the privacy notice you agree to"))


class ProfileForm(IdentityForm):
    id_number = StringField(_l("ID number"), validators=[optional(), max_len(30)],
                            description=_l("Leave empty to keep the number on record."))
    volunteer_number = StringField(_l("Volunteer number"), validators=[required(), max_len(40)])
    party_id = SelectField(_l("Party"), coerce=int, choices=[], validate_choice=False)
    insurance_policy = StringField(_l("Accident insurance policy"), validators=[optional(), max_len(80)])
    insurance_from = DateField(_l("Insured from"), validators=[optional()])
    insurance_until = DateField(_l("Insured until"), validators=[optional(), end_not_before("insurance_from")])

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.party_id.choices = [(0, "—")] + [(p.id, p.name) for p in parties]


class AcceptForm(BaseForm):
    """Accepting an application: no fields, only the once-only token (one per row of the list)."""


class DeclineForm(BaseForm):
    reason = StringField(_l("Reason (told to no one but staff)"), validators=[optional(), max_len(300)])


class TrainingKindForm(BaseForm):
    name = StringField(_l("Name"), validators=[required(), max_len(100)],
                       render_kw={"placeholder": _l("e.g. fire safety and evacuation")})
    validity_months = IntegerField(_l("Valid for (months)"), validators=[input_required(), positive(120)])
    required = BooleanField(_l("Required before working with children"))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class TrainingSessionForm(BaseForm):
    kind_id = SelectField(_l("Training"), coerce=int, choices=[], validate_choice=False,
                          validators=[required()])
    held_on = DateField(_l("Held on"), validators=[input_required()])
    trainer = StringField(_l("Trainer"), validators=[optional(), max_len(100)])
    notes = StringField(_l("Notes"), validators=[optional(), max_len(500)])
    attendee_ids = MultiCheckboxField(_l("Attendees"), coerce=int, choices=[], validate_choice=False)

    def __init__(self, *args, kinds=(), profiles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind_id.choices = [(k.id, k.name) for k in kinds]
        self.attendee_ids.choices = [(p.id, p.real_name) for p in profiles]


class CheckForm(BaseForm):
    checked_on = DateField(_l("Checked on"), validators=[input_required()])
    checked_by = StringField(_l("Checked by"), validators=[required(), max_len(120)],
                             render_kw={"placeholder": _l("person or office that made the query")})
    result = SelectField(_l("Result"), choices=[(k, CHECK_RESULT_LABELS[k]) for k in CHECK_RESULTS],
                         validators=[required()])
    note = StringField(_l("Note"), validators=[optional(), max_len(500)])


class HourForm(BaseForm):
    work_date = DateField(_l("Date"), validators=[input_required()])
    starts_at = TimeField(_l("Start"), validators=[input_required()])
    ends_at = TimeField(_l("End"), validators=[input_required()])
    activity = StringField(_l("What you did"), validators=[required(), max_len(200)],
                           render_kw={"placeholder": _l("e.g. maths tutoring, grade 3")})


class CorrectionForm(HourForm):
    activity = StringField(_l("What was done"), validators=[required(), max_len(200)])
    status = SelectField(_l("Status"), choices=[], validators=[required()])
    reason = StringField(_l("Reason for the correction"), validators=[required(), max_len(300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from app.volunteers.labels import HOUR_STATUS_LABELS

        self.status.choices = [(k, v) for k, v in HOUR_STATUS_LABELS.items() if k != "withdrawn"]


class OwnEntryForm(HourForm):
    """The volunteer's change of their own pending entry; the old values stay in its history."""
    reason = StringField(_l("Why it changed (optional)"), validators=[optional(), max_len(300)])


class CertificateForm(BaseForm):
    period_from = DateField(_l("From"), validators=[input_required()])
    period_to = DateField(_l("To"), validators=[input_required(), end_not_before("period_from")],
                          description=_l("The certificate lists the activities of the approved hours of the period."))


class SettingsForm(BaseForm):
    issuer_name = StringField(_l("Issuing organisation"), validators=[required(), max_len(120)])
    person_in_charge = StringField(_l("Person in charge"), validators=[required(), max_len(60)])
    handler = StringField(_l("Handler"), validators=[required(), max_len(60)])
    contact = StringField(_l("Contact"), validators=[required(), max_len(60)])


class ReviewForm(BaseForm):
    """The review of pending hours: one entry's approve/reject button, the ticked ones, or the whole
    page shown. The ids themselves are read by ``app.core.ids.objects_in_site``."""
    approve_one = HiddenField()
    reject_one = HiddenField()
    scope = HiddenField()
    action = HiddenField()
    reason = StringField(_l("Reason for rejecting (needed to reject)"), validators=[optional(), max_len(300)])

    def choice(self, formdata) -> tuple[str, list[str]]:
        """(action, the submitted ids) of the button that was pressed."""
        if self.approve_one.data:
            return "approve", [self.approve_one.data]
        if self.reject_one.data:
            return "reject", [self.reject_one.data]
        if self.scope.data == "page":
            return "approve", formdata.getlist("page_ids")
        return self.action.data or "", formdata.getlist("ids")

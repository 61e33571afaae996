from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from app.core.forms import BaseForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from app.children.labels import GRADE_LABELS, SEX_LABELS
from app.children.models import GRADES, SEXES
from app.core.forms import DateField, input_required, max_len, optional, phone_number, required
from app.core.timeutil import local_today


def plausible_birth_date(form, field):
    """A child of school age: between 3 and 18 years old today."""
    if not field.data:
        return
    today = local_today()
    if field.data > today:
        raise ValidationError(_l("The birth date cannot be in the future."))
    if not timedelta(days=365 * 3) <= today - field.data <= timedelta(days=int(365.25 * 18)):
        raise ValidationError(_l("This birth date does not fit a child of school age."))


def _coerce_grade(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ChildForm(BaseForm):
    name = StringField(_l("Full name"), validators=[required(), max_len(60)])
    sex = SelectField(_l("Sex"), choices=[(s, SEX_LABELS[s]) for s in SEXES], validators=[required()])
    birth_date = DateField(_l("Birth date"), validators=[input_required(), plausible_birth_date])
    grade = SelectField(_l("Grade in the coming school year"), coerce=_coerce_grade, validate_choice=False,
                        choices=[(g, GRADE_LABELS[g]) for g in GRADES], validators=[input_required()])
    school = StringField(_l("School"), validators=[optional(), max_len(120)])
    hometown = StringField(_l("Hometown"), validators=[optional(), max_len(120)],
                           render_kw={"placeholder": _l("e.g. Fuyang, Anhui")})
    may_go_home_alone = BooleanField(_l("May go home alone (the guardian has agreed in writing)"))
    allergies = TextAreaField(_l("Allergies"), validators=[optional(), max_len(1000)],
                              render_kw={"placeholder": _l("e.g. peanuts, penicillin")})
    conditions = TextAreaField(_l("Health conditions"), validators=[optional(), max_len(1000)])
    medicines = TextAreaField(_l("Medicines"), validators=[optional(), max_len(1000)])
    high_risk = BooleanField(_l("High risk: needs special attention"))
    notes = TextAreaField(_l("Notes"), validators=[optional(), max_len(2000)])
    not_duplicate = BooleanField(_l("This is a different child"))

    def validate_grade(self, field):
        if field.data not in GRADES:
            raise ValidationError(_l("Choose a grade from 1 to 9."))


class NewChildForm(ChildForm):
    guardian_name = StringField(_l("Guardian's name"), validators=[required(), max_len(60)])
    guardian_relation = StringField(_l("Relation to the child"), validators=[required(), max_len(20)],
                                    render_kw={"placeholder": _l("e.g. father, mother, grandmother")})
    guardian_phone = StringField(_l("Guardian's phone"), validators=[required(), max_len(20), phone_number])
    guardian_employer = StringField(_l("Guardian's employer"), validators=[optional(), max_len(120)])


class GuardianForm(BaseForm):
    name = StringField(_l("Full name"), validators=[required(), max_len(60)])
    relation = StringField(_l("Relation"), validators=[required(), max_len(20)],
                           render_kw={"placeholder": _l("e.g. father, mother, grandmother")})
    phone = StringField(_l("Phone"), validators=[required(), max_len(20), phone_number])
    employer = StringField(_l("Employer"), validators=[optional(), max_len(120)])


class PickupForm(BaseForm):
    name = StringField(_l("Full name"), validators=[required(), max_len(60)])
    relation = StringField(_l("Relation"), validators=[required(), max_len(20)])
    phone = StringField(_l("Phone"), validators=[required(), max_len(20), phone_number])


class ConsentForm(BaseForm):
    guardian_name = StringField(_l("Guardian who consents"), validators=[required(), max_len(60)])
    guardian_relation = StringField(_l("Relation to the child"), validators=[required(), max_len(20)])
    agreed = BooleanField(_l("The guardian has read this notice and agrees"), validators=[InputRequired(
        message=_l("Consent can only be recorded when the guardian agrees."))])
    signed_on = DateField(_l("Signed on paper on"), validators=[optional()], description=_l(
        "Only when the guardian signed a paper consent form: the day it was signed. Leave empty when the "
        "guardian agrees here."))

    def validate_signed_on(self, field):
        if field.data and not (date(2000, 1, 1) <= field.data <= local_today()):
            raise ValidationError(_l("The day the paper form was signed must be between 2000 and today."))

    def validate_agreed(self, field):
        if not field.data:
            raise ValidationError(_l("Consent can only be recorded when the guardian agrees."))


class EnrolForm(BaseForm):
    season_id = SelectField(_l("Season"), coerce=_coerce_grade, validate_choice=False, validators=[input_required()])

    def __init__(self, *args, seasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.season_id.choices = [(s.id, s.name) for s in seasons]

    def validate_season_id(self, field):
        if field.data not in {c[0] for c in field.choices}:
            raise ValidationError(_l("Choose a season of this site."))


class ImportForm(BaseForm):
    file = FileField(_l("Excel (.xlsx) or CSV file"), description=_l(
        "At most 5,000 rows. Nothing is saved until you have checked the preview."))
    season_id = SelectField(_l("Put the children on the list of"), coerce=_coerce_grade, validate_choice=False)

    def __init__(self, *args, seasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.season_id.choices = [("", _l("No season (register only)"))] + [(s.id, s.name) for s in seasons]

    def validate_season_id(self, field):
        if field.data is not None and field.data not in {c[0] for c in field.choices}:
            raise ValidationError(_l("Choose a season of this site."))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choose a file to upload."))


class EraseForm(BaseForm):
    reason = StringField(_l("Reason (do not write the child's name)"), validators=[required(), max_len(300)],
                         render_kw={"placeholder": _l("e.g. guardian's written request of 2025-08-30")})
    confirm = BooleanField(_l("I understand that this erases the child's personal data for good"))

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError(_l("Tick the box to confirm the erasure."))

"""Forms of the scheduling area: activities, groups, recurring schedules, one session, cancelling."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.children.labels import GRADE_LABELS
from app.children.models import GRADES
from app.core.forms import (BaseForm, DateField, IntegerField, TimeField, ascii_digits, end_not_before,
                            input_required, max_len, optional, required)
from app.scheduling.labels import TRACK_LABELS, WEEKDAY_LABELS
from app.scheduling.models import TRACKS


def _coerce_id(value):
    """An id from a select: a whole number, or None for anything else (then "choose one")."""
    if value in (None, "") or isinstance(value, int):
        return value if value != "" else None
    text = ascii_digits(str(value)).strip()
    return int(text) if text.isdigit() and len(text) <= 10 else None


class IdSelect(SelectField):
    """A select of the site's own objects: an id that is not one of the choices is refused in words."""

    def __init__(self, label=None, validators=None, *, allow_empty=False, **kwargs):
        super().__init__(label, validators, coerce=_coerce_id, validate_choice=False, **kwargs)
        self.allow_empty = allow_empty

    def pre_validate(self, form):
        if self.data is None and self.allow_empty:
            return
        if self.data not in {value for value, _label in self.choices if value not in (None, "")}:
            raise ValidationError(_l("Choose one of the listed options."))


def _volunteers_needed():
    return NumberRange(min=0, max=50, message=_l("Enter a whole number from 0 to %(max)d.", max=50))


def _end_after_start(form, field):
    start = form.starts_at.data
    if start and field.data and field.data <= start:
        raise ValidationError(_l("The end time must be after the start time."))


class ActivityForm(BaseForm):
    track = SelectField(_l("Track"), choices=[(t, TRACK_LABELS[t]) for t in TRACKS], validators=[required()])
    name = StringField(_l("Name"), validators=[required(), max_len(100)],
                       render_kw={"placeholder": _l("e.g. Grade 3 maths, calligraphy, lunch")})
    theme_week_id = IdSelect(_l("Theme week"), allow_empty=True)
    notes = StringField(_l("Notes"), validators=[optional(), max_len(500)])

    def __init__(self, *args, theme_weeks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.theme_week_id.choices = [("", _l("Every week"))] + [(w.id, w.title) for w in theme_weeks]


class GroupForm(BaseForm):
    name = StringField(_l("Name"), validators=[required(), max_len(60)],
                       render_kw={"placeholder": _l("e.g. Grade 3")})
    grade = SelectField(_l("Grade"), coerce=_coerce_id, validate_choice=False,
                        choices=[("", "—")] + [(g, GRADE_LABELS[g]) for g in GRADES])
    level = StringField(_l("Level"), validators=[optional(), max_len(40)],
                        render_kw={"placeholder": _l("e.g. beginners")})

    def validate_grade(self, field):
        if field.data is not None and field.data not in GRADES:
            raise ValidationError(_l("Choose one of the listed options."))


class WeekdaysField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=_coerce_id, validate_choice=False,
                         choices=[(i, WEEKDAY_LABELS[i]) for i in range(7)], **kwargs)

    def pre_validate(self, form):
        if not self.data:
            raise ValidationError(_l("Choose at least one weekday."))
        if any(day not in range(7) for day in self.data):
            raise ValidationError(_l("Choose one of the listed options."))

    @property
    def mask(self) -> int:
        return sum(1 << day for day in set(self.data or ()))


class DateListField(TextAreaField):
    """Dates separated by spaces, commas or new lines (YYYY-MM-DD, full-width digits accepted)."""

    def process_formdata(self, valuelist):
        self.data = []
        self.raw = valuelist[0] if valuelist else ""
        bad = []
        for part in re.split(r"[\s,，、;；]+", ascii_digits(self.raw or "").strip()):
            if not part:
                continue
            try:
                day = date.fromisoformat(part)
            except ValueError:
                bad.append(part[:20])
                continue
            if day not in self.data:
                self.data.append(day)
        if bad:
            raise ValueError(_l("Not a date: %(text)s. Write dates as YYYY-MM-DD.", text=bad[0]))
        self.data.sort()

    def _value(self):
        if isinstance(self.data, list):
            return "\n".join(d.isoformat() for d in self.data)
        return self.data or ""


class _Choices:
    def set_choices(self, activities=(), groups=(), rooms=(), leads=()):
        self.activity_id.choices = [(a.id, a.name) for a in activities]
        self.group_id.choices = [(g.id, g.name) for g in groups]
        self.room_id.choices = [(r.id, r.name) for r in rooms]
        self.lead_id.choices = [("", _l("No lead yet"))] + [(u.id, u.display_name) for u in leads]


class ScheduleForm(_Choices, BaseForm):
    activity_id = IdSelect(_l("Activity"))
    group_id = IdSelect(_l("Group"))
    room_id = IdSelect(_l("Room"))
    weekdays = WeekdaysField(_l("Weekdays"))
    starts_at = TimeField(_l("From"), validators=[input_required()])
    ends_at = TimeField(_l("To"), validators=[input_required(), _end_after_start])
    first_date = DateField(_l("First day"), validators=[input_required()])
    last_date = DateField(_l("Last day"), validators=[input_required(), end_not_before("first_date")])
    exception_dates = DateListField(_l("Except these dates"), description=_l(
        "One date per line (YYYY-MM-DD), e.g. a public holiday."))
    lead_id = IdSelect(_l("Lead (social worker)"), allow_empty=True)
    volunteers_needed = IntegerField(_l("Volunteers needed"), default=0,
                                     validators=[input_required(), _volunteers_needed()])

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_choices(**(choices or {}))

    def values(self, *exclude):
        values = super().values(*exclude)
        values["weekdays"] = self.weekdays.mask
        return values


class ScheduleRangeForm(BaseForm):
    """Change a schedule's range and exceptions: extending it adds the missing sessions."""
    first_date = DateField(_l("First day"), validators=[input_required()])
    last_date = DateField(_l("Last day"), validators=[input_required(), end_not_before("first_date")])
    exception_dates = DateListField(_l("Except these dates"), description=_l(
        "One date per line (YYYY-MM-DD), e.g. a public holiday."))


SCOPES = ("one", "following")


class SessionForm(_Choices, BaseForm):
    activity_id = IdSelect(_l("Activity"))
    group_id = IdSelect(_l("Group"))
    room_id = IdSelect(_l("Room"))
    on_date = DateField(_l("Date"), validators=[input_required()])
    starts_at = TimeField(_l("From"), validators=[input_required()])
    ends_at = TimeField(_l("To"), validators=[input_required(), _end_after_start])
    lead_id = IdSelect(_l("Lead (social worker)"), allow_empty=True)
    volunteers_needed = IntegerField(_l("Volunteers needed"), default=0,
                                     validators=[input_required(), _volunteers_needed()])
    scope = SelectField(_l("Apply to"), default="one", choices=[
        ("one", _l("This session only")), ("following", _l("This and all following sessions"))])

    def __init__(self, *args, choices: dict | None = None, recurring: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_choices(**(choices or {}))
        if not recurring:
            del self.scope


class CancelForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[required(), max_len(200)],
                         render_kw={"placeholder": _l("e.g. typhoon warning")})
    scope = SelectField(_l("Apply to"), default="one", choices=[
        ("one", _l("This session only")), ("following", _l("This and all following sessions"))])


class SettingsForm(BaseForm):
    children_per_adult = IntegerField(_l("Children per adult"), validators=[
        input_required(), NumberRange(min=1, max=100, message=_l("Enter a whole number from 1 to %(max)d.", max=100))])
    max_group_size = IntegerField(_l("Largest group"), validators=[
        input_required(), NumberRange(min=1, max=500, message=_l("Enter a whole number from 1 to %(max)d.", max=500))])

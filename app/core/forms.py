"""Shared form pieces: validators with messages in the user's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import fields
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError


def required():
    return DataRequired(message=_l("This field is required."))


def input_required():
    return InputRequired(message=_l("This field is required."))


def max_len(n: int):
    return Length(max=n, message=_l("At most %(max)d characters.", max=n))


def length(min_: int, max_: int):
    return Length(min=min_, max=max_, message=_l("Between %(min)d and %(max)d characters.", min=min_, max=max_))


def positive(maximum: int = 100000):
    return NumberRange(min=1, max=maximum, message=_l("Enter a whole number from 1 to %(max)d.", max=maximum))


def optional():
    return Optional()


def phone_number(form, field):
    """Mainland mobile or landline digits; spaces and dashes are ignored."""
    if not field.data:
        return
    digits = field.data.replace(" ", "").replace("-", "")
    if not digits.isdigit() or not 7 <= len(digits) <= 15:
        raise ValidationError(_l("Enter a phone number (digits only)."))
    field.data = digits


def end_not_before(start_field: str):
    def check(form, field):
        start = getattr(form, start_field).data
        if start and field.data and field.data < start:
            raise ValidationError(_l("The end date cannot be before the start date."))

    return check


class DateField(fields.DateField):
    """A date field whose parse error is in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date as YYYY-MM-DD.")) from None


class IntegerField(fields.IntegerField):
    """A whole-number field whose parse error is in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a whole number.")) from None

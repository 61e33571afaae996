"""Shared form pieces: the one form base class, fields that clean what people paste, and validators
with messages in the user's language.

Every form in Huhang derives from ``BaseForm``. At the edge, once, it

- strips surrounding whitespace from every text field and removes NUL and other control characters
  (PostgreSQL refuses NUL in text; openpyxl refuses control characters in exports), keeping line
  breaks and tabs only in multi-line fields;
- gives every form a ``form_token`` (a random value rendered into the form) which the save path
  records for forms that create something, so a double tap, a second tab or a retrying proxy saves
  once (``app.core.views.save(..., once=True)``);
- offers ``values()``: the submitted data without csrf_token, submit and form_token.

Numbers and dates accept full-width digits (１２３) and are bounded, so a 30-digit number or the year
9999 gets a message instead of an overflow deeper down.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import fields, widgets
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

_CONTROL_SINGLE = re.compile(r"[\x00-\x1f\x7f]")            # every control character
_CONTROL_MULTI = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # keep \t and \n
INT_MAX = 2**31 - 1           # PostgreSQL integer
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2100, 12, 31)
NOT_FORM_DATA = ("csrf_token", "submit", "form_token")


def clean_line(value):
    """One line of text: no control characters, single spaces kept, surrounding space removed."""
    if not isinstance(value, str):
        return value
    return _CONTROL_SINGLE.sub(" ", value).strip()


def clean_text(value):
    """Multi-line text: line breaks normalised to \\n, other control characters removed."""
    if not isinstance(value, str):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_MULTI.sub("", value).strip()


def ascii_digits(value: str) -> str:
    """Full-width and other compatibility digits (１２, ²) as plain ASCII; other text unchanged."""
    return unicodedata.normalize("NFKC", value) if isinstance(value, str) else value


def _new_token() -> str:
    return secrets.token_urlsafe(16)


class Select(widgets.Select):
    """WTForms' select, each plain option (no attributes of its own) written by one f-string: what
    ``render_option`` writes through ``html_params`` (attributes sorted: ``selected`` before ``value``),
    without its ~20 calls an option (a select of a site's dishes has dozens). Same HTML
    (tests/core/test_select_widget.py)."""

    @classmethod
    def render_option(cls, value, label, selected, **kwargs):
        if kwargs or value is True or value is False:
            return super().render_option(value, label, selected, **kwargs)
        return Markup(f'<option {"selected " if selected else ""}value="{escape(value)}">{escape(label)}</option>')


class BaseForm(FlaskForm):
    """The base of every form (see the module docstring)."""

    form_token = fields.HiddenField(default=_new_token)

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, fields.TextAreaField):
                options["filters"] = (clean_text, *options.get("filters", ()), *unbound_field.kwargs.get("filters", ()))
            elif issubclass(field_class, (fields.StringField, fields.HiddenField)) and not issubclass(
                    field_class, fields.FileField):
                options["filters"] = (clean_line, *options.get("filters", ()), *unbound_field.kwargs.get("filters", ()))
            return unbound_field.bind(form=form, **options)

    def values(self, *exclude: str) -> dict:
        """The submitted values a service needs (no csrf_token, submit, form_token)."""
        return {k: v for k, v in self.data.items() if k not in NOT_FORM_DATA and k not in exclude}

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.form_errors)

    def add_error(self, field_name: str | tuple | None, message: str) -> None:
        """Put a message on the named field, or on the form when there is no such field. For a tuple of
        names the message goes on the first; the others are marked invalid with it (``also_invalid``,
        read by templates/macros/forms.html)."""
        if isinstance(field_name, tuple):
            field_name, *others = field_name
            for other in others:
                if isinstance(getattr(self, other, None), fields.Field):
                    getattr(self, other).also_invalid = field_name
        field = getattr(self, field_name, None) if field_name else None
        if isinstance(field, fields.Field) and field_name not in NOT_FORM_DATA:
            field.errors = [*field.errors, message]
        else:
            self.form_errors.append(message)


# --- validators ------------------------------------------------------------------------------------
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


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")


def normalise_phone(value: str) -> str:
    """Digits only: full-width digits made plain, spaces, dashes, dots and brackets dropped, +86 removed."""
    digits = re.sub(r"[\s\-.()（）]", "", ascii_digits(value or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def phone_problem(value: str) -> str | None:
    """Why ``value`` (already normalised) is not a Chinese phone number, or None when it is one."""
    if _MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value):
        return None
    if not value.isdigit():
        return str(_l("A phone number has digits only."))
    if value.startswith("1"):
        return str(_l("A mobile number has 11 digits and starts with 13 to 19 (this one has %(n)d digits).",
                      n=len(value)))
    if value.startswith("0"):
        return str(_l("A landline needs its area code: 3 or 4 digits starting with 0, then 7 or 8 digits "
                      "(e.g. 0572-1234567)."))
    return str(_l("Enter an 11-digit mobile number, or a landline with its area code (e.g. 0572-1234567)."))


def phone_number(form, field):
    """A mainland mobile (11 digits, 13–19) or a landline with its area code; stored as digits."""
    if not field.data:
        return
    digits = normalise_phone(field.data)
    problem = phone_problem(digits)
    if problem:
        raise ValidationError(problem)
    field.data = digits


def end_not_before(start_field: str):
    def check(form, field):
        start = getattr(form, start_field).data
        if start and field.data and field.data < start:
            raise ValidationError(_l("The end date cannot be before the start date."))

    return check


# --- fields that parse in the user's language ----------------------------------------------------
class DateField(fields.DateField):
    """A date (full-width digits accepted) between 1900 and 2100, with messages in the user's language."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [ascii_digits(v).strip() for v in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a date as YYYY-MM-DD.")) from None
        if self.data is not None and not MIN_DATE <= self.data <= MAX_DATE:
            self.data = None
            raise ValueError(_l("Enter a date between 1900 and 2100."))


class _BoundedNumber:
    """Numbers typed as people type them (full-width digits, thousands commas), refused with a
    message when unreadable or beyond what the database holds."""
    max_chars = 12
    unreadable = _l("Enter a number.")

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [ascii_digits(v).strip().replace(",", "") for v in valuelist]
            if len(valuelist[0]) > self.max_chars:
                self.data = None
                raise ValueError(_l("This number is too large."))
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.unreadable) from None
        if self.data is not None and not self.fits(self.data):
            self.data = None
            raise ValueError(_l("This number is too large."))


class IntegerField(_BoundedNumber, fields.IntegerField):
    """A whole number (full-width digits accepted) that fits the database, message in the user's language."""
    unreadable = _l("Enter a whole number.")

    @staticmethod
    def fits(value) -> bool:
        return abs(value) <= INT_MAX


class DecimalField(_BoundedNumber, fields.DecimalField):
    """A decimal number (full-width digits accepted) of at most 12 digits before the point."""
    max_chars = 20

    @staticmethod
    def fits(value) -> bool:
        return value.is_finite() and abs(value) < 10**12


class TimeField(fields.TimeField):
    """A time of day (HH:MM, full-width digits accepted), message in the user's language."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [ascii_digits(v).strip() for v in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Enter a time as HH:MM.")) from None


def is_phone_field(field) -> bool:
    """Whether ``field`` checks a phone number (the form macro gives it the phone keypad): one look
    at its validators, cheaper than the same test written as a chain of Jinja filters."""
    return any(validator is phone_number for validator in field.validators)


_KEYPAD = {"DateField": {"type": "date"}, "TimeField": {"type": "time"},
           "IntegerField": {"inputmode": "numeric"}, "DecimalField": {"inputmode": "decimal"}}
_PHONE = {"type": "tel", "inputmode": "tel", "autocomplete": "off"}
_ID_NUMBER = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


def field_html(f, prefix: str = "", attrs: dict | None = None) -> Markup:
    """One visible field as ``macros/forms.html``'s ``field`` macro shows it (label, input, help,
    errors; the rules are written there): the same HTML, built in Python because every form of every
    page goes through it and the macro's dozen calls cost ten times as much in Jinja."""
    id_ = prefix + f.id
    help_id = id_ + "-help" if f.description else ""
    also = getattr(f, "also_invalid", None)
    error_id = id_ + "-error" if f.errors else (prefix + also + "-error" if also else "")
    kw = {"id": id_}
    if error_id:
        kw["aria-invalid"] = "true"
    if error_id or help_id:
        kw["aria-describedby"] = (error_id + " " + help_id).strip()
    lead = ""
    if f.type in _KEYPAD:
        kw.update(_KEYPAD[f.type])
    elif is_phone_field(f):
        kw.update(_PHONE)
    elif f.name == "id_number":
        # not inputmode=numeric: a resident ID may end in X and other documents carry letters
        kw.update(_ID_NUMBER)
        lead = "\n    "  # the macro's comment on this branch left its line's indent behind
    if attrs:
        kw.update(attrs)
    required = f.flags.required
    parts = [lead, '\n  <div class="field', " has-error" if error_id else "", " required" if required else "",
             '">\n    <label for="', escape(id_), '">', escape(f.label.text),
             '<span class="req" aria-hidden="true"> *</span>' if required else "", "</label>\n    ",
             escape(f(**kw)), "\n    "]
    if f.description:
        parts += ['<small class="help" id="', escape(help_id), '">', escape(f.description), "</small>"]
    parts.append("\n    ")
    if f.errors:
        parts += ['<div class="error" id="', escape(error_id), '">',
                  *(f"<p>{escape(error)}</p>" for error in f.errors), "</div>"]
    parts.append("\n  </div>")
    return Markup("".join(parts))

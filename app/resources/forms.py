from decimal import Decimal

from flask_babel import lazy_gettext as _l
from app.core.forms import BaseForm
from wtforms import SelectField, StringField
from wtforms.validators import NumberRange, ValidationError

from app.core.forms import DateField, DecimalField, input_required, max_len, optional, required
from app.resources.labels import DONATION_KIND_LABELS, USE_LABELS
from app.resources.models import DONATION_KINDS, USES


class MoneyField(DecimalField):
    """An amount in yuan (full-width digits accepted, bounded, never NaN or infinite) whose
    messages are in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            self.data = None
            if str(error) == str(_l("Enter a number.")):
                raise ValueError(_l("Enter an amount, e.g. 1200 or 35.50.")) from None
            raise


def _money(maximum: int = 10_000_000):
    return NumberRange(min=Decimal("0.01"), max=maximum,
                       message=_l("Enter an amount from 0.01 to %(max)d yuan.", max=maximum))


class DonationForm(BaseForm):
    party_id = SelectField(_l("From (party)"), coerce=int, choices=[], validate_choice=False)
    kind = SelectField(_l("Cash or in kind"), choices=[(k, DONATION_KIND_LABELS[k]) for k in DONATION_KINDS],
                       validators=[required()])
    item = StringField(_l("What (in kind)"), validators=[max_len(120)],
                       render_kw={"placeholder": _l("e.g. exercise books")})
    quantity = MoneyField(_l("How many (in kind)"), places=2, validators=[optional(), _money(1_000_000)])
    unit = StringField(_l("Unit"), validators=[optional(), max_len(20)], render_kw={"placeholder": _l("e.g. boxes")})
    value_yuan = MoneyField(_l("Value (yuan)"), places=2, validators=[input_required(), _money()])
    received_on = DateField(_l("Received on"), validators=[input_required()])
    purpose = StringField(_l("What it is for"), validators=[optional(), max_len(200)])

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.party_id.choices = [(0, "—")] + [(p.id, p.name) for p in parties]
        self._party_ids = {p.id for p in parties}

    def validate_party_id(self, field):
        if field.data not in self._party_ids:
            raise ValidationError(_l("Choose the party the donation came from."))

    def validate_item(self, field):
        if self.kind.data == "in_kind" and not field.data:
            raise ValidationError(_l("Say what was given."))


class AllocationForm(BaseForm):
    used_for = SelectField(_l("Used for"), choices=[(k, USE_LABELS[k]) for k in USES], validators=[required()])
    value_yuan = MoneyField(_l("Value (yuan)"), places=2, validators=[input_required(), _money()])
    used_on = DateField(_l("Date"), validators=[input_required()])
    note = StringField(_l("Note"), validators=[optional(), max_len(200)])

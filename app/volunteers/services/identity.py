"""ID numbers stored protected (a keyed hash and a masked form) and the age rules of sign-up."""
from __future__ import annotations

import hashlib
import hmac
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import FormError
from app.core.timeutil import local_today

TEXT_FIELDS = ("real_name", "phone", "skills", "interests", "availability", "guardian_name", "guardian_phone")
IDENTITY_FIELDS = ("real_name", "phone", "birth_date", "skills", "interests", "availability",
                   "guardian_name", "guardian_phone", "guardian_consent")


def normalise_id(number: str) -> str:
    return "".join(number.split()).upper()


def id_number_hash(number: str) -> str:
    """A keyed hash (HMAC-SHA256 with a key derived from SECRET_KEY) of the normalised number.

    ID numbers have little entropy (region, birth date, a sequence), so a plain hash could be
    reversed by trying them all; the key makes that impossible without the server's secret. The
    hash lets us find duplicates; the number itself is never stored."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"huhang/volunteer-id-number",
                   hashlib.sha256).digest()
    return hmac.new(key, normalise_id(number).encode(), hashlib.sha256).hexdigest()


def mask_id(id_type: str, number: str) -> str:
    """3301**********1234 for a resident ID; other documents keep only their last 4 characters."""
    number = normalise_id(number)
    if id_type == "resident_id" and len(number) == 18:
        return number[:4] + "*" * 10 + number[-4:]
    keep = 4 if len(number) > 6 else 1
    return "*" * max(4, len(number) - keep) + number[-keep:]


def birth_date_from_resident_id(number: str) -> date | None:
    number = normalise_id(number)
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def identity_of(values: dict) -> dict:
    """The identity columns from a form's values (already cleaned by the form); the ID number
    becomes its hash and masked form."""
    out = {}
    for key in IDENTITY_FIELDS:
        if key not in values:
            continue
        value = values[key]
        if key in TEXT_FIELDS:
            value = value or ""
        elif key == "guardian_consent":
            value = bool(value)
        out[key] = value
    if values.get("id_number"):
        out["id_type"] = values["id_type"]
        out["id_number_hash"] = id_number_hash(values["id_number"])
        out["id_number_masked"] = mask_id(values["id_type"], values["id_number"])
        if values["id_type"] == "resident_id":
            out["birth_date"] = birth_date_from_resident_id(values["id_number"]) or out.get("birth_date")
    return out


def check_minor(birth_date: date | None, values: dict) -> None:
    """Under 18: a guardian's name, phone and consent; under 14: not at all."""
    if birth_date is None:
        return
    today = local_today()
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    if age < 18 and not (values.get("guardian_name") and values.get("guardian_phone")
                         and values.get("guardian_consent")):
        raise FormError("guardian_name", _("Volunteers under 18 need a guardian's name, phone and consent."))
    if age < 14:
        raise FormError("id_number", _("Volunteers must be at least 14 years old."))

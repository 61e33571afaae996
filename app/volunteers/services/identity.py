"""ID numbers stored protected (a keyed hash and a masked form) and the age rules of sign-up."""
from __future__ import annotations

import base64
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


def id_hash_keys() -> list[tuple[str, bytes]]:
    """The configured ID-number keys, newest version first: ``ID_HASH_KEYS`` is
    ``"<version>:<base64 key>,..."`` (see ``app.config``)."""
    keys = []
    for part in str(current_app.config.get("ID_HASH_KEYS") or "").split(","):
        version, sep, encoded = part.strip().partition(":")
        if not sep or not version.isdigit() or version == "0":
            continue
        keys.append((version, base64.b64decode(encoded.strip() + "=" * (-len(encoded.strip()) % 4), validate=True)))
    if not keys:
        raise RuntimeError("ID_HASH_KEYS holds no key (format: '<version>:<base64 key>,...')")
    return sorted(keys, key=lambda k: int(k[0]), reverse=True)


def _digest(key: bytes, number: str) -> str:
    return hmac.new(key, normalise_id(number).encode(), hashlib.sha256).hexdigest()


def _legacy_hash(number: str) -> str | None:
    """The hash stored before versioned keys (now under version "0"): derived from SECRET_KEY."""
    secret = current_app.config.get("SECRET_KEY")
    if not secret:
        return None
    key = hmac.new(secret.encode(), b"huhang/volunteer-id-number", hashlib.sha256).digest()
    return "0:" + _digest(key, number)


def id_number_hash(number: str) -> str:
    """``"<version>:<hex HMAC-SHA256>"`` of the normalised number under the newest ID key.

    ID numbers have little entropy (region, birth date, a sequence), so a plain hash could be
    reversed by trying them all; the key makes that impossible without it. The key is separate from
    SECRET_KEY (rotating SECRET_KEY changes nothing here). The hash lets us find duplicates; the
    number itself is never stored.

    Rotation: add a new version in front, keep the old ones, e.g. ``ID_HASH_KEYS="2:<new>,1:<old>"``.
    New rows are hashed with the newest version; ``id_number_hashes`` tries every configured version,
    so a person stored under an old key is still found. Drop an old version only when no row still
    starts with ``"<that version>:"``. Rows from before versioned keys (version ``"0"``, derived from
    SECRET_KEY; the number is not stored, so they cannot be recomputed) are found while SECRET_KEY
    stays the one they were made with; editing the profile with its ID number stores a new hash."""
    version, key = id_hash_keys()[0]
    return f"{version}:{_digest(key, number)}"


def id_number_hashes(number: str) -> list[str]:
    """Every hash the number may be stored under: each configured version, and the legacy one."""
    hashes = [f"{version}:{_digest(key, number)}" for version, key in id_hash_keys()]
    legacy = _legacy_hash(number)
    return hashes + ([legacy] if legacy else [])


def mask_id(id_type: str, number: str) -> str:
    """Only the first and the last character stay: 3****************X (18 characters)."""
    number = normalise_id(number)
    if len(number) <= 2:
        return "*" * len(number)
    return number[0] + "*" * (len(number) - 2) + number[-1]


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

"""Who is signed in, as every request sees them: ``current_user`` is a ``SignedInUser``.

Every signed-in request reads the account's row and its role grants from the database (one
statement, ``auth.queries.user_for_session``), so a disabled account, a changed password, a sign-out
elsewhere or a changed grant takes effect on the very next request, in every worker. What is *not*
done on every request is building an ORM ``User`` (with its ``RoleGrant`` objects and the session's
bookkeeping) from that row: it cost about as much as everything else the request does before the
page's own work. A ``SignedInUser`` is a small immutable picture of exactly the values read, kept
per process under those values: the same row gives the same object, a changed row a new one.

It answers what the rules, the navigation and the pages ask of a signed-in person (id, names,
phone, language, whether the account is active, its session version, its grants and what follows
from them). Code that changes the account itself asks for the ORM record of this request with
``account()`` (changing a password, the language, ending sessions); anything else a ``User`` has
is read from that record too (one statement, then the session's identity map). A ``SignedInUser``
refuses to be changed: it is shared by every request of the same person in the process.
"""
from __future__ import annotations

from typing import NamedTuple

from flask_login import UserMixin

from app.core.permissions import ADMIN, ROLES


class Grant(NamedTuple):
    role: str
    site_id: int | None


class GrantsMixin:
    """What follows from a person's role grants; ``grants`` has ``.role`` and ``.site_id`` (the ORM
    ``User``'s ``RoleGrant`` objects, or a ``SignedInUser``'s ``Grant`` tuples)."""

    @property
    def is_admin(self) -> bool:
        return any(g.role == ADMIN for g in self.grants)

    def roles_on(self, site_id: int) -> set[str]:
        return {g.role for g in self.grants if g.site_id == site_id}

    def site_ids(self, roles: set[str] | None = None) -> set[int]:
        return {g.site_id for g in self.grants
                if g.site_id is not None and (roles is None or g.role in roles)}

    @property
    def roles(self) -> list[str]:
        return sorted({g.role for g in self.grants}, key=ROLES.index)


# The account's columns a SignedInUser carries, in the order of the loader's statement.
COLUMNS = ("id", "username", "phone", "display_name", "locale", "active", "session_version")


class SignedInUser(GrantsMixin, UserMixin):
    __slots__ = COLUMNS + ("grants",)

    def __init__(self, values: tuple, grants: tuple[Grant, ...]):
        for name, value in zip(COLUMNS, values):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "grants", grants)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return bool(self.active)

    def account(self):
        """The ORM ``User`` of this account in this request's session (to change it, or to read
        what this picture does not carry)."""
        from app.auth.models import User
        from app.extensions import db

        return db.session.get(User, self.id)

    def __getattr__(self, name: str):
        # only for names this picture does not carry (slots are found before this is asked)
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.account(), name)

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(f"the signed-in user is read-only; change the account through account() ({name})")

    def __repr__(self) -> str:
        return f"<SignedInUser {self.id} {self.username!r}>"


_KNOWN: dict[tuple, SignedInUser] = {}
_KNOWN_MAX = 4096


def signed_in_user(values: tuple, grants: tuple[Grant, ...]) -> SignedInUser:
    """The picture of an account's row ``values`` (``COLUMNS``) and ``grants``, kept per process
    under exactly those values."""
    key = (values, grants)
    user = _KNOWN.get(key)
    if user is None:
        if len(_KNOWN) >= _KNOWN_MAX:
            _KNOWN.clear()
        user = _KNOWN[key] = SignedInUser(values, grants)
    return user

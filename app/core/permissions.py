"""Rules of access: the only place that decides who may do what.

Every view declares what it needs with ``@requires(NEED)``. The decorator

1. loads the objects named by the URL (``season_id`` -> ``season``), 404 if one is missing,
2. finds the site they belong to,
3. checks the need for the current user on that site: anonymous users are sent to the login page,
   signed-in users without the right get 403,

and only then calls the view with the loaded objects. A test walks ``app.url_map`` and checks every
endpoint against every role, so a view without a declared need fails the suite.

A loader may also name the object's owner (``owner_id_of``); the decorator leaves that user id in
``g.access_owner_id`` for ownership rules (VOLUNTEER_OWN), which thus keep the same
(user, site_id) signature as every other rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable

from flask import abort, g, request
from flask_login import current_user

from app.extensions import db, login_manager

ADMIN = "admin"
COORDINATOR = "coordinator"
VOLUNTEER = "volunteer"
GUARDIAN = "guardian"
AUDITOR = "auditor"
ROLES = (ADMIN, COORDINATOR, VOLUNTEER, GUARDIAN, AUDITOR)
SITE_ROLES = (COORDINATOR, VOLUNTEER, GUARDIAN, AUDITOR)

# --- needs -------------------------------------------------------------------------------------
PUBLIC = "public"                # anyone, signed in or not
SIGNED_IN = "signed_in"          # any signed-in user
ADMINISTER = "administer"        # district administrator
STAFF = "staff"                  # admin, or coordinator/auditor on at least one site
SITE_VIEW = "site.view"          # admin, or coordinator/auditor of the object's site
SITE_MANAGE = "site.manage"      # admin, or coordinator of the object's site
VOLUNTEER_OWN = "volunteer.own"  # admin, coordinator of the object's site, or the volunteer it belongs to
VOLUNTEER_SELF = "volunteer.self"  # a user who volunteers on some site (their own corner)
COORDINATE = "coordinate"        # admin, or coordinator on at least one site (children's records)


def _roles_on(user, site_id: int | None) -> set[str]:
    return user.roles_on(site_id) if site_id is not None else set()


def _owns_loaded_object(user) -> bool:
    """True when the object ``@requires`` loaded belongs to ``user`` (its loader's ``owner_id_of``).

    Rules only see (user, site_id); for ownership the decorator leaves the owner's user id of the
    object it loaded in ``g.access_owner_id`` (None when the loader names no owner)."""
    owner_id = g.get("access_owner_id")
    return owner_id is not None and owner_id == user.id


RULES: dict[str, Callable[[Any, int | None], bool]] = {
    PUBLIC: lambda user, site_id: True,
    SIGNED_IN: lambda user, site_id: True,
    ADMINISTER: lambda user, site_id: user.is_admin,
    STAFF: lambda user, site_id: user.is_admin or bool(user.site_ids({COORDINATOR, AUDITOR})),
    SITE_VIEW: lambda user, site_id: user.is_admin
    or bool(_roles_on(user, site_id) & {COORDINATOR, AUDITOR}),
    SITE_MANAGE: lambda user, site_id: user.is_admin or COORDINATOR in _roles_on(user, site_id),
    VOLUNTEER_OWN: lambda user, site_id: user.is_admin or COORDINATOR in _roles_on(user, site_id)
    or _owns_loaded_object(user),
    VOLUNTEER_SELF: lambda user, site_id: bool(user.site_ids({VOLUNTEER})),
    COORDINATE: lambda user, site_id: user.is_admin or bool(user.site_ids({COORDINATOR})),
}


# --- loaders: URL parameter -> object -> site ---------------------------------------------------
@dataclass(frozen=True)
class Loader:
    model: type
    site_id_of: Callable[[Any], int | None]
    name: str
    owner_id_of: Callable[[Any], int | None] | None = None  # user id of the object's owner


LOADERS: dict[str, Loader] = {}


def register_loader(param: str, model: type, site_id_of: Callable[[Any], int | None],
                    owner_id_of: Callable[[Any], int | None] | None = None) -> None:
    """Let ``@requires`` turn the URL parameter ``param`` (e.g. ``season_id``) into an object;
    ``owner_id_of`` (optional) names the user who owns it, for rules such as VOLUNTEER_OWN."""
    LOADERS[param] = Loader(model, site_id_of, param.removesuffix("_id"), owner_id_of)


def can(need: str, site_id: int | None = None, user=None) -> bool:
    user = user if user is not None else current_user
    if need == PUBLIC:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    return RULES[need](user, site_id)


def requires(need: str):
    """Declare what a view needs; load its objects, then authorise (see module docstring)."""
    if need not in RULES:
        raise ValueError(f"unknown need {need!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            site_id = None
            g.access_owner_id = None
            for param in list(kwargs):
                loader = LOADERS.get(param)
                if loader is None:
                    continue
                obj = db.session.get(loader.model, kwargs.pop(param))
                if obj is None:
                    abort(404)
                kwargs[loader.name] = obj
                site_id = loader.site_id_of(obj)
                g.access_owner_id = loader.owner_id_of(obj) if loader.owner_id_of else None
            if need != PUBLIC:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if not can(need, site_id):
                    abort(403)
            g.site_id = site_id
            return view(*args, **kwargs)

        wrapper.access_need = need
        return wrapper

    return decorator


def nav_items() -> list[dict]:
    """The navigation for the current user: only what they may use."""
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    items = [dict(endpoint="main.dashboard", label=_l("Home"), need=SIGNED_IN)]
    items += [
        dict(endpoint="sites.site_list", label=_l("Sites"), need=STAFF),
        dict(endpoint="admin.users", label=_l("Accounts"), need=ADMINISTER),
    ]
    items += [
        dict(endpoint="volunteers.index", label=_l("Volunteers"), need=STAFF),
        dict(endpoint="volunteers.me", label=_l("My volunteering"), need=VOLUNTEER_SELF),
    ]
    items += [
        dict(endpoint="children.index", label=_l("Children"), need=COORDINATE),
        dict(endpoint="children.audit_trail", label=_l("Audit trail"), need=ADMINISTER),
    ]
    out = []
    for item in items:
        if can(item["need"]):
            out.append(dict(url=url_for(item["endpoint"]), label=item["label"],
                            active=request.endpoint == item["endpoint"]))
    return out

"""Rules of access: the only place that decides who may do what.

Every view declares what it needs with ``@requires(NEED)``. The decorator

1. loads every object named by the URL (``season_id`` -> ``season``, ``child_id`` -> ``child``),
   404 if one is missing, and 404 when they belong to different sites (``/sessions/1/children/9``
   with a child of another site is a URL that does not exist);
2. finds the site they belong to;
3. checks the need for the current user with an ``Access`` that holds the site *and the loaded
   objects*, so a rule such as "the volunteer who owns this hour entry" or "a volunteer rostered
   on this session" is one function of (user, access). Anonymous users are sent to the login page,
   signed-in users without the right get 403;

and only then calls the view with the loaded objects.

Everything else asks this module too: ``can(NEED, *targets)`` for a button, ``can_visit(endpoint,
**url_values)`` for a link or tab (it reads the view's declared need, so navigation never restates
it), and ``visible_site_ids(user, NEED)`` / ``where_visible(column, user, NEED)`` for "the sites this
user may see" in queries. A test walks every route × role against its own table of expected needs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable

from flask import abort, current_app, g, has_app_context, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, event, false, select, true
from sqlalchemy.orm import Session as OrmSession

from app.core.db import prepared
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
VOLUNTEER_HERE = "volunteer.here"  # a volunteer of the object's site (open shifts, swap offers)
COORDINATE = "coordinate"        # admin, or coordinator on at least one site (children's records)
MEALS_VIEW = "meals.view"        # admin, or coordinator/auditor/guardian of the object's site (menus, no names)
ATTENDANCE_TAKE = "attendance.take"  # admin, coordinator of the site, or a volunteer rostered on that session
SESSION_ALLERGIES = "session.allergies"  # admin, coordinator of the site, or a volunteer rostered on the session
GUARDIAN_SELF = "guardian.self"  # a user who is a guardian on some site (their own children's page)
OWN_CHILD = "guardian.own_child"  # a guardian of the child's site whose phone is one of the child's guardians'

# Which roles on a site give a site-level need there (administrators have every need everywhere).
SITE_NEED_ROLES: dict[str, frozenset[str]] = {
    SITE_VIEW: frozenset({COORDINATOR, AUDITOR}),
    SITE_MANAGE: frozenset({COORDINATOR}),
    VOLUNTEER_SELF: frozenset({VOLUNTEER}),
    MEALS_VIEW: frozenset({COORDINATOR, AUDITOR, GUARDIAN}),
}
# Needs that hold when the user holds a site-level need on at least one site.
SOMEWHERE = {STAFF: SITE_VIEW, COORDINATE: SITE_MANAGE}


@dataclass
class Access:
    """What a rule is asked about: the site of the request and the objects it loaded."""
    site_id: int | None = None
    objects: dict[str, Any] = field(default_factory=dict)
    owner_ids: set[int] = field(default_factory=set)


def _roles_on(user, site_id: int | None) -> set[str]:
    return user.roles_on(site_id) if site_id is not None else set()


def _has_site_need(user, need: str, site_id: int | None) -> bool:
    return bool(_roles_on(user, site_id) & SITE_NEED_ROLES[need])


def _guardian_of_child(user, access: Access) -> bool:
    """A guardian of the child's site whose own phone number is one of the child's guardians' phone
    numbers (digits compared; the account and the child's record are linked by nothing else)."""
    child = access.objects.get("child")
    if child is None or GUARDIAN not in _roles_on(user, access.site_id) or child.erased_at is not None:
        return False
    from app.core.forms import normalise_phone

    mine = normalise_phone(user.phone or "")
    return bool(mine) and any(normalise_phone(g.phone) == mine for g in child.guardians)


RULES: dict[str, Callable[[Any, Access], bool]] = {
    PUBLIC: lambda user, access: True,
    SIGNED_IN: lambda user, access: True,
    ADMINISTER: lambda user, access: user.is_admin,
    STAFF: lambda user, access: user.is_admin or bool(user.site_ids(SITE_NEED_ROLES[SITE_VIEW])),
    SITE_VIEW: lambda user, access: user.is_admin or _has_site_need(user, SITE_VIEW, access.site_id),
    SITE_MANAGE: lambda user, access: user.is_admin or _has_site_need(user, SITE_MANAGE, access.site_id),
    VOLUNTEER_OWN: lambda user, access: user.is_admin or _has_site_need(user, SITE_MANAGE, access.site_id)
    or user.id in access.owner_ids,
    VOLUNTEER_SELF: lambda user, access: bool(user.site_ids(SITE_NEED_ROLES[VOLUNTEER_SELF])),
    VOLUNTEER_HERE: lambda user, access: _has_site_need(user, VOLUNTEER_SELF, access.site_id),
    COORDINATE: lambda user, access: user.is_admin or bool(user.site_ids(SITE_NEED_ROLES[SITE_MANAGE])),
    MEALS_VIEW: lambda user, access: user.is_admin or _has_site_need(user, MEALS_VIEW, access.site_id),
    ATTENDANCE_TAKE: lambda user, access: user.is_admin or _has_site_need(user, SITE_MANAGE, access.site_id)
    or _rostered_on(user, access),
    SESSION_ALLERGIES: lambda user, access: user.is_admin or _has_site_need(user, SITE_MANAGE, access.site_id)
    or _rostered_on(user, access),
    GUARDIAN_SELF: lambda user, access: bool(user.site_ids({GUARDIAN})),
    OWN_CHILD: _guardian_of_child,
}


# --- a volunteer rostered on a session (ATTENDANCE_TAKE, SESSION_ALLERGIES) -------------------------------
ROSTER_HOLDING_STATUSES = ("rostered", "confirmed")  # released or offered away: no longer theirs to take


def _rostered_on(user, access: Access) -> bool:
    """A volunteer of the session's site holding a place on it (rostered or confirmed). The user's
    places are read once per request (a list of shifts asks for each), and read again after a flush."""
    session = access.objects.get("occurrence")
    if session is None or VOLUNTEER not in _roles_on(user, access.site_id):
        return False
    key = ("rostered_session_ids", user.id)
    held = g.get("_access_cache", {}).get(key)
    if held is None:
        from app.scheduling.models import SessionStaff

        held = set(db.session.scalars(select(SessionStaff.session_id).where(
            SessionStaff.user_id == user.id, SessionStaff.status.in_(ROSTER_HOLDING_STATUSES))))
        if "_access_cache" not in g:
            g._access_cache = {}
        g._access_cache[key] = held
    return session.id in held


@event.listens_for(OrmSession, "after_flush")
def _forget_cached_access(session, flush_context) -> None:
    if has_app_context():
        g.pop("_access_cache", None)


# --- loaders: URL parameter -> object -> site ---------------------------------------------------
@dataclass(frozen=True)
class Loader:
    model: type
    site_id_of: Callable[[Any], int | None]
    name: str
    owner_id_of: Callable[[Any], int | None] | None = None  # user id of the object's owner
    options: tuple = ()  # loader options of the statement that loads it (what to load with it, or not)


LOADERS: dict[str, Loader] = {}
_RESERVED_NAMES = {"session", "g", "request", "current_user", "current_app", "config", "self"}


def register_loader(param: str, model: type, site_id_of: Callable[[Any], int | None],
                    owner_id_of: Callable[[Any], int | None] | None = None, options: tuple = ()) -> None:
    """Let ``@requires`` turn the URL parameter ``param`` (e.g. ``season_id``) into an object
    (passed to the view as ``season``); ``owner_id_of`` (optional) names the user who owns it, for
    rules such as VOLUNTEER_OWN; ``options`` (optional) are loader options for its statement, e.g.
    not to load what the model's relationships would load eagerly but its pages never show. A
    parameter is registered once; its name never shadows Flask's."""
    if not param.endswith("_id"):
        raise ValueError(f"loader parameter {param!r} must end in _id")
    name = param.removesuffix("_id")
    if param in LOADERS:
        raise ValueError(f"a loader for {param!r} is already registered")
    if name in _RESERVED_NAMES:
        raise ValueError(f"loader {param!r} would shadow Flask's {name!r}")
    LOADERS[param] = Loader(model, site_id_of, name, owner_id_of, tuple(options))
    _LOADER_OF_TYPE.clear()


def _loader_of(obj) -> Loader | None:
    kind = type(obj)
    if kind not in _LOADER_OF_TYPE:  # the first loader whose model the object is, once per class
        _LOADER_OF_TYPE[kind] = next((loader for loader in LOADERS.values() if isinstance(obj, loader.model)), None)
    return _LOADER_OF_TYPE[kind]


_LOADER_OF_TYPE: dict[type, Loader | None] = {}


class SiteMismatch(Exception):
    """The objects of one request belong to different sites."""


def access_for(targets) -> Access:
    """The Access for objects (and/or site ids): their common site, the objects by name, and the
    owners they name. Raises SiteMismatch when they belong to different sites."""
    access = Access()
    sites = set()
    for target in targets:
        if target is None:
            continue
        if isinstance(target, int):
            sites.add(target)
            continue
        loader = _loader_of(target)
        if loader is None:
            raise TypeError(f"no loader knows {type(target).__name__}")
        access.objects[loader.name] = target
        site_id = loader.site_id_of(target)
        if site_id is not None:
            sites.add(site_id)
        if loader.owner_id_of is not None:
            owner = loader.owner_id_of(target)
            if owner is not None:
                access.owner_ids.add(owner)
    if len(sites) > 1:
        raise SiteMismatch(sites)
    access.site_id = next(iter(sites), None)
    return access


def _allowed(need: str, access: Access, user) -> bool:
    if need == PUBLIC:
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return RULES[need](user, access)


def can(need: str, *targets, user=None) -> bool:
    """May ``user`` (default: the current user) do ``need`` on ``targets`` (site ids and/or loaded
    objects)? Objects of different sites: no."""
    try:
        access = access_for(targets)
    except SiteMismatch:
        return False
    return _allowed(need, access, user if user is not None else current_user._get_current_object())


def _by_id(loader: Loader, ident):
    """The URL's object, loaded as ``session.get`` loads it (the same eager loads, unless the
    loader's options say otherwise) but through a statement built once per loader:
    ``session.get``'s own path costs about 0.1 ms more than the SELECT it runs, on every page with
    an object in its URL."""
    model = loader.model
    statement = prepared(f"permissions.by_id.{loader.name}",
                         lambda: select(model).options(*loader.options).where(model.id == bindparam("ident")))
    return db.session.execute(statement, {"ident": ident}).unique().scalar_one_or_none()


def requires(need: str):
    """Declare what a view needs; load its objects, then authorise (see module docstring)."""
    if need not in RULES:
        raise ValueError(f"unknown need {need!r}")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            loaded = []
            for param in list(kwargs):
                loader = LOADERS.get(param)
                if loader is None:
                    continue
                obj = _by_id(loader, kwargs.pop(param))
                if obj is None:
                    abort(404)
                kwargs[loader.name] = obj
                loaded.append(obj)
            try:
                access = access_for(loaded)
            except SiteMismatch:
                abort(404)
            if need != PUBLIC:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if not _allowed(need, access, current_user):
                    abort(403)
            g.site_id, g.access = access.site_id, access
            return view(*args, **kwargs)

        wrapper.access_need = need
        return wrapper

    return decorator


def need_of(endpoint: str) -> str | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_need", None)


def can_visit(endpoint: str, **values) -> bool:
    """May the current user open ``url_for(endpoint, **values)``? Reads the need the view declares
    and loads the URL's objects as ``@requires`` would (from the session's identity map when the
    page already holds them)."""
    need = need_of(endpoint)
    if need is None:
        return False
    targets = []
    for param, value in values.items():
        loader = LOADERS.get(param)
        if loader is None:
            continue
        obj = value if isinstance(value, loader.model) else db.session.get(loader.model, value)
        if obj is None:
            return False
        targets.append(obj)
    return can(need, *targets)


def url_if_allowed(endpoint: str, **values) -> str | None:
    """``url_for(endpoint, **values)`` when the current user may open it, else None (for links)."""
    if not can_visit(endpoint, **values):
        return None
    return url_for(endpoint, **{k: getattr(v, "id", v) for k, v in values.items()})


# Needs whose rule reads only the user and the request's site (not the objects, not their owners).
SITE_ONLY_NEEDS = frozenset({PUBLIC, SIGNED_IN, ADMINISTER, STAFF, SITE_VIEW, SITE_MANAGE, VOLUNTEER_SELF,
                             VOLUNTEER_HERE, COORDINATE, MEALS_VIEW, GUARDIAN_SELF})


def tab_url(endpoint: str, **values) -> str | None:
    """``url_if_allowed`` for a bar of links that ask the same question many times (a site's or a
    season's tabs): when the view's need is decided by the site alone (``SITE_ONLY_NEEDS``) and the
    URL's objects are already loaded, the answer for (need, site) is worked out once per request
    and shared by every link that asks it (forgotten after a flush, as ``_rostered_on``'s places);
    any other link is asked as ``url_if_allowed`` asks it."""
    need = need_of(endpoint)
    if need not in SITE_ONLY_NEEDS:
        return url_if_allowed(endpoint, **values)
    site_id = None
    for param, value in values.items():
        loader = LOADERS.get(param)
        if loader is None:
            continue
        if not isinstance(value, loader.model):
            return url_if_allowed(endpoint, **values)
        found = loader.site_id_of(value)
        if found is not None:
            if site_id is not None and found != site_id:
                return None  # objects of different sites: no such URL
            site_id = found
    user = current_user._get_current_object()
    key = ("site_need", need, site_id, getattr(user, "id", None))
    cached = g.get("_access_cache")
    if cached is None:
        cached = g._access_cache = {}
    allowed = cached.get(key)
    if allowed is None:
        allowed = cached[key] = _allowed(need, Access(site_id=site_id), user)
    if not allowed:
        return None
    return url_for(endpoint, **{k: getattr(v, "id", v) for k, v in values.items()})


# --- "which sites may this user see": one answer for every list --------------------------------------
def visible_site_ids(user, need: str) -> set[int] | None:
    """The ids of the sites where ``user`` holds ``need`` (SITE_VIEW, SITE_MANAGE, VOLUNTEER_SELF,
    or STAFF / COORDINATE meaning SITE_VIEW / SITE_MANAGE somewhere); None means every site
    (an administrator)."""
    need = SOMEWHERE.get(need, need)
    if need not in SITE_NEED_ROLES:
        raise ValueError(f"{need!r} is not a site-level need")
    if user.is_admin and need != VOLUNTEER_SELF:
        return None
    return user.site_ids(SITE_NEED_ROLES[need])


def where_visible(column, user, need: str):
    """A SQL condition on a site id ``column``: the sites where ``user`` holds ``need``."""
    ids = visible_site_ids(user, need)
    if ids is None:
        return true()
    return column.in_(ids) if ids else false()


# --- navigation -------------------------------------------------------------------------------------
def grants_key(user) -> tuple:
    """What every answer that depends only on who a signed-in user is may be kept under: whether the
    account is active and its grants (role, site). Two people with the same key see the same
    navigation."""
    return user.is_active, tuple(sorted((g.role, g.site_id or 0) for g in user.grants))


def nav_items() -> list[dict]:
    """The navigation for the current user: only what they may use (each view's own need).

    Each item says ``active`` (this very page) and ``current`` (the page belongs to this section, by
    blueprint: a site's children belong to 儿童 when the user has it, else to 服务点); at most one
    item is current, so a phone's menu button can name where the user is."""
    from flask_babel import lazy_gettext as _l

    items = [
        ("main.dashboard", _l("Home"), ("main",)),
        ("sites.site_list", _l("Sites"), ("sites", "resources", "children", "volunteers", "scheduling", "daily",
                                          "health")),
        ("admin.users", _l("Accounts"), ("admin",)),
        ("volunteers.index", _l("Volunteers"), ("volunteers",)),
        ("volunteers.me", _l("My volunteering"), ("volunteers.home", "volunteers.hours", "volunteers.totals",
                                                  "volunteers.change_entry", "volunteers.certificate_pdf")),
        ("scheduling.my_shifts", _l("My shifts"), ("scheduling.my_shifts",)),
        ("children.index", _l("Children"), ("children",)),
        ("health.my_children", _l("My children"), ("health.my_children", "health.child_meals")),
        ("admin.audit_trail", _l("Audit trail"), ()),
    ]
    # can_visit(endpoint) for URLs without objects: it depends on the user's grants only, so the
    # answer is kept per set of grants, and each item's URL per script root (url_for without values)
    user = current_user._get_current_object()
    if not (user and user.is_authenticated):
        allowed = [endpoint for endpoint, _label, _within in items
                   if (need := need_of(endpoint)) is not None and _allowed(need, Access(), user)]
    else:
        key = (current_app.name, grants_key(user))
        allowed = _NAV_ALLOWED.get(key)
        if allowed is None:
            allowed = [endpoint for endpoint, _label, _within in items
                       if (need := need_of(endpoint)) is not None and _allowed(need, Access(), user)]
            if len(_NAV_ALLOWED) > 1000:
                _NAV_ALLOWED.clear()
            _NAV_ALLOWED[key] = allowed
    root = request.script_root
    labels = {endpoint: label for endpoint, label, _within in items}
    within = {endpoint: blueprints for endpoint, _label, blueprints in items}
    out = []
    for endpoint in allowed:
        url = _NAV_URLS.get((id(current_app.url_map), root, endpoint))
        if url is None:
            url = _NAV_URLS[(id(current_app.url_map), root, endpoint)] = url_for(endpoint)
        out.append(dict(url=url, label=labels[endpoint], active=request.endpoint == endpoint, current=False))
    # the current section: this very page, else a section naming its endpoint, else the narrowest
    # section holding its blueprint (later items are narrower: 儿童 after 服务点 for a site's children)
    current = next((item for item in out if item["active"]), None)
    if current is None:
        current = next((item for item, endpoint in zip(out, allowed) if request.endpoint in within[endpoint]), None)
    if current is None and request.blueprint:
        holders = [item for item, endpoint in zip(out, allowed) if request.blueprint in within[endpoint]]
        current = holders[-1] if holders else None
    if current is not None:
        current["current"] = True
    badge = _open_alerts_badge(user)
    if badge:
        for item, endpoint in zip(out, allowed):
            if endpoint == "main.dashboard":  # a coordinator's home is the day at their site
                item["badge"] = badge
    return out


def _open_alerts_badge(user) -> int:
    """The badge's number, as ``prime_open_alerts_badge`` found it before the page rendered (a
    template never runs SQL)."""
    return g.get("open_alerts_badge", 0) if user and user.is_authenticated else 0


def shows_open_alerts(user) -> bool:
    """Whether the navigation shows ``user`` the open alerts badge: they coordinate a site and are no
    administrator (an administrator's home is not the day)."""
    return not user.is_admin and bool(user.site_ids(SITE_NEED_ROLES[SITE_MANAGE]))


def prime_open_alerts_badge() -> None:
    """Count the unresolved alerts of the sites a coordinator coordinates (the badge beside 首页,
    which is their today page) before a page renders: for a coordinator only, never for an htmx
    fragment. The count normally came with the user (their session says since sign-in that they
    coordinate: ``g.open_alerts_loaded``, app/__init__.py load_user); else it takes one query.
    Called by a context processor (app/daily/routes.py)."""
    user = current_user._get_current_object() if current_user else None
    if "open_alerts_badge" in g or not (user and user.is_authenticated) \
            or getattr(request, "htmx", False) or not shows_open_alerts(user):
        return
    loaded = g.get("open_alerts_loaded")
    if loaded is not None:
        g.open_alerts_badge = loaded
        return
    from app.daily.queries import open_alert_count

    g.open_alerts_badge = open_alert_count(user, SITE_MANAGE)


_NAV_ALLOWED: dict[tuple, list[str]] = {}
_NAV_URLS: dict[tuple, str] = {}

"""Flask extensions: created here, bound to the app in create_app."""
from functools import wraps

from flask import g, request
from flask_babel import Babel, Domain
from flask_babel import _get_current_context as _babel_context
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from werkzeug.utils import cached_property

from app.core.db import Base


class RequestDomain(Domain):
    """Flask-Babel's domain, with the translations bound once per request.

    Flask-Babel looks up the locale and its catalogue on every ``gettext`` call (``g`` twice, the
    locale selector's cached result, ``str(locale)``, a dict lookup); a table page calls ``_()``
    several times per row. Here the catalogue found first is kept in Flask-Babel's own request
    namespace under ``babel_translations``, the name its ``refresh()`` and ``force_locale()`` already
    clear and restore, so switching language inside a request still works."""

    def get_translations(self):
        ctx = _babel_context()
        if ctx is None:
            return super().get_translations()
        translations = getattr(ctx, "babel_translations", None)
        if translations is None:
            translations = ctx.babel_translations = super().get_translations()
        return translations


class RequestBabel(Babel):
    @cached_property
    def domain_instance(self):
        return RequestDomain(domain=self.domain)


def request_translations():
    """The request's translations (bound by RequestDomain): the fast path of Jinja's ``_()``."""
    try:
        translations = g._flask_babel.babel_translations
    except (AttributeError, RuntimeError):
        translations = None
    if translations is None:
        from flask_babel import get_translations

        translations = get_translations()
    return translations


def install_fast_gettext(app) -> None:
    """Jinja's ``_``/``gettext``/``ngettext``/``pgettext``/``npgettext``, resolving the translations
    once per request and called directly: Jinja's newstyle wrappers (what Flask-Babel installs) go
    through ``_`` -> ``context.resolve("gettext")`` -> ``context.call(wrapper)`` ->
    ``context.call(lambda)`` -> Flask-Babel's lookup for every string. Same semantics: the result is
    Markup when autoescaping, and always ``%``-formatted with the keyword arguments (``num`` for the
    plural forms, ``context`` for the p-forms). They take the evaluation context only (autoescape),
    not the template context: Jinja derives a new Context for every call of a ``pass_context``
    function inside a loop (to pass the loop variables), i.e. for every ``_()`` in a table row."""
    from jinja2 import pass_eval_context
    from markupsafe import Markup

    def finish(eval_ctx, rv, variables):
        # the text is from the catalogue (trusted); Markup's % escapes every variable
        return (Markup(rv) if eval_ctx.autoescape else rv) % variables

    @pass_eval_context
    def gettext(__eval_ctx, __string, **variables):
        translations = request_translations()
        if not variables and __eval_ctx.autoescape:
            # the same text every time for this catalogue: translated, escaped and formatted once
            try:
                done = translations._huhang_markup
            except AttributeError:
                done = translations._huhang_markup = {}
            rv = done.get(__string)
            if rv is None:
                rv = done[__string] = finish(__eval_ctx, translations.ugettext(__string), variables)
            return rv
        return finish(__eval_ctx, translations.ugettext(__string), variables)

    @pass_eval_context
    def ngettext(__eval_ctx, __singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        return finish(__eval_ctx, request_translations().ungettext(__singular, __plural, __num), variables)

    @pass_eval_context
    def pgettext(__eval_ctx, __string_ctx, __string, **variables):
        variables.setdefault("context", __string_ctx)
        return finish(__eval_ctx, request_translations().upgettext(__string_ctx, __string), variables)

    @pass_eval_context
    def npgettext(__eval_ctx, __string_ctx, __singular, __plural, __num, **variables):
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        return finish(__eval_ctx, request_translations().unpgettext(__string_ctx, __singular, __plural, __num),
                      variables)

    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext,
                                 npgettext=npgettext)


def cache_wtforms_catalogs() -> None:
    """Flask-WTF reads WTForms' own message catalogue (``wtforms.mo``) from disk on every request
    that builds a form (``babel.support.Translations.load``: locale normalising, file search, parse).
    Keep one per locale for the process; the request's locale still picks which one."""
    import flask_wtf.i18n as wtf_i18n
    from babel import support
    from flask import current_app, request
    from flask_babel import get_locale
    from wtforms.i18n import messages_path

    if getattr(wtf_i18n._get_translations, "cached_per_locale", False):
        return
    catalogs: dict[str, object] = {}

    def _get_translations():
        if not request or "babel" not in current_app.extensions:
            return None
        locale = get_locale()
        key = str(locale)
        translations = catalogs.get(key)
        if translations is None:
            translations = catalogs[key] = support.Translations.load(messages_path(), [locale],
                                                                     domain="wtforms")
        return translations

    _get_translations.cached_per_locale = True
    wtf_i18n._get_translations = _get_translations


# Objects stay loaded after the one commit of a request, so the page rendered after it runs no SQL.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = RequestBabel()
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def limit_only_limited_endpoints(app) -> None:
    """Flask-Limiter checks every request (a before_request hook, an after_request hook that adds the
    headers and settles conditional deductions, a teardown that resets its context), although only a
    few views carry a limit (``@limit``) and there are no default or application limits.
    Run its three hooks only for the endpoints and methods that a limit counts (the sign-in page's
    GET is not: its limit counts POSTs); every other request skips them (what they would do there:
    find no limit and do nothing). Call after the blueprints are registered; the decision is kept
    per endpoint and method. Views declare limits with ``limit`` (below)."""
    from flask_limiter.util import get_qualified_name

    manager = limiter.limit_manager
    if manager._default_limits or manager._application_limits or manager._blueprint_limits:
        return  # limits beyond the decorated views: leave Flask-Limiter as it is
    limited: dict[tuple, bool] = {}

    def is_limited() -> bool:
        key = (request.endpoint, request.method)
        answer = limited.get(key)
        if answer is None:
            endpoint = request.endpoint
            view = app.view_functions.get(endpoint or "")
            name = get_qualified_name(view) if view else ""
            marked = bool(endpoint and (name in limiter._marked_for_limiting or manager.has_hints(endpoint)))
            # a limit declared for some methods only (``methods=["POST"]``) counts nothing for the others
            groups = [group for n in (name, *manager._endpoint_hints.get(endpoint or "", ()))
                      for group in manager._decorated_limits.get(n, ())]
            method = request.method.lower()
            answer = limited[key] = marked and (
                not groups or any(group.methods is None or method in group.methods for group in groups))
        return answer

    def gate(hook, passthrough):
        def gated(*args):
            if is_limited():
                return hook(*args)
            return args[0] if passthrough else None

        gated.__name__ = getattr(hook, "__name__", "limiter_hook")
        gated.limiter_gated = True
        return gated

    def wrap(funcs: list, match, passthrough: bool) -> int:
        found = 0
        for i, fn in enumerate(funcs):
            if not getattr(fn, "limiter_gated", False) and match(fn):
                funcs[i] = gate(fn, passthrough)
                found += 1
        return found

    check = limiter._check_request_limit
    inject = Limiter._Limiter__inject_headers
    release = getattr(limiter, "_Limiter__release_context")
    found = wrap(app.before_request_funcs.setdefault(None, []), lambda fn: fn == check, False)
    found += wrap(app.after_request_funcs.setdefault(None, []),
                  lambda fn: getattr(fn, "func", None) is inject and getattr(fn, "args", ()) == (limiter,), True)
    found += wrap(app.teardown_request_funcs.setdefault(None, []), lambda fn: fn == release, False)
    if found == 0 and not limiter.enabled:
        return  # RATELIMIT_ENABLED = False: Flask-Limiter registered no hooks
    if found != 3:
        raise RuntimeError(f"Flask-Limiter's hooks not found ({found} of 3): check limit_only_limited_endpoints")


def limit(value, *, methods=None, **kwargs):
    """``@limiter.limit(value, methods=methods, **kwargs)`` for a view, whose check runs only for the
    ``methods`` the limit counts: Flask-Limiter's own wrapper checks on every call and, for a GET of
    a limit on POSTs, finds nothing to count (an eighth of the sign-in page's cost)."""
    def decorator(view):
        checked = limiter.limit(value, methods=methods, **kwargs)(view)
        if not methods:
            return checked
        counted = frozenset(method.upper() for method in methods)

        @wraps(view)
        def wrapper(*args, **kw):
            return (checked if request.method in counted else view)(*args, **kw)

        return wrapper

    return decorator

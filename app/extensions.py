"""Flask extensions: created here, bound to the app in create_app."""
from flask import g
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
    plural forms, ``context`` for the p-forms)."""
    from jinja2 import pass_context
    from markupsafe import Markup

    @pass_context
    def gettext(__context, __string, **variables):
        rv = request_translations().ugettext(__string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    @pass_context
    def ngettext(__context, __singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        rv = request_translations().ungettext(__singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    @pass_context
    def pgettext(__context, __string_ctx, __string, **variables):
        variables.setdefault("context", __string_ctx)
        rv = request_translations().upgettext(__string_ctx, __string)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

    @pass_context
    def npgettext(__context, __string_ctx, __singular, __plural, __num, **variables):
        variables.setdefault("context", __string_ctx)
        variables.setdefault("num", __num)
        rv = request_translations().unpgettext(__string_ctx, __singular, __plural, __num)
        if __context.eval_ctx.autoescape:
            rv = Markup(rv)
        return rv % variables

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

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
    """Jinja's ``_``/``gettext``/``ngettext``/``pgettext``/``npgettext`` resolving the translations
    once per request (same newstyle semantics as Flask-Babel installs: autoescape, ``%`` formatting)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )


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

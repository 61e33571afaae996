"""Huhang 护航: summer programmes for migrant workers' children."""
from __future__ import annotations

import pytz
from babel import Locale
from flask import Flask, flash, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from htmx_flask import make_response as htmx_response

from app.config import BASE_DIR, Config, engine_options
from app.core.urls import safe_next
from app.extensions import (babel, cache_wtforms_catalogs, csrf, db, htmx, install_fast_gettext, limiter,
                            limit_only_limited_endpoints,
                            login_manager, migrate)


def create_app(config: object | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(getattr(config, "INSTANCE_DIR", None) or Config.INSTANCE_DIR),
    )
    app.config.from_object(config or Config())
    from app.core.sessions import KeptSessionInterface

    app.session_interface = KeptSessionInterface()  # the signed cookie, verified once per process
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"],
                                                             app.config.get("SQLALCHEMY_ENGINE_OPTIONS"))
    from app.config import prepare_sqlite_file

    prepare_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    from app.core.logs import install_werkzeug_filter

    install_werkzeug_filter()
    from app.core.args import BoundedInt

    app.url_map.converters["int"] = BoundedInt

    init_extensions(app)
    init_blueprints(app)
    limit_only_limited_endpoints(app)
    init_errors(app)
    init_security_headers(app)
    init_templates(app)
    init_static(app)
    init_cli(app)
    init_proxy(app)
    check_settings(app)
    return app


def check_settings(app: Flask) -> None:
    """Settings that would otherwise fail on first use fail at start-up, with the setting's name."""
    from app.volunteers.services.identity import id_hash_keys

    with app.app_context():
        try:
            id_hash_keys()
        except Exception as error:
            raise RuntimeError(f"ID_HASH_KEYS is not valid ('<version>:<base64 key>,...'): {error}") from None


def init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every area's models, for metadata and migrations)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: _TIMEZONE)
    install_fast_gettext(app)
    cache_wtforms_catalogs()

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # "basic": a changed address marks the session non-fresh instead of ending it (a parent's phone
    # changes networks), and the identifier reads the client address as ProxyFix set it from
    # TRUSTED_PROXIES — never a client's own X-Forwarded-For. Sessions end for real through the
    # account's session version (sign-out, password change).
    login_manager.session_protection = "basic"
    login_manager._session_identifier_generator = _session_identifier
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        from app.auth.queries import user_for_session

        # a coordinator's page (the session says so since sign-in) counts the badge's open alerts in
        # the same statement; an htmx fragment shows no navigation
        user, open_alerts = user_for_session(int(user_id), open_alerts=bool(session.get("oa"))
                                             and not getattr(request, "htmx", False))
        if user is None or session.get("sv") != user.session_version:
            return None  # signed out elsewhere, or the password changed: this session has ended
        if open_alerts is not None:
            g.open_alerts_loaded = open_alerts
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        """Anonymous: to the login page and back; htmx requests get HX-Redirect instead of a page."""
        login_url = url_for("auth.login", next=safe_next(request.full_path.rstrip("?")))
        if request.htmx:
            return htmx_response("", 401, redirect=login_url)
        flash(login_manager.login_message, "info")
        return redirect(login_url)


# Parsed once: Flask-Babel would otherwise run Locale.parse (which scans every known locale name)
# on the string a selector returns, on every request.
_LOCALES = {code: Locale.parse(code) for code in ("zh_CN", "en")}
_TIMEZONE = pytz.timezone("Asia/Shanghai")


def _session_identifier() -> str:
    import hashlib

    agent = request.headers.get("User-Agent", "")
    return hashlib.sha512(f"{request.remote_addr}|{agent}".encode("utf-8", "replace")).hexdigest()


def select_locale() -> Locale:
    """The request's language: the signed-in user's choice, else the session's, else the browser's
    (zh_CN by default). "zh_CN" or "en", as a parsed Locale."""
    languages = ("zh_CN", "en")
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return _LOCALES[current_user.locale]
    if session.get("locale") in languages:
        return _LOCALES[session["locale"]]
    if request:
        return _LOCALES[request.accept_languages.best_match(languages, default="zh_CN")]
    return _LOCALES["zh_CN"]


def init_blueprints(app: Flask) -> None:
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.main import bp as main_bp
    from app.sites import bp as sites_bp

    from app.resources import bp as resources_bp
    from app.volunteers import bp as volunteers_bp

    for bp in (main_bp, auth_bp, sites_bp, admin_bp):
        app.register_blueprint(bp)
    for bp in (volunteers_bp, resources_bp):
        app.register_blueprint(bp)
    from app.children import bp as children_bp

    app.register_blueprint(children_bp)
    from app.daily import bp as daily_bp  # noqa: E402
    app.register_blueprint(daily_bp)
    from app.health import bp as health_bp  # noqa: E402
    app.register_blueprint(health_bp)
    from app.scheduling import bp as scheduling_bp

    app.register_blueprint(scheduling_bp)


def init_errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    def error_page(status: int):
        def handler(error):
            if status >= 500:
                db.session.rollback()
            return render_template("errors/error.html", status=status), status

        return handler

    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, error_page(status))
    app.register_error_handler(CSRFError, error_page(400))


def init_security_headers(app: Flask) -> None:
    csp = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
           "form-action 'self'; frame-ancestors 'none'")

    fixed = [("Content-Security-Policy", csp), ("X-Content-Type-Options", "nosniff"),
             ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"),
             ("Permissions-Policy", "camera=(), microphone=(), geolocation=()")]
    if not app.debug and app.config.get("SESSION_COOKIE_SECURE"):
        fixed.append(("Strict-Transport-Security", "max-age=31536000"))
    fixed = [(name.lower(), name, value) for name, value in fixed]
    cached = {"expires", "etag", "last-modified"}

    @app.after_request
    def headers(response):
        # each header set unless the view set its own; the names present are read once (every
        # lookup in werkzeug's Headers walks the list)
        present = {name.lower() for name in response.headers.keys()}
        response.headers.extend([(name, value) for lower, name, value in fixed if lower not in present])
        if current_user.is_authenticated:
            # pages and files of a signed-in person (children's records, rosters, exports) are never
            # kept by the browser or a proxy
            response.headers["Cache-Control"] = "no-store"
            for name in cached & present:
                del response.headers[name]
        return response


def init_templates(app: Flask) -> None:
    from flask_babel import get_locale

    from app.admin.labels import ROLE_LABELS
    from app.core import formats, permissions
    from app.core.chrome import kept_tabs, page_chrome
    from app.core.forms import field_html, is_phone_field
    from app.core.urls import url_maker
    from app.sites.labels import PARTY_KIND_LABELS

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(can=permissions.can, nav_items=permissions.nav_items,
                                 can_visit=permissions.can_visit, url_if_allowed=permissions.url_if_allowed,
                                 tab_url=permissions.tab_url,
                                 needs=permissions, role_labels=ROLE_LABELS,
                                 party_kind_labels=PARTY_KIND_LABELS, url_maker=url_maker,
                                 page_chrome=page_chrome, kept_tabs=kept_tabs, is_phone_field=is_phone_field,
                                 field_html=field_html)
    # Flask-Babel's format_date/format_datetime, with the locale's patterns parsed once (app/core/formats.py)
    app.jinja_env.filters["date"] = formats.format_date
    app.jinja_env.filters["datetime"] = formats.format_datetime
    app.jinja_env.filters["duration"] = formats.format_duration   # minutes -> "1.5 小时"
    app.jinja_env.filters["quantity"] = formats.format_quantity   # Decimal("300.00") -> "300"

    @app.context_processor
    def inject():
        # "zh_CN" or "en": the choice as the user made it (Babel itself says zh_Hans_CN)
        return dict(current_locale="zh_CN" if get_locale().language == "zh" else "en")

    @app.before_request
    def remember_site():
        g.site_id = None

    def write_audit_reads(response):
        """Reads of personal data noted during the request: one INSERT, one commit."""
        from app.core.audit import flush_reads

        if response.status_code < 400:
            flush_reads()
        return response

    # Last of the after-request hooks (Flask runs them in reverse order of registration): the write
    # starts with a rollback, which expires every loaded object, and hooks after it that read the
    # user (the security headers ask whether someone is signed in) would load the user again.
    app.after_request_funcs.setdefault(None, []).insert(0, write_audit_reads)


def init_static(app: Flask) -> None:
    """Versioned static URLs (``static_url``), served by WhiteNoise with gzip (app/core/static.py)."""
    from app.core.static import init_static as init

    init(app)


def init_proxy(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies: the client's address and scheme from X-Forwarded-For/-Proto
    (rate limits per client, not per proxy). Never without a proxy: clients could pick them."""
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def init_cli(app: Flask) -> None:
    from app.cli import register

    register(app)

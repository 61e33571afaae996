"""Configuration, read from the environment.

`Config` is what `make run` and production use; `TestConfig` is what the test suite uses.
"""
from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("HUHANG_INSTANCE", BASE_DIR / "instance"))


def private_dir(path: Path) -> Path:
    """A folder only its owner can enter (0700), made so from the start."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(path: Path, content: str | None = None) -> Path:
    """A file only its owner can read (0600): created with that mode, never readable in between."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if content is not None else 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w") as f:
        if content is not None:
            f.write(content)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path


def _secret_key(instance_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/ (owner-only)."""
    env = os.environ.get("SECRET_KEY")
    if env:
        return env
    path = private_dir(instance_dir) / "secret_key"
    private_file(path, secrets.token_hex(32))
    return path.read_text().strip()


def _id_hash_keys(instance_dir: Path) -> str:
    """ID_HASH_KEYS from the environment ("2:<base64 key>,1:<older key>", newest version used for new
    hashes, every version tried in lookups), else one key generated once into instance/ (owner-only).
    Separate from SECRET_KEY: rotating SECRET_KEY leaves duplicate detection of ID numbers intact."""
    env = os.environ.get("ID_HASH_KEYS")
    if env:
        return env
    path = private_dir(instance_dir) / "id_hash_keys"
    private_file(path, "1:" + base64.b64encode(secrets.token_bytes(32)).decode())
    return path.read_text().strip()


def prepare_sqlite_file(uri: str) -> None:
    """Create a SQLite database file readable by its owner only before SQLite opens it: SQLite gives
    its -wal and -shm files the same permissions."""
    prefix = "sqlite:///"
    if not uri.startswith(prefix) or uri == prefix or ":memory:" in uri:
        return
    path = Path(uri[len(prefix):].split("?")[0])
    if path.parent == INSTANCE_DIR:
        private_dir(path.parent)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    private_file(path)


def database_url(default: str) -> str:
    """DATABASE_URL, normalised to the psycopg 3 driver for PostgreSQL."""
    url = os.environ.get("DATABASE_URL") or default
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def engine_options(uri: str, options: dict | None) -> dict:
    """The engine options for ``uri``: ``pool_pre_ping`` (a ``SELECT 1`` on every connection checkout,
    i.e. every request) and ``pool_recycle`` only for a database server, whose connections can be
    dropped under the pool (a restart, an idle timeout); a SQLite file has no connection to lose."""
    options = dict(options or {})
    if uri.startswith("sqlite"):
        options.pop("pool_pre_ping", None)
        options.pop("pool_recycle", None)
    else:
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_recycle", 1800)
    return options


class Config:
    INSTANCE_DIR = INSTANCE_DIR
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE_DIR / 'huhang.db'}")
    # hide_parameters: a database error never writes a child's name or a phone number into the log;
    # pool_pre_ping and pool_recycle apply to PostgreSQL only (engine_options)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_recycle": 1800, "hide_parameters": True}
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}  # each language by its own name, never translated
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the signed session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("HUHANG_ENV", "development") != "development"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # failed sign-ins per client address (Flask-Limiter; share counters between workers through
    # RATELIMIT_STORAGE_URI) — looser than the per-account rule, which the database keeps exactly
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per minute;200 per hour")
    LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "10"))
    LOGIN_FAILURE_WINDOW_MINUTES = int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("LOGIN_LOCK_MINUTES", "15"))
    INVITATION_TTL_HOURS = int(os.environ.get("INVITATION_TTL_HOURS", "72"))
    PAGE_SIZE = 25
    # No request body beyond this is read (the roster import takes files up to 5 MB); the proxy in
    # front should refuse bigger bodies too (README).
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    VOLUNTEER_MAX_HOURS_PER_DAY = int(os.environ.get("VOLUNTEER_MAX_HOURS_PER_DAY", "10"))
    VOLUNTEER_DUE_SOON_DAYS = int(os.environ.get("VOLUNTEER_DUE_SOON_DAYS", "30"))
    PASSWORD_HASH_METHOD = "scrypt"
    TEMPLATES_AUTO_RELOAD = False
    # Static files (app/core/static.py): served by WhiteNoise in front of Flask; `static_url()` adds
    # ?v=<content hash>, and a request with the current hash may be cached for a year.
    STATIC_WHITENOISE = True
    STATIC_PRECOMPRESS = True  # (re)write missing or stale .gz beside app/static files at start-up
    STATIC_MAX_AGE = 60  # seconds, for unversioned /static/ URLs
    STATIC_VERSIONED_MAX_AGE = 31536000
    # Proxies in front that set X-Forwarded-For/-Proto (README, production): 0 = trust none.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    HUHANG_ENV = os.environ.get("HUHANG_ENV", "development")
    # The address the public reaches this app under, e.g. "https://huhang.example.org": printed on
    # certificates and in their QR code. Required outside development (issuing is refused without it);
    # in development the request's host is used when it is empty.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")

    def __init__(self) -> None:
        self.SECRET_KEY = _secret_key(self.INSTANCE_DIR)
        self.ID_HASH_KEYS = _id_hash_keys(self.INSTANCE_DIR)


class TestConfig(Config):
    __test__ = False  # not a pytest test class
    TESTING = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashes for tests only
    HUHANG_ENV = "development"
    PUBLIC_BASE_URL = ""

    def __init__(self, database_uri: str | None = None, **overrides) -> None:
        self.SECRET_KEY = "test-secret-not-for-production"
        self.ID_HASH_KEYS = "1:dGVzdC1pZC1oYXNoLWtleS1ub3QtZm9yLXByb2R1Y3Rpb24="
        self.SQLALCHEMY_DATABASE_URI = database_uri or database_url("sqlite://")
        for key, value in overrides.items():
            setattr(self, key, value)

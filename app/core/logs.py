"""Access logs without secrets: invitation tokens in paths are masked and query strings (searches
such as ``?q=13800000004``) are left out, for the development server (werkzeug) and for gunicorn
(``logger_class = "app.core.logs.GunicornLogger"`` in gunicorn.conf.py)."""
from __future__ import annotations

import logging
import re

_SECRET_PATHS = re.compile(r"(/invite/)[^/?#\s\"]+")
_QUERY = re.compile(r"\?[^\s\"]*")


def redact(text: str) -> str:
    """A request line or path with tokens masked and the query string dropped."""
    return _QUERY.sub("", _SECRET_PATHS.sub(r"\1…", text))


class RedactingFilter(logging.Filter):
    """For werkzeug's request log: its first argument is the request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            record.args = (redact(record.args[0]), *record.args[1:])
        elif isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install_werkzeug_filter() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())


try:  # gunicorn is the production server; the class exists only where it is installed
    from gunicorn.glogging import Logger as _GunicornLogger

    class GunicornLogger(_GunicornLogger):
        """gunicorn's access log with the request line, path and query redacted."""

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for key, value in atoms.items():
                if key == "q" or "query_string" in key:
                    atoms[key] = ""
                elif isinstance(value, str):
                    atoms[key] = redact(value)
            return atoms
except ImportError:  # pragma: no cover
    pass

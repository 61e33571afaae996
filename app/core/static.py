"""Static files: versioned URLs, served by WhiteNoise before Flask, gzip-compressed.

* ``static_url("css/app.css")`` (a Jinja global, used by base.html) gives
  ``/static/css/app.css?v=<first 12 hex of the file's SHA-256>``; the hash is computed once per file
  per process (in debug mode again whenever the file changes).
* In front of the Flask app (``app.wsgi_app``), WhiteNoise answers ``/static/...`` without entering
  Flask: a request carrying the file's current version gets
  ``Cache-Control: public, max-age=31536000, immutable`` (the browser never asks again, so a repeat
  page view is one request to Python, not five); one without it (or with an old version) gets
  ``STATIC_MAX_AGE``.
* Gzip: WhiteNoise sends ``<file>.gz`` to clients that accept gzip. ``make assets`` writes them
  (``python -m whitenoise.compress app/static``); ``create_app`` also (re)writes any that are missing
  or older than their file (a no-op in a read-only deployment: then the files go uncompressed).
* In debug mode Flask serves the files itself (edits show at once; no stale ``.gz``).
"""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from flask import Flask, request, url_for

log = logging.getLogger(__name__)

VERSION_ARG = "v"
# Text-like files worth compressing (fonts are only read by WeasyPrint from disk, never sent).
COMPRESS_SUFFIXES = (".css", ".js", ".svg", ".json", ".txt", ".html", ".map")


def file_version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


class Versions:
    """filename (relative to the static folder) -> content hash, computed once."""

    def __init__(self, root: Path, watch: bool = False):
        self.root = root
        self.watch = watch  # debug: re-hash when the file's mtime changes
        self._cache: dict[str, tuple[float, str | None]] = {}

    def __call__(self, filename: str) -> str | None:
        cached = self._cache.get(filename)
        if cached is not None and not self.watch:
            return cached[1]
        path = self.root / filename
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        if cached is None or cached[0] != mtime:
            try:
                cached = (mtime, file_version(path))
            except OSError:
                return None
            self._cache[filename] = cached
        return cached[1]


def precompress(root: Path) -> list[Path]:
    """Write ``<file>.gz`` beside every compressible file that has none or a stale one (the ``.gz``
    carries its source's mtime, as ``whitenoise.compress`` writes it). Returns what was written."""
    from whitenoise.compress import Compressor

    written = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in COMPRESS_SUFFIXES or not path.is_file():
            continue
        gz = path.with_name(path.name + ".gz")
        stat = path.stat()
        try:
            if gz.stat().st_mtime == stat.st_mtime:
                continue
        except OSError:
            pass
        data = Compressor.compress_gzip(path.read_bytes())
        if len(data) > 0.95 * stat.st_size:
            continue
        try:  # atomically: two processes starting at once never leave half a file
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gz-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.chmod(tmp, stat.st_mode & 0o777)  # as readable as the file (mkstemp makes it 0600)
            os.utime(tmp, (stat.st_atime, stat.st_mtime))
            os.replace(tmp, gz)
            written.append(gz)
        except OSError as error:  # read-only deployment: serve uncompressed
            log.warning("cannot write %s: %s", gz, error)
            return written
    return written


def init_static(app: Flask) -> None:
    root = Path(app.static_folder)
    versions = Versions(root, watch=app.debug)

    urls: dict[tuple, str] = {}

    def static_url(filename: str) -> str:
        version = versions(filename)
        key = (request.script_root if request else "", filename, version)
        url = urls.get(key)
        if url is None:
            if len(urls) > 1000:  # script roots come from the server; never let them grow this
                urls.clear()
            values = {VERSION_ARG: version} if version else {}
            url = urls[key] = url_for("static", filename=filename, **values)
        return url

    app.jinja_env.globals["static_url"] = static_url
    if app.debug or not app.config.get("STATIC_WHITENOISE", True):
        return
    if app.config.get("STATIC_PRECOMPRESS", True):
        precompress(root)

    from whitenoise import WhiteNoise

    immutable = f"public, max-age={app.config['STATIC_VERSIONED_MAX_AGE']}, immutable"
    prefix = app.static_url_path.rstrip("/") + "/"

    class VersionedWhiteNoise(WhiteNoise):
        def serve(self, static_file, environ, start_response):
            query = environ.get("QUERY_STRING", "")
            if f"{VERSION_ARG}=" in query:
                path = environ.get("PATH_INFO", "")
                wanted = _query_value(query, VERSION_ARG)
                if path.startswith(prefix) and wanted and wanted == versions(path[len(prefix):]):
                    def versioned_start_response(status, headers, exc_info=None):
                        headers = [(k, v) for k, v in headers if k.lower() != "cache-control"]
                        headers.append(("Cache-Control", immutable))
                        return start_response(status, headers, exc_info)

                    return WhiteNoise.serve(static_file, environ, versioned_start_response)
            return WhiteNoise.serve(static_file, environ, start_response)

    def add_headers(headers, path, url):
        headers["X-Content-Type-Options"] = "nosniff"

    app.wsgi_app = VersionedWhiteNoise(app.wsgi_app, root=str(root), prefix=prefix,
                                       max_age=app.config["STATIC_MAX_AGE"], allow_all_origins=False,
                                       add_headers_function=add_headers)


def _query_value(query: str, name: str) -> str | None:
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == name:
            return value
    return None

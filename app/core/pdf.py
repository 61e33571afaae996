"""The one way to make a PDF: HTML + print CSS -> bytes (WeasyPrint).

    from app.core.pdf import render_pdf, pdf_response
    pdf = render_pdf(render_template("certificates/volunteer.html", ...))
    return pdf_response(pdf, "志愿服务证明-张喆.pdf")

* ``app/static/css/print.css`` is always applied first.  It declares the
  "Huhang Sans" @font-face (a GB2312+ subset of Noto Sans CJK SC built by
  ``tools/make_font_subset.py``) followed by the full system fonts as a
  fallback, so rare characters (镕, 龘 …) still render -- just more slowly.
* Resources (stylesheets, images, fonts) are fetched by
  :class:`StaticOnlyURLFetcher`: only files inside ``app/static/`` are
  served; ``file:``, ``http(s):`` to any real host, ``data:`` and path
  traversal are refused (WeasyPrint logs a warning and skips the resource).
  In templates write ``/static/...`` (``url_for('static', ...)`` gives
  exactly that); relative URLs are resolved against :data:`APP_BASE_URL`.
  For QR codes and other generated images, inline the SVG in the HTML
  (e.g. segno's ``qr.svg_inline()``).
* Nothing here needs a Flask app or request context except
  :func:`pdf_response`, which only builds a ``flask.Response``.

See docs/PDF.md for the measured timings and the font traps.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

__all__ = [
    "APP_BASE_URL",
    "PRINT_CSS_URL",
    "STATIC_DIR",
    "PDFResourceRefused",
    "StaticOnlyURLFetcher",
    "content_disposition",
    "pdf_response",
    "render_pdf",
]

#: ``app/static``, resolved from this file's location (app/core/pdf.py).
STATIC_DIR = (Path(__file__).resolve().parent.parent / "static").resolve()
#: URL path under which STATIC_DIR is visible (Flask's default static_url_path).
STATIC_URL_PATH = "/static/"
#: Base URL of every document.  ``.invalid`` is reserved (RFC 2606) and never
#: resolves, so nothing can reach the network even if a fetcher misbehaves.
APP_BASE_URL = "http://huhang.invalid/"
#: Always-applied base print stylesheet.
PRINT_CSS_URL = APP_BASE_URL + "static/css/print.css"

#: Subset font files produced by ``python tools/make_font_subset.py``.
SUBSET_FONT_FILES = (
    STATIC_DIR / "fonts" / "huhang-sans-sc-regular.otf",
    STATIC_DIR / "fonts" / "huhang-sans-sc-bold.otf",
)

_EXTRA_MIME_TYPES = {
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".svg": "image/svg+xml",
    ".css": "text/css",
}


class PDFResourceRefused(ValueError):
    """A resource URL that the PDF renderer may not load."""


class StaticOnlyURLFetcher(URLFetcher):
    """WeasyPrint URL fetcher serving only regular files inside ``static_dir``.

    Accepted: ``http://huhang.invalid/static/<path>`` (what ``/static/<path>``
    becomes once resolved against :data:`APP_BASE_URL`) and, when called
    directly, the bare path ``/static/<path>``.  Query strings and fragments
    are ignored (``print.css?v=3`` works).  Everything else raises
    :class:`PDFResourceRefused`; WeasyPrint catches it, logs a warning and
    renders without the resource.
    """

    def __init__(self, static_dir: Path | str = STATIC_DIR,
                 base_url: str = APP_BASE_URL,
                 static_url_path: str = STATIC_URL_PATH) -> None:
        # No network handler is ever used: fetch() below replaces urllib.
        super().__init__(allowed_protocols=(), fail_on_errors=False,
                         allow_redirects=False)
        self.static_dir = Path(static_dir).resolve()
        base = urlsplit(base_url)
        self._scheme = base.scheme.lower()
        self._netloc = base.netloc.lower()
        self.static_url_path = "/" + static_url_path.strip("/") + "/"

    def resolve(self, url: str) -> Path:
        """Map ``url`` to a file inside ``static_dir`` or raise PDFResourceRefused."""
        if not isinstance(url, str) or not url:
            raise PDFResourceRefused("empty resource URL")
        if any(ord(ch) < 0x20 for ch in url) or "\\" in url:
            raise PDFResourceRefused(f"refused resource URL {url[:200]!r}")

        if url.startswith("/") and not url.startswith("//"):
            path = urlsplit(url).path
        else:
            parts = urlsplit(url)
            if (parts.scheme.lower(), parts.netloc.lower()) != (self._scheme, self._netloc):
                raise PDFResourceRefused(
                    f"refused resource URL {url[:200]!r}: only app static files "
                    f"({self.static_url_path}...) can be used in PDFs")
            path = parts.path

        if not path.startswith(self.static_url_path):
            raise PDFResourceRefused(f"refused resource URL {url[:200]!r}: not under "
                                     f"{self.static_url_path}")
        relative = unquote(path[len(self.static_url_path):])
        segments = PurePosixPath(relative).parts
        if (not segments or "\x00" in relative or "\\" in relative
                or any(seg in ("..", ".") or seg.startswith(".") for seg in segments)):
            raise PDFResourceRefused(f"refused resource URL {url[:200]!r}: bad path")

        candidate = (self.static_dir / relative).resolve()
        if not candidate.is_relative_to(self.static_dir):
            raise PDFResourceRefused(f"refused resource URL {url[:200]!r}: outside static")
        if not candidate.is_file():
            raise PDFResourceRefused(f"no such static file: {url[:200]!r}")
        return candidate

    def fetch(self, url, headers=None):  # signature imposed by WeasyPrint
        path = self.resolve(url)
        mime = (_EXTRA_MIME_TYPES.get(path.suffix.lower())
                or mimetypes.guess_type(path.name)[0]
                or "application/octet-stream")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


# One FontConfiguration per process, created on first use (not at import, so
# a forking server does not share the temporary font folder WeasyPrint ties
# to it).  @font-face fonts are registered once and reused by every render.
# Pango/fontconfig objects are not thread-safe, so renders are serialised.
_lock = threading.RLock()
_font_config: FontConfiguration | None = None
_fetcher: StaticOnlyURLFetcher | None = None
_css_cache: dict[str, tuple[int, CSS]] = {}


def _state() -> tuple[FontConfiguration, StaticOnlyURLFetcher]:
    global _font_config, _fetcher
    if _font_config is None:
        _font_config = FontConfiguration()
        _fetcher = StaticOnlyURLFetcher()
    return _font_config, _fetcher


def _static_css(url: str, *, cache: bool = True) -> CSS:
    """Parsed stylesheet for a static URL, cached until the file changes."""
    font_config, fetcher = _state()
    absolute = APP_BASE_URL + url.lstrip("/") if url.startswith("/") else url
    path = fetcher.resolve(absolute)          # raises PDFResourceRefused
    mtime = path.stat().st_mtime_ns
    cached = _css_cache.get(absolute)
    if cache and cached and cached[0] == mtime:
        return cached[1]
    css = CSS(url=absolute, url_fetcher=fetcher, font_config=font_config)
    if cache:
        _css_cache[absolute] = (mtime, css)
    return css


def missing_subset_fonts() -> list[Path]:
    """Subset font files that have not been built yet (see make_font_subset.py)."""
    return [p for p in SUBSET_FONT_FILES if not p.is_file()]


def render_pdf(html: str, *, base_url: str | None = None,
               stylesheets: list[str] | None = None, css: str | None = None) -> bytes:
    """Render an HTML string to PDF bytes.

    :param html: the full document (give it ``<html lang="zh-CN">``).
    :param base_url: base for relative URLs in ``html``; defaults to
        :data:`APP_BASE_URL`.  Only URLs that end up under
        ``APP_BASE_URL/static/`` are loaded, so a different base means no
        static resources.
    :param stylesheets: extra stylesheets as static URLs
        (``"/static/css/certificate.css"``), applied after print.css.
        Any other URL raises :class:`PDFResourceRefused`.
    :param css: extra CSS source text, applied last.
    """
    with _lock:
        font_config, fetcher = _state()
        missing = missing_subset_fonts()
        if missing:
            # Still renders (with the slow full system font), but say why.
            log.warning("PDF subset font missing (%s): run `python "
                        "tools/make_font_subset.py`", ", ".join(p.name for p in missing))
        # print.css registers the @font-face; do not cache it while the
        # subset is missing, so building it later takes effect without a restart.
        sheets = [_static_css(PRINT_CSS_URL, cache=not missing)]
        sheets += [_static_css(url) for url in stylesheets or ()]
        if css:
            sheets.append(CSS(string=css, base_url=APP_BASE_URL,
                              url_fetcher=fetcher, font_config=font_config))
        document = HTML(string=html, base_url=base_url or APP_BASE_URL,
                        url_fetcher=fetcher)
        return document.write_pdf(stylesheets=sheets, font_config=font_config)


# RFC 5987 attr-char, minus nothing: ALPHA / DIGIT / "!#$&+-.^_`|~"
_ATTR_CHARS = "!#$&+-.^_`|~"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``Content-Disposition`` value with an ASCII fallback and ``filename*``.

    ``content_disposition("证明 1.pdf")`` gives
    ``attachment; filename="1.pdf"; filename*=UTF-8''%E8%AF%81%E6%98%8E%201.pdf``
    (RFC 6266 / RFC 5987; browsers prefer ``filename*``).
    """
    name = "".join(ch for ch in filename if ch.isprintable() and ch not in '/\\"')
    name = name.strip().strip(".") or "document"
    if not name.lower().endswith(".pdf"):
        name += ".pdf"
    ascii_name = "".join(ch for ch in name if 0x20 <= ord(ch) < 0x7F).strip(" .-_")
    if not ascii_name or ascii_name.lower() == "pdf":
        ascii_name = "document.pdf"
    elif not ascii_name.lower().endswith(".pdf"):
        ascii_name += ".pdf"
    kind = "inline" if inline else "attachment"
    return (f'{kind}; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}")


def pdf_response(pdf_bytes: bytes, filename: str, *, inline: bool = False):
    """A ``flask.Response`` serving ``pdf_bytes`` under ``filename`` (may be Chinese).

    Not cached anywhere (PDFs here carry personal data).  Works without an
    app context.
    """
    from flask import Response

    response = Response(pdf_bytes, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    response.headers["Content-Length"] = str(len(pdf_bytes))
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

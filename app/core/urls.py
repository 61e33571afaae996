from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Only local paths may be redirect targets (no scheme, no host, no '//' or '\\' tricks)."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    return target


_SENTINEL = 2147483647  # the largest key the int converter accepts; never a digit run of a real URL part


def url_maker(endpoint: str, param: str, **values):
    """``url_for(endpoint, **values, param=id)`` as a function of ``id`` for the rows of a table:
    the URL is built once (with a stand-in id) and each row only puts its id in (a ``url_for`` per
    row resolves the endpoint and runs the URL map's builder every time). For integer ids; the
    stand-in must occur exactly once in the built URL, else this falls back to ``url_for``."""
    from flask import url_for

    built = url_for(endpoint, **values, **{param: _SENTINEL})
    marker = str(_SENTINEL)
    if built.count(marker) != 1:
        return lambda value: url_for(endpoint, **values, **{param: value})
    head, tail = built.split(marker)
    return lambda value: f"{head}{int(value)}{tail}"


def slot_url(endpoint: str, param: str, slot: str, **values) -> str:
    """``url_for(endpoint, **values)`` with ``slot`` (a text no URL contains) where ``param``'s integer
    goes: for a piece of a page drawn once, each row then putting its own id in its place
    (``app.daily.labels.per_id``). Built with a stand-in id that occurs once in the URL."""
    from flask import url_for

    for stand_in in range(_SENTINEL, _SENTINEL - 10, -1):
        built = url_for(endpoint, **values, **{param: stand_in})
        if built.count(str(stand_in)) == 1:
            return built.replace(str(stand_in), slot)
    raise ValueError(f"no stand-in id fits {endpoint}")

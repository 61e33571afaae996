"""One way to answer a request that may come from htmx.

A URL serves the full page, or just its fragment when ``request.htmx`` is true; responses that
differ by that header say so with ``Vary: HX-Request``. HX-* headers come only from htmx-flask's
``make_response``.
"""
from __future__ import annotations

from flask import flash, redirect, render_template
from markupsafe import Markup
from htmx_flask import make_response, request


def render(template: str, fragment: str | Markup | None = None, /, *, status: int = 200, trigger=None,
           **context):
    """Render ``fragment`` for htmx requests and the full-page ``template`` otherwise. ``fragment``
    is a template's name, or HTML already rendered (a kept piece, which ``template`` shows too)."""
    if request.htmx and isinstance(fragment, Markup):
        body = fragment
    elif request.htmx and fragment:
        body = render_template(fragment, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status, trigger=trigger)
    response.vary.add("HX-Request")
    return response


def redirect_after_post(url: str, *, trigger=None, notice=None, category: str = "success"):
    """After a successful POST: HX-Redirect for htmx, a 303 redirect for a plain form; ``notice``
    is flashed for the next page."""
    if notice:
        flash(notice, category)
    if request.htmx:
        response = make_response("", 204, redirect=url, trigger=trigger)
    else:
        response = redirect(url, 303)
    response.vary.add("HX-Request")
    return response

"""The app as production serves it (wsgi:app), plus one bench-only page: ``/bench/signed-in`` renders
base.html with an empty body for the signed-in user — the fixed cost every signed-in page pays
(session, user and grants, locale, navigation, CSRF token, page chrome), with nothing of its own."""
from flask import render_template
from flask_login import login_required

from wsgi import app

_empty = app.jinja_env.from_string('{% extends "base.html" %}{% block content %}{% endblock %}')


@app.route("/bench/signed-in")
@login_required
def bench_signed_in():
    return render_template(_empty)

from flask import redirect, url_for
from flask_login import current_user

from app.core.htmx import render
from app.core.permissions import PUBLIC, SIGNED_IN, requires
from app.main import bp, queries


@bp.route("/")
@requires(PUBLIC)
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/home")
@requires(SIGNED_IN)
def dashboard():
    return render("main/dashboard.html", **queries.dashboard(current_user))


@bp.route("/healthz")
@requires(PUBLIC)
def healthz():
    return {"status": "ok"}

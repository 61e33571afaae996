from flask import redirect, url_for
from flask_login import current_user

from app.core.htmx import render
from app.core.args import arg_int
from app.core.permissions import PUBLIC, SIGNED_IN, can_visit, requires
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
    """A coordinator's home is the day at their site (the today page's own query and partial); every
    other role's is the list of their sites and seasons."""
    sites = queries.coordinated_sites(current_user)
    if sites:
        from app.daily.labels import template_labels

        data = queries.today_home(sites, arg_int("site"))
        return render("main/today.html", **data, **template_labels(),
                      can_manage=can_visit("daily.settings", site_id=data["site"]))
    return render("main/dashboard.html", **queries.dashboard(current_user))


@bp.route("/healthz")
@requires(PUBLIC)
def healthz():
    return {"status": "ok"}

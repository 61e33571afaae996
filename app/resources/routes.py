"""Donations in cash or kind, their use, and the five-party ledger of a season."""
from decimal import Decimal

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.htmx import redirect_after_post, render
from app.core.pagination import paginate
from app.core.permissions import SITE_MANAGE, SITE_VIEW, can_visit, register_loader, requires
from app.core.timeutil import local_today
from app.core.views import save
from app.resources import bp, queries, services
from app.resources.forms import AllocationForm, DonationForm
from app.resources.labels import DONATION_KIND_LABELS, USE_LABELS
from app.resources.models import Donation
from app.sites.models import Season, Site
from app.sites.queries import current_season

register_loader("donation_id", Donation, lambda d: d.site_id)


@bp.app_template_filter("money")
def money(value) -> str:
    return f"{Decimal(value or 0):,.2f}"


@bp.context_processor
def labels():
    return dict(donation_kind_labels=DONATION_KIND_LABELS, use_labels=USE_LABELS)


def _donations_context(site, form=None):
    page = paginate(queries.donations_of(site))
    form = form or DonationForm(formdata=None, parties=queries.parties_of(site.id), received_on=local_today())
    used = queries.used_by_donation(list(page.items))
    return dict(site=site, page=page, form=form, can_manage=can_visit("resources.record_donation", site_id=site), used=used,
                seasons=queries.seasons_for_ledger(site.id))


@bp.route("/sites/<int:site_id>/donations")
@requires(SITE_VIEW)
def donations(site: Site):
    return render("resources/donations.html", **_donations_context(site))


@bp.route("/sites/<int:site_id>/donations", methods=["POST"])
@requires(SITE_MANAGE)
def record_donation(site: Site):
    form = DonationForm(parties=queries.parties_of(site.id))
    return save(form, lambda values: services.record_donation(site, values, by=current_user), once=True,
                done=lambda donation: redirect_after_post(url_for("resources.donation", donation_id=donation.id),
                                                          notice=_("Donation recorded.")),
                again=lambda: render("resources/donations.html", **_donations_context(site, form)))


def _donation_page(donation, form=None):
    return render("resources/donation.html", site=donation.party.site, can_manage=can_visit("resources.allocate", donation_id=donation),
                  form=form or AllocationForm(formdata=None, used_on=local_today()),
                  **queries.donation_page(donation))


@bp.route("/donations/<int:donation_id>")
@requires(SITE_VIEW)
def donation(donation: Donation):
    return _donation_page(donation)


@bp.route("/donations/<int:donation_id>/allocations", methods=["POST"])
@requires(SITE_MANAGE)
def allocate(donation: Donation):
    form = AllocationForm()
    return save(form, lambda values: services.allocate(donation, values, by=current_user), once=True,
                done=lambda _allocation: redirect_after_post(url_for("resources.donation", donation_id=donation.id),
                                                             notice=_("Use recorded.")),
                again=lambda: _donation_page(donation, form))


@bp.route("/seasons/<int:season_id>/ledger")
@requires(SITE_VIEW)
def ledger(season: Season):
    seasons = queries.seasons_for_ledger(season.site_id, with_site=True)  # the site comes with them
    return render("resources/ledger.html", site=season.site, seasons=seasons, **queries.ledger(season))


@bp.route("/sites/<int:site_id>/ledger")
@requires(SITE_VIEW)
def site_ledger(site: Site):
    """The ledger of the site's current season (the one rule: ``current_season``)."""
    season = current_season(site.id)
    if season is None:
        flash(_("Add a season first; the ledger is kept per season."), "info")
        return redirect(url_for("sites.season_list", site_id=site.id))
    return redirect(url_for("resources.ledger", season_id=season.id))

"""Views of hours: the volunteer logs them and sees totals and history; coordinators review the
pending ones (one by one, ticked, or the page shown) and correct entries."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.htmx import redirect_after_post, render
from app.core.ids import objects_in_site
from app.core.permissions import SITE_MANAGE, VOLUNTEER_OWN, can, requires
from app.core.urls import url_maker
from app.core.views import save
from app.sites.models import Site
from app.volunteers import bp, queries, services
from app.volunteers.forms import CorrectionForm, HourForm, OwnEntryForm, ReviewForm
from app.volunteers.models import HourEntry, VolunteerProfile
from app.volunteers.routes_profiles import back_with_errors, home_page


# --- the volunteer's corner ------------------------------------------------------------------------
@bp.route("/volunteers/<int:profile_id>/hours", methods=["POST"])
@requires(VOLUNTEER_OWN)
def log_hours(profile: VolunteerProfile):
    form = HourForm()

    def done(entry):
        if not request.htmx:
            return redirect_after_post(url_for("volunteers.home", profile_id=profile.id),
                                       notice=_("Hours logged; they count once a coordinator approves them."))
        return render("volunteers/home.html", "volunteers/_log_form.html", trigger="hours-changed",
                      profile=profile, saved=entry, hour_form=HourForm(formdata=None, work_date=entry.work_date))

    def again():
        if request.htmx:
            return render("volunteers/home.html", "volunteers/_log_form.html", profile=profile, hour_form=form)
        return home_page(profile, hour_form=form)

    return save(form, lambda values: services.log_hours(profile, values, by=current_user), done=done,
                again=again, once=True)


@bp.route("/volunteers/<int:profile_id>/totals")
@requires(VOLUNTEER_OWN)
def totals(profile: VolunteerProfile):
    return render("volunteers/totals.html", "volunteers/_totals_body.html", profile=profile, site=profile.site,
                  totals=queries.totals(profile))


@bp.route("/volunteers/<int:profile_id>/hours")
@requires(VOLUNTEER_OWN)
def hours(profile: VolunteerProfile):
    return render("volunteers/hours.html", "volunteers/_history.html", profile=profile, site=profile.site,
                  history=queries.history_page(profile, per_page=10 if request.htmx else 25),
                  can_manage=can(SITE_MANAGE, profile.site_id))


@bp.route("/hours/<int:hour_entry_id>/change", methods=["GET", "POST"])
@requires(VOLUNTEER_OWN)
def change_entry(hour_entry: HourEntry):
    """The volunteer changes their own entry while it is pending (the old values stay in its history)."""
    form = OwnEntryForm(obj=hour_entry)
    if request.method == "GET":
        form.reason.data = ""
    home_url = url_for("volunteers.home", profile_id=hour_entry.profile_id)

    def again():
        entry = queries.entry_with_history(hour_entry)
        return render("volunteers/change.html", entry=entry, form=form, site=entry.profile.site)

    return save(form, lambda values: services.change_own_entry(hour_entry, values, by=current_user),
                done=lambda _result: redirect_after_post(
                    home_url, notice=_("The entry was changed; the earlier values are kept in its history.")),
                again=again, once=True)


@bp.route("/hours/<int:hour_entry_id>/withdraw", methods=["POST"])
@requires(VOLUNTEER_OWN)
def withdraw_entry(hour_entry: HourEntry):
    home_url = url_for("volunteers.home", profile_id=hour_entry.profile_id)
    return save(None, lambda _result: services.withdraw_entry(hour_entry, by=current_user),
                done=lambda _result: redirect_after_post(home_url, notice=_("The entry was withdrawn.")),
                again=lambda: redirect_after_post(home_url))


# --- coordinators ----------------------------------------------------------------------------------
def _queue(site: Site, form: ReviewForm, **extra):
    page = queries.pending_queue(site)
    rows = page.lines(url_maker("volunteers.home", "profile_id"), url_maker("volunteers.correct", "hour_entry_id"))
    return render("volunteers/queue.html", "volunteers/_queue.html", site=site, form=form, page=page, rows=rows,
                  **extra)


@bp.route("/sites/<int:site_id>/hours/pending")
@requires(SITE_MANAGE)
def queue(site: Site):
    return _queue(site, ReviewForm(formdata=None))


@bp.route("/sites/<int:site_id>/hours/review", methods=["POST"])
@requires(SITE_MANAGE)
def review(site: Site):
    form = ReviewForm()
    action, ids = form.choice(request.form)
    back = url_for("volunteers.queue", site_id=site.id)

    def run(values):
        entries = objects_in_site(HourEntry, ids, site.id)
        return services.review(site.id, entries, action, by=current_user, reason=values["reason"] or "")

    def done(count):
        message = (_("%(count)d entries approved.", count=count) if action == "approve"
                   else _("%(count)d entries rejected.", count=count))
        if not request.htmx:
            return redirect_after_post(back, notice=message)
        return _queue(site, ReviewForm(formdata=None), message=message, trigger="hours-changed")

    def again():
        if request.htmx:
            return _queue(site, form)
        return back_with_errors(form, back)

    return save(form, run, done=done, again=again)


@bp.route("/hours/<int:hour_entry_id>/edit", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def correct(hour_entry: HourEntry):
    form = CorrectionForm(obj=hour_entry)
    if request.method == "GET":
        form.reason.data = ""

    def again():
        entry = queries.entry_with_history(hour_entry)
        return render("volunteers/correct.html", entry=entry, form=form, site=entry.profile.site)

    return save(form, lambda values: services.correct_entry(hour_entry, values, by=current_user),
                done=lambda _result: redirect_after_post(
                    url_for("volunteers.home", profile_id=hour_entry.profile_id),
                    notice=_("The entry was corrected; the original is kept in its history.")),
                again=again, once=True)

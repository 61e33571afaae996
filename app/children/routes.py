"""Children and enrolment. Every page here needs SITE_MANAGE on the child's site (coordinators of
that site and administrators); the audit trail's page is in the admin area.

Every view that changes something goes through ``app.core.views.save`` (one commit, errors on their
field or flashed for buttons). Reading a child's record, its guardians' phones, its health details,
a roster with allergy alerts and every export leaves an entry in the audit trail
(``audit.record_read``, written after the response; a GET never commits)."""
from __future__ import annotations

import io

from flask import g, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import escape

from app.children import bp, exports, importer, queries, services
from app.children.forms import (ChildForm, ConsentForm, EnrolForm, EraseForm, GuardianForm, ImportForm,
                                NewChildForm, PickupForm)
from app.children.labels import CHILD_FIELD_LABELS, GRADE_LABELS, SEX_LABELS, STATUS_LABELS
from app.children.models import (ENROLMENT_STATUSES, GRADES, Child, Enrolment, Guardian,
                                 ImportBatch, PickupPerson)
from app.children.notice import current_notice_text
from app.core import audit, crud
from app.core.args import KEY_MAX, arg_int
from app.core.htmx import redirect_after_post, render
from app.core.pagination import ListPage, paginate
from app.core.permissions import COORDINATE, SITE_MANAGE, register_loader, requires
from app.core.timeutil import local_today, utcnow
from app.core.views import save
from app.extensions import db
from app.sites.models import Season, Site
from app.sites.queries import pick_current_season

register_loader("child_id", Child, lambda child: child.site_id)
register_loader("guardian_id", Guardian, lambda guardian: guardian.child.site_id)
register_loader("pickup_id", PickupPerson, lambda person: person.child.site_id)
register_loader("enrolment_id", Enrolment, lambda enrolment: enrolment.child.site_id)
register_loader("import_batch_id", ImportBatch, lambda batch: batch.site_id)


@bp.app_context_processor
def _labels():
    return dict(sex_labels=SEX_LABELS, grade_labels=GRADE_LABELS, status_labels=STATUS_LABELS, texts=_texts)


def _texts(labels: dict) -> dict:
    """``labels`` (lazy strings) translated once, for a table that shows one in every row; escaped
    here, so whatever is passed in renders as text."""
    return {key: escape(str(label)) for key, label in labels.items()}


def _child_context(child):
    return {"child": child, "site": child.site}


def _by(service):
    """A service of an inline table, called with the acting user."""
    return lambda *args: service(*args, by=current_user)


GUARDIANS = crud.InlineTable(
    name="guardian", plural="guardians", form=GuardianForm, title=_l("Guardians"), parent_param="child_id",
    columns=[_l("Full name"), _l("Relation"), _l("Phone"), _l("Employer")],
    list_query=lambda child, archived: queries.guardians_of(child), create=_by(services.create_guardian),
    update=_by(services.update_guardian), archive=_by(services.delete_guardian), removable=True,
    list_need=SITE_MANAGE, manage_need=SITE_MANAGE, row_template="children/_guardian_row.html",
    extra_context=_child_context,
)
PICKUPS = crud.InlineTable(
    name="pickup", plural="pickups", form=PickupForm, title=_l("Authorised pickup persons"),
    parent_param="child_id", columns=[_l("Full name"), _l("Relation"), _l("Phone")],
    list_query=lambda child, archived: queries.pickups_of(child), create=_by(services.create_pickup),
    update=_by(services.update_pickup), archive=_by(services.delete_pickup), removable=True,
    list_need=SITE_MANAGE, manage_need=SITE_MANAGE, row_template="children/_pickup_row.html",
    extra_context=_child_context,
)
crud.register(bp, GUARDIANS, "/children/<int:child_id>/guardians")
crud.register(bp, PICKUPS, "/children/<int:child_id>/pickups")

# Pages of the inline tables that show guardians' phone numbers (the list, a row, the edit form).
GUARDIAN_READS = {"children.guardian_list", "children.guardian_row", "children.guardian_edit"}


@bp.after_request
def _note_guardian_reads(response):
    """The guardian pages are built by ``crud``: note their reads here (before the app's own
    after-request hook writes the notes)."""
    if request.method == "GET" and request.endpoint in GUARDIAN_READS and response.status_code == 200:
        objects = getattr(g, "access", None) and g.access.objects or {}
        child = objects.get("child") or getattr(objects.get("guardian"), "child", None)
        if child is not None:
            audit.record_read("guardians.viewed", by=current_user, children=[child])
    return response


def _inline(table, child, rows):
    """The context of an inline table shown inside the child's page (as crud.register builds it),
    over ``rows`` the record query has already loaded."""
    return dict(parent=child, form=table.form(formdata=None), page=ListPage(rows), show_archived=False,
                list_url=url_for(f"children.{table.name}_list", child_id=child.id), bp="children", table=table,
                can_manage=not child.is_erased, can_create=not child.is_erased)


def _season_default(all_seasons, offered) -> dict:
    """Form data choosing the site's current season (``app.sites.queries.pick_current_season`` over
    ``all_seasons``) when it is among the ``offered`` ones."""
    season = pick_current_season(all_seasons, local_today())
    return {"season_id": season.id} if season is not None and season in offered else {}


# --- lists ----------------------------------------------------------------------------------------
@bp.route("/children")
@requires(COORDINATE)
def index():
    sites = queries.managed_sites(current_user)
    if len(sites) == 1:
        return redirect(url_for("children.child_list", site_id=sites[0].id))
    return render("children/index.html", sites=sites)


@bp.route("/sites/<int:site_id>/children")
@requires(SITE_MANAGE)
def child_list(site: Site):
    filters = queries.Filters.from_request()
    items = paginate(queries.children_of_site(site, filters))
    url = url_for("children.child_list", site_id=site.id)
    ids = [c.id for c in items.items]
    return render("children/list.html", "children/_list.html", site=site, filters=filters, page=items,
                  alerts=queries.alerts_for(ids), consented=queries.consented_ids(ids),
                  schools=queries.schools_of(site.id), grades=GRADES, statuses=ENROLMENT_STATUSES,
                  list_url=url, page_url=url_for("children.child_list", site_id=site.id, **filters.args()),
                  seasons=queries.seasons_of_site(site.id))


@bp.route("/seasons/<int:season_id>/children")
@requires(SITE_MANAGE)
def roster(season: Season):
    filters = queries.Filters.from_request()
    items = queries.roster_page(season, filters)
    url = url_for("children.roster", season_id=season.id)
    counts = queries.status_counts(season)
    audit.record_read("roster.viewed", by=current_user, children=[e.child for e in items.items],
                      site_id=season.site_id, season=season.id)
    return render("children/roster.html", "children/_roster.html", site=season.site, season=season,
                  filters=filters, page=items, alerts={e.child_id: e.alert for e in items.items if e.alert},
                  consented=queries.consented_ids([e.child_id for e in items.items]),
                  schools=queries.schools_of(season.site_id), grades=GRADES, statuses=ENROLMENT_STATUSES,
                  counts=counts, free=max(season.capacity - counts["enrolled"], 0),
                  waiting=queries.waitlist_rows(season, limit=5), list_url=url,
                  page_url=url_for("children.roster", season_id=season.id, **filters.args()))


@bp.route("/seasons/<int:season_id>/promote", methods=["POST"])
@requires(SITE_MANAGE)
def promote(season: Season):
    back = url_for("children.roster", season_id=season.id)
    return save(None, lambda _values: services.promote_next(season, by=current_user),
                done=lambda enrolment: redirect_after_post(back, notice=_(
                    "%(name)s has been given the free place.", name=enrolment.child.name)),
                again=lambda: redirect_after_post(back))


@bp.route("/seasons/<int:season_id>/children.xlsx")
@requires(SITE_MANAGE)
def roster_export(season: Season):
    data, filename = exports.roster_file(season, by=current_user)
    return send_file(io.BytesIO(data), mimetype=exports.XLSX, as_attachment=True, download_name=filename)


# --- one child ------------------------------------------------------------------------------------
def _form_page(template, form, **ctx):
    return render(template, "children/_child_form.html", form=form, **ctx)


@bp.route("/sites/<int:site_id>/children/new", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def child_new(site: Site):
    form = NewChildForm()
    return save(form, lambda values: services.create_child(site, values, by=current_user), once=True,
                done=lambda child: redirect_after_post(
                    url_for("children.child_detail", child_id=child.id),
                    notice=_("Saved. Record the guardian's consent before enrolling the child.")),
                again=lambda: _form_page("children/new.html", form, site=site,
                                         action=url_for("children.child_new", site_id=site.id),
                                         cancel=url_for("children.child_list", site_id=site.id)))


@bp.route("/children/<int:child_id>")
@requires(SITE_MANAGE)
def child_detail(child: Child):
    return _detail_page(child)


def _detail_page(child: Child, enrol_form: EnrolForm | None = None, status: int = 200):
    """The child's page; after a refused enrolment with the form and its message on the season."""
    child = queries.child_record(child.id)
    audit.record_read("child.viewed", by=current_user, children=[child])
    all_seasons = queries.seasons_of_site(child.site_id, with_site=True)
    seasons = queries.open_seasons(child, all_seasons)
    if enrol_form is None:
        enrol_form = EnrolForm(formdata=None, seasons=seasons, data=_season_default(all_seasons, seasons))
    return render("children/detail.html", child=child, site=child.site, alert=queries.alert_of(child),
                  consented=bool(child.consents), erasure=queries.erasure_of(child.id) if child.is_erased else None,
                  enrol_form=enrol_form, status=status,
                  guardians=_inline(GUARDIANS, child, child.guardians),
                  pickups=_inline(PICKUPS, child, child.pickups))


def _refused_erased(child: Child):
    return redirect_after_post(url_for("children.child_detail", child_id=child.id), category="error",
                               notice=_("This child's data has been erased; the record cannot be changed."))


@bp.route("/children/<int:child_id>/edit", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def child_edit(child: Child):
    if child.is_erased:
        return _refused_erased(child)
    form = ChildForm(obj=child)
    if request.method == "GET":
        audit.record_read("health.viewed", by=current_user, children=[child])
    detail = url_for("children.child_detail", child_id=child.id)
    return save(form, lambda values: services.update_child(child, values, by=current_user),
                done=lambda _result: redirect_after_post(detail, notice=_("Saved.")),
                again=lambda: _form_page("children/edit.html", form, child=child, site=child.site,
                                         action=url_for("children.child_edit", child_id=child.id), cancel=detail))


@bp.route("/children/<int:child_id>/consent", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def consent(child: Child):
    form = ConsentForm()
    if request.method == "GET" and child.guardians:
        form.guardian_name.data = child.guardians[0].name
        form.guardian_relation.data = child.guardians[0].relation
    return save(form, lambda values: services.record_consent(child, values, by=current_user), once=True,
                done=lambda _consent: redirect_after_post(url_for("children.child_detail", child_id=child.id),
                                                          notice=_("Consent recorded.")),
                again=lambda: render("children/consent.html", "children/_consent_form.html", child=child,
                                     site=child.site, notice=current_notice_text(), form=form))


@bp.route("/children/<int:child_id>/enrolments", methods=["POST"])
@requires(SITE_MANAGE)
def child_enrol(child: Child):
    form = EnrolForm(seasons=queries.open_seasons(child))
    action = "apply" if request.form.get("action") == "apply" else "enrol"
    detail = url_for("children.child_detail", child_id=child.id)

    def again():
        # the child's page again, the message on the season it concerns (aria-invalid, focused)
        return _detail_page(child, enrol_form=form, status=422)

    return save(form, lambda values: services.enrol_from_form(child, values, action, by=current_user), once=True,
                done=lambda enrolment: redirect_after_post(detail, notice=_status_message(enrolment)),
                again=again)


def _status_message(enrolment) -> str:
    return {
        "enrolled": _("%(name)s is enrolled in %(season)s."),
        "waitlisted": _("%(season)s is full: %(name)s is on the waitlist."),
        "applied": _("%(name)s has applied for %(season)s."),
        "withdrawn": _("%(name)s has withdrawn from %(season)s."),
    }[enrolment.status] % {"name": enrolment.child.name, "season": enrolment.season.name}


def _back_to(enrolment) -> str:
    if request.form.get("back") == "roster":
        return url_for("children.roster", season_id=enrolment.season_id)
    return url_for("children.child_detail", child_id=enrolment.child_id)


def _enrolment_button(enrolment: Enrolment, service):
    back = _back_to(enrolment)
    return save(None, lambda _values: service(enrolment, by=current_user),
                done=lambda changed: redirect_after_post(back, notice=_status_message(changed)),
                again=lambda: redirect_after_post(back))


@bp.route("/enrolments/<int:enrolment_id>/decide", methods=["POST"])
@requires(SITE_MANAGE)
def enrolment_decide(enrolment: Enrolment):
    return _enrolment_button(enrolment, services.decide)


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@requires(SITE_MANAGE)
def enrolment_withdraw(enrolment: Enrolment):
    return _enrolment_button(enrolment, services.withdraw)


# --- a guardian's rights: export and erase --------------------------------------------------------
@bp.route("/children/<int:child_id>/export.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/children/<int:child_id>/export.json", defaults={"fmt": "json"})
@requires(SITE_MANAGE)
def child_export(child: Child, fmt: str):
    data, mimetype, filename = exports.child_file(child.id, fmt, by=current_user)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)


@bp.route("/children/<int:child_id>/erase", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def child_erase(child: Child):
    if child.is_erased:
        return redirect_after_post(url_for("children.child_detail", child_id=child.id), category="info",
                                   notice=_("This child's data has already been erased."))
    form = EraseForm()
    return save(form, lambda values: services.erase(child, values["reason"], by=current_user),
                done=lambda _record: redirect_after_post(
                    url_for("children.child_list", site_id=child.site_id),
                    notice=_("The child's personal data has been erased. The season's counts are kept.")),
                again=lambda: render("children/erase.html", child=child, site=child.site, form=form))


# --- import ---------------------------------------------------------------------------------------
@bp.route("/children/import-template.xlsx")
@requires(COORDINATE)
def import_template():
    return send_file(io.BytesIO(importer.template_workbook()), mimetype=exports.XLSX, as_attachment=True,
                     download_name="儿童名单导入模板.xlsx")


@bp.route("/sites/<int:site_id>/children/import", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def import_start(site: Site):
    seasons = queries.seasons_of_site(site.id)
    if request.method == "GET":
        chosen = arg_int("season", None, minimum=1, maximum=KEY_MAX)  # from a season's page
        default = ({"season_id": chosen} if chosen in {s.id for s in seasons}
                   else _season_default(seasons, seasons))
        form = ImportForm(seasons=seasons, data=default)
    else:
        form = ImportForm(seasons=seasons)
    return save(form, lambda values: services.start_import(site, values, by=current_user), once=True,
                done=lambda batch: redirect_after_post(url_for("children.import_preview", import_batch_id=batch.id)),
                again=lambda: render("children/import.html", "children/_import_form.html", site=site, form=form))


@bp.route("/imports/<int:import_batch_id>")
@requires(SITE_MANAGE)
def import_preview(import_batch: ImportBatch):
    batch = queries.import_batch(import_batch.id)
    rows = batch.payload.get("rows", [])
    problems = [r for r in rows if r["errors"]]
    flagged = [r for r in rows if r.get("duplicate") and not r["errors"]]
    valid = [r for r in rows if not r["errors"] and not r.get("duplicate")]
    return render("children/import_preview.html", batch=batch, site=batch.site, problems=problems,
                  flagged=flagged, valid=valid[:100], valid_count=len(valid), total=len(rows),
                  ignored=batch.payload.get("ignored", []),
                  ignored_text="、".join(f"{header}（{why}）" for header, why in batch.payload.get("ignored", [])),
                  expired=batch.expires_at < utcnow())


def _import_message(result) -> str:
    message = _("%(count)d children saved.", count=result.saved)
    if result.merged:
        message += " " + _("%(count)d rows were merged into children already registered.", count=result.merged)
    if result.skipped:
        message += " " + _("%(count)d rows were skipped: the same children were registered meanwhile.",
                           count=result.skipped)
    for name, keys in result.kept[:10]:
        message += " " + _("%(name)s: the record was kept where the file differs (%(fields)s); change it on the "
                           "child's page if needed.", name=name,
                           fields="、".join(str(CHILD_FIELD_LABELS[key]) for key in keys))
    return message


@bp.route("/imports/<int:import_batch_id>/confirm", methods=["POST"])
@requires(SITE_MANAGE)
def import_confirm(import_batch: ImportBatch):
    site_id, batch_id = import_batch.site_id, import_batch.id

    def done(result):
        if result.season_id:
            target = url_for("children.roster", season_id=result.season_id)
        else:
            target = url_for("children.child_list", site_id=site_id)
        return redirect_after_post(target, notice=_import_message(result))

    return save(None, lambda _values: services.save_import(batch_id, request.form, by=current_user), done=done,
                again=lambda: redirect_after_post(url_for("children.import_preview", import_batch_id=batch_id)
                                                  if db.session.get(ImportBatch, batch_id) is not None
                                                  else url_for("children.import_start", site_id=site_id)))


@bp.route("/imports/<int:import_batch_id>/cancel", methods=["POST"])
@requires(SITE_MANAGE)
def import_cancel(import_batch: ImportBatch):
    site_id, batch_id = import_batch.site_id, import_batch.id
    start = url_for("children.import_start", site_id=site_id)
    return save(None, lambda _values: services.cancel_import(batch_id, by=current_user),
                done=lambda _result: redirect_after_post(start, notice=_("Import cancelled; nothing was saved."),
                                                         category="info"),
                again=lambda: redirect_after_post(start))

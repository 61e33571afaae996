"""Children and enrolment. Every page here needs SITE_MANAGE on the child's site (coordinators of
that site and administrators); the audit trail is in the admin area. Reading a child's record is itself
logged (``services.log_view``)."""
from __future__ import annotations

import io

from flask import flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.children import bp, exports, importer, queries, services
from app.children.forms import (ChildForm, ConsentForm, EnrolForm, EraseForm, GuardianForm, ImportForm,
                                NewChildForm, PickupForm)
from app.children.labels import GRADE_LABELS, SEX_LABELS, STATUS_LABELS
from app.children.models import (ENROLMENT_STATUSES, GRADES, Child, Enrolment, Guardian,
                                 ImportBatch, PickupPerson)
from app.core import audit, crud
from app.core.errors import FormError
from app.core.htmx import redirect_after_post, render
from app.core.permissions import COORDINATE, SITE_MANAGE, register_loader, requires
from app.core.timeutil import utcnow
from app.core.pagination import paginate
from app.extensions import db
from app.sites.models import Season, Site

register_loader("child_id", Child, lambda child: child.site_id)
register_loader("guardian_id", Guardian, lambda guardian: guardian.child.site_id)
register_loader("pickup_id", PickupPerson, lambda person: person.child.site_id)
register_loader("enrolment_id", Enrolment, lambda enrolment: enrolment.child.site_id)
register_loader("import_batch_id", ImportBatch, lambda batch: batch.site_id)


@bp.app_context_processor
def _labels():
    return dict(sex_labels=SEX_LABELS, grade_labels=GRADE_LABELS, status_labels=STATUS_LABELS)


def _child_context(child):
    return {"child": child, "site": child.site}


GUARDIANS = crud.InlineTable(
    name="guardian", plural="guardians", form=GuardianForm, title=_l("Guardians"), parent_param="child_id",
    columns=[_l("Full name"), _l("Relation"), _l("Phone"), _l("Employer")],
    list_query=lambda child, archived: queries.guardians_of(child), create=services.create_guardian,
    update=services.update_guardian, archive=services.delete_guardian, removable=True,
    list_need=SITE_MANAGE, manage_need=SITE_MANAGE, row_template="children/_guardian_row.html",
    extra_context=_child_context,
)
PICKUPS = crud.InlineTable(
    name="pickup", plural="pickups", form=PickupForm, title=_l("Authorised pickup persons"),
    parent_param="child_id", columns=[_l("Full name"), _l("Relation"), _l("Phone")],
    list_query=lambda child, archived: queries.pickups_of(child), create=services.create_pickup,
    update=services.update_pickup, archive=services.delete_pickup, removable=True,
    list_need=SITE_MANAGE, manage_need=SITE_MANAGE, row_template="children/_pickup_row.html",
    extra_context=_child_context,
)
crud.register(bp, GUARDIANS, "/children/<int:child_id>/guardians")
crud.register(bp, PICKUPS, "/children/<int:child_id>/pickups")


def _inline(table, child):
    """The context of an inline table shown inside the child's page (as crud.register builds it)."""
    page = db.paginate(table.list_query(child, False), page=1, per_page=table.per_page, error_out=False)
    return dict(parent=child, form=table.form(formdata=None), page=page, show_archived=False,
                list_url=url_for(f"children.{table.name}_list", child_id=child.id), bp="children", table=table,
                can_manage=not child.is_erased, can_create=not child.is_erased)


def _fail(form, error: FormError):
    db.session.rollback()
    field = getattr(form, error.field, None)
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = list(field.errors) + [error.message]


def _values(form, *exclude) -> dict:
    return {k: v for k, v in form.data.items() if k not in ("csrf_token", "submit", *exclude)}


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
    filters = queries.Filters.from_args(request.args)
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
    filters = queries.Filters.from_args(request.args)
    items = paginate(queries.roster(season, filters))
    url = url_for("children.roster", season_id=season.id)
    counts = queries.status_counts(season)
    return render("children/roster.html", "children/_roster.html", site=season.site, season=season,
                  filters=filters, page=items, alerts=queries.alerts_for([e.child_id for e in items.items]),
                  schools=queries.schools_of(season.site_id), grades=GRADES, statuses=ENROLMENT_STATUSES,
                  counts=counts, free=max(season.capacity - counts["enrolled"], 0),
                  waiting=queries.waitlist(season, limit=5), list_url=url,
                  page_url=url_for("children.roster", season_id=season.id, **filters.args()))


@bp.route("/seasons/<int:season_id>/promote", methods=["POST"])
@requires(SITE_MANAGE)
def promote(season: Season):
    try:
        enrolment = services.promote_next(season)
    except FormError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s has been given the free place.", name=enrolment.child.name), "success")
    return redirect_after_post(url_for("children.roster", season_id=season.id))


@bp.route("/seasons/<int:season_id>/children.xlsx")
@requires(SITE_MANAGE)
def roster_export(season: Season):
    data = exports.roster_xlsx(season, queries.roster_for_export(season))
    services.audit("export", None, f"roster of season {season.id}", site_id=season.site_id)
    db.session.commit()
    return send_file(io.BytesIO(data), mimetype=exports.XLSX, as_attachment=True,
                     download_name=f"{season.site.name}-{season.name}-名单.xlsx")


# --- one child ------------------------------------------------------------------------------------
def _form_page(template, form, status=200, **ctx):
    return render(template, "children/_child_form.html", status=status, form=form, **ctx)


@bp.route("/sites/<int:site_id>/children/new", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def child_new(site: Site):
    form = NewChildForm()
    if form.validate_on_submit():
        try:
            child = services.create_child(site, _values(form))
        except FormError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("Saved. Record the guardian's consent before enrolling the child."), "success")
            return redirect_after_post(url_for("children.child_detail", child_id=child.id))
    return _form_page("children/new.html", form, 422 if form.errors or form.form_errors else 200, site=site,
                      action=url_for("children.child_new", site_id=site.id),
                      cancel=url_for("children.child_list", site_id=site.id))


@bp.route("/children/<int:child_id>")
@requires(SITE_MANAGE)
def child_detail(child: Child):
    child = queries.child_record(child.id)
    audit.record_read("child.viewed", by=current_user, children=[child])
    return render("children/detail.html", child=child, site=child.site, alert=queries.alert_of(child),
                  consented=bool(child.consents), erasure=queries.erasure_of(child.id) if child.is_erased else None,
                  enrol_form=EnrolForm(formdata=None, seasons=_open_seasons(child)),
                  guardians=_inline(GUARDIANS, child), pickups=_inline(PICKUPS, child))


def _open_seasons(child):
    taken = {e.season_id for e in child.enrolments if e.status != "withdrawn"}
    return [s for s in queries.seasons_of_site(child.site_id) if s.id not in taken]


@bp.route("/children/<int:child_id>/edit", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def child_edit(child: Child):
    if child.is_erased:
        flash(_("This child's data has been erased; the record cannot be changed."), "error")
        return redirect_after_post(url_for("children.child_detail", child_id=child.id))
    form = ChildForm(obj=child)
    if form.validate_on_submit():
        try:
            services.update_child(child, _values(form))
        except FormError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect_after_post(url_for("children.child_detail", child_id=child.id))
    return _form_page("children/edit.html", form, 422 if form.errors or form.form_errors else 200,
                      child=child, site=child.site, action=url_for("children.child_edit", child_id=child.id),
                      cancel=url_for("children.child_detail", child_id=child.id))


@bp.route("/children/<int:child_id>/consent", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def consent(child: Child):
    notice = services.current_notice()
    form = ConsentForm()
    if not child.is_erased and form.validate_on_submit():
        try:
            services.record_consent(child, _values(form))
        except FormError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("Consent recorded."), "success")
            return redirect_after_post(url_for("children.child_detail", child_id=child.id))
    else:
        if request.method == "GET" and not form.guardian_name.data and child.guardians:
            form.guardian_name.data = child.guardians[0].name
            form.guardian_relation.data = child.guardians[0].relation
        db.session.commit()  # the notice text is stored the first time it is shown
    return render("children/consent.html", "children/_consent_form.html",
                  status=422 if form.errors or form.form_errors else 200, child=child, site=child.site,
                  notice=notice, form=form)


@bp.route("/children/<int:child_id>/enrolments", methods=["POST"])
@requires(SITE_MANAGE)
def child_enrol(child: Child):
    form = EnrolForm(seasons=_open_seasons(child))
    if form.validate_on_submit():
        season = db.session.get(Season, form.season_id.data)
        try:
            if request.form.get("action") == "apply":
                enrolment = services.apply(child, season)
            else:
                enrolment = services.enrol(child, season)
        except FormError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_status_message(enrolment), "success")
    else:
        flash(" ".join(str(e) for e in form.season_id.errors) or _("Choose a season."), "error")
    return redirect_after_post(url_for("children.child_detail", child_id=child.id))


def _status_message(enrolment) -> str:
    return {
        "enrolled": _("%(name)s is enrolled in %(season)s."),
        "waitlisted": _("%(season)s is full: %(name)s is on the waitlist."),
        "applied": _("%(name)s has applied for %(season)s."),
        "withdrawn": _("%(name)s has withdrawn from %(season)s."),
    }[enrolment.status] % {"name": enrolment.child.name, "season": enrolment.season.name}


def _back_to(enrolment) -> str:
    target = request.form.get("back")
    if target == "roster":
        return url_for("children.roster", season_id=enrolment.season_id)
    return url_for("children.child_detail", child_id=enrolment.child_id)


def _enrolment_action(enrolment: Enrolment, action):
    try:
        action(enrolment)
    except FormError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_status_message(enrolment), "success")
    return redirect_after_post(_back_to(enrolment))


@bp.route("/enrolments/<int:enrolment_id>/decide", methods=["POST"])
@requires(SITE_MANAGE)
def enrolment_decide(enrolment: Enrolment):
    return _enrolment_action(enrolment, services.decide)


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@requires(SITE_MANAGE)
def enrolment_withdraw(enrolment: Enrolment):
    return _enrolment_action(enrolment, services.withdraw)


# --- a guardian's rights: export and erase --------------------------------------------------------
@bp.route("/children/<int:child_id>/export.xlsx", defaults={"fmt": "xlsx"})
@bp.route("/children/<int:child_id>/export.json", defaults={"fmt": "json"})
@requires(SITE_MANAGE)
def child_export(child: Child, fmt: str):
    child = queries.child_record(child.id)
    services.audit("export", child, f"all data exported ({fmt})")
    db.session.flush()
    sections = exports.child_sections(child, child.consents, child.enrolments, queries.audit_of_child(child.id))
    db.session.commit()
    stamp = utcnow().strftime("%Y%m%d")
    if fmt == "json":
        return send_file(io.BytesIO(exports.child_json(sections)), mimetype="application/json",
                         as_attachment=True, download_name=f"child-{child.id}-{stamp}.json")
    return send_file(io.BytesIO(exports.child_xlsx(sections)), mimetype=exports.XLSX, as_attachment=True,
                     download_name=f"child-{child.id}-{stamp}.xlsx")


@bp.route("/children/<int:child_id>/erase", methods=["GET", "POST"])
@requires(SITE_MANAGE)
def child_erase(child: Child):
    if child.is_erased:
        flash(_("This child's data has already been erased."), "info")
        return redirect_after_post(url_for("children.child_detail", child_id=child.id))
    form = EraseForm()
    if form.validate_on_submit():
        try:
            services.erase(child, form.reason.data)
        except FormError as error:
            _fail(form, error)
        else:
            db.session.commit()
            flash(_("The child's personal data has been erased. The season's counts are kept."), "success")
            return redirect_after_post(url_for("children.child_list", site_id=child.site_id))
    return render("children/erase.html", status=422 if form.errors or form.form_errors else 200, child=child,
                  site=child.site, form=form)


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
    form = ImportForm(seasons=seasons)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = upload.stream.read(importer.MAX_BYTES + 1)
        finally:
            upload.close()  # large uploads are spooled to a temporary file
        try:
            table = importer.read_table(upload.filename or "", data)
            payload = importer.parse_rows(table, queries.duplicate_keys(site.id))
        except importer.FileProblem as problem:
            form.file.errors = list(form.file.errors) + [str(problem)]
        else:
            season = db.session.get(Season, form.season_id.data) if form.season_id.data else None
            batch = services.store_import(site, season, upload.filename or "", payload)
            db.session.commit()
            return redirect_after_post(url_for("children.import_preview", import_batch_id=batch.id))
    return render("children/import.html", "children/_import_form.html",
                  status=422 if form.errors else 200, site=site, form=form)


@bp.route("/imports/<int:import_batch_id>")
@requires(SITE_MANAGE)
def import_preview(import_batch: ImportBatch):
    rows = import_batch.payload.get("rows", [])
    problems = [r for r in rows if r["errors"]]
    valid = [r for r in rows if not r["errors"]]
    return render("children/import_preview.html", batch=import_batch, site=db.session.get(Site, import_batch.site_id),
                  problems=problems, valid=valid[:100], valid_count=len(valid), total=len(rows),
                  expired=import_batch.expires_at < utcnow())


@bp.route("/imports/<int:import_batch_id>/confirm", methods=["POST"])
@requires(SITE_MANAGE)
def import_confirm(import_batch: ImportBatch):
    site_id, valid = import_batch.site_id, sum(1 for r in import_batch.payload.get("rows", []) if not r["errors"])
    try:
        saved = services.save_import(import_batch)
    except FormError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect_after_post(url_for("children.import_start", site_id=site_id))
    db.session.commit()
    message = _("%(count)d children saved.", count=saved)
    if saved < valid:
        message += " " + _("%(count)d rows were skipped: the same children were registered meanwhile.",
                           count=valid - saved)
    flash(message, "success")
    return redirect_after_post(url_for("children.child_list", site_id=site_id))


@bp.route("/imports/<int:import_batch_id>/cancel", methods=["POST"])
@requires(SITE_MANAGE)
def import_cancel(import_batch: ImportBatch):
    site_id = import_batch.site_id
    db.session.delete(import_batch)
    db.session.commit()
    flash(_("Import cancelled; nothing was saved."), "info")
    return redirect_after_post(url_for("children.import_start", site_id=site_id))

"""Views of trainings: the kinds a site defines (an inline table) and the sessions held."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core import crud
from app.core.htmx import redirect_after_post, render
from app.core.pagination import paginate
from app.core.permissions import SITE_MANAGE, SITE_VIEW, requires
from app.core.views import save
from app.sites.models import Site
from app.volunteers import bp, queries, services
from app.volunteers.forms import TrainingKindForm, TrainingSessionForm

TRAINING_KINDS = crud.InlineTable(
    name="training_kind", plural="training-kinds", form=TrainingKindForm, title=_l("Training kinds"),
    parent_param="site_id", columns=[_l("Name"), _l("Valid for"), _l("Required")],
    list_query=queries.training_kinds_of, create=services.create_training_kind,
    update=services.update_training_kind, archive=services.toggle_kind_archived,
    list_need=SITE_VIEW, manage_need=SITE_MANAGE, row_template="volunteers/_training_kind_row.html",
    page_template="volunteers/inline_page.html", extra_context=lambda site: {"site": site},
)
crud.register(bp, TRAINING_KINDS, "/sites/<int:site_id>/training-kinds")


def _session_form(site: Site, **kwargs) -> TrainingSessionForm:
    return TrainingSessionForm(kinds=queries.active_kinds(site), profiles=queries.active_profiles(site), **kwargs)


def _trainings_page(site: Site, form: TrainingSessionForm | None = None):
    page = paginate(queries.training_sessions_of(site))
    return render("volunteers/trainings.html", site=site, form=form or _session_form(site, formdata=None),
                  page=page, attendees=queries.attendee_counts(list(page.items)))


@bp.route("/sites/<int:site_id>/trainings")
@requires(SITE_VIEW)
def trainings(site: Site):
    return _trainings_page(site)


@bp.route("/sites/<int:site_id>/trainings", methods=["POST"])
@requires(SITE_MANAGE)
def record_training(site: Site):
    form = _session_form(site)
    return save(form, lambda values: services.record_training(site, values, by=current_user),
                done=lambda session: redirect_after_post(
                    url_for("volunteers.trainings", site_id=site.id),
                    notice=_("Training recorded for %(count)d volunteers.", count=len(session.attendances))),
                again=lambda: _trainings_page(site, form), once=True)

from functools import partial

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core import crud
from app.core.htmx import render
from app.core.permissions import ADMINISTER, SITE_MANAGE, SITE_VIEW, STAFF, register_loader, requires
from app.sites import bp, queries, services
from app.sites.forms import PartyForm, RoomForm, SeasonForm, SiteForm, ThemeWeekForm
from app.sites.models import Party, Room, Season, Site, ThemeWeek

register_loader("site_id", Site, lambda site: site.id)
register_loader("season_id", Season, lambda season: season.site_id, options=queries.SEASON_LOAD)
register_loader("theme_week_id", ThemeWeek, lambda week: week.season.site_id)
register_loader("room_id", Room, lambda room: room.site_id)
register_loader("party_id", Party, lambda party: party.site_id)


def _site_tabs(site):
    return {"site": site}


SITES = crud.InlineTable(
    name="site", plural="sites", form=SiteForm, title=_l("Sites"),
    columns=[_l("Name"), _l("District"), _l("Address")],
    list_query=lambda parent, archived: queries.sites_for(current_user, archived),
    create=services.create_site, update=services.update_site, archive=services.toggle_archived,
    list_need=STAFF, manage_need=ADMINISTER, create_need=ADMINISTER, row_need=SITE_VIEW,
    row_template="sites/_site_row.html",
)
SEASONS = crud.InlineTable(
    name="season", plural="seasons", form=SeasonForm, title=_l("Seasons"), parent_param="site_id",
    columns=[_l("Name"), _l("Dates"), _l("Places"), _l("Theme")],
    list_query=queries.seasons_of, create=partial(services.create_named, Season),
    update=services.update_season,
    archive=services.toggle_archived, list_need=SITE_VIEW, manage_need=SITE_MANAGE,
    row_template="sites/_season_row.html", extra_context=_site_tabs,
)
THEME_WEEKS = crud.InlineTable(
    name="theme_week", plural="theme-weeks", form=ThemeWeekForm, title=_l("Theme weeks"),
    parent_param="season_id", columns=[_l("Theme"), _l("Dates")],
    list_query=queries.theme_weeks_of, create=services.create_theme_week,
    update=services.update_theme_week, archive=services.delete_theme_week, removable=True,
    list_need=SITE_VIEW, manage_need=SITE_MANAGE, row_template="sites/_theme_week_row.html",
    extra_context=lambda season: {"site": season.site, "season": season},
)
ROOMS = crud.InlineTable(
    name="room", plural="rooms", form=RoomForm, title=_l("Rooms"), parent_param="site_id",
    columns=[_l("Name"), _l("Floor"), _l("Capacity"), _l("Notes")],
    list_query=queries.rooms_of, create=partial(services.create_named, Room), update=services.update_named,
    archive=services.toggle_archived, list_need=SITE_VIEW, manage_need=SITE_MANAGE,
    row_template="sites/_room_row.html", extra_context=_site_tabs,
)
PARTIES = crud.InlineTable(
    name="party", plural="parties", form=PartyForm, title=_l("Parties"), parent_param="site_id",
    columns=[_l("Kind"), _l("Name"), _l("Contact person"), _l("Phone")],
    list_query=queries.parties_of, create=partial(services.create_named, Party),
    update=services.update_named,
    archive=services.toggle_archived, list_need=SITE_VIEW, manage_need=SITE_MANAGE,
    row_template="sites/_party_row.html", extra_context=_site_tabs,
)

crud.register(bp, SITES, "/sites")
crud.register(bp, SEASONS, "/sites/<int:site_id>/seasons")
crud.register(bp, THEME_WEEKS, "/seasons/<int:season_id>/theme-weeks")
crud.register(bp, ROOMS, "/sites/<int:site_id>/rooms")
crud.register(bp, PARTIES, "/sites/<int:site_id>/parties")


@bp.route("/sites/<int:site_id>/overview")
@requires(SITE_VIEW)
def overview(site: Site):
    return render("sites/overview.html", **queries.site_overview(site))


@bp.route("/seasons/<int:season_id>/overview")
@requires(SITE_VIEW)
def season_overview(season: Season):
    """A season's page, where a coordinator starts: its numbers and everything that belongs to it."""
    from app.daily.outcome_queries import season_outcomes  # the outcomes panel (issue 11)

    return render("sites/season.html", **queries.season_hub(season), outcomes=season_outcomes(season))

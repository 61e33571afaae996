"""Writes for sites, seasons, theme weeks, rooms and parties. Services lock the row their rule reads
(the site for a name unique within it, the season for its theme weeks) and flush; the save path
(``app.core.views.save``, through ``app.core.crud``) commits."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.db import lock
from app.core.errors import FormError
from app.core.timeutil import utcnow
from app.extensions import db
from app.sites.models import Season, Site, ThemeWeek


def _unique(model, field: str, value: str, exclude_id: int | None = None, **scope) -> None:
    query = select(func.count()).select_from(model).where(
        func.lower(getattr(model, field)) == value.lower(), *[getattr(model, k) == v for k, v in scope.items()])
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if db.session.scalar(query):
        raise FormError(field, _("This name is already in use."))


def _assign(obj, values: dict) -> None:
    """Copy the form's values (already trimmed and cleaned by the form) onto ``obj``."""
    for key, value in values.items():
        setattr(obj, key, value)


def toggle_archived(obj) -> None:
    obj.archived_at = None if obj.archived_at else utcnow()


def create_site(_parent, values: dict) -> Site:
    _unique(Site, "name", values["name"])
    site = Site()
    _assign(site, values)
    db.session.add(site)
    return site


def update_site(site: Site, values: dict) -> None:
    _unique(Site, "name", values["name"], exclude_id=site.id)
    _assign(site, values)


def create_named(model, site: Site, values: dict):
    """Create a season, room or party of ``site``; its name is unique within the site."""
    lock(db.session, Site, site.id)
    _unique(model, "name", values["name"], site_id=site.id)
    obj = model(site_id=site.id)
    _assign(obj, values)
    db.session.add(obj)
    return obj


def update_named(obj, values: dict) -> None:
    lock(db.session, Site, obj.site_id)
    _unique(type(obj), "name", values["name"], exclude_id=obj.id, site_id=obj.site_id)
    _assign(obj, values)


def update_season(season: Season, values: dict) -> None:
    lock(db.session, Season, season.id)
    db.session.refresh(season, ["theme_weeks"])
    outside = [w for w in season.theme_weeks
               if w.starts_on < values["start_date"] or w.ends_on > values["end_date"]]
    if outside:
        raise FormError("start_date", _("Theme week “%(title)s” would fall outside the season.",
                                        title=outside[0].title))
    update_named(season, values)


def _check_theme_week(season: Season, values: dict, exclude_id: int | None = None) -> None:
    lock(db.session, Season, season.id)
    db.session.refresh(season, ["theme_weeks"])  # as committed now, under the lock
    if values["starts_on"] < season.start_date or values["ends_on"] > season.end_date:
        raise FormError("starts_on", _("A theme week must lie within the season (%(start)s – %(end)s).",
                                       start=season.start_date.isoformat(), end=season.end_date.isoformat()))
    for week in season.theme_weeks:
        if week.id != exclude_id and week.starts_on <= values["ends_on"] and values["starts_on"] <= week.ends_on:
            raise FormError("starts_on", _("This overlaps the theme week “%(title)s”.", title=week.title))


def create_theme_week(season: Season, values: dict) -> ThemeWeek:
    _check_theme_week(season, values)
    week = ThemeWeek(season=season)
    _assign(week, values)
    db.session.add(week)
    return week


def update_theme_week(week: ThemeWeek, values: dict) -> None:
    _check_theme_week(week.season, values, exclude_id=week.id)
    _assign(week, values)


def delete_theme_week(week: ThemeWeek) -> None:
    db.session.delete(week)

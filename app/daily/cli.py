"""``flask daily alerts``: raise the alerts due now on every site (run it from cron every few
minutes, e.g. ``*/5 7-20 * * 1-5 flask daily alerts``). Arrival and departure writes also raise them."""
from __future__ import annotations

import click
from sqlalchemy import select

from app.daily import bp


@bp.cli.command("alerts")
def alerts_command() -> None:
    """Raise the alerts due now (not arrived by the arrive-by time, not picked up by the pick-up-by time)."""
    from app.core.db import begin_write
    from app.daily.services import generate_alerts
    from app.extensions import db
    from app.sites.models import Site

    total = 0
    for site_id in db.session.scalars(select(Site.id).where(Site.archived_at.is_(None)).order_by(Site.id)).all():
        begin_write(db.session)
        site = db.session.get(Site, site_id)
        total += len(generate_alerts(site))
        db.session.commit()
    click.echo(f"Raised {total} alerts.")

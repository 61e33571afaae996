"""`flask health load-foods`: load (or refresh) the national food table from standards/food-composition.csv."""
from __future__ import annotations

import click

from app.extensions import db
from app.health import bp


@bp.cli.command("load-foods")
def load_foods() -> None:
    """Load the starter food table (idempotent: rows already there are refreshed, none doubled)."""
    from app.health.services import load_foods as load

    added, updated = load()
    db.session.commit()
    click.echo(f"Foods: {added} added, {updated} refreshed.")

"""Command-line tools: `flask seed-demo`, `flask create-admin`, `flask audit verify`, `flask purge`."""
from __future__ import annotations

import click
from flask import Flask

from app.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has accounts.")
    def seed_demo(if_empty: bool) -> None:
        """Fill the database with the demo programme of 旧馆街道 and one account per role."""
        from app.demo import DEMO_PASSWORD, demo_accounts, has_data, seed

        if if_empty and has_data():
            click.echo("Database already has data; demo data not loaded.")
        else:
            seed()
            db.session.commit()
            click.echo("Demo data loaded.")
        click.echo(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for username, role, name in demo_accounts():
            click.echo(f"  {username:<12} {role:<12} {name}")

    @app.cli.command("create-admin")
    @click.argument("username")
    @click.option("--name", default="管理员")
    @click.password_option()
    def create_admin(username: str, name: str, password: str) -> None:
        """Create a district administrator account."""
        from app.admin.services import create_user
        from app.core.errors import FormError

        try:
            user = create_user({"username": username, "display_name": name, "phone": None,
                                "role": "admin", "site_id": None})
        except FormError as error:
            raise click.ClickException(error.message) from None
        user.set_password(password)
        db.session.commit()
        click.echo(f"Administrator {username} created.")

    audit_group = click.Group("audit", help="The audit trail.")
    app.cli.add_command(audit_group)

    @audit_group.command("verify")
    def audit_verify() -> None:
        """Recompute the audit trail's hash chain; report any entry missing, changed or unchained."""
        from app.core.audit import verify_chain

        report = verify_chain()
        for problem in report.problems:
            click.echo(f"PROBLEM: {problem}", err=True)
        if not report.ok:
            raise SystemExit(1)
        click.echo(f"Audit trail intact: {report.checked} entries, chain unbroken.")

    @app.cli.command("purge")
    def purge() -> None:
        """Delete what is kept only for a while: unconfirmed import previews past their deadline
        (they hold children's personal data) and records of submitted forms older than 30 days.
        Run it from cron every hour (README)."""
        from datetime import timedelta

        from sqlalchemy import delete

        from app.children.models import ImportBatch
        from app.core.models import FormSubmission
        from app.core.timeutil import utcnow

        previews = db.session.execute(delete(ImportBatch).where(ImportBatch.expires_at < utcnow())).rowcount
        forms = db.session.execute(delete(FormSubmission).where(
            FormSubmission.created_at < utcnow() - timedelta(days=30))).rowcount
        db.session.commit()
        click.echo(f"Purged {previews} expired import previews and {forms} old form records.")

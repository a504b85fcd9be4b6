"""Flask commands: `flask --app app init-db`, `flask --app app seed-demo`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .extensions import db
from .i18n import today_in
from .models import User


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(seed_demo)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the newest migration."""
    upgrade()
    click.echo("Database is at the newest schema.")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo review (never in production)."""
    if current_app.config["FIELDWORK_ENV"] == "production":
        raise click.ClickException("Refusing to load demo accounts when FIELDWORK_ENV=production.")
    from .demo import build_demo

    if db.session.execute(db.select(User).filter_by(email="lead@demo.test")).scalar_one_or_none():
        click.echo("The demo review is already loaded.")
        return
    summary = build_demo(db.session, today_in(), current_app.config["DEMO_PASSWORD"])
    db.session.commit()
    click.echo("Demo review loaded: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    click.echo(f"Demo logins (password: {current_app.config['DEMO_PASSWORD']}):")
    for email in ("lead@demo.test", "reviewer@demo.test", "reviewer2@demo.test", "lay@demo.test",
                  "link@demo.test", "coordinator@demo.test"):
        click.echo(f"  {email}")

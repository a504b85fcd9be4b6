"""Flask commands: `flask --app app init-db`, `create-admin`, `seed-demo`, `import-programme`, `export-programme`,
`close-review`, `purge-reviews`, `run-jobs`."""
from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError

from .extensions import db
from .clock import today_in
from .models import User


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(import_programme)
    app.cli.add_command(export_programme)
    app.cli.add_command(close_review)
    app.cli.add_command(purge_reviews)
    app.cli.add_command(run_jobs)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the newest migration."""
    upgrade()
    click.echo("Database is at the newest schema.")


@click.command("create-admin")
@click.argument("email")
@click.option("--name", required=True, help="The administrator's name, as others will see it.")
@with_appcontext
def create_admin(email: str, name: str) -> None:
    """Make a site administrator (the first account of a new deployment) and print their invitation link."""
    from .accounts import service
    from .schemas.accounts import email_problem

    problem = email_problem(email) or (None if name.strip() else "Give a name.")
    if problem:
        raise click.BadParameter(problem)
    user = service.find_account(email)
    if user is None:
        user = service.create_account(email, name, by=None, is_admin=True)
    elif not user.is_admin:
        user.is_admin = True
    link = service.invite(user, by=None)
    db.session.commit()
    # One line, so a deploy script can take the link from the output.
    click.echo(f"Invitation for {user.email} (valid until {link.expires_at:%Y-%m-%d %H:%M} UTC): {link.url}")


DEMO_DOMAIN = "@demo.test"


def _demo_is_current() -> bool | None:
    """None: no demo loaded; False: its on-site week is over (today has no visits); True otherwise."""
    from .models import Membership, Review

    lead = db.session.execute(db.select(User).filter_by(email="lead" + DEMO_DOMAIN)).scalar_one_or_none()
    if lead is None:
        return None
    reviews = db.session.scalars(db.select(Review).join(Membership).where(Membership.user_id == lead.id)).all()
    today = today_in()
    return any(review.on_site_from <= today <= review.on_site_to for review in reviews)


def _holds_only_demo_data() -> bool:
    """No account but the demo's and no review but the demo's two: nothing anyone made would be lost."""
    from .demo import DEMO_COUNCILS
    from .models import Review

    other_user = db.session.scalar(db.select(User.id).where(User.email.not_like("%" + DEMO_DOMAIN)).limit(1))
    councils = db.session.scalars(db.select(Review.council_name)).all()
    return other_user is None and sorted(councils) == sorted(DEMO_COUNCILS)


def _empty_database() -> None:
    """Every table dropped and the schema built again from the migrations."""
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade()


@click.command("seed-demo")
@click.option("--refresh", is_flag=True,
              help="Load the demo again, dated from today, when its week is over and the database holds nothing "
                   "but the demo.")
@with_appcontext
def seed_demo(refresh: bool) -> None:
    """Load the demo review (never in production)."""
    if current_app.config["FIELDWORK_ENV"] == "production":
        raise click.ClickException("Refusing to load demo accounts when FIELDWORK_ENV=production.")
    from .demo import build_demo

    current = _demo_is_current()
    if current:
        click.echo("The demo review is already loaded.")
        return
    if current is False:
        if not refresh:
            click.echo("The demo review is loaded but its week is over: `flask seed-demo --refresh` loads it again "
                       "from today.")
            return
        if not _holds_only_demo_data():
            click.echo("The demo's week is over, but this database holds other accounts or reviews too: left as it is.")
            return
        click.echo("The demo's week is over: loading it again, dated from today.")
        _empty_database()
    summary = build_demo(db.session, today_in(), current_app.config["DEMO_PASSWORD"])
    db.session.commit()
    click.echo("Demo review loaded: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    click.echo(f"Demo logins (password: {current_app.config['DEMO_PASSWORD']}):")
    for email in ("lead@demo.test", "reviewer@demo.test", "reviewer2@demo.test", "lay@demo.test",
                  "link@demo.test", "coordinator@demo.test"):
        click.echo(f"  {email}")


def _review_and_user(review_id: int, email: str, may=None, doing: str = "edit the programme of"):
    from .models import Review
    from .permissions import can_edit_programme, review_closed_for

    may = may or can_edit_programme
    review = db.session.get(Review, review_id)
    user = db.session.execute(db.select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()
    if review is None:
        raise click.ClickException(f"There is no review {review_id}.")
    if user is not None and not may(user, review.id) and review_closed_for(user, review.id):
        raise click.ClickException(f"Review {review_id} is closed: changes can no longer be saved.")
    if user is None or not may(user, review.id):
        raise click.ClickException(f"{email} may not {doing} review {review_id}.")
    return review, user


@click.command("import-programme")
@click.argument("review_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "email", required=True, help="The link officer or lead reviewer the import is made as.")
@click.option("--dry-run", is_flag=True, help="Check the file and report, writing nothing.")
@with_appcontext
def import_programme(review_id: int, path: str, email: str, dry_run: bool) -> None:
    """Import a programme from CSV or XLSX; nothing is written unless every row is valid."""
    from pathlib import Path

    from . import audit
    from .programme.importer import ImportFileError, apply_plan, plan_import, read_table

    review, user = _review_and_user(review_id, email)
    try:
        rows = read_table(Path(path).name, Path(path).read_bytes(), current_app.config["IMPORT_MAX_ROWS"])
    except ImportFileError as error:
        raise click.ClickException(str(error))
    plan = plan_import(review, rows)
    if not plan.is_valid:
        for error in plan.errors:
            click.echo(f"row {error.row}: {error.message}", err=True)
        if plan.more_errors:  # the first ERRORS_SHOWN are listed (issue 12)
            click.echo(f"... and {plan.more_errors} more problems.", err=True)
        raise click.ClickException("Nothing was imported: fix the rows above and try again.")
    if dry_run:
        click.echo(f"{len(plan.visits)} visits would be imported.")
        return
    visits = apply_plan(review, user, plan)
    audit.record(user, "import", "programme", review.id, review.id, filename=Path(path).name, visits=len(visits))
    db.session.commit()
    click.echo(f"Imported {len(visits)} visits.")


@click.command("export-programme")
@click.argument("review_id", type=int)
@click.option("--as", "email", required=True, help="The link officer or lead reviewer exporting.")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
@with_appcontext
def export_programme(review_id: int, email: str, output) -> None:
    """Write the programme as CSV in the import's columns (it names service users: keep it safe)."""
    from . import audit
    from .permissions import can_export_programme
    from .programme.importer import export_rows, programme_visits, to_csv

    review, user = _review_and_user(review_id, email, can_export_programme, "export the programme of")
    visits = programme_visits(review)
    audit.record(user, "export", "programme", review.id, review.id, visits=len(visits))
    db.session.commit()
    output.write(to_csv(export_rows(review, visits)))


@click.command("close-review")
@click.argument("review_id", type=int)
@with_appcontext
def close_review(review_id: int) -> None:
    """Close a review: read-only for everyone from now on; its personal data is erased RETENTION_DAYS later."""
    from .admin.reviews import close_review as close
    from .models import Review

    review = db.session.get(Review, review_id)
    if review is None:
        raise click.ClickException(f"There is no review {review_id}.")
    closed_now = close(review, by=None, via="command line")
    db.session.commit()
    days = current_app.config["RETENTION_DAYS"]
    erase_from = review.closed_at + timedelta(days=days)
    state = "closed" if closed_now else "was already closed"
    # One line, so a script can log it.
    click.echo(f"Review {review.id} ({review.council_name}) {state} at {review.closed_at:%Y-%m-%d %H:%M} UTC; "
               f"purge-reviews erases its personal data from {erase_from:%Y-%m-%d %H:%M} UTC "
               f"(RETENTION_DAYS={days}).")


@click.command("purge-reviews")
@click.option("--dry-run", is_flag=True, help="Say what would be erased, and write nothing.")
@with_appcontext
def purge_reviews(dry_run: bool) -> None:
    """Erase the personal data of reviews closed at least RETENTION_DAYS days ago (DESIGN section 11). Safe to
    run from cron: a review is purged once, and a run with nothing to do says so."""
    from . import retention
    from .clock import utcnow

    now = utcnow()
    days = current_app.config["RETENTION_DAYS"]
    for review in retention.closed_without_date():
        click.echo(f"Review {review.id} ({review.council_name}) is closed but has no closing date: "
                   f"`flask close-review {review.id}` dates it, and its {days} days start then.")
    due = retention.reviews_due(now, days)
    if not due:
        click.echo(f"Nothing to purge: no review was closed {days} or more days ago and still holds personal data.")
        return
    if dry_run:
        for review in due:
            erasure, _ledger = retention.erasure_for(review)
            click.echo(f"Would purge review {review.id} ({review.council_name}, closed "
                       f"{review.closed_at:%Y-%m-%d}): {erasure.summary()}.")
        db.session.rollback()
        click.echo("Dry run: nothing was written.")
        return
    for review in due:
        retention.overwrite_freed_space()
        erasure = retention.purge_review(review, now, days)
        db.session.commit()
        click.echo(f"Purged review {review.id} ({review.council_name}, closed {review.closed_at:%Y-%m-%d}): "
                   f"erased {erasure.summary()}.")
    try:
        retention.compact_file()
    except OperationalError as error:
        # The erasure is committed and secure_delete overwrote the old text where it lay; only the rebuild of the
        # file is missing, and a second run would find nothing to purge, so say what to do instead.
        raise click.ClickException(
            f"The reviews above are purged, but the SQLite file could not be compacted now ({error.orig}). "
            "When the app is quiet, run VACUUM on it (sqlite3 <file> VACUUM).")


@click.command("run-jobs")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Worker threads running the tasks (a tick, an immediate tick after a duress check-out).")
@click.option("--no-periodic", is_flag=True,
              help="Do not start the alert tick here (another runner on the same Redis queue starts it).")
@with_appcontext
def run_jobs(workers: int, no_periodic: bool) -> None:
    """Run the job runner (huey) in the foreground: the alert tick every ALERT_TICK_SECONDS. Ctrl-C stops it."""
    import logging

    from .alerts.runner import run_consumer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    queue = app.config["JOBS_URL"].split("://", 1)[0]
    click.echo(f"Job runner: {workers} worker(s), queue in {queue}, alert tick every "
               f"{app.config.get('ALERT_TICK_SECONDS', 30)} s. Ctrl-C stops it.")
    run_consumer(app, workers=workers, periodic=not no_periodic)

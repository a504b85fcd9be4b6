"""Health check, the database commands and configuration rules."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from app import create_app
from visits.config import ConfigError, from_environment
from visits.extensions import db


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/nope/db.sqlite",
                      "SECRET_KEY": "x"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"


def _not_search(name, type_, parent_names):
    from visits.evidence.search import is_search_object

    return not is_search_object(name)


def test_init_db_upgrades_to_a_schema_matching_the_models(tmp_path):
    """The migrations and the models must agree, or a deployed database drifts from the code."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    engine = create_engine(url)
    with engine.connect() as connection:
        # The full-text search's FTS5 table (and its shadow tables) is not a model: leave it out (it is
        # created by migration 0008 and by an after_create event, visits/evidence/search.py).
        diff = compare_metadata(MigrationContext.configure(connection, opts={"render_as_batch": True,
                                                                             "include_name": _not_search}),
                                db.metadata)
    engine.dispose()
    assert diff == []


def test_seed_demo_refuses_production(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDWORK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "set-in-production")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output


def test_make_run_on_a_later_week_loads_the_demo_again_dated_from_today(tmp_path, monkeypatch):
    """`make run` runs `seed-demo --refresh`: a demo database from a past week gets a fresh week, so "today"
    has visits; a database with anyone else's account in it is never emptied."""
    from datetime import timedelta

    from visits.clock import today_in
    from visits.models import Review, User

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'demo.sqlite'}", "SECRET_KEY": "x"})
    cli = app.test_cli_runner()
    assert cli.invoke(args=["init-db"]).exit_code == 0
    assert "Demo review loaded" in cli.invoke(args=["seed-demo", "--refresh"]).output
    assert "already loaded" in cli.invoke(args=["seed-demo", "--refresh"]).output

    def age_the_demo():
        with app.app_context():
            for review in db.session.scalars(db.select(Review)):
                review.on_site_from -= timedelta(days=21)
                review.on_site_to -= timedelta(days=21)
            db.session.commit()

    age_the_demo()
    assert "its week is over" in cli.invoke(args=["seed-demo"]).output  # without --refresh: told, not changed
    result = cli.invoke(args=["seed-demo", "--refresh"])
    assert result.exit_code == 0 and "Demo review loaded" in result.output, result.output
    with app.app_context():
        today = today_in()
        assert any(r.on_site_from <= today <= r.on_site_to for r in db.session.scalars(db.select(Review)))
        assert db.session.scalar(db.select(db.func.count(Review.id))) == 2  # rebuilt, not added to
        from tests.support.factories import gen_user
        gen_user(email="real.person@council.example")
        db.session.commit()
    age_the_demo()
    assert "left as it is" in cli.invoke(args=["seed-demo", "--refresh"]).output
    with app.app_context():
        assert db.session.scalar(db.select(User).filter_by(email="real.person@council.example")) is not None
        # A review someone set up with the demo accounts is real work too.
        db.session.delete(db.session.scalar(db.select(User).filter_by(email="real.person@council.example")))
        from tests.support.factories import gen_review
        gen_review("A council someone is really reviewing")
        db.session.commit()
    assert "left as it is" in cli.invoke(args=["seed-demo", "--refresh"]).output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Review.id))) == 3


def test_production_requires_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDWORK_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        from_environment(str(tmp_path))


def test_local_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("FIELDWORK_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = from_environment(str(tmp_path))["SECRET_KEY"]
    assert len(first) > 40 and from_environment(str(tmp_path))["SECRET_KEY"] == first


def test_postgres_urls_use_psycopg3(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h:5432/d")
    assert from_environment(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h:5432/d"


def test_export_and_import_programme_commands(app, tmp_path):
    from visits.demo import build_demo
    from visits.clock import today_in
    from visits.models import Review, Visit

    build_demo(db.session, today_in(), "pw")
    db.session.commit()
    review = db.session.scalars(db.select(Review).order_by(Review.id)).first()
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["export-programme", str(review.id), "--as", "link@demo.test"])
    assert exported.exit_code == 0, exported.output
    lines = exported.output.strip().splitlines()
    assert lines[0].startswith("date,start,end,kind")
    visits = db.session.scalar(db.select(db.func.count()).select_from(Visit).filter_by(review_id=review.id))
    assert len(lines) - 1 == visits

    refused = runner.invoke(args=["export-programme", str(review.id), "--as", "reviewer@demo.test"])
    assert refused.exit_code != 0 and "may not" in refused.output

    bad = tmp_path / "bad.csv"
    bad.write_text("date,start,end,kind\n2026-13-40,10:00,11:00,home_visit\n")
    result = runner.invoke(args=["import-programme", str(review.id), str(bad), "--as", "link@demo.test"])
    assert result.exit_code != 0 and "row 2" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Visit).filter_by(review_id=review.id)) == visits

    good = tmp_path / "good.csv"
    good.write_text("date,start,end,kind,title\n2030-01-07,10:00,11:00,briefing,Extra briefing\n")
    checked = runner.invoke(args=["import-programme", str(review.id), str(good), "--as", "link@demo.test",
                                  "--dry-run"])
    assert checked.exit_code == 0 and "1 visits would be imported" in checked.output
    done = runner.invoke(args=["import-programme", str(review.id), str(good), "--as", "link@demo.test"])
    assert done.exit_code == 0 and "Imported 1 visits" in done.output

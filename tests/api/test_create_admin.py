"""`flask create-admin EMAIL --name NAME` (DESIGN section 10): the first account of a new deployment, on an empty
database, printing one line with an invitation link that works once; on SQLite and on PostgreSQL."""
from __future__ import annotations

import re

import pytest

from visits.extensions import db
from visits.models import AuditEvent, User

from ..support.clients import Client

GOOD_PASSWORD = "marmalade kettle orchard seventeen"


def create_admin_and_follow_the_link(app):
    assert db.session.query(User).count() == 0
    result = app.test_cli_runner().invoke(args=["create-admin", "Ana.Admin@Example.test", "--name", "Ana Admin"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    match = re.search(r"https?://[^/\s]+(/invite/[A-Za-z0-9_-]+)\s*$", lines[0])
    assert match, lines[0]
    path = match.group(1)

    admin = db.session.query(User).one()
    assert admin.email == "ana.admin@example.test" and admin.is_admin and admin.password_hash is None
    client = Client(app)
    assert client.get(path).status_code == 200
    assert client.post(path, data={"password": "password1234"}).status_code == 400  # common: the link survives
    assert client.post(path, data={"password": GOOD_PASSWORD}).status_code == 302
    assert client.get(path).status_code == 404  # once only
    client.login(admin, password=GOOD_PASSWORD)
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"account_created", "invitation_issued", "invitation_accepted"} <= actions


def test_create_admin_on_an_empty_database_prints_a_link_that_works_once(app):
    create_admin_and_follow_the_link(app)


def test_create_admin_with_a_bad_email_says_so_and_makes_nothing(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "not-an-email", "--name", "Ana Admin"])
    assert result.exit_code != 0 and "email address" in result.output
    assert db.session.query(User).count() == 0


def test_create_admin_again_gives_a_new_link_and_the_old_one_stops_working(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["create-admin", "ana@example.test", "--name", "Ana Admin"]).output
    second = runner.invoke(args=["create-admin", "ana@example.test", "--name", "Ana Admin"]).output
    client = Client(app)
    first_path, second_path = (re.search(r"(/invite/\S+)", output).group(1) for output in (first, second))
    assert client.get(first_path).status_code == 404
    assert client.get(second_path).status_code == 200
    assert db.session.query(User).count() == 1


@pytest.mark.postgres
def test_create_admin_on_postgres(pg_app):
    create_admin_and_follow_the_link(pg_app)

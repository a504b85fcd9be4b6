"""A phone's batch survives the worker that applies it being killed (SIGKILL, no clean-up) half-way through.

The app is served as in production: gunicorn with two workers on a database made by the migrations (`flask
init-db`), a reviewer signs in over HTTP with the login form and sends 200 operations with the page's CSRF token.
Every gunicorn worker is killed while the batch is being applied; the phone resends the same batch, as its outbox
does, until it is answered. Then every operation is stored exactly once, none half-applied, and the answers to the
resend say truthfully which operations the killed request had already stored (`duplicate`) and which it had not
(`applied`). It must hold whether a batch commits per operation or once for the whole batch."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from visits.extensions import db
from visits.models import AuditEvent, Concern, NeedFlag, Note, NoteRevision, Operation

from ..support import factories as f
from ..support.apps import TEST_SETTINGS
from ..support.factories import PASSWORD
from ..support.gunicorn import gunicorn_server
from ..support.world import field_team_world

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SERVER_SETTINGS = {"SECRET_KEY": "sigkill-test-secret", "FIELDWORK_ENV": "development"}


def init_db(database_url: str) -> None:
    """The schema as `make run` makes it: the migrations, through the command line."""
    env = {**os.environ, **SERVER_SETTINGS, "DATABASE_URL": database_url, "FLASK_APP": "app"}
    subprocess.run([str(BIN / "flask"), "init-db"], cwd=REPO, env=env, check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def sign_in(base: str, email: str) -> tuple[requests.Session, str]:
    """The login form, as a browser posts it; then the page's CSRF token for the sync client's header."""
    browser = requests.Session()
    page = browser.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    answer = browser.post(base + "/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    page = browser.get(base + "/", timeout=10).text
    return browser, re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def a_long_day_offline(team) -> list[dict]:
    """200 operations, as a phone that was offline all day sends them: mostly notes, with the rest mixed in."""
    visit = team.home_visit
    at = (visit.starts_at + timedelta(minutes=5)).replace(tzinfo=timezone.utc).isoformat()
    ops = [f.operation("note.save", note_id=f.new_id(), visit_id=visit.id, kind="home_visit",
                       body=f"Observation {n}: the kitchen was tidy.") for n in range(191)]
    ops[10:10] = [f.operation("visit.check_in", visit_id=visit.id, at=at)]
    ops[50:50] = [f.operation("attendance.set", visit_id=visit.id, participant_id=team.service_user.id,
                              status="attended", at=at)]
    ops[90:90] = [f.operation("attendance.set", visit_id=visit.id, participant_id=team.carer.id, status="attended",
                              at=at)]
    for n, position in enumerate((30, 120, 170)):
        ops[position:position] = [f.operation("need.set", need_id=f.new_id(), participant_id=team.service_user.id,
                                              type=("interpreting", "advocacy", "personal_assistance")[n],
                                              detail="Welsh")]
    for position in (70, 140, 185):
        ops[position:position] = [f.operation("concern.raise", concern_id=f.new_id(), visit_id=visit.id,
                                              category="health_and_safety", rating="amber",
                                              text="Loose stair rail.")]
    assert len(ops) == 200
    return ops


def batch_under_way(engine, database_url: str) -> bool:
    """Whether a worker is in the middle of writing the batch: ledger rows already committed (a batch committed
    per operation), or a write transaction open (a batch committed as one): SQLite's rollback journal exists, or a
    PostgreSQL backend other than ours holds a transaction id."""
    with engine.connect() as connection:
        if connection.scalar(text("select count(*) from operations")):
            return True
        if engine.dialect.name == "sqlite":
            return Path(make_url(database_url).database + "-journal").exists()
        return bool(connection.scalar(text(
            "select count(*) from pg_stat_activity where datname = current_database() "
            "and backend_xid is not null and pid <> pg_backend_pid()")))


def kill_workers_mid_batch(server, browser, token, ops, engine, database_url) -> dict:
    """Send the batch; SIGKILL every worker as soon as the batch is seen being written (or after 2 s, whatever
    has happened by then). What the phone saw, and whether the kill fell mid-batch."""
    seen: dict = {"mid_batch": False}

    def send() -> None:
        try:
            seen["response"] = browser.post(server.url + "/api/sync", json={"ops": ops},
                                             headers={"X-CSRFToken": token}, timeout=30)
        except requests.RequestException as error:
            seen["error"] = error

    phone = threading.Thread(target=send)
    phone.start()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and phone.is_alive():
        if batch_under_way(engine, database_url):
            seen["mid_batch"] = phone.is_alive()
            break
        time.sleep(0.001)
    for pid in server.worker_pids():
        os.kill(pid, signal.SIGKILL)
    phone.join(timeout=30)
    return seen


def resend_until_answered(base, browser, token, ops) -> list[dict]:
    deadline = time.monotonic() + 30
    while True:
        try:
            answer = browser.post(base + "/api/sync", json={"ops": ops}, headers={"X-CSRFToken": token}, timeout=30)
            if answer.status_code == 200:
                return answer.json()["results"]
        except requests.RequestException:
            pass  # the master is still starting new workers
        assert time.monotonic() < deadline, "the resent batch was not answered in 30 s"
        time.sleep(0.1)


def stored_once_and_whole(app, ops: list[dict], stored_before_resend: set[str], answers: list[dict]) -> None:
    with app.app_context():
        ledger = {row.op_id: row.result for row in db.session.scalars(select(Operation))}
        notes = {note.id: note for note in db.session.scalars(select(Note))}
        revisions = {note_id: n for note_id, n in db.session.execute(
            select(NoteRevision.note_id, func.count()).group_by(NoteRevision.note_id))}
        audited = {subject_id: n for subject_id, n in db.session.execute(
            select(AuditEvent.subject_id, func.count()).where(AuditEvent.action != "read")
            .group_by(AuditEvent.subject_id))}
        concerns = set(db.session.scalars(select(Concern.id)))
        needs = set(db.session.scalars(select(NeedFlag.id)))

    # Every operation has its ledger row, with its final answer; none is left pending.
    assert set(ledger) == {op["op_id"] for op in ops}
    assert all(result["status"] == "applied" for result in ledger.values()), \
        {op_id: result for op_id, result in ledger.items() if result["status"] != "applied"}
    # Each note once, with one revision and one audit event; no note without its ledger row.
    note_ops = [op for op in ops if op["type"] == "note.save"]
    assert set(notes) == {op["data"]["note_id"] for op in note_ops}
    assert all(revisions.get(note_id) == 1 for note_id in notes), revisions
    assert all(audited.get(note_id) == 1 for note_id in notes)
    assert concerns == {op["data"]["concern_id"] for op in ops if op["type"] == "concern.raise"}
    assert needs == {op["data"]["need_id"] for op in ops if op["type"] == "need.set"}

    # The resend is answered in order, and says truthfully what the killed request had stored.
    assert [answer["op_id"] for answer in answers] == [op["op_id"] for op in ops]
    for op, answer in zip(ops, answers):
        if op["op_id"] in stored_before_resend:
            assert answer["status"] == "duplicate" and answer["first_status"] == "applied", answer
        else:
            assert answer["status"] == "applied", answer


def run_sigkill_story(database_url: str, folder: Path) -> dict:
    init_db(database_url)
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        team = field_team_world()
        ops = a_long_day_offline(team)
        email = team.reviewer.email
        db.session.remove()
    engine = create_engine(database_url)
    try:
        with gunicorn_server(SERVER_SETTINGS | {"DATABASE_URL": database_url}, workers=2, log_dir=folder,
                             timeout=60) as server:
            browser, token = sign_in(server.url, email)
            first = kill_workers_mid_batch(server, browser, token, ops, engine, database_url)
            with engine.connect() as connection:
                stored_before_resend = set(connection.scalars(text("select op_id from operations")))
            answers = resend_until_answered(server.url, browser, token, ops)
        stored_once_and_whole(app, ops, stored_before_resend, answers)
    finally:
        engine.dispose()
        with app.app_context():
            db.engine.dispose()
    # Said in the failure output of a broken run, and useful when reading a green one with -s.
    outcome = {"killed_request": "answered" if "response" in first else "cut off", "mid_batch": first["mid_batch"],
               "stored_before_resend": len(stored_before_resend)}
    print("SIGKILL mid-batch:", outcome)
    return outcome


def test_a_batch_cut_off_by_sigkill_is_stored_once_when_resent_sqlite(tmp_path):
    run_sigkill_story(f"sqlite:///{tmp_path / 'fieldwork.sqlite'}", tmp_path)


@pytest.fixture
def pg_database(pg_url):
    """A database of its own on the throwaway server, made by the migrations rather than create_all()."""
    url = make_url(pg_url)
    name = f"sigkill_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'create database "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


@pytest.mark.postgres
def test_a_batch_cut_off_by_sigkill_is_stored_once_when_resent_postgres(pg_database, tmp_path):
    run_sigkill_story(pg_database, tmp_path)

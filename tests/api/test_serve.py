"""`make serve`: the deploy recipe runs the migrations, then gunicorn with several workers on the configured
database, and it answers."""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import urllib.request
from pathlib import Path

from tests.support.gunicorn import ROOT, gunicorn_server, serve_command


def make_dry_run(*variables: str) -> list[list[str]]:
    """The commands `make serve` would run, without running them."""
    out = subprocess.run(["make", "-n", "serve", *variables], cwd=ROOT, capture_output=True, text=True, check=True)
    return [shlex.split(line) for line in out.stdout.splitlines() if line.strip()]


def test_make_serve_migrates_first_then_starts_the_gunicorn_workers_the_tests_start():
    commands = make_dry_run("WORKERS=3", "HOST=127.0.0.1", "PORT=8123")
    migrate = next(i for i, c in enumerate(commands) if c[-1] == "init-db")
    serve = next(i for i, c in enumerate(commands) if Path(c[0]).name == "gunicorn")
    assert migrate < serve
    assert commands[serve][1:] == serve_command(3, "127.0.0.1:8123")[1:]


def test_make_serve_defaults_to_four_workers():
    gunicorn = next(c for c in make_dry_run() if Path(c[0]).name == "gunicorn")
    assert gunicorn[gunicorn.index("-w") + 1] == "4"


def test_the_serve_command_answers_healthz_from_two_workers_on_a_migrated_database(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite'}", "SECRET_KEY": "serve-test",
           "FLASK_APP": "app"}
    flask = Path(os.sys.executable).with_name("flask")
    subprocess.run([str(flask), "init-db"], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)

    with gunicorn_server(env, workers=2, log_dir=tmp_path) as server:
        assert len(server.worker_pids()) == 2
        with urllib.request.urlopen(server.url + "/healthz", timeout=5) as answer:
            assert json.load(answer) == {"status": "ok", "database": "ok"}
    assert server.process.returncode is not None

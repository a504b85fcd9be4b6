"""The job runner (huey): its queue from JOBS_URL, the minute's ticks, `tick_now`, immediate mode in tests, the real
consumer on a SQLite queue ticking and delivering, and `flask run-jobs` ticking and stopping on Ctrl-C."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey import RedisHuey, SqliteHuey
from sqlalchemy import select

from visits.alerts import runner, tick
from visits.alerts.contract import DueStep, user_recipient
from visits.extensions import db
from visits.models import AlertDelivery

from ..support import factories as f
from ..support.apps import sqlite_app
from ..unit.test_alert_delivery import Recorder, make_events, message

ROOT = Path(__file__).resolve().parents[2]


def test_the_queue_is_a_sqlite_file_by_default_and_redis_for_several_hosts(tmp_path):
    queue = runner.huey_from_url(f"sqlite:///{tmp_path}/jobs/jobs.sqlite")
    assert isinstance(queue, SqliteHuey) and queue.storage.filename == f"{tmp_path}/jobs/jobs.sqlite"
    assert isinstance(runner.huey_from_url("redis://127.0.0.1:1/0"), RedisHuey)  # connects lazily
    with pytest.raises(runner.JobsUrlError):
        runner.huey_from_url("amqp://broker/")


@pytest.mark.parametrize("seconds, offsets", [(30, [0, 30]), (20, [0, 20, 40]), (45, [0, 45]), (60, [0]),
                                              (300, [0])])
def test_the_minutes_ticks_are_alert_tick_seconds_apart(seconds, offsets):
    assert runner.tick_offsets(seconds) == offsets


def test_the_periodic_task_runs_every_minute_or_every_few_minutes_for_a_slow_tick(app):
    from datetime import datetime

    app.config["ALERT_TICK_SECONDS"] = 120
    queue = runner.make_runner(app)
    assert [task.name for task in queue.read_periodic(datetime(2026, 12, 3, 14, 2))] == ["alerts.minute"]
    assert queue.read_periodic(datetime(2026, 12, 3, 14, 3)) == []


@pytest.fixture
def due(app, monkeypatch):
    """A stand-in producer the tick asks instead of the real ones, and a recording channel."""
    review = f.gen_review()
    lead = f.gen_user()
    db.session.commit()
    [event_id] = make_events(review.id, 1)
    steps = [DueStep(event_id, 1, (user_recipient(lead.id),), message())]
    channel = Recorder()
    ticks = []

    def producers():
        ticks.append(time.monotonic())
        return [lambda now: steps]

    monkeypatch.setattr(tick, "load_producers", producers)
    monkeypatch.setattr("visits.alerts.channels.send", channel)
    return steps, channel, ticks


def test_under_testing_the_runner_is_immediate_and_tick_now_ticks_at_once(app, due):
    steps, channel, ticks = due
    queue = runner.get_runner(app)
    assert queue.immediate and runner.get_runner(app) is queue
    assert runner.enqueue_tick_now(app) is True
    assert len(ticks) == 1 and [r for r, _ in channel.sent] == list(steps[0].recipients)
    assert db.session.scalar(select(AlertDelivery.sent_at)) is not None


def test_the_time_of_the_last_tick_tells_whether_a_runner_is_ticking(app, due):
    assert runner.last_tick(app) is None and not runner.runner_is_ticking(app)
    runner.enqueue_tick_now(app)
    assert runner.last_tick(app) is not None and runner.runner_is_ticking(app)
    runner.get_runner(app).put(runner.LAST_TICK_KEY, "2026-12-01T09:00:00+00:00")
    assert not runner.runner_is_ticking(app)


def test_the_minute_task_ticks_now_and_schedules_the_rest_of_the_minutes_ticks(app, due):
    _steps, _channel, ticks = due
    app.config["ALERT_TICK_SECONDS"] = 20
    queue = runner.make_runner(app)
    queue.fieldwork_tasks["alert_minute"]()
    assert len(ticks) == 1
    scheduled = sorted(task.eta for task in queue.scheduled())
    assert [t.name for t in queue.scheduled()] == ["alerts.tick", "alerts.tick"]
    assert round((scheduled[1] - scheduled[0]).total_seconds()) == 20


def test_enqueueing_a_tick_never_fails_its_caller_when_the_queue_is_unreachable(app, caplog):
    app.config.update(JOBS_IMMEDIATE=False, JOBS_URL="redis://127.0.0.1:1/0")
    assert runner.enqueue_tick_now(app) is False
    assert "could not enqueue" in caplog.text


def _wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


class running_consumer:
    """huey's real consumer for an app, started from this (main) thread; its handlers for SIGINT and SIGTERM are
    put back as they were when it stops."""

    def __init__(self, app, periodic: bool = True):
        self.app, self.periodic = app, periodic

    def __enter__(self):
        self.handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        self.consumer = runner.make_consumer(self.app, workers=1, periodic=self.periodic)
        self.consumer.start()
        return self.consumer

    def __exit__(self, *exc):
        self.consumer.stop(graceful=True)
        for number, handler in self.handlers.items():
            signal.signal(number, handler)


def test_the_real_consumer_on_a_sqlite_queue_ticks_as_it_starts_and_takes_tick_now(tmp_path, due, monkeypatch):
    steps, channel, ticks = due
    with sqlite_app(tmp_path, "runner", JOBS_IMMEDIATE=False, JOBS_URL=f"sqlite:///{tmp_path}/jobs.sqlite") as app:
        # The runner's app has a database of its own here: the stand-in event lives there too.
        review = f.gen_review()
        lead = f.gen_user()
        db.session.commit()
        [event_id] = make_events(review.id, 1)
        steps[:] = [DueStep(event_id, 1, (user_recipient(lead.id),), message())]
        with running_consumer(app):
            # The scheduler enqueues the minute's task as it starts: a tick without waiting for a minute.
            assert _wait_for(lambda: len(channel.sent) == 1), "the consumer did not tick"
            ticked = len(ticks)
            assert runner.enqueue_tick_now(app) is True
            assert _wait_for(lambda: len(ticks) > ticked), "tick_now was not taken"
        assert (tmp_path / "jobs.sqlite").exists()
        assert runner.runner_is_ticking(app)  # read from the queue's file, as the web app would
        assert len(channel.sent) == 1  # the second tick found the alert claimed
        db.session.expire_all()
        assert db.session.scalar(select(AlertDelivery.channel)) == "push"


def test_flask_run_jobs_runs_the_consumer_in_the_foreground_and_ctrl_c_stops_it(tmp_path):
    database = f"sqlite:///{tmp_path}/fieldwork.sqlite"
    with sqlite_app(tmp_path, "fieldwork"):
        pass  # the schema, for the real producers the tick asks
    env = {**os.environ, "DATABASE_URL": database, "JOBS_URL": f"sqlite:///{tmp_path}/jobs.sqlite",
           "SECRET_KEY": "test", "ALERT_TICK_SECONDS": "30", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "run-jobs", "--workers", "1"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "alert tick (periodic):" in line:
                break
        assert any("alert tick (periodic): " in line for line in lines), "".join(lines)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    rest = process.stdout.read()
    process.stdout.close()
    assert process.returncode == 0, "".join(lines) + rest
    assert "Job runner: 1 worker(s), queue in sqlite" in "".join(lines)

"""The job runner with its queue in Redis (JOBS_URL=redis://..., for several hosts), against a throwaway
redis-server: a runner ticks, and two runners sharing the queue and the database still send each alert once."""
from __future__ import annotations

import time

import pytest
from flask import current_app
from sqlalchemy import select

from visits.alerts import runner, tick
from visits.alerts.contract import DueStep, email_recipient, user_recipient
from visits.extensions import db
from visits.models import AlertDelivery

from ..support import factories as f
from ..support.apps import sqlite_app
from ..unit.test_alert_delivery import Recorder, make_events, message
from .test_alert_runner import _wait_for, running_consumer


@pytest.fixture
def redis_jobs(redis_url):
    """The Redis queue, emptied before and after the test (one server serves the whole run)."""
    queue = runner.huey_from_url(redis_url)
    queue.flush()
    yield redis_url
    queue.flush()


@pytest.fixture
def stand_ins(monkeypatch):
    """A stand-in producer (which answers the steps in `steps` and notes which runner asked) and a channel."""
    steps: list[DueStep] = []
    asked_by: list[int] = []
    channel = Recorder()

    def producer(now):
        asked_by.append(id(current_app._get_current_object()))
        return list(steps)

    monkeypatch.setattr(tick, "load_producers", lambda: [producer])
    monkeypatch.setattr("visits.alerts.channels.send", channel)
    return steps, asked_by, channel


def _make_due_steps(steps):
    review = f.gen_review()
    people = [f.gen_user() for _ in range(3)]
    db.session.commit()
    recipients = tuple(user_recipient(p.id) for p in people) + (email_recipient("duty@council.example"),)
    steps[:] = [DueStep(event_id, 1, recipients, message()) for event_id in make_events(review.id, 4)]
    return [r for due in steps for r in due.recipients]


def test_a_runner_on_redis_ticks_and_delivers(tmp_path, redis_jobs, stand_ins):
    steps, asked_by, channel = stand_ins
    with sqlite_app(tmp_path, "fieldwork", JOBS_IMMEDIATE=False, JOBS_URL=redis_jobs) as app:
        expected = _make_due_steps(steps)
        assert isinstance(runner.get_runner(app), runner.RedisHuey)
        with running_consumer(app):
            assert _wait_for(lambda: len(channel.sent) == len(expected)), "the runner on Redis did not deliver"
        db.session.expire_all()
        assert len(db.session.scalars(select(AlertDelivery).where(AlertDelivery.sent_at.is_not(None))).all()) \
            == len(expected)


def test_two_runners_sharing_a_redis_queue_and_the_database_send_each_alert_once(tmp_path, redis_jobs, stand_ins):
    steps, asked_by, channel = stand_ins
    jobs = {"JOBS_IMMEDIATE": False, "JOBS_URL": redis_jobs}
    with sqlite_app(tmp_path, "fieldwork", **jobs) as one:
        expected = _make_due_steps(steps)
        # A second app on the same database file and the same queue: another host's runner.
        with sqlite_app(tmp_path, "fieldwork", **jobs) as other:
            with running_consumer(one), running_consumer(other):
                # Both schedulers start the minute's tick; more ticks at once on top, to race the claims.
                for _ in range(6):
                    runner.enqueue_tick_now(one)
                assert _wait_for(lambda: len(set(asked_by)) == 2 and len(asked_by) >= 8), \
                    "both runners should have ticked"
                queue = runner.get_runner(one)
                assert _wait_for(lambda: queue.pending_count() == 0)
                time.sleep(0.3)  # a tick taken from the queue a moment ago finishes
        assert sorted(r for r, _ in channel.sent) == sorted(expected)  # each alert once, whoever ticked
        db.session.expire_all()
        rows = db.session.scalars(select(AlertDelivery)).all()
        assert len(rows) == len(expected) and all(row.sent_at for row in rows)


def test_the_throwaway_redis_keeps_nothing_on_disk(redis_url):
    from redis import Redis

    client = Redis.from_url(redis_url)
    assert client.config_get("save") == {"save": ""} and client.config_get("appendonly") == {"appendonly": "no"}
    assert client.connection_pool.connection_kwargs["host"] == "127.0.0.1"
    client.close()



"""The job runner (DESIGN section 13): huey, with its queue in a SQLite file in the instance folder by default, or in
Redis (`JOBS_URL=redis://...`) when the app runs on several hosts.

The plan:
- **The tick.** huey's periodic tasks are checked once a minute, so a periodic task runs every minute and does
  the whole minute's ticks: one at once, the others scheduled `ALERT_TICK_SECONDS` apart (30 s: at +0 and +30 s).
  Nothing re-schedules itself, so a restarted runner, or two runners, never multiply a chain of ticks; the worst
  is two runners each ticking, which costs a query and sends nothing twice, because every alert is claimed in
  the database before it is sent (delivery.py). No huey lock guards the tick on purpose: a lock left behind by a
  runner that was killed would silence every alarm until someone cleared it.
- **At once.** `tick_now` is a task a producer enqueues (after its commit) when an alert must not wait for the
  next tick: a duress check-out. `enqueue_tick_now()` never fails its caller: if the queue cannot be reached the
  next periodic tick still comes.
- **Where it runs.** `flask --app app run-jobs` runs the consumer in the foreground (threads; Ctrl-C stops it);
  `make run` starts it beside the web server. Each task runs in an app context of the app that built the runner.
- **Is it running?** Each tick that completes writes its time into the queue's storage (`last_tick`), so the web
  app (a health check, the board) can tell when no runner has ticked lately: without a runner no alarm goes out.
- **In tests** (`TESTING`, unless `JOBS_IMMEDIATE` says otherwise) huey is in immediate mode: an enqueued task
  runs at once in the caller, on huey's in-memory storage, and no queue file is written.
"""
from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Optional

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab

from ..clock import system_utcnow

logger = logging.getLogger("visits.alerts")

QUEUE_NAME = "fieldwork"
LAST_TICK_KEY = "alerts.last_tick"


class JobsUrlError(ValueError):
    pass


def huey_from_url(url: str, immediate: bool = False) -> Huey:
    """`sqlite:///path` → a SQLite file queue; `redis://host:port/db` (or rediss://) → Redis."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False, immediate=immediate)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False, immediate=immediate)
    raise JobsUrlError("JOBS_URL must be sqlite:///<path> or redis://<host>:<port>/<db>")


def tick_offsets(tick_seconds: int) -> list[int]:
    """Seconds after the minute's periodic task at which the minute's ticks run: [0, 30] for 30 s, [0] for 60 s
    or more (then the periodic task itself runs every whole number of minutes, see `_every_minutes`)."""
    tick_seconds = max(1, tick_seconds)
    if tick_seconds >= 60:
        return [0]
    return [tick_seconds * k for k in range(math.ceil(60 / tick_seconds))]


def _every_minutes(tick_seconds: int) -> int:
    return max(1, round(tick_seconds / 60)) if tick_seconds >= 60 else 1


def make_runner(app: Flask) -> Huey:
    """The huey instance for `app`, with its tasks: `alert_minute` (periodic) and `tick` / `tick_now`."""
    immediate = bool(app.config.get("JOBS_IMMEDIATE", app.testing))
    huey = huey_from_url(app.config["JOBS_URL"], immediate=immediate)
    tick_seconds = int(app.config.get("ALERT_TICK_SECONDS", 30))

    def run_one_tick(reason: str) -> None:
        from .tick import run_tick

        with app.app_context():
            try:
                outcome = run_tick()
            except Exception:  # the next tick must still come: log, never let the task die loudly in a loop
                logger.exception("alert tick (%s) failed", reason)
                return
            logger.info("alert tick (%s): %s", reason, outcome.summary())
            try:
                huey.put(LAST_TICK_KEY, system_utcnow().isoformat())
            except Exception:
                logger.exception("could not record the alert tick's time")

    @huey.task(name="alerts.tick")
    def tick() -> None:
        run_one_tick("scheduled")

    @huey.task(name="alerts.tick_now")
    def tick_now() -> None:
        run_one_tick("at once")

    @huey.periodic_task(crontab(minute=f"*/{_every_minutes(tick_seconds)}"), name="alerts.minute")
    def alert_minute() -> None:
        for offset in tick_offsets(tick_seconds)[1:]:
            tick.schedule(delay=offset)
        run_one_tick("periodic")

    huey.fieldwork_tasks = {"tick": tick, "tick_now": tick_now, "alert_minute": alert_minute}
    return huey


def get_runner(app: Optional[Flask] = None) -> Huey:
    """The app's huey instance, made once per app."""
    app = app or current_app._get_current_object()
    huey = app.extensions.get("fieldwork_jobs")
    if huey is None:
        huey = app.extensions["fieldwork_jobs"] = make_runner(app)
    return huey


def last_tick(app: Optional[Flask] = None) -> Optional[datetime]:
    """When a runner last completed a tick (the machine's time), or None: never, or the queue is unreachable."""
    try:
        stamp = get_runner(app).get(LAST_TICK_KEY, peek=True)
    except Exception:
        logger.exception("could not read the alert tick's time")
        return None
    return datetime.fromisoformat(stamp) if stamp else None


def runner_is_ticking(app: Optional[Flask] = None) -> bool:
    """Whether a runner has ticked within three ticks' time (at least 90 s): False means alarms are not going out."""
    app = app or current_app._get_current_object()
    last = last_tick(app)
    allowed = timedelta(seconds=max(90, 3 * int(app.config.get("ALERT_TICK_SECONDS", 30))))
    return last is not None and system_utcnow() - last <= allowed


def enqueue_tick_now(app: Optional[Flask] = None) -> bool:
    """Ask the runner for a tick at once (a duress check-out). Call it after committing what the tick must see.
    False when the queue could not be reached; the periodic tick comes anyway."""
    try:
        get_runner(app).fieldwork_tasks["tick_now"]()
        return True
    except Exception:
        logger.exception("could not enqueue an immediate alert tick")
        return False


def make_consumer(app: Flask, workers: int = 2, periodic: bool = True):
    """huey's consumer for the app's queue: worker threads, and the scheduler that starts the minute's ticks
    (`periodic=False` for a runner that only takes tasks, beside one that ticks)."""
    huey = get_runner(app)
    if huey.immediate:
        huey.immediate = False  # a runner started by hand under TESTING still uses its real queue
    return huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic,
                                check_worker_health=True, max_delay=2.0)


def run_consumer(app: Flask, workers: int = 2, periodic: bool = True) -> None:
    """Run the consumer in the foreground until Ctrl-C (SIGINT: finish the task in hand) or SIGTERM."""
    make_consumer(app, workers, periodic).run()

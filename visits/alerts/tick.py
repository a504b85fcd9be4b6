"""The tick: ask each producer what is due now and deliver it (delivery.py claims each recipient once).

Run by the job runner every ALERT_TICK_SECONDS and at once after a duress check-out (runner.py); any number of
runners may tick at the same moment. One producer failing is logged and the others still run; its events are
asked again on the next tick.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable, Iterable, Optional, Union

from ..clock import utcnow
from ..extensions import db
from .contract import DueStep
from .delivery import Outcome, Send, deliver
from .producers import Producer, load_producers

logger = logging.getLogger("visits.alerts")

ProducerLike = Union[Producer, Callable[[datetime], list[DueStep]]]


def run_tick(now: Optional[datetime] = None, producers: Optional[Iterable[ProducerLike]] = None,
             send: Optional[Send] = None) -> Outcome:
    """One tick at `now` (the app's clock by default). `producers` and `send` are for tests: the producers in
    producers.py and channels.send otherwise."""
    now = now or utcnow()
    outcome = Outcome()
    for producer in (load_producers() if producers is None else producers):
        name, due_steps = (producer.name, producer.due_steps) if isinstance(producer, Producer) \
            else (getattr(producer, "__name__", repr(producer)), producer)
        try:
            steps = list(due_steps(now))
            db.session.commit()  # the events the producer made or ended, before their deliveries are claimed
        except Exception:
            db.session.rollback()
            logger.exception("alert producer %s failed", name)
            outcome.producer_errors.append(name)
            continue
        for due in steps:
            try:
                deliver(due, send, outcome)
            except Exception:
                db.session.rollback()
                logger.exception("delivering event %s step %s failed", due.event_id, due.step)
    return outcome

"""The producers of alerts the tick asks, in order: each module has `due_steps(now: datetime) -> list[DueStep]`,
creating and ending its own AlertEvent rows. They are imported when the tick runs, and a module that is not
there (yet) is left out, so the runner works whichever of them a deployment has."""
from __future__ import annotations

import importlib
import logging
from datetime import datetime
from typing import Callable, NamedTuple

from .contract import DueStep

logger = logging.getLogger("visits.alerts")

PRODUCER_MODULES = (
    "visits.alerts.overdue_alerts",      # the lone-worker ladder: overdue visits and duress check-outs
    "visits.alerts.concern_alerts",      # red concerns not acknowledged in time
    "visits.alerts.programme_notices",   # programme changes, to the team members whose visits changed
)


class Producer(NamedTuple):
    name: str
    due_steps: Callable[[datetime], list[DueStep]]


def load_producers(modules: tuple[str, ...] = PRODUCER_MODULES) -> list[Producer]:
    found = []
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name:  # the module is there but something it imports is not: a real fault
                logger.exception("alert producer %s cannot be imported", name)
            continue
        except Exception:
            logger.exception("alert producer %s cannot be imported", name)
            continue
        due_steps = getattr(module, "due_steps", None)
        if callable(due_steps):
            found.append(Producer(name.rsplit(".", 1)[-1], due_steps))
        else:
            logger.error("alert producer %s has no due_steps(now)", name)
    return found

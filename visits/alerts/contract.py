"""What the producers of alerts (the lone-worker ladder, red concerns, programme changes) and the channels that
carry them (Web Push, email) agree on. A leaf module: it imports nothing of the app, so every part may use it.

A producer looks at the database and the clock and answers the steps that are due now, as `DueStep`s; the tick
(the job runner's periodic task) claims each (event, step, recipient) once in the database and hands the message
to a channel. Nothing here names a service user or quotes a note or a concern: a notification shows on a locked
phone's screen and an email passes through mail servers, so a message says what happened, when, and where to
look (`url`, a page of the app that asks who is looking before it shows anything).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

USER = "user"
EMAIL = "email"


@dataclass(frozen=True)
class Message:
    """The words of one alert, in the recipient's language. `kind` is "overdue" | "concern" | "programme"
    (a duress alert reads as "overdue" to everyone it reaches: it must not look different on any screen)."""

    kind: str
    title: str
    body: str
    url: str  # a path of the app: the visit, the board, the concerns page, the itinerary
    # The same alert in English, after this Welsh one, for a recipient whose language nobody has chosen (the
    # review's out-of-hours contact): the Welsh Language Standards put Welsh first when both are sent. Email only.
    also: Optional["Message"] = None

    def payload(self) -> dict:
        """The Web Push payload (DESIGN section 13)."""
        return {"kind": self.kind, "title": self.title, "body": self.body, "url": self.url}


@dataclass(frozen=True)
class DueStep:
    """One step of one event's ladder, due now: to whom, saying what. `event_id` is the AlertEvent row."""

    event_id: int
    step: int
    recipients: tuple[str, ...]  # each made by user_recipient or email_recipient
    message: Message
    # Makes `message` again in the language in force, so each recipient reads it in theirs (delivery.py forces it);
    # None: `message` as it is, for everyone.
    compose: Optional[Callable[[], Message]] = field(default=None, compare=False, repr=False)

    def message_now(self) -> Message:
        return self.compose() if self.compose is not None else self.message


def user_recipient(user_id: int) -> str:
    return f"{USER}:{user_id}"


def email_recipient(address: str) -> str:
    return f"{EMAIL}:{address.strip().lower()}"


def parse_recipient(recipient: str) -> tuple[str, str]:
    """("user", "12") or ("email", "duty@council.example"); ValueError for anything else."""
    kind, _, value = recipient.partition(":")
    if kind not in (USER, EMAIL) or not value:
        raise ValueError(f"not a recipient: {recipient!r}")
    return kind, value


def recipient_user_id(recipient: str) -> Optional[int]:
    kind, value = parse_recipient(recipient)
    return int(value) if kind == USER else None

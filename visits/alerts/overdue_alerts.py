"""The lone-worker ladder's producer (DESIGN section 13): overdue home visits and duress check-outs.

`due_steps(now)` is asked by the job runner's tick (tick.py) every ALERT_TICK_SECONDS. It
1. finds the home visits overdue now (visits/overdue.py's rule, through the board's query: one definition) and
   makes one AlertEvent for each, keyed by the visit and its planned end ("overdue:visit:12:2026-11-23T18:45:00+
   00:00"), so a visit moved later that runs over again is a new event; two runners finding it make one row;
2. ends the overdue events whose visit is no longer overdue (everyone checked out, the visit moved or called off);
3. answers the steps due now (visits/alerts/ladder.py) of every open event, overdue or duress, with recipients
   and words. The tick claims each (event, step, recipient) once in the database and sends it.

A duress check-out (visits/attendance/operations.py calls `start_duress`) makes its event at once, starting the
ladder at step 2; it reads to the lead and link officers like an overdue alert ("needs help") and is never shown
to the person who checked out.

No message names a service user, quotes a note or gives an address: a notification shows on a locked screen and an
email crosses mail servers. A message names the kind of visit, its times and case reference, and the team member.
Every step in the life of an event is in the audit log, with ids and times only: "alert.started", "alert.duress",
"alert.acknowledged", "alert.ended". A duress event's rows have no actor, and the audit page, like the board,
leaves them out for the person the event is about (permissions.sees_duress_event).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Optional

from flask import after_this_request, current_app, has_request_context, url_for
from flask_babel import gettext as _

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..models import AlertEvent, AlertKind, Membership, OverdueAcknowledgement, Review, ReviewStatus, Role, User, Visit
from ..overdue import check
from ..vocabulary import label
from . import ladder
from .answering import LADDER_KINDS, acknowledge_event, open_duress_events, open_events_of_visit  # noqa: F401
from .contract import DueStep, Message, email_recipient, user_recipient
from .events import event_for_key

WATCHERS = (Role.lead_reviewer, Role.link_officer)


def ladder_settings(review: Review) -> ladder.LadderSettings:
    return ladder.LadderSettings.of(review, current_app.config["OVERDUE_GRACE_MINUTES"])


def overdue_key(visit_id: int, planned_end_utc: datetime) -> str:
    return f"overdue:visit:{visit_id}:{planned_end_utc.astimezone(timezone.utc).isoformat()}"


def duress_key(visit_id: int, user_id: int, op_id: str) -> str:
    return f"duress:visit:{visit_id}:user:{user_id}:{op_id}"


def first_step_of(event: AlertEvent) -> int:
    return ladder.TEAM if event.kind is AlertKind.duress else ladder.VISITORS


# --- Producing ----------------------------------------------------------------------------------------------------

def due_steps(now: Optional[datetime] = None) -> list[DueStep]:
    """Make and end the review's overdue events, then answer every open ladder event's due steps."""
    from ..programme.board import overdue_home_visits, watch_of

    now = now or utcnow()
    lookback = timedelta(hours=current_app.config["OVERDUE_LOOKBACK_HOURS"])
    answers: list[DueStep] = []
    reviews = db.session.scalars(db.select(Review).where(Review.status != ReviewStatus.closed).order_by(Review.id))
    for review in reviews:
        settings = ladder_settings(review)
        for visit, alert, ack in overdue_home_visits(review, now, settings.grace, lookback):
            _open_overdue_event(review, visit, alert.due_by, ack, now)
        events = list(db.session.scalars(
            db.select(AlertEvent).where(AlertEvent.review_id == review.id, AlertEvent.kind.in_(LADDER_KINDS),
                                        AlertEvent.acknowledged_at.is_(None), AlertEvent.ended_at.is_(None),
                                        AlertEvent.started_at >= now - lookback)
            .order_by(AlertEvent.id)))
        for event in events:
            missing: tuple[int, ...] = ()
            if event.kind is AlertKind.overdue:
                visit = db.session.get(Visit, event.visit_id) if event.visit_id else None
                alert = _still_overdue(event, visit, now, watch_of)
                if alert is None:
                    _end(event, now)
                    continue
                missing = tuple(member.user_id for member in alert.not_checked_out)
            answers += _steps_of(review, event, settings, now, missing)
    db.session.flush()
    return answers


def _open_overdue_event(review: Review, visit: Visit, due_by: datetime,
                        ack: Optional[OverdueAcknowledgement], now: datetime) -> AlertEvent:
    planned_end = visit.ends_at_utc()

    def make() -> AlertEvent:
        return AlertEvent(review_id=review.id, kind=AlertKind.overdue, key=overdue_key(visit.id, planned_end),
                          visit_id=visit.id, started_at=due_by,
                          detail={"planned_end": planned_end.isoformat(),
                                  "grace_minutes": int((due_by - planned_end).total_seconds() // 60)})

    event, made = event_for_key(overdue_key(visit.id, planned_end), make)
    if made:
        audit.record(None, "alert.started", "alert_event", event.id, review.id, kind="overdue", visit_id=visit.id,
                     started_at=due_by.isoformat())
        if ack is not None:  # answered on the board before the runner came round: the ladder never climbs
            event.acknowledged_at, event.acknowledged_by_id = ack.acknowledged_at, ack.user_id
            audit.record(None, "alert.acknowledged", "alert_event", event.id, review.id, visit_id=visit.id,
                         by=ack.user_id, via="board")
    return event


def _still_overdue(event: AlertEvent, visit: Optional[Visit], now: datetime, watch_of):
    """The event's visit as overdue.py sees it now, or None when the event is over: the visit is gone, called off
    or moved (another planned end is another event), or everyone on it has checked out."""
    if visit is None or visit.ends_at_utc().isoformat() != event.detail.get("planned_end"):
        return None
    grace = event.started_at - visit.ends_at_utc()
    # Asked at the event's own time zero at the earliest: a grace changed since does not end an alarm sounding.
    return check(watch_of(visit), max(now, event.started_at + timedelta(seconds=1)), grace)


def _end(event: AlertEvent, now: datetime) -> None:
    event.ended_at = now
    audit.record(None, "alert.ended", "alert_event", event.id, event.review_id, kind=event.kind.value,
                 visit_id=event.visit_id)


def _watchers(review: Review, leave_out: Optional[int] = None, roles=WATCHERS) -> tuple[int, ...]:
    """The lead reviewers and link officers of the review (the ladder's second step)."""
    ids = db.session.scalars(db.select(Membership.user_id).join(User, User.id == Membership.user_id).where(
        Membership.review_id == review.id, Membership.role.in_(roles), User.active.is_(True))
        .order_by(Membership.user_id))
    return tuple(user_id for user_id in ids if user_id != leave_out)


def _recipients(review: Review, event: AlertEvent, step: int, settings: ladder.LadderSettings,
                missing: tuple[int, ...]) -> tuple[int, tuple[str, ...]]:
    """(the step to claim, its recipients) for one due step. A duress event whose step 2 has nobody left (the
    person under duress is the review's only lead/link officer) sends step 3, the out-of-hours email, at once;
    with no out-of-hours email either, the review's coordinators are told rather than no one."""
    if step == ladder.VISITORS:
        return step, tuple(user_recipient(user_id) for user_id in missing)
    out_of_hours = (email_recipient(settings.out_of_hours_email),) if settings.has_out_of_hours_contact else ()
    if step == ladder.OUT_OF_HOURS:
        return step, out_of_hours
    watchers = _watchers(review, leave_out=event.user_id)
    if watchers or event.kind is not AlertKind.duress:
        return step, tuple(user_recipient(user_id) for user_id in watchers)
    if out_of_hours:
        return ladder.OUT_OF_HOURS, out_of_hours  # claimed as step 3: its own time later sends nothing again
    return step, tuple(user_recipient(user_id) for user_id in
                       _watchers(review, leave_out=event.user_id, roles=(Role.coordinator,)))


def _steps_of(review: Review, event: AlertEvent, settings: ladder.LadderSettings, now: datetime,
              missing: tuple[int, ...]) -> list[DueStep]:
    steps = ladder.due_steps(event.started_at, now, settings, first_step=first_step_of(event),
                             acknowledged=event.acknowledged_at is not None, ended=event.ended_at is not None)
    if not steps:
        return []
    visit = db.session.get(Visit, event.visit_id) if event.visit_id else None
    if visit is None:
        return []
    about = db.session.get(User, event.user_id) if event.user_id else None
    names = ([about.name] if about else
             [person.name for person in db.session.scalars(db.select(User).where(User.id.in_(missing)))])
    due: dict[int, DueStep] = {}
    for step in steps:
        claimed, recipients = _recipients(review, event, step, settings, missing)
        if recipients and claimed not in due:
            # A step 3 sent in step 2's place reads as step 2 does: no lead or link officer was alerted before it.
            compose = partial(message_for, event, visit, step, names)
            due[claimed] = DueStep(event.id, claimed, recipients, compose(), compose)
    return list(due.values())


# --- Words ----------------------------------------------------------------------------------------------------------

def visit_words(visit: Visit) -> str:
    """"Home visit 18:00–18:45 (case AD-014)": the kind, the programme's wall-clock times and the case reference.
    Never the visit's title, which may name someone, nor its place."""
    words = _("%(kind)s %(start)s–%(end)s", kind=label("visit_kind", visit.kind),
              start=visit.starts_at.strftime("%H:%M"), end=visit.ends_at.strftime("%H:%M"))
    if visit.case is not None and visit.case.reference:
        words = _("%(visit)s (case %(reference)s)", visit=words, reference=visit.case.reference)
    return words


def _path(endpoint: str, **values) -> str:
    try:
        return url_for(endpoint, **values)
    except RuntimeError:  # no request and no SERVER_NAME: the path alone is what a Message carries anyway
        with current_app.test_request_context():
            return url_for(endpoint, **values)


def message_for(event: AlertEvent, visit: Visit, step: int, names: list[str]) -> Message:
    """What one step says, to whom it goes. A duress alert reads as an overdue one (kind "overdue")."""
    what = visit_words(visit)
    who = ", ".join(names) or _("A team member")
    board_url = _path("programme.board", review=visit.review_id, date=visit.starts_at.date().isoformat(),
                      _anchor="overdue")
    if step == ladder.VISITORS:
        return Message("overdue", _("Are you safe? Check out"),
                       _("%(visit)s ended at %(end)s and you have not checked out. Check out now, or call the "
                         "link officer.", visit=what, end=visit.ends_at.strftime("%H:%M")),
                       _path("itinerary.visit_page", visit_id=visit.id, _anchor="check"))
    if event.kind is AlertKind.duress:
        body = _("%(visit)s: %(who)s needs help. Call them and follow the lone-worker procedure.",
                 visit=what, who=who)
    else:
        body = _("%(visit)s: %(who)s has not checked out.", visit=what, who=who)
    if step == ladder.TEAM:
        return Message("overdue", _("Lone worker alert"), body, board_url)
    return Message("overdue", _("Lone worker alert: no answer from the review team"),
                   _("%(body)s The lead reviewer and the link officer were alerted and nobody has acknowledged "
                     "it yet.", body=body), board_url)


# --- Starting (duress) and answering (acknowledgement) --------------------------------------------------------------

def start_duress(visit: Visit, user: User, op_id: str, now: Optional[datetime] = None) -> AlertEvent:
    """A check-out made with the person's duress code: the ladder starts at its second step, now. The next tick
    is asked for at once (after this request commits) when the job runner offers it."""
    now = now or utcnow()

    def make() -> AlertEvent:
        return AlertEvent(review_id=visit.review_id, kind=AlertKind.duress,
                          key=duress_key(visit.id, user.id, op_id), visit_id=visit.id, user_id=user.id,
                          started_at=now, detail={"op_id": op_id})

    event, made = event_for_key(duress_key(visit.id, user.id, op_id), make)
    if made:
        # No actor: the row must not be the person's own (DESIGN 13: their phone may be in someone else's hands);
        # the event says whom it is about, and the audit page hides its rows from them.
        audit.record(None, "alert.duress", "alert_event", event.id, visit.review_id, visit_id=visit.id,
                     started_at=now.isoformat())
        _tick_after_this_request()
    return event


def _tick_after_this_request() -> None:
    try:
        from .runner import enqueue_tick_now
    except ImportError:  # no job runner in this deployment: the next periodic tick
        return
    if not has_request_context():
        return

    @after_this_request
    def tick(response):
        enqueue_tick_now()
        return response


def team_alerted_at(visit: Visit, now: Optional[datetime] = None) -> Optional[datetime]:
    """When the lead and link officers were alerted about this visit running over (step 2 of an overdue event's
    ladder reached before anyone answered), for the visitor's page; None otherwise. Never for duress: that
    check-out must look like any other on the phone."""
    now = now or utcnow()
    events = db.session.scalars(db.select(AlertEvent).where(
        AlertEvent.visit_id == visit.id, AlertEvent.kind == AlertKind.overdue).order_by(AlertEvent.id.desc()))
    settings = ladder_settings(visit.review)
    for event in events:
        stops = [moment for moment in (event.acknowledged_at, event.ended_at) if moment is not None]
        reached = ladder.reached_at(ladder.TEAM, event.started_at, settings, stopped_at=min(stops, default=None),
                                    now=now)
        if reached is not None:
            return reached
    return None

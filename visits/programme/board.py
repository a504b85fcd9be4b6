"""The attendance board for one day: what the link officer and the lead watch while the team is out.

It only reads: visits and their status, each participant's attendance, the team's check-ins, overdue home visits
(visits/overdue.py decides), needs still open on visits in the next 48 hours, and the case sample against the
guide's 15 identified / 12 visited. The identity rule (a coordinator never sees who service users are) is
applied here, once, through the presenters.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from ..clock import utcnow
from ..extensions import db
from ..identity import place_name, private_text, title_of
from ..models import (
    Attendance, AttendanceStatus, Case, CaseStatus, CheckIn, Concern, Location, LocationKind,
    OverdueAcknowledgement, Participant, Rating, Review, User, Visit, VisitKind,
)
from ..overdue import HomeVisitWatch, MemberCheck, Overdue, overdue_visits
from ..permissions import sees_all_concerns, sees_identities
from ..vocabulary import NOT_LIVE_VISIT_STATUSES, UNARRANGED_NEED_STATUSES
from .presenters import PersonLabel, attendee_label

# The order the board lists visits in: what needs attention first.
STATUS_ORDER = ("in_progress", "planned", "confirmed", "no_show", "completed", "rescheduled", "cancelled")


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    phone: Optional[str]
    checked_in_at: Optional[datetime]
    checked_out_at: Optional[datetime]


@dataclass(frozen=True)
class BoardVisit:
    id: int
    title: str
    kind: str
    status: str
    starts_at: datetime
    ends_at: datetime
    location: str
    is_home: bool
    case_reference: Optional[str]
    team: tuple[MemberRow, ...]
    people: tuple[PersonLabel, ...]


@dataclass(frozen=True)
class OverdueRow:
    visit: BoardVisit
    address: str                 # only for those who may know where a service user lives
    due_by: datetime
    minutes_overdue: int
    not_checked_out: tuple[MemberRow, ...]
    acknowledged: bool
    acknowledged_by: Optional[str] = None
    acknowledged_at: Optional[datetime] = None
    # How far the lone-worker ladder has climbed: step (1 visitors, 2 lead and link officers, 3 out of hours) ->
    # when it was first sent.
    steps_sent: tuple[tuple[int, datetime], ...] = ()


@dataclass(frozen=True)
class NeedAlert:
    visit_id: int
    visit_title: str
    starts_at: datetime
    person: str
    type: str
    detail: str
    status: str


@dataclass(frozen=True)
class BoardConcern:
    visit_id: int
    visit_title: str
    concern: object               # concerns.presenters.ConcernView: what this person may see of it
    state_words: str = ""         # "Referred 2 hours ago, not acknowledged": its step and age


@dataclass(frozen=True)
class CaseSample:
    identified: int
    visit_planned: int
    visited: int
    dropped_out: int
    target_identified: int
    target_visited: int

    @property
    def on_track(self) -> bool:
        return self.identified >= self.target_identified and \
            self.visited + self.visit_planned >= self.target_visited


@dataclass(frozen=True)
class AttendanceEvent:
    visit_id: int
    visit_title: str
    starts_at: datetime
    person: str
    status: str


@dataclass(frozen=True)
class HelpAlert:
    """A duress check-out not yet acknowledged: a team member needs help (their ladder is at step 2 or 3)."""

    event_id: int
    visit_id: int
    visit_title: str
    person: str
    phone: Optional[str]
    started_at: datetime


@dataclass
class Board:
    review: Review
    day: date
    now: datetime
    visits_by_status: list[tuple[str, list[BoardVisit]]]
    overdue: list[OverdueRow]
    need_alerts: list[NeedAlert]
    no_shows: list[AttendanceEvent]
    drop_outs: list[AttendanceEvent]
    sample: CaseSample
    concerns: list[BoardConcern] = field(default_factory=list)
    # Referred and not acknowledged by the council (the lead's red panel; the link officer's rows are red).
    unacknowledged: list[BoardConcern] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    help_alerts: list[HelpAlert] = field(default_factory=list)
    # The ladder's last step has nowhere to go: the review has no out-of-hours email (say so, loudly).
    no_out_of_hours_email: bool = False
    grace_minutes: int = 30

    @property
    def open_overdue(self) -> list[OverdueRow]:
        return [row for row in self.overdue if not row.acknowledged]

    def version(self) -> str:
        """Changes when anything shown changes (not the clock itself), so a poll can answer 204 otherwise."""
        shown = (self.day, self.visits_by_status, self.overdue, self.need_alerts, self.no_shows, self.drop_outs,
                 self.sample, self.concerns, self.unacknowledged, self.help_alerts, self.no_out_of_hours_email)
        return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def _visit_options():
    return (selectinload(Visit.team), selectinload(Visit.location), selectinload(Visit.case),
            selectinload(Visit.checks).selectinload(CheckIn.user),
            selectinload(Visit.attendances).selectinload(Attendance.participant).selectinload(Participant.needs))


def _members(visit: Visit) -> tuple[MemberRow, ...]:
    """The team, and anyone who checked in and has since been taken off it: a person is still in that home
    until they check out, whatever the programme now says (lone-worker safety)."""
    checks = {check.user_id: check for check in visit.checks}
    people = list(visit.team)
    people += [check.user for check in visit.checks if check.user_id not in {m.id for m in visit.team}]
    return tuple(MemberRow(member.id, member.name, member.phone,
                           checks[member.id].checked_in_at if member.id in checks else None,
                           checks[member.id].checked_out_at if member.id in checks else None)
                 for member in people)


def _board_visit(visit: Visit, identities: bool) -> BoardVisit:
    reference = visit.case.reference if visit.case else None
    is_home = visit.is_home_visit
    location = place_name(visit.location.name, is_home, identities) if visit.location else ""
    return BoardVisit(visit.id, title_of(visit, identities), visit.kind.value, visit.status.value, visit.starts_at,
                      visit.ends_at, location, is_home, reference, _members(visit),
                      tuple(attendee_label(a, identities, reference) for a in visit.attendances))


def _local(moment_utc: datetime, review: Review) -> datetime:
    """An aware UTC moment as the programme's naive wall-clock time."""
    return moment_utc.astimezone(review.tz).replace(tzinfo=None)


def _home_visit_filter():
    return or_(Visit.kind == VisitKind.home_visit,
               Visit.location_id.in_(db.select(Location.id).where(Location.kind == LocationKind.home)))


def review_grace(review: Review) -> timedelta:
    """The review's grace period (its lone-worker ladder's settings), else the app's OVERDUE_GRACE_MINUTES."""
    from ..alerts.ladder import LadderSettings

    return LadderSettings.of(review, current_app.config["OVERDUE_GRACE_MINUTES"]).grace


def watch_of(visit: Visit, acknowledged_at: Optional[datetime] = None) -> HomeVisitWatch:
    """What visits/overdue.py needs to know of a home visit: its status, planned end and who is not out yet."""
    return HomeVisitWatch(
        visit.id, visit.status.value, visit.ends_at_utc(),
        tuple(MemberCheck(m.user_id, m.name, m.phone, m.checked_in_at, m.checked_out_at) for m in _members(visit)),
        acknowledged_at)


def overdue_home_visits(review: Review, now: datetime, grace: Optional[timedelta] = None,
                        lookback: Optional[timedelta] = None,
                        ) -> list[tuple[Visit, Overdue, Optional[OverdueAcknowledgement]]]:
    """The review's overdue home visits at `now` (visits/overdue.py decides), each with its latest board
    acknowledgement: what the board shows and what the lone-worker ladder (visits/alerts/overdue_alerts.py)
    climbs for."""
    grace = review_grace(review) if grace is None else grace
    if lookback is None:
        lookback = timedelta(hours=current_app.config["OVERDUE_LOOKBACK_HOURS"])
    local_now = _local(now, review)
    # Wall-clock bounds with an hour to spare either side for a clock change; overdue.py decides exactly.
    candidates = list(db.session.scalars(
        db.select(Visit).where(Visit.review_id == review.id, _home_visit_filter(),
                               Visit.status.not_in(NOT_LIVE_VISIT_STATUSES),
                               Visit.ends_at <= local_now + timedelta(hours=1),
                               Visit.ends_at >= local_now - grace - lookback - timedelta(hours=1))
        .options(*_visit_options())))
    if not candidates:
        return []
    acknowledgements: dict[int, OverdueAcknowledgement] = {}
    for ack in db.session.scalars(
            db.select(OverdueAcknowledgement).where(OverdueAcknowledgement.visit_id.in_([v.id for v in candidates]))
            .order_by(OverdueAcknowledgement.acknowledged_at).options(selectinload(OverdueAcknowledgement.user))):
        acknowledgements[ack.visit_id] = ack  # the latest wins
    watches = [watch_of(visit, acknowledgements[visit.id].acknowledged_at if visit.id in acknowledgements else None)
               for visit in candidates]
    by_id = {visit.id: visit for visit in candidates}
    return [(by_id[alert.visit_id], alert, acknowledgements.get(alert.visit_id) if alert.acknowledged else None)
            for alert in overdue_visits(watches, now, grace, lookback)]


def overdue_rows(review: Review, now: datetime, identities: bool) -> list[OverdueRow]:
    from ..alerts.answering import steps_sent

    rows = []
    overdue = overdue_home_visits(review, now)
    sent = steps_sent([visit.id for visit, _alert, _ack in overdue])
    for visit, alert, ack in overdue:
        board_visit = _board_visit(visit, identities)
        missing_ids = {member.user_id for member in alert.not_checked_out}
        rows.append(OverdueRow(
            board_visit,
            address=(visit.location.address if visit.location and identities else ""),
            due_by=alert.due_by, minutes_overdue=alert.minutes_overdue,
            not_checked_out=tuple(m for m in board_visit.team if m.user_id in missing_ids),
            acknowledged=alert.acknowledged,
            acknowledged_by=(ack.user.name if ack and ack.user else None),
            acknowledged_at=(ack.acknowledged_at if ack else None),
            steps_sent=tuple(sorted(sent.get(visit.id, {}).items()))))
    return rows


def need_alerts(review: Review, now: datetime, identities: bool) -> list[NeedAlert]:
    """Needs not arranged on visits happening now or in the next NEED_ALERT_HOURS (DESIGN section 3)."""
    from .presenters import person_label

    local_now = _local(now, review)
    horizon = local_now + timedelta(hours=current_app.config["NEED_ALERT_HOURS"])
    visits = db.session.scalars(
        db.select(Visit).where(Visit.review_id == review.id, Visit.status.not_in(NOT_LIVE_VISIT_STATUSES),
                               Visit.ends_at >= local_now, Visit.starts_at <= horizon)
        .order_by(Visit.starts_at, Visit.id).options(*_visit_options()))
    alerts = []
    for visit in visits:
        reference = visit.case.reference if visit.case else None
        for attendance in visit.attendances:
            for need in attendance.participant.needs:
                if need.status in UNARRANGED_NEED_STATUSES:
                    alerts.append(NeedAlert(visit.id, title_of(visit, identities), visit.starts_at,
                                            person_label(attendance.participant, identities, reference),
                                            need.type.value,
                                            private_text(need.detail, attendance.participant.is_private_person,
                                                         identities, visit.review_id),
                                            need.status.value))
    return alerts


RATING_ORDER = (Rating.red, Rating.amber, Rating.green)


def concerns_to_watch(review: Review, viewer: User, now: datetime) -> tuple[list[BoardConcern], list[BoardConcern]]:
    """Whatever the day, (the concerns to act on, the referrals nobody at the council has acknowledged).

    The lead: every concern still waiting for their decision (neither referred nor decided against), reddest
    first; and, in red, their referrals not yet acknowledged, the oldest first. The link officer: the referrals
    whose outcome is not recorded yet (their text only, as permissions.concern_view says), the unacknowledged
    ones first, in red. Anyone else: nothing (present_concern shows them none)."""
    from ..concerns.presenters import present_concern, state_words
    from ..concerns.states import ACKNOWLEDGED, RAISED, REFERRED

    lead = sees_all_concerns(viewer, review.id)
    query = db.select(Concern).join(Visit).where(Visit.review_id == review.id, Concern.outcome_at.is_(None)).options(
        selectinload(Concern.visit), selectinload(Concern.raised_by))
    views = []
    for concern in db.session.scalars(query):
        shown = present_concern(concern, viewer)
        if shown is not None:
            views.append((concern, BoardConcern(concern.visit_id, concern.visit.title, shown,
                                                state_words(shown, now, coarse=True))))
    unacknowledged = sorted((row for _c, row in views if row.concern.state == REFERRED),
                            key=lambda row: row.concern.referred_at)
    if lead:
        waiting = [(c, row) for c, row in views if row.concern.state == RAISED]
        waiting.sort(key=lambda pair: (RATING_ORDER.index(pair[0].rating), -pair[0].raised_at.timestamp()))
        return [row for _c, row in waiting], unacknowledged
    acknowledged = sorted((row for _c, row in views if row.concern.state == ACKNOWLEDGED),
                          key=lambda row: row.concern.referred_at, reverse=True)
    return unacknowledged + acknowledged, []


def case_sample(review: Review) -> CaseSample:
    counts = Counter(dict(db.session.execute(
        db.select(Case.status, func.count()).where(Case.review_id == review.id).group_by(Case.status)).all()))
    planned = db.session.scalar(
        db.select(func.count(func.distinct(Visit.case_id))).join(Case, Case.id == Visit.case_id)
        .where(Visit.review_id == review.id, Visit.kind == VisitKind.home_visit,
               Visit.status.not_in(NOT_LIVE_VISIT_STATUSES), Case.status == CaseStatus.identified)) or 0
    config = current_app.config
    return CaseSample(
        identified=sum(counts.values()), visit_planned=planned, visited=counts.get(CaseStatus.visited, 0),
        dropped_out=counts.get(CaseStatus.dropped_out, 0),
        target_identified=config["PROGRAMME_CASES_IDENTIFIED"], target_visited=config["PROGRAMME_CASES_VISITED"])


def build_board(review: Review, viewer: User, day: date, now: Optional[datetime] = None) -> Board:
    now = now or utcnow()
    identities = sees_identities(viewer, review.id)
    start = datetime.combine(day, time.min)
    visits = list(db.session.scalars(
        db.select(Visit).where(Visit.review_id == review.id, Visit.starts_at >= start,
                               Visit.starts_at < start + timedelta(days=1))
        .order_by(Visit.starts_at, Visit.id).options(*_visit_options())))
    board_visits = [_board_visit(visit, identities) for visit in visits]
    grouped = {status: [v for v in board_visits if v.status == status] for status in STATUS_ORDER}
    no_shows, drop_outs = [], []
    for visit in board_visits:
        for person in visit.people:
            event = AttendanceEvent(visit.id, visit.title, visit.starts_at, person.name, person.attendance or "")
            if person.attendance == AttendanceStatus.absent.value:
                no_shows.append(event)
            elif person.attendance == AttendanceStatus.dropped_out.value:
                drop_outs.append(event)
    to_watch, unacknowledged = concerns_to_watch(review, viewer, now)
    return Board(
        review=review, day=day, now=now,
        visits_by_status=[(status, rows) for status, rows in grouped.items() if rows],
        overdue=overdue_rows(review, now, identities),
        need_alerts=need_alerts(review, now, identities),
        no_shows=no_shows, drop_outs=drop_outs, sample=case_sample(review),
        concerns=to_watch, unacknowledged=unacknowledged,
        status_counts={status: len(rows) for status, rows in grouped.items()},
        help_alerts=help_alerts(review, identities, viewer),
        no_out_of_hours_email=not (review.out_of_hours_email or "").strip(),
        grace_minutes=int(review_grace(review).total_seconds() // 60),
    )


def help_alerts(review: Review, identities: bool, viewer: User) -> list[HelpAlert]:
    """The review's duress check-outs nobody has acknowledged yet, whatever day the board shows; never one about
    the viewer (their phone may be in someone else's hands, and must show a normal check-out)."""
    from ..alerts.answering import open_duress_events
    from ..permissions import sees_duress_event

    rows = []
    for event in open_duress_events(review.id):
        if not sees_duress_event(viewer, event):
            continue
        visit = db.session.get(Visit, event.visit_id) if event.visit_id else None
        person = db.session.get(User, event.user_id) if event.user_id else None
        if visit is None:
            continue
        rows.append(HelpAlert(event.id, visit.id, title_of(visit, identities), person.name if person else "",
                              person.phone if person else None, event.started_at))
    return rows


def acknowledge(visit: Visit, user: User, now: Optional[datetime] = None) -> OverdueAcknowledgement:
    from .. import audit

    from ..alerts.answering import acknowledge_event, open_events_of_visit

    now = now or utcnow()
    ack = OverdueAcknowledgement(visit_id=visit.id, user_id=user.id, acknowledged_at=now)
    db.session.add(ack)
    audit.record(user, "acknowledge_overdue", "visit", visit.id, visit.review_id)
    for event in open_events_of_visit(visit.id):  # the lone-worker ladder stops climbing too
        acknowledge_event(event, user, now, via="board")
    return ack


def today_for(review: Review, now: Optional[datetime] = None) -> date:
    return (now or utcnow()).astimezone(review.tz).date()


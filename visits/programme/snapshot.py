"""From the database to the rule checker and back to the page.

`programme_rules` is pure: it takes a frozen `Programme` snapshot and `Thresholds`. This module reads one
review's rows into that snapshot (one query per table, no lazy loading in the loops), takes the thresholds from
the app config (PROGRAMME_* keys, the guide's numbers by default) and trims what a finding says about people to
what the viewer may know: a coordinator sees the programme but not who service users and carers are.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import time
from typing import Optional

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..clock import utcnow
from ..extensions import db
from ..identity import names_in_title, person_name, visit_title
from ..models import Attendance, Case, Location, Participant, Review, TravelTime, User, Visit
from ..permissions import sees_identities
from ..vocabulary import PRIVATE_PARTICIPANT_KINDS
from ..programme_rules import (
    RULES, Finding, Programme, Thresholds, check_programme, diff_findings, programme_from_models,
)


def load_programme(review: Review) -> Programme:
    visits = db.session.scalars(
        db.select(Visit).where(Visit.review_id == review.id).order_by(Visit.starts_at, Visit.id)
        .options(selectinload(Visit.team), selectinload(Visit.attendances).load_only(
            Attendance.visit_id, Attendance.participant_id))
    ).all()
    locations = db.session.scalars(db.select(Location).where(Location.review_id == review.id)).all()
    participants = db.session.scalars(
        db.select(Participant).where(Participant.review_id == review.id).options(selectinload(Participant.needs))
    ).all()
    cases = db.session.scalars(
        db.select(Case).where(Case.review_id == review.id).options(selectinload(Case.social_workers))
    ).all()
    location_ids = [location.id for location in locations]
    travel = db.session.scalars(
        db.select(TravelTime).where(TravelTime.from_location_id.in_(location_ids))
    ).all() if location_ids else []
    # The board's clock (tests fix it), as the programme's wall-clock time: a need on a visit that has ended is
    # no longer a finding.
    now = utcnow().astimezone(review.tz).replace(tzinfo=None)
    return programme_from_models(review, visits, locations, participants, cases, travel, now=now)


def thresholds() -> Thresholds:
    return Thresholds.from_mapping(current_app.config)


def thresholds_as_dict(values: Thresholds) -> dict:
    return {field.name: (getattr(values, field.name).strftime("%H:%M")
                         if isinstance(getattr(values, field.name), time) else getattr(values, field.name))
            for field in fields(values)}


@dataclass(frozen=True)
class PersonShown:
    id: int
    name: str
    kind: str
    is_team_member: bool


@dataclass(frozen=True)
class FindingShown:
    """A finding as one viewer may read it."""

    rule: str
    severity: str
    message: str
    visit_ids: tuple[int, ...]
    people: tuple[PersonShown, ...]
    suggestion: str
    past: bool = False

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def _case_labels(programme: Programme) -> dict[int, str]:
    return {case.service_user_id: case.reference for case in programme.cases if case.service_user_id is not None}


def _title_stand_ins(programme: Programme, review_id: int) -> dict[int, tuple[str, str]]:
    """By visit id: a title as a finding quotes it, and what stands for it for a viewer who may not know service
    users (identity.visit_title: a visit about one, or titled after one, is called by its kind and case reference)."""
    private = {person.id for person in programme.people if person.kind in PRIVATE_PARTICIPANT_KINDS}
    references = {case.id: case.reference for case in programme.cases}
    names = names_in_title(review_id)
    stand_ins = {}
    for visit in programme.visits:
        if visit.title and (visit.kind == "home_visit" or visit.case_id is not None
                            or any(pid in private for pid in visit.participants) or names(visit.title)):
            stand_ins[visit.id] = (f"‘{visit.title}’", "‘" + visit_title(
                visit.title, visit.kind, True, False, references.get(visit.case_id)) + "’")
    return stand_ins


def _shown(finding: Finding, identities: bool, case_by_person: dict[int, str],
           title_stand_ins: Optional[dict[int, tuple[str, str]]] = None) -> FindingShown:
    people = []
    for person in finding.people:
        name = person_name(person.name, person.kind, identities, case_by_person.get(person.id))
        people.append(PersonShown(person.id, name, person.kind, person.is_team_member))
    message, suggestion = finding.message, finding.suggestion
    if not identities:
        for visit_id in finding.visit_ids:
            quoted, stand_in = (title_stand_ins or {}).get(visit_id, ("", ""))
            if quoted:
                message, suggestion = message.replace(quoted, stand_in), suggestion.replace(quoted, stand_in)
    return FindingShown(finding.rule, finding.severity, message, finding.visit_ids, tuple(people), suggestion,
                        finding.past)


def findings_for(review: Review, viewer: User, programme: Optional[Programme] = None) -> list[FindingShown]:
    """Every finding of the checker on the review's current programme, errors first (the checker's order)."""
    programme = programme or load_programme(review)
    found = check_programme(programme, thresholds(), gettext=_)
    identities = sees_identities(viewer, review.id)
    case_by_person = _case_labels(programme)
    stand_ins = {} if identities else _title_stand_ins(programme, review.id)
    return [_shown(finding, identities, case_by_person, stand_ins) for finding in found]


def rule_summaries() -> list[tuple[str, str, str]]:
    """(id, severity, summary) of every rule, for the 'what was checked' list."""
    return [(rule.id, rule.severity, _(rule.summary)) for rule in RULES]


# --- what one change did to the check ------------------------------------------------------------------------
# The page that answers a save, an addition or a cancellation says which findings the change added or cleared.
# It is carried to the redirected page in the session (a signed cookie), so it is kept small: a few findings'
# rule, severity and message (messages never name a service user or carer: programme_rules), and how many more.
CHANGE_SHOWN = 3
CHANGE_MESSAGE_MAX = 240
CHANGE_SESSION_KEY = "programme_change"


def current_findings(review: Review) -> list[Finding]:
    """The checker's findings on the review as it is now in this transaction (uncommitted changes included)."""
    db.session.flush()
    return check_programme(load_programme(review), thresholds(), gettext=_)


def change_summary(visit_id: int, before: list[Finding], after: list[Finding]) -> dict:
    """What the change added and cleared, as plain values for the session."""
    change = diff_findings(before, after)

    def shown(findings) -> list[dict]:
        return [{"rule": f.rule, "severity": f.severity, "message": f.message[:CHANGE_MESSAGE_MAX]}
                for f in findings[:CHANGE_SHOWN]]

    return {"visit_id": visit_id, "added": shown(change.added), "cleared": shown(change.cleared),
            "more_added": max(0, len(change.added) - CHANGE_SHOWN),
            "more_cleared": max(0, len(change.cleared) - CHANGE_SHOWN)}

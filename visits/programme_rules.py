"""The guide's rules for a fieldwork programme (DESIGN section 4), as pure functions.

The programme view turns the database into a `Programme` snapshot (`programme_from_models`) and asks
`check_programme` for findings. Nothing here queries the database or needs a request, so each rule is tested
on small hand-built programmes (tests/unit/test_programme_rules.py). The codes, the sets of them and the words
for them come from visits/vocabulary.py, like everywhere else.

A finding never blocks anything: the link officer decides. Errors are what will go wrong on the day if left
alone (two places at once, no time to get there, a need nobody has arranged); warnings are where the draft
strays from the guide's advice, which can be agreed otherwise with the lead reviewer.

Privacy: messages and suggestions never name a service user or carer (a coordinator sees the programme but
not their identity, DESIGN section 2); they are referred to by case reference. Names of everyone involved are
in `Finding.people`, each marked with its kind, so a view shows them only to those allowed to see them.
"""
from __future__ import annotations

from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Any, Callable, Iterable, Mapping, Optional

from babel.dates import format_date

from .models import VisitKind
from .vocabulary import (
    FIELD_ROLES,
    NOT_LIVE_VISIT_STATUSES,
    PRIVATE_PARTICIPANT_KINDS,
    REVIEW_ROLES,
    REVIEWER_ROLES,
    UNARRANGED_NEED_STATUSES,
    label,
)

ERROR = "error"
WARNING = "warning"

INTERVIEW_KINDS = frozenset({VisitKind.staff_interview, VisitKind.group_interview})
# What "an interview" means for a reviewer's daily load: every sit-down conversation they lead.
REVIEWER_INTERVIEW_KINDS = INTERVIEW_KINDS | {VisitKind.home_visit}
# Where staff of an office are "seen" (the guide: see all staff of one office on one day).
STAFF_SEEN_KINDS = INTERVIEW_KINDS | {VisitKind.team_visit}


# --- translation -------------------------------------------------------------------------------------------
# Every user-facing string goes through gettext (DESIGN section 9), translated when a check runs, in the
# language of whoever asked. `check_programme(..., gettext=...)` installs the caller's translator for the
# duration of one check; the strings are marked with _() so pybabel extracts them, and use %(name)s so
# translation happens before the values are put in. Text made at import time (the rules' summaries) is only
# marked, with N_(), and translated where it is shown.
_translator: ContextVar[Callable[[str], str]] = ContextVar("programme_rules_translator", default=lambda text: text)


def _(text: str) -> str:
    return _translator.get()(text)


def N_(text: str) -> str:
    return text


# --- the snapshot ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PVisit:
    id: int
    kind: str
    title: str
    starts_at: datetime  # naive wall-clock time in the review's time zone, as the programme is written
    ends_at: datetime
    location_id: Optional[int] = None
    team: tuple[int, ...] = ()          # user ids of the review team on the visit
    participants: tuple[int, ...] = ()  # participant ids
    case_id: Optional[int] = None
    status: str = "planned"
    expected_count: Optional[int] = None  # group meetings: how many the link officer expects

    @property
    def in_programme(self) -> bool:
        return self.status not in NOT_LIVE_VISIT_STATUSES

    @property
    def day(self) -> date:
        return self.starts_at.date()

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass(frozen=True)
class PLocation:
    id: int
    name: str
    kind: str = "other"
    parking_minutes: int = 0


@dataclass(frozen=True)
class PPerson:
    """A participant: someone a visit is with."""

    id: int
    name: str
    kind: str  # staff | service_user | carer | stakeholder
    office_id: Optional[int] = None


@dataclass(frozen=True)
class PMember:
    """A member of the review (user), with their role in this review."""

    user_id: int
    name: str
    role: str  # lead_reviewer | reviewer | lay_assessor | link_officer | coordinator


@dataclass(frozen=True)
class PCase:
    id: int
    reference: str
    status: str = "identified"  # identified | visited | dropped_out
    service_user_id: Optional[int] = None
    team_leader_id: Optional[int] = None
    social_worker_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PNeed:
    participant_id: int
    type: str    # interpreting | advocacy | personal_assistance | sensory | access
    status: str  # requested | arranged | confirmed | unavailable


@dataclass(frozen=True)
class Programme:
    visits: tuple[PVisit, ...] = ()
    locations: tuple[PLocation, ...] = ()
    people: tuple[PPerson, ...] = ()
    members: tuple[PMember, ...] = ()
    cases: tuple[PCase, ...] = ()
    needs: tuple[PNeed, ...] = ()
    # Minutes from one location to another; looked up either way round, the default used where missing.
    travel: Mapping[tuple[int, int], int] = field(default_factory=dict)
    on_site_from: Optional[date] = None
    on_site_to: Optional[date] = None
    # When the check is made, as naive wall-clock time in the review's time zone like the visits' times. The
    # rules have no clock of their own; None (a draft checked on its own) counts every visit as still to come.
    now: Optional[datetime] = None

    def __post_init__(self) -> None:
        # Callers may hand in lists; keep the snapshot immutable so a check can never change it.
        for name in ("visits", "locations", "people", "members", "cases", "needs"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    # cached_property writes straight into the instance dict, so it works on a frozen dataclass.
    @cached_property
    def live_visits(self) -> tuple[PVisit, ...]:
        return tuple(sorted((v for v in self.visits if v.in_programme), key=lambda v: (v.starts_at, v.id)))

    @cached_property
    def location_by_id(self) -> dict[int, PLocation]:
        return {location.id: location for location in self.locations}

    @cached_property
    def person_by_id(self) -> dict[int, PPerson]:
        return {person.id: person for person in self.people}

    @cached_property
    def member_by_id(self) -> dict[int, PMember]:
        return {member.user_id: member for member in self.members}

    @cached_property
    def visit_by_id(self) -> dict[int, PVisit]:
        return {visit.id: visit for visit in self.visits}

    def has_ended(self, visit: PVisit) -> bool:
        return self.now is not None and visit.ends_at <= self.now

    def role_of(self, user_id: int) -> Optional[str]:
        member = self.member_by_id.get(user_id)
        return member.role if member else None

    def travel_minutes(self, from_id: int, to_id: int, default: int) -> int:
        for key in ((from_id, to_id), (to_id, from_id)):
            if key in self.travel:
                return self.travel[key]
        return default


# --- thresholds --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    """The guide's numbers. Each can be overridden from the app config (see `from_mapping`)."""

    max_interviews_per_day: int = 4       # "four interviews per day per reviewer should be the norm"
    earliest_start: time = time(9, 0)     # "very early starts may not be feasible"
    min_home_visit_minutes: int = 45      # "schedule 45 minutes for each service user"
    group_min: int = 8                    # "eight to twelve is helpful"
    group_max: int = 12
    cases_identified: int = 15            # "identify fifteen cases, to allow for a certain amount of drop out"
    cases_visited: int = 12               # "we expect to visit and follow up about twelve service users"
    max_stakeholder_meetings: int = 5     # "a maximum of five group meetings with stakeholders"
    # Our assumptions, not the guide's numbers: the guide says "avoid over-programming" and "very early starts may
    # not be feasible" but gives no figure for a whole day. Five sessions is its four interviews plus one more
    # (a briefing, a team visit); ten hours is 09:00 to 17:00 plus an evening home visit. A day of six sessions
    # from 08:30 to 19:30 breaks both.
    max_sessions_per_day: int = 5
    max_day_hours: int = 10
    # Our assumption, not the guide's: minutes between two locations when the travel matrix has no entry.
    default_travel_minutes: int = 20

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any], prefix: str = "PROGRAMME_") -> Thresholds:
        """Defaults overridden by `settings`, e.g. a Flask config with PROGRAMME_MAX_INTERVIEWS_PER_DAY = 5.

        A key is looked up as prefix + FIELD_NAME, then as the plain field name; other keys are ignored, so the
        whole app config can be passed. earliest_start takes a time or "HH:MM".
        """
        values: dict[str, Any] = {}
        for threshold in fields(cls):
            for key in (prefix + threshold.name.upper(), threshold.name):
                if key in settings and settings[key] is not None:
                    values[threshold.name] = _threshold_value(threshold.name, settings[key])
                    break
        return cls(**values)


def _threshold_value(name: str, value: Any) -> Any:
    if name == "earliest_start":
        return value if isinstance(value, time) else time.fromisoformat(str(value))
    return int(value)


# --- findings ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonRef:
    """Someone a finding is about. kind is a review role for team members, else the participant kind
    ("team_member" / "participant" for an id the snapshot does not know)."""

    id: int
    name: str
    kind: str

    @property
    def is_team_member(self) -> bool:
        return self.kind in REVIEW_ROLES or self.kind == "team_member"

    @property
    def is_private(self) -> bool:
        """Service users and carers: their name is need-to-know."""
        return self.kind in PRIVATE_PARTICIPANT_KINDS


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # error | warning
    message: str   # one plain sentence for the link officer
    visit_ids: tuple[int, ...] = ()
    people: tuple[PersonRef, ...] = ()
    suggestion: str = ""
    # Every visit of the finding is on a day already past (Programme.now): history, nothing left to move.
    past: bool = False

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def key(self) -> tuple:
        """What makes a finding the same one before and after a change: its rule, visits and people (the
        message's numbers may change, e.g. the minutes a journey is short by)."""
        return (self.rule, tuple(sorted(self.visit_ids)),
                tuple(sorted((person.kind, person.id) for person in self.people)))

    def as_dict(self, identity: bool = True) -> dict[str, Any]:
        """For JSON. identity=False (e.g. a coordinator) leaves out the names of service users and carers."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "visit_ids": list(self.visit_ids),
            "people": [{"id": p.id, "name": p.name if identity or not p.is_private else None, "kind": p.kind}
                       for p in self.people],
            "suggestion": self.suggestion,
            "past": self.past,
        }


# --- wording helpers ---------------------------------------------------------------------------------------
def _locale() -> str:
    """The language the findings are read in: Flask-Babel's for a request, English for a script or a unit test
    (the rules themselves know nothing of Flask)."""
    try:
        from flask import has_app_context
        from flask_babel import get_locale
    except ImportError:  # pragma: no cover - Flask is always there in the app
        return "en_GB"
    locale = get_locale() if has_app_context() else None
    return str(locale) if locale else "en_GB"


def _day(moment: date) -> str:
    """"Wednesday 9 March", "Dydd Mercher 9 Mawrth"."""
    return format_date(moment, "EEEE d MMMM", locale=_locale())


def _short_day(moment: date) -> str:
    return format_date(moment, "EEE d MMM", locale=_locale())


def _clock(moment: datetime | time) -> str:
    return f"{moment:%H:%M}"


def _when(visit: PVisit) -> str:
    return f"{_short_day(visit.starts_at)} {_clock(visit.starts_at)}–{_clock(visit.ends_at)}"


def _visit_label(visit: PVisit) -> str:
    return visit.title or label("visit_kind", visit.kind)


def _quoted(visit: PVisit) -> str:
    return f"‘{_visit_label(visit)}’"


def _place(programme: Programme, location_id: Optional[int], visit: Optional[PVisit] = None) -> str:
    """A place as a finding may name it. A home is named by what it is (and the case of the visit there, when
    known), never by its name: "Home of Mrs A. Jones" would tell a coordinator who the service user is."""
    location = programme.location_by_id.get(location_id) if location_id is not None else None
    if location is None:
        return _("location %(id)s") % {"id": location_id}
    if location.kind != "home":
        return location.name
    case = next((case for case in programme.cases if visit and case.id == visit.case_id), None)
    return _("the home of case %(reference)s") % {"reference": case.reference} if case else \
        _("a service user's home")


def _join(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _member_ref(programme: Programme, user_id: int) -> PersonRef:
    member = programme.member_by_id.get(user_id)
    if member is None:
        return PersonRef(user_id, _("team member %(id)s") % {"id": user_id}, "team_member")
    return PersonRef(user_id, member.name, member.role)


def _person_ref(programme: Programme, participant_id: int) -> PersonRef:
    person = programme.person_by_id.get(participant_id)
    if person is None:
        return PersonRef(participant_id, _("participant %(id)s") % {"id": participant_id}, "participant")
    return PersonRef(participant_id, person.name, person.kind)


def _label(programme: Programme, ref: PersonRef) -> str:
    """How a sentence names someone: service users and carers by their case, never by name."""
    if not ref.is_private:
        return ref.name
    reference = next((case.reference for case in programme.cases if case.service_user_id == ref.id), None)
    if ref.kind == "service_user":
        if reference:
            return _("the service user of case %(case)s") % {"case": reference}
        return _("a service user")
    return _("a carer")


def _finding(rule: str, severity: str, message: str, visits: Iterable[PVisit], people: Iterable[PersonRef],
             suggestion: str) -> Finding:
    ordered = sorted(set(visits), key=lambda v: (v.starts_at, v.id))
    unique_people = tuple(dict.fromkeys(people))
    return Finding(rule, severity, _sentence(message), tuple(v.id for v in ordered), unique_people,
                   _sentence(suggestion))


def _sentence(text: str) -> str:
    # Sentences may open with "the service user of case ..."; str.capitalize would lower the rest.
    return text[:1].upper() + text[1:]


def _member_days(programme: Programme, roles: Optional[frozenset[str]] = None,
                 kinds: Optional[frozenset[str]] = None) -> dict[tuple[int, date], list[PVisit]]:
    """Each team member's live visits per day, in start order; optionally only some roles and visit kinds."""
    days: dict[tuple[int, date], list[PVisit]] = defaultdict(list)
    for visit in programme.live_visits:
        if kinds is not None and visit.kind not in kinds:
            continue
        for user_id in dict.fromkeys(visit.team):
            if roles is None or programme.role_of(user_id) in roles:
                days[(user_id, visit.day)].append(visit)
    return days


# --- the rules ---------------------------------------------------------------------------------------------
def double_booking(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """A team member or participant in two visits that overlap in time. One finding per pair of visits."""
    booked: dict[tuple[int, int], list[PersonRef]] = defaultdict(list)
    schedules: dict[PersonRef, list[PVisit]] = defaultdict(list)
    for visit in programme.live_visits:
        for user_id in dict.fromkeys(visit.team):
            schedules[_member_ref(programme, user_id)].append(visit)
        for participant_id in dict.fromkeys(visit.participants):
            schedules[_person_ref(programme, participant_id)].append(visit)
    for person, visits in schedules.items():
        for index, first in enumerate(visits):
            for second in visits[index + 1:]:
                if second.starts_at >= first.ends_at:
                    break  # visits are in start order: nothing later can overlap `first`
                booked[(first.id, second.id)].append(person)

    findings = []
    for (first_id, second_id), people in booked.items():
        first, second = programme.visit_by_id[first_id], programme.visit_by_id[second_id]
        names = _join(_label(programme, person) for person in people)
        findings.append(_finding(
            "double_booking", ERROR,
            _("%(names)s would be in two places at once: %(first)s (%(first_when)s) and %(second)s "
              "(%(second_when)s).") % {"names": names, "first": _quoted(first), "first_when": _when(first),
                                        "second": _quoted(second), "second_when": _when(second)},
            (first, second), people,
            _("Move one of the two visits, or give it to someone else.")))
    return findings


def interviews_per_day(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """More interviews in a day than the norm for one reviewer. Interviews are staff and group interviews and
    home visits; lay assessors are not counted, their work is settings and people using services."""
    findings = []
    for (user_id, day), visits in _member_days(programme, REVIEWER_ROLES, REVIEWER_INTERVIEW_KINDS).items():
        if len(visits) <= thresholds.max_interviews_per_day:
            continue
        reviewer = _member_ref(programme, user_id)
        findings.append(_finding(
            "interviews_per_day", WARNING,
            _("%(name)s has %(count)s interviews on %(day)s, more than the norm of %(norm)s a day.")
            % {"name": reviewer.name, "count": len(visits), "day": _day(day),
               "norm": thresholds.max_interviews_per_day},
            visits, [reviewer],
            _("Move an interview to another day or another reviewer, or agree the extra interviews with "
              "%(name)s.") % {"name": reviewer.name}))
    return findings


def back_and_forth(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """A reviewer or lay assessor leaves a location and comes back to it later the same day.

    Visits without a location are skipped: they do not move anyone. People who make the same round trip
    together (reviewers work in pairs) get one finding.
    """
    trips: dict[tuple[date, int, tuple[int, ...]], list[PersonRef]] = {}
    for (user_id, day), visits in _member_days(programme, FIELD_ROLES).items():
        stops: list[tuple[int, list[PVisit]]] = []  # consecutive visits at one location make one stop
        for visit in visits:
            if visit.location_id is None:
                continue
            if stops and stops[-1][0] == visit.location_id:
                stops[-1][1].append(visit)
            else:
                stops.append((visit.location_id, [visit]))
        reported: set[int] = set()
        for index, (location_id, _stop) in enumerate(stops):
            if location_id in reported:
                continue
            later = [i for i in range(index + 1, len(stops)) if stops[i][0] == location_id]
            if later:
                reported.add(location_id)
                between = [visit for _location, stop in stops[index:later[-1] + 1] for visit in stop]
                key = (day, location_id, tuple(v.id for v in between))
                trips.setdefault(key, []).append(_member_ref(programme, user_id))

    findings = []
    for (day, location_id, visit_ids), people in trips.items():
        place = _place(programme, location_id, programme.visit_by_id[visit_ids[0]])
        findings.append(_finding(
            "back_and_forth", WARNING,
            _("%(names)s leave %(place)s and come back to it later on %(day)s.")
            % {"names": _join(p.name for p in people), "place": place, "day": _day(day)}
            if len(people) > 1 else
            _("%(name)s leaves %(place)s and comes back to it later on %(day)s.")
            % {"name": people[0].name, "place": place, "day": _day(day)},
            (programme.visit_by_id[visit_id] for visit_id in visit_ids), people,
            _("Put the visits at %(place)s one after the other.") % {"place": place}))
    return findings


def travel_time(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """Too little time between one person's consecutive visits at different locations: the journey (travel
    matrix either way round, else the default) plus parking at the destination. Overlapping visits are left to
    double_booking."""
    short: dict[tuple[int, int], list[PersonRef]] = {}
    for (user_id, _day_), visits in _member_days(programme).items():
        placed = [visit for visit in visits if visit.location_id is not None]
        for before, after in zip(placed, placed[1:]):
            if before.location_id == after.location_id or after.starts_at < before.ends_at:
                continue
            if _minutes_between(before, after) < _journey(programme, thresholds, before, after)[0]:
                short.setdefault((before.id, after.id), []).append(_member_ref(programme, user_id))

    findings = []
    for (before_id, after_id), people in short.items():
        before, after = programme.visit_by_id[before_id], programme.visit_by_id[after_id]
        needed, travel, parking = _journey(programme, thresholds, before, after)
        values = {"after": _quoted(after), "start": _clock(before.ends_at + timedelta(minutes=needed)),
                  "before": _quoted(before), "end": _clock(after.starts_at - timedelta(minutes=needed))}
        # Ending the first visit earlier only helps if some of it is left.
        can_end_earlier = after.starts_at - timedelta(minutes=needed) > before.starts_at
        findings.append(_finding(
            "travel_time", ERROR,
            _("Only %(gap)s min for %(names)s between %(before)s at %(from)s and %(after)s at %(to)s on "
              "%(day)s, but the journey needs %(needed)s min (%(travel)s travel, %(parking)s parking).")
            % {"names": _join(p.name for p in people), "gap": _minutes_between(before, after),
               "before": _quoted(before), "from": _place(programme, before.location_id, before),
               "after": _quoted(after), "to": _place(programme, after.location_id, after),
               "day": _day(before.day), "needed": needed, "travel": travel, "parking": parking},
            (before, after), people,
            (_("Start %(after)s at %(start)s or later, or end %(before)s by %(end)s.") if can_end_earlier
             else _("Start %(after)s at %(start)s or later.")) % values))
    return findings


def _minutes_between(before: PVisit, after: PVisit) -> int:
    return int((after.starts_at - before.ends_at).total_seconds() // 60)


def _journey(programme: Programme, thresholds: Thresholds, before: PVisit, after: PVisit) -> tuple[int, int, int]:
    """(minutes needed, of which travel, of which parking at the destination)."""
    travel = programme.travel_minutes(before.location_id, after.location_id, thresholds.default_travel_minutes)
    destination = programme.location_by_id.get(after.location_id)
    parking = destination.parking_minutes if destination else 0
    return travel + parking, travel, parking


def repeat_staff_booking(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """One member of staff booked into two or more interviews (individual or group)."""
    interviews: dict[int, list[PVisit]] = defaultdict(list)
    for visit in programme.live_visits:
        if visit.kind in INTERVIEW_KINDS:
            for participant_id in dict.fromkeys(visit.participants):
                interviews[participant_id].append(visit)
    findings = []
    for participant_id, visits in interviews.items():
        person = _person_ref(programme, participant_id)
        if person.kind != "staff" or len(visits) < 2:
            continue
        findings.append(_finding(
            "repeat_staff_booking", WARNING,
            _("%(name)s is booked into %(count)s interviews: %(visits)s.")
            % {"name": person.name, "count": len(visits),
               "visits": _join(f"{_quoted(v)} ({_when(v)})" for v in visits)},
            visits, [person],
            _("One interview is usually enough: cover all of %(name)s's cases in one and cancel the others.")
            % {"name": person.name}))
    return findings


def team_leader_order(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """A case's team leader is interviewed before all of that case's social workers have been.

    The team leader's first interview must start no earlier than the end of each social worker's first
    interview (one interview per social worker is enough). A joint interview of both counts as too early.
    Social workers who have no interview are not this rule's business.
    """
    first_interview: dict[int, PVisit] = {}
    for visit in programme.live_visits:  # in start order, so the first one seen is the first interview
        if visit.kind in INTERVIEW_KINDS:
            for participant_id in visit.participants:
                first_interview.setdefault(participant_id, visit)

    findings = []
    for case in programme.cases:
        leader_interview = first_interview.get(case.team_leader_id) if case.team_leader_id else None
        if leader_interview is None:
            continue
        later_workers = [
            worker_id for worker_id in dict.fromkeys(case.social_worker_ids)
            if worker_id in first_interview and worker_id != case.team_leader_id
            and leader_interview.starts_at < first_interview[worker_id].ends_at
        ]
        if not later_workers:
            continue
        leader = _person_ref(programme, case.team_leader_id)
        workers = [_person_ref(programme, worker_id) for worker_id in later_workers]
        findings.append(_finding(
            "team_leader_order", ERROR,
            _("Team leader %(leader)s is interviewed (%(when)s) before these social workers on case %(case)s: "
              "%(workers)s.") % {"leader": leader.name, "when": _when(leader_interview),
                              "workers": _join(f"{w.name} ({_when(first_interview[w.id])})" for w in workers),
                              "case": case.reference},
            [leader_interview, *(first_interview[w.id] for w in workers)], [leader, *workers],
            _("Move %(leader)s's interview after the social workers' interviews for case %(case)s.")
            % {"leader": leader.name, "case": case.reference}))
    return findings


def early_start(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """A visit that starts before the earliest start; evening visits are fine."""
    findings = []
    for visit in programme.live_visits:
        if visit.starts_at.time() >= thresholds.earliest_start:
            continue
        findings.append(_finding(
            "early_start", WARNING,
            _("%(visit)s starts at %(start)s on %(day)s, before %(earliest)s; reviewers may have a long "
              "journey to reach you.") % {"visit": _quoted(visit), "start": _clock(visit.starts_at),
                                          "day": _day(visit.day), "earliest": _clock(thresholds.earliest_start)},
            [visit], [_member_ref(programme, user_id) for user_id in visit.team],
            _("Start it at %(earliest)s or later, or move it to the evening.")
            % {"earliest": _clock(thresholds.earliest_start)}))
    return findings


# How the service user and carer reference group is told from other group meetings with service users and carers
# (the guide's consultation groups: older people, parents of disabled children...): by its title, or by its
# members (DESIGN section 3 makes a reference-group member a `stakeholder` participant).
REFERENCE_GROUP_WORDS = ("reference group",)


def is_reference_group(programme: Programme, visit: PVisit) -> bool:
    if visit.kind != "user_group_meeting":
        return False
    if any(words in visit.title.casefold() for words in REFERENCE_GROUP_WORDS):
        return True
    return any(_person_ref(programme, participant_id).kind == "stakeholder" for participant_id in visit.participants)


def stakeholder_meeting_cap(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """More group meetings with stakeholders in the on-site period than the cap. Without on-site dates, all are
    counted.

    The guide: "there is an opportunity for a maximum of five group meetings with stakeholders. This is likely to
    include: senior elected members and managers; the social services management team; partner organisations;
    the service user and carer reference group." So the reference group counts among the five. Only the
    reference group does: the other service user and carer meetings (the guide's "Involving service users and
    carers": older people, parents of disabled children...) are consultation, not stakeholder meetings. The
    programme has no flag for it, so a user group meeting is the reference group when its title says so or a
    reference-group member (a stakeholder participant) is booked on it (`is_reference_group`).
    """
    meetings = [
        visit for visit in programme.live_visits
        if (visit.kind == "stakeholder_meeting" or is_reference_group(programme, visit))
        and (programme.on_site_from is None or visit.day >= programme.on_site_from)
        and (programme.on_site_to is None or visit.day <= programme.on_site_to)
    ]
    if len(meetings) <= thresholds.max_stakeholder_meetings:
        return []
    groups = sum(1 for visit in meetings if visit.kind != "stakeholder_meeting")
    values = {"count": len(meetings), "cap": thresholds.max_stakeholder_meetings,
              "meetings": len(meetings) - groups}
    # Once the week has started, only the meetings still to come can be combined or dropped.
    to_come = [visit for visit in meetings if not programme.has_ended(visit)]
    values.update(held=len(meetings) - len(to_come), to_come=len(to_come),
                  drop=min(len(to_come), len(meetings) - thresholds.max_stakeholder_meetings))
    return [_finding(
        "stakeholder_meeting_cap", ERROR,
        (_("There are %(count)s group meetings with stakeholders in the on-site week (%(meetings)s stakeholder "
           "meetings and the service user and carer reference group), more than the guide's maximum of "
           "%(cap)s.") if groups else
         _("There are %(count)s stakeholder meetings in the on-site week, more than the guide's maximum of "
           "%(cap)s.")) % values,
        meetings, [],
        (_("Combine meetings or drop the least needed, keeping %(cap)s at most.") if len(to_come) == len(meetings)
         else _("%(held)s have been held: combine or drop %(drop)s of the %(to_come)s still to come.")) % values)]


def meeting_pairs(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """A stakeholder meeting with fewer than two reviewers (lead reviewer or reviewer) on it."""
    findings = []
    for visit in programme.live_visits:
        if visit.kind != "stakeholder_meeting":
            continue
        reviewers = [_member_ref(programme, user_id) for user_id in dict.fromkeys(visit.team)
                     if programme.role_of(user_id) in REVIEWER_ROLES]
        if len(reviewers) >= 2:
            continue
        if reviewers:
            message = _("%(visit)s (%(when)s) has only one reviewer, %(name)s; stakeholder meetings need two.") \
                % {"visit": _quoted(visit), "when": _when(visit), "name": reviewers[0].name}
        else:
            message = _("%(visit)s (%(when)s) has no reviewer; stakeholder meetings need two.") \
                % {"visit": _quoted(visit), "when": _when(visit)}
        findings.append(_finding("meeting_pairs", WARNING, message, [visit], reviewers,
                                 _("Add a second reviewer to the meeting.") if reviewers
                                 else _("Add two reviewers to the meeting.")))
    return findings


def group_size(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """A service user and carer group meeting expected to be smaller or larger than the guide's range.

    The expected count is the one the link officer gave; without it, the service users and carers booked in
    (advocates, helpers and staff do not make the group bigger).
    """
    findings = []
    for visit in programme.live_visits:
        if visit.kind != "user_group_meeting":
            continue
        expected = visit.expected_count
        if expected is None:
            expected = sum(1 for participant_id in dict.fromkeys(visit.participants)
                           if _person_ref(programme, participant_id).kind in PRIVATE_PARTICIPANT_KINDS)
        if thresholds.group_min <= expected <= thresholds.group_max:
            continue
        values = {"visit": _quoted(visit), "when": _when(visit), "expected": expected,
                  "min": thresholds.group_min, "max": thresholds.group_max}
        findings.append(_finding(
            "group_size", WARNING,
            _("Expected attendance at %(visit)s (%(when)s) is %(expected)s, outside the %(min)s to %(max)s "
              "the guide finds helpful.") % values,
            [visit], [],
            (_("Invite more service users and carers, aiming for %(min)s to %(max)s.")
             if expected < thresholds.group_min
             else _("Split the group into two meetings of %(min)s to %(max)s.")) % values))
    return findings


def case_sample(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """Too few cases identified (all cases of the review count), or too few visited or with a home visit
    planned (dropped-out cases do not count)."""
    findings = []
    identified = len(programme.cases)
    if identified < thresholds.cases_identified:
        findings.append(_finding(
            "case_sample", WARNING,
            _("The guide asks for %(target)s identified cases to allow for drop-outs, but the sample has "
              "%(count)s.") % {"target": thresholds.cases_identified, "count": identified},
            [], [],
            _("Agree more cases for the sample with the lead reviewer.")))

    planned_case_ids = {visit.case_id for visit in programme.live_visits
                        if visit.kind == "home_visit" and visit.case_id is not None}
    covered = [case for case in programme.cases
               if case.status == "visited" or (case.status != "dropped_out" and case.id in planned_case_ids)]
    if len(covered) < thresholds.cases_visited:
        without_visit = [case.reference for case in programme.cases
                         if case.status == "identified" and case.id not in planned_case_ids]
        findings.append(_finding(
            "case_sample", WARNING,
            _("The guide aims to visit about %(target)s service users, but the number of cases visited or with "
              "a home visit planned is %(count)s.") % {"target": thresholds.cases_visited, "count": len(covered)},
            [], [],
            _("Plan home visits for the cases that have none yet: %(cases)s.") % {"cases": ", ".join(without_visit)}
            if without_visit else _("Agree more cases for the sample with the lead reviewer.")))
    return findings


def home_visit_length(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """A home visit shorter than the time the guide asks to schedule for each service user."""
    findings = []
    for visit in programme.live_visits:
        if visit.kind != "home_visit" or visit.minutes >= thresholds.min_home_visit_minutes:
            continue
        findings.append(_finding(
            "home_visit_length", WARNING,
            _("%(visit)s (%(when)s) lasts %(minutes)s min; the guide asks for %(target)s min with each service "
              "user.") % {"visit": _quoted(visit), "when": _when(visit), "minutes": visit.minutes,
                          "target": thresholds.min_home_visit_minutes},
            [visit], [_person_ref(programme, participant_id) for participant_id in visit.participants],
            _("Make the visit at least %(target)s min long.") % {"target": thresholds.min_home_visit_minutes}))
    return findings


def unarranged_need(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """A visit still to come with a participant whose need (interpreting, advocacy, ...) is still only
    requested, or could not be arranged. One finding per participant per visit. A visit that has ended is past
    arranging: its need would otherwise stay an error for the rest of the review."""
    open_needs: dict[int, list[PNeed]] = defaultdict(list)
    for need in programme.needs:
        if need.status in UNARRANGED_NEED_STATUSES:
            open_needs[need.participant_id].append(need)

    findings = []
    for visit in programme.live_visits:
        if programme.has_ended(visit):
            continue
        for participant_id in dict.fromkeys(visit.participants):
            needs = open_needs.get(participant_id)
            if not needs:
                continue
            person = _person_ref(programme, participant_id)
            values = {"who": _label(programme, person), "visit": _quoted(visit), "when": _when(visit),
                      "needs": _join(_need_state(need) for need in needs),
                      "types": _join(_need_label(need) for need in needs)}
            findings.append(_finding(
                "unarranged_need", ERROR,
                _("%(who)s at %(visit)s (%(when)s) still needs %(needs)s.") % values,
                [visit], [person],
                _("Arrange %(types)s before the visit, or move the visit until it can be.") % values))
    return findings


def _need_label(need: PNeed) -> str:
    labels = {"interpreting": _("interpreting"), "advocacy": _("advocacy"),
              "personal_assistance": _("personal assistance"), "sensory": _("sensory support"),
              "access": _("access support")}
    return labels.get(need.type, need.type.replace("_", " "))


def _need_state(need: PNeed) -> str:
    if need.status == "unavailable":
        return _("%(need)s (could not be arranged)") % {"need": _need_label(need)}
    return _("%(need)s (not yet arranged)") % {"need": _need_label(need)}


def staff_on_site_day(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """Staff of one office seen (interviews, group interviews, team visits) on more than one day."""
    seen: dict[int, dict[date, list[PVisit]]] = defaultdict(lambda: defaultdict(list))
    seen_staff: dict[int, dict[date, set[int]]] = defaultdict(lambda: defaultdict(set))
    staff: dict[int, list[PersonRef]] = defaultdict(list)
    for visit in programme.live_visits:
        if visit.kind not in STAFF_SEEN_KINDS:
            continue
        for participant_id in dict.fromkeys(visit.participants):
            person = programme.person_by_id.get(participant_id)
            if person is None or person.kind != "staff" or person.office_id is None:
                continue
            seen[person.office_id][visit.day].append(visit)
            seen_staff[person.office_id][visit.day].add(participant_id)
            staff[person.office_id].append(_person_ref(programme, participant_id))

    findings = []
    for office_id, days in seen.items():
        if len(days) < 2:
            continue
        office = _place(programme, office_id)
        # Suggest the day most of them are already seen, so the fewest bookings move.
        busiest = max(days, key=lambda day: (len(seen_staff[office_id][day]), -day.toordinal()))
        findings.append(_finding(
            "staff_on_site_day", WARNING,
            _("Staff of %(office)s are seen on %(count)s days (%(days)s); the guide asks to see all staff of one "
              "office on one day.") % {"office": office, "count": len(days),
                                       "days": _join(_short_day(day) for day in sorted(days))},
            [visit for day_visits in days.values() for visit in day_visits], staff[office_id],
            _("Move their interviews to %(day)s, when most of them are already seen.") % {"day": _day(busiest)}))
    return findings


def long_day(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """A day too full for one member of the review team: more sessions than the threshold (every visit counts,
    not only interviews: briefings, team visits and meetings take the day too), or longer than the threshold from
    the first start to the last end.

    The guide: "Avoid over-programming. Four interviews per day per reviewer should be the norm ... Reviewers are
    available for evening appointments, if necessary. They may well have long journeys to your council's area,
    so very early starts may not be feasible." The thresholds are ours (see Thresholds). People who share the
    same full day (a pair of reviewers) get one finding.
    """
    days: dict[tuple[date, tuple[int, ...]], list[PersonRef]] = {}
    for (user_id, day), visits in _member_days(programme, FIELD_ROLES).items():
        first, last = visits[0].starts_at, max(visit.ends_at for visit in visits)
        too_many = len(visits) > thresholds.max_sessions_per_day
        too_long = (last - first) > timedelta(hours=thresholds.max_day_hours)
        if too_many or too_long:
            days.setdefault((day, tuple(visit.id for visit in visits)), []).append(_member_ref(programme, user_id))

    findings = []
    for (day, visit_ids), people in days.items():
        visits = [programme.visit_by_id[visit_id] for visit_id in visit_ids]
        first, last = visits[0].starts_at, max(visit.ends_at for visit in visits)
        length = last - first
        hours = int(length.total_seconds() // 3600)
        minutes = int(length.total_seconds() % 3600 // 60)
        values = {"names": _join(person.name for person in people), "count": len(visits), "day": _day(day),
                  "first": _clock(first), "last": _clock(last),
                  "length": (_("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
                             if minutes else _("%(hours)s h") % {"hours": hours}),
                  "sessions": thresholds.max_sessions_per_day, "max_hours": thresholds.max_day_hours}
        too_many = len(visits) > thresholds.max_sessions_per_day
        too_long = length > timedelta(hours=thresholds.max_day_hours)
        if too_many and too_long:
            limit = _("more than %(sessions)s sessions and longer than %(max_hours)s hours") % values
        elif too_many:
            limit = _("more than %(sessions)s sessions") % values
        else:
            limit = _("longer than %(max_hours)s hours") % values
        values["limit"] = limit
        findings.append(_finding(
            "long_day", WARNING,
            _("%(names)s: %(count)s sessions on %(day)s, from %(first)s to %(last)s (%(length)s), %(limit)s; the "
              "guide asks to avoid over-programming.") % values,
            visits, people,
            _("Move a session to another day or another team member, or start later or finish earlier.")))
    return findings


def home_visit_nobody_booked(programme: Programme, thresholds: Thresholds) -> list[Finding]:
    """A home visit with no service user or carer booked on it: nobody to visit.

    An error, not a warning: the guide's home visits are "to service users and carers", and a reviewer sent to a
    home with nobody booked either finds no one expecting them or meets someone the programme does not know
    (no needs arranged, no attendance to record, the case never counted as visited). It will go wrong on the day.
    """
    findings = []
    for visit in programme.live_visits:
        if visit.kind != "home_visit":
            continue
        if any(_person_ref(programme, participant_id).kind in PRIVATE_PARTICIPANT_KINDS
               for participant_id in visit.participants):
            continue
        case = next((case for case in programme.cases if case.id == visit.case_id), None)
        values = {"visit": _quoted(visit), "when": _when(visit),
                  "case": case.reference if case else ""}
        findings.append(_finding(
            "home_visit_nobody_booked", ERROR,
            _("%(visit)s (%(when)s) has no service user or carer booked: there is nobody to visit.") % values,
            [visit], [_member_ref(programme, user_id) for user_id in visit.team],
            (_("Book the service user of case %(case)s (and their carer) on the visit.") if case else
             _("Choose the visit's case, or book the service user or carer it is with.")) % values))
    return findings


# --- running them all --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str  # for the programme view's list of what was checked (marked N_, translated there)
    check: Callable[[Programme, Thresholds], list[Finding]]


# In DESIGN section 4's order; findings of one rule keep this order among equals.
RULES: tuple[Rule, ...] = (
    Rule("double_booking", ERROR, N_("A team member or participant in two overlapping visits."), double_booking),
    Rule("interviews_per_day", WARNING, N_("More interviews a day for one reviewer than the norm."),
         interviews_per_day),
    Rule("back_and_forth", WARNING, N_("A reviewer leaves a location and returns to it later the same day."),
         back_and_forth),
    Rule("travel_time", ERROR, N_("Not enough time to travel and park between visits at different locations."),
         travel_time),
    Rule("repeat_staff_booking", WARNING, N_("The same member of staff booked into two or more interviews."),
         repeat_staff_booking),
    Rule("team_leader_order", ERROR, N_("A case's team leader interviewed before that case's social workers."),
         team_leader_order),
    Rule("early_start", WARNING, N_("A visit that starts too early in the morning."), early_start),
    Rule("stakeholder_meeting_cap", ERROR, N_("Too many stakeholder meetings in the on-site week."),
         stakeholder_meeting_cap),
    Rule("meeting_pairs", WARNING, N_("A stakeholder meeting with fewer than two reviewers."), meeting_pairs),
    Rule("group_size", WARNING, N_("A service user or carer group meeting that is too small or too large."),
         group_size),
    Rule("case_sample", WARNING, N_("Too few cases identified, or too few visited or planned."), case_sample),
    Rule("home_visit_length", WARNING, N_("A home visit shorter than the time to schedule for a service user."),
         home_visit_length),
    Rule("unarranged_need", ERROR, N_("A visit whose participant has a need not yet arranged."), unarranged_need),
    Rule("staff_on_site_day", WARNING, N_("Staff of one office seen on more than one day."), staff_on_site_day),
    # The issue "A review's data, from first draft to erasure" added these to DESIGN section 4's fourteen.
    Rule("long_day", WARNING, N_("A team member's day with too many sessions or too many hours."), long_day),
    Rule("home_visit_nobody_booked", ERROR, N_("A home visit with no service user or carer booked."),
         home_visit_nobody_booked),
)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def check_programme(programme: Programme, thresholds: Optional[Thresholds] = None, *,
                    gettext: Optional[Callable[[str], str]] = None) -> list[Finding]:
    """Every rule's findings: errors first, then by the start of the finding's first visit (findings about no
    visit last), then in rule order. `gettext` translates the messages (the view passes Flask-Babel's)."""
    thresholds = thresholds or Thresholds()
    token = _translator.set(gettext) if gettext is not None else None
    try:
        findings = [(position, _as_history(programme, finding)) for position, rule in enumerate(RULES)
                    for finding in rule.check(programme, thresholds)]
    finally:
        if token is not None:
            _translator.reset(token)

    def order(entry: tuple[int, Finding]) -> tuple:
        position, finding = entry
        starts = [programme.visit_by_id[visit_id].starts_at for visit_id in finding.visit_ids
                  if visit_id in programme.visit_by_id]
        return (finding.past, 0 if finding.is_error else 1, min(starts) if starts else datetime.max, position)

    return [finding for _position, finding in sorted(findings, key=order)]


def is_past(programme: Programme, finding: Finding) -> bool:
    """Every visit of the finding is on a day before today (Programme.now): the day was worked as it was. A
    finding about no visit (the case sample), or with a visit today or later, is still to act on."""
    if programme.now is None or not finding.visit_ids:
        return False
    today = programme.now.date()
    return all(visit_id in programme.visit_by_id and programme.visit_by_id[visit_id].day < today
               for visit_id in finding.visit_ids)


def _as_history(programme: Programme, finding: Finding) -> Finding:
    """A finding on days already past: no "move ..." suggestion any more, it is history."""
    if not is_past(programme, finding):
        return finding
    return replace(finding, past=True, suggestion=_(
        "Nothing to change: the day has passed. Kept as a record of how the programme ran."))


@dataclass(frozen=True)
class FindingsChange:
    """What one change to the programme did to the check: the findings it added and those it cleared."""

    added: tuple[Finding, ...] = ()
    cleared: tuple[Finding, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.cleared)


def diff_findings(before: Iterable[Finding], after: Iterable[Finding]) -> FindingsChange:
    """The findings in `after` that were not in `before` (added) and those in `before` no longer in `after`
    (cleared), matched by `Finding.key` (rule, visits and people), in the checker's order."""
    before, after = list(before), list(after)
    before_keys, after_keys = {f.key for f in before}, {f.key for f in after}
    return FindingsChange(added=tuple(f for f in after if f.key not in before_keys),
                          cleared=tuple(f for f in before if f.key not in after_keys))


# --- from the database -------------------------------------------------------------------------------------
def _value(member: Any) -> Any:
    """Enum members as their stored value, anything else as is."""
    return getattr(member, "value", member)


def programme_from_models(review: Any, visits: Iterable[Any], locations: Iterable[Any],
                          participants: Iterable[Any], cases: Iterable[Any],
                          travel_times: Iterable[Any] = (), now: Optional[datetime] = None) -> Programme:
    """A snapshot of one review's programme, read from model objects (visits.models) by attribute only.

    The caller queries the review's rows (all visits, cancelled included: the rules skip those themselves);
    memberships come from `review.memberships`, needs from each participant's `needs`. `now` is the caller's
    clock as the review's wall-clock time (see `Programme.now`).
    """
    participants = list(participants)
    return Programme(
        visits=tuple(
            PVisit(id=visit.id, kind=_value(visit.kind), title=visit.title, starts_at=visit.starts_at,
                   ends_at=visit.ends_at, location_id=visit.location_id,
                   team=tuple(user.id for user in visit.team),
                   participants=tuple(attendance.participant_id for attendance in visit.attendances),
                   case_id=visit.case_id, status=_value(visit.status),
                   expected_count=visit.expected_count)
            for visit in visits),
        locations=tuple(PLocation(id=location.id, name=location.name, kind=_value(location.kind),
                                  parking_minutes=location.parking_minutes or 0) for location in locations),
        people=tuple(PPerson(id=person.id, name=person.name, kind=_value(person.kind), office_id=person.office_id)
                     for person in participants),
        members=tuple(PMember(user_id=membership.user_id, name=membership.user.name, role=_value(membership.role))
                      for membership in review.memberships),
        cases=tuple(PCase(id=case.id, reference=case.reference, status=_value(case.status),
                          service_user_id=case.service_user_id, team_leader_id=case.team_leader_id,
                          social_worker_ids=tuple(worker.id for worker in case.social_workers))
                    for case in cases),
        needs=tuple(PNeed(participant_id=person.id, type=_value(need.type), status=_value(need.status))
                    for person in participants for need in person.needs),
        travel={(row.from_location_id, row.to_location_id): row.minutes for row in travel_times},
        on_site_from=review.on_site_from,
        on_site_to=review.on_site_to,
        now=now,
    )

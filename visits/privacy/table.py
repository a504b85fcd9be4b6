"""Who sees what, worked out by asking visits/permissions.py (DESIGN section 11: the privacy page's table cannot
drift from the rules, because it is made by the rules).

For each role, a small scene of unsaved model objects is built: a review in fieldwork (a closed one is read-only
for everyone, which changes what people may do, not what they may see), the person in that role, a colleague,
a visit the person is on, a colleague's visit and a colleague's home visit, notes on both, and concerns (one the
person raised, one a colleague raised, one the lead referred). Each row of DESIGN section 2 then asks the real
permission functions about that scene and names the answer with a code; the page shows the code's words. Nothing
is saved: the objects are never added to a session.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Optional

from flask_babel import lazy_gettext as _l

from .. import permissions
from ..models import (
    Concern, ConcernCategory, Location, LocationKind, Membership, Note, NoteKind, Rating, Review, ReviewPhase,
    ReviewStatus, Role, User, Visit, VisitKind,
)

THE_REVIEW, ANOTHER_REVIEW = 1, 2
ME, COLLEAGUE = 1, 2

# The columns: each role of a review, a site administrator who is on no review, and a member of another review
# (asked as that review's lead, the role that sees most of its own).
ADMINISTRATOR = "site_administrator"
OTHER_REVIEW = "another_review"
COLUMNS: tuple[str, ...] = (*(role.value for role in (Role.lead_reviewer, Role.reviewer, Role.lay_assessor,
                                                      Role.link_officer, Role.coordinator)),
                            ADMINISTRATOR, OTHER_REVIEW)

COLUMN_LABELS = {
    "lead_reviewer": _l("Lead reviewer"), "reviewer": _l("Reviewer"), "lay_assessor": _l("Lay assessor"),
    "link_officer": _l("Council link officer"), "coordinator": _l("Review coordinator"),
    ADMINISTRATOR: _l("Site administrator"), OTHER_REVIEW: _l("Anyone on another review"),
}


@dataclass
class Scene:
    """What one column's person is asked about."""

    user: User
    review: Review
    own_visit: Visit            # a staff interview they are on
    others_visit: Visit         # a colleague's setting visit at a day centre
    others_home_visit: Visit    # a colleague's home visit
    note_on_own: Note           # a colleague's note on the visit they share
    note_on_others: Note
    concern_they_raised: Concern
    concern_others_raised: Concern
    concern_referred: Concern   # raised by a colleague, referred to the council by the lead


def _user(user_id: int, is_admin: bool = False) -> User:
    return User(id=user_id, name="", email="", is_admin=is_admin, active=True, is_demo=False)


def _visit(visit_id: int, review: Review, kind: VisitKind, team: list[User], place: Location) -> Visit:
    moment = datetime(2026, 1, 5, 10, 0)
    return Visit(id=visit_id, review_id=review.id, review=review, kind=kind, title="", starts_at=moment,
                 ends_at=moment.replace(hour=11), location_id=place.id, location=place, team=team)


def _concern(concern_id: str, visit: Visit, raised_by: int, referred: bool = False) -> Concern:
    return Concern(id=concern_id, visit_id=visit.id, visit=visit, category=ConcernCategory.safeguarding,
                   rating=Rating.amber, text="", raised_by_id=raised_by,
                   referred_at=datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc) if referred else None,
                   referral_text="" if referred else None)


def scene_for(column: str) -> Scene:
    review = Review(id=THE_REVIEW, council_name="", phase=ReviewPhase.fieldwork, status=ReviewStatus.fieldwork,
                    time_zone="Europe/London")
    me = _user(ME, is_admin=column == ADMINISTRATOR)
    colleague = _user(COLLEAGUE)
    if column == OTHER_REVIEW:
        another = Review(id=ANOTHER_REVIEW, council_name="", phase=ReviewPhase.fieldwork,
                         status=ReviewStatus.fieldwork, time_zone="Europe/London")
        me.memberships.append(Membership(review_id=ANOTHER_REVIEW, review=another, user_id=ME,
                                         role=Role.lead_reviewer))
    elif column != ADMINISTRATOR:
        me.memberships.append(Membership(review_id=THE_REVIEW, review=review, user_id=ME, role=Role(column)))
    colleague.memberships.append(Membership(review_id=THE_REVIEW, review=review, user_id=COLLEAGUE,
                                            role=Role.reviewer))
    office = Location(id=1, review_id=THE_REVIEW, name="", kind=LocationKind.council_office)
    day_centre = Location(id=2, review_id=THE_REVIEW, name="", kind=LocationKind.day_facility)
    home = Location(id=3, review_id=THE_REVIEW, name="", kind=LocationKind.home)
    own = _visit(1, review, VisitKind.staff_interview, [me, colleague], office)
    others = _visit(2, review, VisitKind.setting_visit, [colleague], day_centre)
    others_home = _visit(3, review, VisitKind.home_visit, [colleague], home)
    return Scene(
        user=me, review=review, own_visit=own, others_visit=others, others_home_visit=others_home,
        note_on_own=Note(id="n1", visit_id=own.id, visit=own, author_id=COLLEAGUE, kind=NoteKind.interview,
                         body=""),
        note_on_others=Note(id="n2", visit_id=others.id, visit=others, author_id=COLLEAGUE,
                            kind=NoteKind.setting_observation, body=""),
        concern_they_raised=_concern("c1", own, ME),
        concern_others_raised=_concern("c2", others, COLLEAGUE),
        concern_referred=_concern("c3", others, COLLEAGUE, referred=True),
    )


# --- the rows: each asks the permission functions and answers with a code ----------------------------------------


def _on_visits(scene: Scene, allowed: Callable[[Optional[permissions.VisitAccess]], bool]) -> str:
    """"all" when allowed on a colleague's visit too, "own_visits" when only on their own, else "none"."""
    if allowed(permissions.visit_access(scene.user, scene.others_visit)):
        return "all"
    if allowed(permissions.visit_access(scene.user, scene.own_visit)):
        return "own_visits"
    return "none"


def programme_answer(scene: Scene) -> str:
    own = permissions.visit_access(scene.user, scene.own_visit)
    others = permissions.visit_access(scene.user, scene.others_visit)
    others_home = permissions.visit_access(scene.user, scene.others_home_visit)
    if others is not None and others.full and others.participants:
        return "all"
    if own is not None and own.full:
        if others is not None and others.place and not (others_home and others_home.place):
            return "own_visits_outline_of_others"
        return "own_visits"
    return "none"


def notes_answer(scene: Scene) -> str:
    if permissions.can_read_note(scene.user, scene.note_on_others):
        return "all"
    if permissions.can_read_note(scene.user, scene.note_on_own):
        return "own_visits"
    return "none"


def needs_answer(scene: Scene) -> str:
    return _on_visits(scene, lambda access: bool(access and access.needs))


def attendance_answer(scene: Scene) -> str:
    return _on_visits(scene, lambda access: bool(access and access.attendance))


def concerns_answer(scene: Scene) -> str:
    if permissions.concern_view(scene.user, scene.concern_others_raised) == "full":
        return "all"
    if permissions.concern_view(scene.user, scene.concern_they_raised) == "full":
        return "raised_by_them"
    if permissions.concern_view(scene.user, scene.concern_referred) == "referral":
        return "referral_only"
    return "none"


def identity_answer(scene: Scene) -> str:
    return _on_visits(scene, lambda access: bool(access and access.identity))


def audit_log_answer(scene: Scene) -> str:
    return "all" if permissions.can_read_audit_log(scene.user, THE_REVIEW) else "none"


def team_answer(scene: Scene) -> str:
    if permissions.can_manage_review(scene.user, THE_REVIEW):
        return "manage"
    if permissions.can_read_team(scene.user, THE_REVIEW):
        return "read_only"
    return "none"


def rights_answer(scene: Scene) -> str:
    return "yes" if permissions.can_manage_participant_rights(scene.user, THE_REVIEW) else "none"


@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str
    answer: Callable[[Scene], str]


ROWS: tuple[RowSpec, ...] = (
    RowSpec("programme", _l("The programme: visits, times, places, who attends"), programme_answer),
    RowSpec("notes", _l("Notes written on visits (settings, interviews, home visits)"), notes_answer),
    RowSpec("needs", _l("Needs: interpreting, advocacy, personal assistance"), needs_answer),
    RowSpec("attendance", _l("Attendance, check-in and check-out, overdue home visits"), attendance_answer),
    RowSpec("concerns", _l("Concerns raised (safeguarding, health and safety)"), concerns_answer),
    RowSpec("identity", _l("Who a service user or carer is: name, address, phone"), identity_answer),
    RowSpec("audit_log", _l("The audit log: who read or changed what, and when"), audit_log_answer),
    RowSpec("team", _l("The review team: accounts and their roles"), team_answer),
    RowSpec("rights", _l("A person's rights: export all held about them, record a withdrawal of consent"),
            rights_answer),
)

ANSWER_LABELS = {
    "all": _l("All of the review"),
    "own_visits": _l("Only on visits they are on"),
    "own_visits_outline_of_others": _l("Their own visits in full; of other visits only the time, kind, team and "
                                       "place, never a home's address"),
    "raised_by_them": _l("Only the ones they raised, and how far each has got (not the lead's reasons)"),
    "referral_only": _l("Only those the lead referred to the council: what the lead wrote and to whom, and the "
                        "acknowledgement and outcome they record themselves"),
    "manage": _l("Manage it: add, invite, change roles, remove"),
    "read_only": _l("See the list, not change it"),
    "yes": _l("Yes"),
    "none": _l("No"),
}


@dataclass(frozen=True)
class Cell:
    column: str
    answer: str

    @property
    def text(self) -> str:
        return str(ANSWER_LABELS[self.answer])


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]


def who_sees_what() -> list[Row]:
    """The table of the privacy page: one row per kind of data, one cell per column, each answered by the
    permission functions about that column's scene."""
    scenes = {column: scene_for(column) for column in COLUMNS}
    return [Row(spec.key, str(spec.label), tuple(Cell(column, spec.answer(scenes[column])) for column in COLUMNS))
            for spec in ROWS]


# --- service users' feedback (DESIGN sections 2 and 12): permissions.feedback_view answers ---------------------


def feedback_answer(scene: Scene) -> str:
    view = permissions.feedback_view(scene.user, THE_REVIEW)
    return {"all": "feedback_all", "own": "feedback_own", "counts": "feedback_counts"}.get(view or "", "none")


ROWS = ROWS + (RowSpec("feedback", _l("What service users said in the feedback questionnaire"), feedback_answer),)
ANSWER_LABELS.update({
    "feedback_all": _l("All of it, comments included"),
    "feedback_own": _l("Only what they recorded"),
    "feedback_counts": _l("How many answered at each place; no answers, no comments"),
})


# --- evidence: search, the evidence pack and a case's pathway (DESIGN sections 2 and 12) ------------------------
# permissions.evidence_scope says whose notes; can_name_service_users_in_export whether the pack may name people;
# can_read_case_pathway opens a case's pathway to the lead and to whoever was on one of its visits.


def evidence_answer(scene: Scene) -> str:
    scope = permissions.evidence_scope(scene.user, THE_REVIEW)
    if scope == permissions.EVIDENCE_REVIEW_SCOPE and permissions.can_name_service_users_in_export(scene.user,
                                                                                                  THE_REVIEW):
        return "evidence_all"
    if scope == permissions.EVIDENCE_OWN_VISITS_SCOPE and permissions.can_read_case_pathway(
            scene.user, THE_REVIEW, [scene.own_visit]):
        return "evidence_own"
    return "none"


ROWS = ROWS + (RowSpec("evidence", _l("Evidence: searching the notes, the Word and spreadsheet pack, a case's "
                                      "pathway"), evidence_answer),)
ANSWER_LABELS.update({
    "evidence_all": _l("Every note of the review; the pack names service users by case reference unless they ask "
                       "for names (recorded in the audit log)"),
    "evidence_own": _l("The notes of visits they are on; service users always by case reference"),
})

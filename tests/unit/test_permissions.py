"""visits/permissions.py on its own: DESIGN section 2 as a matrix of role × place on the visit, no database.

The route-by-route matrix (tests/api/test_permissions.py and friends) checks that every page and API asks these
functions; this one checks the answers themselves, including the cases the demo world does not build (a lead
reviewer who is on the visit's team)."""
from __future__ import annotations

from typing import NamedTuple

import pytest

from visits.models import Concern, Membership, Note, Role, User, Visit, VisitKind
from visits.permissions import can_edit_note, can_read_note, can_refer_concern, concern_view, visit_access

REVIEW = 1


def person(user_id: int, role: str | None) -> User:
    user = User(id=user_id, name=f"user {user_id}", email=f"{user_id}@example.test", active=True)
    user.memberships = [Membership(review_id=REVIEW, role=Role(role))] if role else []
    return user


def home_visit(team: list[User]) -> Visit:
    return Visit(id=10, review_id=REVIEW, kind=VisitKind.home_visit, team=team)


class Row(NamedTuple):
    """What one role, on the visit's team or not, may do with a colleague's home visit."""

    role: str | None
    on_team: bool
    sees: bool
    full: bool
    identity: bool
    reads_notes: bool
    writes_notes: bool
    checks_in: bool
    arranges_needs: bool

    @property
    def expected(self) -> tuple[bool, ...]:
        return self[2:]


NOWHERE = dict(sees=False, full=False, identity=False, reads_notes=False, writes_notes=False, checks_in=False,
               arranges_needs=False)
ON_THE_TEAM = dict(sees=True, full=True, identity=True, reads_notes=True, writes_notes=True, checks_in=True,
                   arranges_needs=False)
A_COLLEAGUES = dict(NOWHERE, sees=True)

MATRIX = [
    Row("lead_reviewer", False, sees=True, full=True, identity=True, reads_notes=True, writes_notes=False,
        checks_in=False, arranges_needs=True),
    Row("lead_reviewer", True, **dict(ON_THE_TEAM, arranges_needs=True)),
    Row("reviewer", True, **ON_THE_TEAM),
    Row("reviewer", False, **A_COLLEAGUES),
    Row("lay_assessor", True, **ON_THE_TEAM),
    Row("lay_assessor", False, **A_COLLEAGUES),
    Row("link_officer", False, **dict(NOWHERE, sees=True, full=True, identity=True, arranges_needs=True)),
    Row("coordinator", False, **dict(NOWHERE, sees=True, full=True)),
    Row(None, False, **NOWHERE),  # another review's member: the visit does not exist for them
]


def row_id(row: Row) -> str:
    return f"{row.role or 'outsider'}-{'on' if row.on_team else 'off'}-team"


@pytest.mark.parametrize("row", MATRIX, ids=row_id)
def test_visit_access_by_role_and_place_on_the_team(row):
    user = person(2, row.role)
    access = visit_access(user, home_visit([user] if row.on_team else [person(3, "reviewer")]))
    if access is None:
        assert row.expected == (False,) * 7
        return
    got = (True, access.full, access.identity, access.notes, access.write_notes, access.check_in,
           access.arrange_need)
    assert got == row.expected
    if not row.on_team and row.role in ("reviewer", "lay_assessor"):
        assert not access.place  # a colleague's home visit does not even say where


@pytest.mark.parametrize("role,reads,edits", [
    ("lead_reviewer", True, False), ("reviewer", True, True), ("link_officer", False, False),
    ("coordinator", False, False),
])
def test_notes_are_read_by_the_team_and_the_lead_and_edited_only_by_their_author(role, reads, edits):
    author = person(2, role)
    on_team = role == "reviewer"
    visit = home_visit([author] if on_team else [person(3, "reviewer")])
    note = Note(visit=visit, author_id=author.id)
    assert can_read_note(author, note) is reads
    assert can_edit_note(author, note) is edits


def test_concerns_full_to_lead_and_raiser_referral_text_to_the_link_officer_nothing_to_the_coordinator():
    raiser, colleague = person(2, "reviewer"), person(3, "reviewer")
    visit = home_visit([raiser, colleague])
    concern = Concern(visit=visit, raised_by_id=raiser.id)
    assert concern_view(person(4, "lead_reviewer"), concern) == "full"
    assert concern_view(raiser, concern) == "full"
    assert concern_view(colleague, concern) is None
    assert concern_view(person(5, "link_officer"), concern) is None  # not referred yet
    assert concern_view(person(6, "coordinator"), concern) is None
    from datetime import datetime, timezone
    concern.referred_at = datetime.now(timezone.utc)
    assert concern_view(person(5, "link_officer"), concern) == "referral"
    assert concern_view(person(6, "coordinator"), concern) is None
    assert can_refer_concern(person(4, "lead_reviewer"), concern)
    assert not can_refer_concern(raiser, concern) and not can_refer_concern(person(5, "link_officer"), concern)

"""A review's end, as pure rules (DESIGN section 11): once closed it is read-only for everyone
(visits/permissions.py), and RETENTION_DAYS after closing its personal data is due for erasure
(visits/retention.purge_due). No database: users, memberships and reviews are built in memory."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from visits.models import Concern, Membership, Review, ReviewStatus, Role, User, Visit, VisitKind
from visits.permissions import (
    can_acknowledge_overdue, can_arrange_need, can_edit_programme, can_export_programme, can_import_programme,
    can_manage_needs, can_raise_need, can_read_board, can_read_programme, can_refer_concern, review_closed_for,
    review_is_open, visit_access,
)
from visits.retention import ERASED, Erasure, purge_due

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)
REVIEW, OTHER = 1, 2
ROLES = [role.value for role in Role]


def review(status: ReviewStatus, review_id: int = REVIEW) -> Review:
    return Review(id=review_id, council_name="Cwm Taf", status=status)


def person(role: str, *reviews: Review) -> User:
    user = User(id=7, name="Someone", email="someone@example.test", active=True)
    user.memberships = [Membership(review_id=r.id, review=r, role=Role(role)) for r in reviews]
    return user


def visit_with(user: User, review_id: int = REVIEW) -> Visit:
    return Visit(id=10, review_id=review_id, kind=VisitKind.home_visit, team=[user])


# --- closed: read-only for everyone -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_nobody_changes_anything_of_a_closed_review(role):
    closed = review(ReviewStatus.closed)
    user = person(role, closed)
    access = visit_access(user, visit_with(user))
    assert not any((access.write_notes, access.record_attendance, access.check_in, access.raise_need,
                    access.arrange_need, access.raise_concern))
    assert not any((can_edit_programme(user, REVIEW), can_import_programme(user, REVIEW),
                    can_arrange_need(user, REVIEW), can_manage_needs(user, REVIEW),
                    can_acknowledge_overdue(user, REVIEW), can_raise_need(user, REVIEW, [visit_with(user)])))
    concern = Concern(visit=visit_with(user))
    assert not can_refer_concern(user, concern)
    assert not review_is_open(user, REVIEW) and review_closed_for(user, REVIEW)


@pytest.mark.parametrize("role", ROLES)
def test_closing_takes_away_no_reading(role):
    user_open, user_closed = person(role, review(ReviewStatus.fieldwork)), person(role, review(ReviewStatus.closed))
    opened, closed = visit_access(user_open, visit_with(user_open)), visit_access(user_closed, visit_with(user_closed))
    for seen in ("full", "place", "participants", "identity", "needs", "attendance", "notes"):
        assert getattr(closed, seen) == getattr(opened, seen), seen
    for read in (can_read_programme, can_read_board, can_export_programme):
        assert read(user_closed, REVIEW) == read(user_open, REVIEW)


def test_the_lead_of_an_open_review_still_changes_it():
    lead = person("lead_reviewer", review(ReviewStatus.fieldwork))
    assert can_edit_programme(lead, REVIEW) and can_refer_concern(lead, Concern(visit=visit_with(lead)))
    assert visit_access(lead, visit_with(lead)).write_notes
    assert review_is_open(lead, REVIEW) and not review_closed_for(lead, REVIEW)


def test_closing_one_review_leaves_the_others_open():
    link = person("link_officer", review(ReviewStatus.closed), review(ReviewStatus.fieldwork, OTHER))
    assert not can_edit_programme(link, REVIEW) and can_edit_programme(link, OTHER)


def test_someone_outside_a_closed_review_is_not_told_it_is_closed():
    outsider = person("lead_reviewer", review(ReviewStatus.fieldwork, OTHER))
    assert not review_closed_for(outsider, REVIEW) and not review_is_open(outsider, REVIEW)


# --- due for erasure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("closed_days_ago, retention_days, due", [
    (90, 90, True),      # the day the retention period ends
    (89, 90, False),
    (400, 90, True),
    (0, 0, True),        # RETENTION_DAYS=0: at once
    (0, 1, False),
])
def test_a_closed_review_is_due_once_retention_days_have_passed(closed_days_ago, retention_days, due):
    assert purge_due(NOW - timedelta(days=closed_days_ago), None, NOW, retention_days) is due


def test_a_review_is_purged_once_and_never_before_it_is_closed():
    assert not purge_due(NOW - timedelta(days=400), NOW - timedelta(days=10), NOW, 90)
    assert not purge_due(None, None, NOW, 0)


def test_the_report_names_every_kind_of_record_erased_with_its_count():
    erasure = Erasure(REVIEW, "Cwm Taf", NOW, {"notes": 12, "concerns": 2})
    summary = erasure.summary()
    assert summary.startswith("12 notes; ") and "2 concerns" in summary and "0 case references" in summary
    assert summary.count("; ") == len(ERASED) - 1

"""Administration screens list accounts and memberships only (DESIGN section 2): a note's text, a concern's text
and a service user's name never appear on them, for an administrator or a coordinator, nor in the audit log
after administrative actions."""
from __future__ import annotations

import pytest

from visits.extensions import db
from visits.models import AuditEvent

from ..support import factories as f
from ..support.clients import signed_in

NOTE_TEXT = "Kitchen cold; Mrs Secretname seemed frightened"
CONCERN_TEXT = "Bruising seen on the left arm"
SERVICE_USER = "Gwenllian Secretname"
SECRETS = (NOTE_TEXT, CONCERN_TEXT, SERVICE_USER, "Secretname")


@pytest.fixture
def planted(app):
    review = f.gen_review("Cwm Council")
    admin = f.gen_user(name="Ann Admin", is_admin=True)
    coordinator = f.gen_member(review, "coordinator", name="Cerys Coordinator")
    lead = f.gen_member(review, "lead_reviewer", name="Lowri Lead")
    reviewer = f.gen_member(review, "reviewer", name="Rhys Reviewer")
    person = f.gen_participant(review, "service_user", name=SERVICE_USER, phone="07700 900999")
    home = f.gen_location(review, "home", name="A home", address="9 Hidden Row")
    visit = f.gen_visit(review, team=[reviewer], participants=[person], kind="home_visit", location=home,
                        title="Home visit")
    f.gen_note(visit, reviewer, body=NOTE_TEXT, kind="home_visit")
    f.gen_concern(visit, reviewer, text=CONCERN_TEXT, category="safeguarding", rating="red")
    db.session.commit()
    return review, admin, coordinator, lead, reviewer


def assert_nothing_confidential(response):
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400), response.status_code
    for secret in SECRETS:
        assert secret not in page


def test_admin_pages_never_show_notes_concerns_or_service_users(app, planted):
    review, admin, coordinator, lead, reviewer = planted
    as_admin = signed_in(app, admin)
    as_coordinator = signed_in(app, coordinator)
    as_lead = signed_in(app, lead)
    actions = [
        (as_coordinator, f"/admin/reviews/{review.id}/members",
         {"email": "new@example.test", "name": "New Person", "role": "reviewer"}),
        (as_coordinator, f"/admin/reviews/{review.id}/members/{reviewer.id}/role", {"role": "lead_reviewer"}),
        (as_coordinator, f"/admin/reviews/{review.id}/members/{reviewer.id}/reset-link", {}),
        (as_admin, f"/admin/reviews/{review.id}", {"council": "Cwm County", "starts_on": "2027-01-01",
                                                    "ends_on": "2027-01-04", "phase": "fieldwork"}),
        (as_admin, f"/admin/reviews/{review.id}/status", {"status": "closed", "confirm": "true"}),
        (as_admin, f"/admin/accounts/{reviewer.id}/disable", {}),
        (as_admin, f"/admin/accounts/{reviewer.id}/enable", {}),
        (as_admin, f"/admin/accounts/{reviewer.id}/reset-link", {}),
        (as_admin, "/admin/accounts", {"email": "sue@example.test", "name": "Sue"}),
        (as_admin, "/admin/reviews", {"council": "", "starts_on": "2027-01-01", "ends_on": "2026-01-01"}),
    ]
    for client, url, form in actions:
        response = client.post(url, data=form)
        if response.status_code == 302:
            response = client.get(response.headers["Location"])
        assert_nothing_confidential(response)
    for client, url in [(as_admin, "/admin"), (as_admin, f"/admin/reviews/{review.id}"),
                        (as_admin, "/admin/accounts"), (as_coordinator, "/admin"),
                        (as_coordinator, f"/admin/reviews/{review.id}"), (as_lead, f"/admin/reviews/{review.id}/team"),
                        (as_coordinator, f"/audit?review={review.id}"), (as_lead, f"/audit?review={review.id}")]:
        assert_nothing_confidential(client.get(url))
    # The audit log recorded the administration, and names no secret in what it stored either.
    events = list(db.session.scalars(db.select(AuditEvent)))
    assert {"member_added", "member_role_changed", "reset_link_issued", "review_updated", "review_status_changed",
            "account_disabled", "account_enabled", "account_created", "invitation_issued"} <= {e.action for e in events}
    for event in events:
        assert not any(secret in str(event.detail) for secret in SECRETS)
    # ...and the coordinator reads it in words, not codes.
    log = as_coordinator.get(f"/audit?review={review.id}").get_data(as_text=True)
    assert "Added to the team" in log and "Review status changed" in log
    assert ">member_added<" not in log and ">review_status_changed<" not in log

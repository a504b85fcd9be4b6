"""Administration as its users live it (DESIGN section 10): an administrator sets up a review and its team, a
coordinator manages their own review and nothing else, the lead reads the team, everyone else is refused."""
from __future__ import annotations

import re

import pytest

from visits.extensions import db
from visits.models import AccountToken, AuditEvent, Membership, Review, ReviewStatus, Role, TokenPurpose, User

from ..support import factories as f
from ..support.clients import Client, signed_in
from ..support.routes import ADMIN_GETS, ADMIN_POSTS

LINK = re.compile(r'value="(http[^"]+/(?:invite|password-reset)/[^"]+)"')


@pytest.fixture
def admin(app):
    user = f.gen_user(name="Ann Admin", is_admin=True)
    db.session.commit()
    return user


@pytest.fixture
def as_admin(app, admin):
    return signed_in(app, admin)


def audited(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).filter_by(action=action)))


def page_text(response) -> str:
    return response.get_data(as_text=True)


def test_administrator_creates_a_review_and_lands_on_its_page(as_admin):
    response = as_admin.post("/admin/reviews", data={"council": "Cyngor Tref", "starts_on": "2027-03-01",
                                                     "ends_on": "2027-03-05"})
    assert response.status_code == 302
    review = db.session.scalars(db.select(Review)).one()
    assert response.headers["Location"].startswith(f"/admin/reviews/{review.id}")
    assert review.council_name == "Cyngor Tref" and review.status is ReviewStatus.draft
    assert str(review.on_site_to) == "2027-03-05"
    assert "Cyngor Tref" in page_text(as_admin.get(f"/admin/reviews/{review.id}"))
    assert audited("review_created")[0].review_id == review.id
    assert "Cyngor Tref" in page_text(as_admin.get("/admin"))


@pytest.mark.parametrize("form,field", [
    ({"council": "X", "starts_on": "2027-03-05", "ends_on": "2027-03-01"}, "ends_on"),
    ({"council": "", "starts_on": "2027-03-01", "ends_on": "2027-03-05"}, "council"),
    ({"council": "X" * 161, "starts_on": "2027-03-01", "ends_on": "2027-03-05"}, "council"),
    ({"council": "X", "starts_on": "yesterday", "ends_on": "2027-03-05"}, "starts_on"),
    ({"council": "X", "starts_on": "1066-10-14", "ends_on": "2027-03-05"}, "starts_on"),
    ({"council": "X", "starts_on": "2027-03-01"}, "ends_on"),
])
def test_a_bad_review_form_is_a_400_with_the_message_by_its_field_and_nothing_saved(as_admin, form, field):
    response = as_admin.post("/admin/reviews", data=form)
    assert response.status_code == 400
    page = page_text(response)
    assert f'id="{field}-error"' in page and 'aria-invalid="true"' in page
    assert f.count(Review) == 0


def test_dates_out_of_order_say_so(as_admin):
    page = page_text(as_admin.post("/admin/reviews", data={"council": "X", "starts_on": "2027-03-05",
                                                           "ends_on": "2027-03-01"}))
    assert "cannot be before the first" in page


@pytest.fixture
def setup(app, admin):
    """A review with its coordinator, lead, reviewer, lay assessor and link officer; another review with its
    own coordinator."""
    review = f.gen_review("Cwm Council")
    other = f.gen_review("Other Council")
    people = {role: f.gen_member(review, role, name=f"The {role}") for role in
              ("coordinator", "lead_reviewer", "reviewer", "lay_assessor", "link_officer")}
    people["other_coordinator"] = f.gen_member(other, "coordinator", name="Other Coordinator")
    db.session.commit()
    return review, other, people


def test_admin_adds_an_existing_account_with_a_role(as_admin, setup):
    review, other, people = setup
    person = f.gen_user(name="Existing Person", email="existing@example.test")
    db.session.commit()
    response = as_admin.post(f"/admin/reviews/{review.id}/members",
                             data={"email": "EXISTING@example.test", "name": "Whatever", "role": "reviewer"})
    assert response.status_code == 302
    assert person.role_in(review.id) is Role.reviewer
    assert f.count(AccountToken, AccountToken.user_id == person.id) == 0
    event = audited("member_added")[0]
    assert event.review_id == review.id and event.detail == {"user_id": person.id, "role": "reviewer",
                                                             "invited": False}
    # Twice is refused, readably: one role per review.
    again = as_admin.post(f"/admin/reviews/{review.id}/members",
                          data={"email": "existing@example.test", "name": "Whatever", "role": "lay_assessor"})
    assert again.status_code == 400 and "already on this review" in page_text(again)
    assert person.role_in(review.id) is Role.reviewer


def test_coordinator_invites_a_new_member_and_the_link_is_shown_once(app, setup):
    review, other, people = setup
    coordinator = signed_in(app, people["coordinator"])
    response = coordinator.post(f"/admin/reviews/{review.id}/members",
                                data={"email": "new.person@example.test", "name": "New Person",
                                      "role": "lay_assessor"})
    assert response.status_code == 200
    page = page_text(response)
    link = LINK.search(page)
    assert link and "/invite/" in link.group(1)
    assert "No mail server is set up" in page
    user = db.session.scalars(db.select(User).filter_by(email="new.person@example.test")).one()
    assert user.password_hash is None and user.role_in(review.id) is Role.lay_assessor
    token = db.session.scalars(db.select(AccountToken).filter_by(user_id=user.id)).one()
    assert token.purpose is TokenPurpose.invitation and token.used_at is None
    # A reload of the review page never shows it again.
    assert link.group(1) not in page_text(coordinator.get(f"/admin/reviews/{review.id}"))
    assert LINK.search(page_text(coordinator.get(f"/admin/reviews/{review.id}"))) is None


def test_role_change_and_removal(app, setup):
    review, other, people = setup
    coordinator = signed_in(app, people["coordinator"])
    reviewer = people["reviewer"]
    response = coordinator.post(f"/admin/reviews/{review.id}/members/{reviewer.id}/role",
                                data={"role": "lead_reviewer"})
    assert response.status_code == 302
    assert reviewer.role_in(review.id) is Role.lead_reviewer
    assert audited("member_role_changed")[0].detail["after"] == "lead_reviewer"
    bad = coordinator.post(f"/admin/reviews/{review.id}/members/{reviewer.id}/role", data={"role": "king"})
    assert bad.status_code == 400 and "Choose a role" in page_text(bad)


def test_removal_from_the_last_review_ends_their_sessions(app, setup):
    review, other, people = setup
    lay = people["lay_assessor"]
    f.join(people["reviewer"], other, "reviewer")
    db.session.commit()
    lay_phone = signed_in(app, lay)
    reviewer_phone = signed_in(app, people["reviewer"])
    coordinator = signed_in(app, people["coordinator"])
    assert lay_phone.get("/").status_code == 200
    assert coordinator.post(f"/admin/reviews/{review.id}/members/{lay.id}/remove").status_code == 302
    assert coordinator.post(
        f"/admin/reviews/{review.id}/members/{people['reviewer'].id}/remove").status_code == 302
    assert f.count(Membership, Membership.user_id == lay.id) == 0
    assert lay_phone.get("/").headers["Location"].startswith("/login")
    # Still on another review: still signed in.
    assert reviewer_phone.get("/").status_code == 200
    assert len(audited("member_removed")) == 2


def test_the_only_coordinator_cannot_remove_themselves(app, setup):
    review, other, people = setup
    me = people["coordinator"]
    coordinator = signed_in(app, me)
    response = coordinator.post(f"/admin/reviews/{review.id}/members/{me.id}/remove")
    assert response.status_code == 400 and "only coordinator" in page_text(response)
    demote = coordinator.post(f"/admin/reviews/{review.id}/members/{me.id}/role", data={"role": "reviewer"})
    assert demote.status_code == 400
    assert me.role_in(review.id) is Role.coordinator


def test_member_reset_link_is_shown_once(app, setup):
    review, other, people = setup
    coordinator = signed_in(app, people["coordinator"])
    reviewer = people["reviewer"]
    response = coordinator.post(f"/admin/reviews/{review.id}/members/{reviewer.id}/reset-link")
    assert response.status_code == 200
    link = LINK.search(page_text(response))
    assert link and "/password-reset/" in link.group(1)
    assert f.count(AccountToken, AccountToken.user_id == reviewer.id,
                   AccountToken.purpose == TokenPurpose.reset) == 1
    assert LINK.search(page_text(coordinator.get(f"/admin/reviews/{review.id}"))) is None
    assert audited("reset_link_issued")[0].user_id == people["coordinator"].id


def test_disable_ends_sessions_and_enable_does_not_revive_the_old_cookie(app, as_admin, setup):
    review, other, people = setup
    reviewer = people["reviewer"]
    phone = signed_in(app, reviewer)
    assert phone.get("/").status_code == 200
    assert as_admin.post(f"/admin/accounts/{reviewer.id}/disable").status_code == 302
    assert phone.get("/").headers["Location"].startswith("/login")
    assert as_admin.post(f"/admin/accounts/{reviewer.id}/enable").status_code == 302
    assert reviewer.active
    assert phone.get("/").headers["Location"].startswith("/login")
    assert signed_in(app, reviewer).get("/").status_code == 200  # a fresh sign-in works
    assert [e.action for e in db.session.scalars(db.select(AuditEvent).filter(
        AuditEvent.action.in_(["account_disabled", "account_enabled"])).order_by(AuditEvent.id))] == [
        "account_disabled", "account_enabled"]


def test_an_administrator_cannot_disable_themselves(as_admin, admin):
    response = as_admin.post(f"/admin/accounts/{admin.id}/disable")
    assert response.status_code == 400 and "your own account" in page_text(response)
    assert admin.active


def test_admin_creates_an_account_and_its_invitation_is_shown_once(as_admin):
    response = as_admin.post("/admin/accounts", data={"email": "sue@example.test", "name": "Sue Support",
                                                      "is_admin": "true"})
    assert response.status_code == 200
    link = LINK.search(page_text(response))
    assert link and "/invite/" in link.group(1)
    user = db.session.scalars(db.select(User).filter_by(email="sue@example.test")).one()
    assert user.is_admin and user.password_hash is None
    assert f.count(AccountToken, AccountToken.user_id == user.id,
                   AccountToken.purpose == TokenPurpose.invitation) == 1
    assert LINK.search(page_text(as_admin.get("/admin/accounts"))) is None
    assert "Sue Support" in page_text(as_admin.get("/admin/accounts"))
    again = as_admin.post("/admin/accounts", data={"email": "sue@example.test", "name": "Sue Again"})
    assert again.status_code == 400 and "already an account" in page_text(again)


def test_account_reset_link_and_make_coordinator(as_admin, setup):
    review, other, people = setup
    reviewer = people["reviewer"]
    response = as_admin.post(f"/admin/accounts/{reviewer.id}/reset-link")
    assert response.status_code == 200 and "/password-reset/" in LINK.search(page_text(response)).group(1)
    assert as_admin.post(f"/admin/accounts/{reviewer.id}/coordinator",
                         data={"review_id": str(other.id)}).status_code == 302
    assert reviewer.role_in(other.id) is Role.coordinator
    assert as_admin.post(f"/admin/accounts/{reviewer.id}/coordinator",
                         data={"review_id": str(review.id)}).status_code == 302
    assert reviewer.role_in(review.id) is Role.coordinator
    for bad in ({"review_id": "abc"}, {"review_id": "999999"}, {}):
        assert as_admin.post(f"/admin/accounts/{reviewer.id}/coordinator", data=bad).status_code == 400


def test_coordinator_manages_their_own_review_only(app, setup):
    review, other, people = setup
    coordinator = signed_in(app, people["coordinator"])
    index = page_text(coordinator.get("/admin"))
    assert "Cwm Council" in index and "Other Council" not in index
    assert "/admin/accounts" not in index and 'action="/admin/reviews"' not in index
    assert coordinator.get(f"/admin/reviews/{review.id}").status_code == 200
    assert coordinator.get(f"/admin/reviews/{other.id}").status_code == 403
    assert coordinator.post(f"/admin/reviews/{other.id}/members",
                            data={"email": "x@example.test", "name": "X", "role": "reviewer"}).status_code == 403
    assert coordinator.get("/admin/accounts").status_code == 403
    assert coordinator.post("/admin/reviews", data={"council": "Mine", "starts_on": "2027-01-01",
                                                    "ends_on": "2027-01-02"}).status_code == 403
    assert coordinator.post(f"/admin/reviews/{review.id}", data={
        "council": "Cwm County Council", "starts_on": "2027-01-01", "ends_on": "2027-01-03",
        "phase": "fieldwork"}).status_code == 302
    assert review.council_name == "Cwm County Council"
    assert audited("review_updated")[0].detail == {"fields": ["council_name", "on_site_from", "on_site_to"]}


def test_status_moves_forward_and_closing_needs_confirmation(app, as_admin):
    review = f.gen_review("Cwm")
    review.status = ReviewStatus.draft
    db.session.commit()
    assert as_admin.post(f"/admin/reviews/{review.id}/status", data={"status": "fieldwork"}).status_code == 302
    assert review.status is ReviewStatus.fieldwork
    refused = as_admin.post(f"/admin/reviews/{review.id}/status", data={"status": "closed"})
    assert refused.status_code == 400 and "Tick the box" in page_text(refused)
    assert review.status is ReviewStatus.fieldwork
    assert as_admin.post(f"/admin/reviews/{review.id}/status",
                         data={"status": "closed", "confirm": "true"}).status_code == 302
    assert review.status is ReviewStatus.closed
    back = as_admin.post(f"/admin/reviews/{review.id}/status", data={"status": "draft"})
    assert back.status_code == 400 and review.status is ReviewStatus.closed
    assert [e.detail["after"] for e in audited("review_status_changed")] == ["fieldwork", "closed"]


def test_the_lead_reads_the_team_but_cannot_change_it(app, setup):
    review, other, people = setup
    lead = signed_in(app, people["lead_reviewer"])
    team = lead.get(f"/admin/reviews/{review.id}/team")
    assert team.status_code == 200
    page = page_text(team)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "The reviewer" in main and "The lay_assessor" in main
    assert 'method="post"' not in main
    assert "Cwm Council" in page_text(lead.get("/admin"))
    assert lead.get(f"/admin/reviews/{review.id}").status_code == 403
    assert lead.post(f"/admin/reviews/{review.id}/members",
                     data={"email": "x@example.test", "name": "X", "role": "reviewer"}).status_code == 403
    assert lead.get(f"/admin/reviews/{other.id}/team").status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "lay_assessor", "link_officer", "other_coordinator"])
def test_field_roles_and_other_reviews_are_refused_everywhere(app, setup, role):
    review, other, people = setup
    client = signed_in(app, people[role])
    values = {"review": review.id, "member": people["reviewer"].id}
    for path in ADMIN_GETS:
        response = client.get(path.format(**values))
        if path == "/admin" and role == "other_coordinator":  # their own review's way in, not this one
            assert response.status_code == 200 and "Cwm Council" not in page_text(response)
            continue
        assert response.status_code == 403, path
    for path in ADMIN_POSTS:
        response = client.post(path.format(**values), data={"email": "x@example.test", "name": "X",
                                                            "role": "reviewer", "council": "X"})
        assert response.status_code == 403, path
    assert people["reviewer"].active and people["reviewer"].role_in(review.id) is Role.reviewer


@pytest.mark.parametrize("path", ADMIN_GETS + ADMIN_POSTS)
def test_admin_routes_ask_to_sign_in(app, setup, path):
    review, other, people = setup
    client = Client(app)
    url = path.format(review=review.id, member=people["reviewer"].id)
    response = client.get(url) if path in ADMIN_GETS else client.post(url, data={})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("url,form", [
    ("/admin/reviews/{review}/members", {"email": "a@example.test", "name": "A", "role": "queen"}),
    ("/admin/reviews/{review}/members", {"email": "a@example.test", "name": "A" * 121, "role": "reviewer"}),
    ("/admin/reviews/{review}/members", {"email": "not-an-email", "name": "A", "role": "reviewer"}),
    ("/admin/reviews/{review}/members", {"name": "A", "role": "reviewer"}),
    ("/admin/reviews/{review}/members/{member}/role", {}),
    ("/admin/reviews/{review}/status", {"status": "paused"}),
    ("/admin/reviews/{review}", {"council": "X", "starts_on": "2027-01-01", "ends_on": "2027-01-02",
                                 "phase": "third"}),
    ("/admin/accounts", {"email": "a@example.test", "name": "A", "is_admin": "perhaps"}),
    ("/admin/accounts", {"email": "a@example.test" + "x" * 300, "name": "A"}),
])
def test_bad_input_is_a_400_not_a_500(as_admin, setup, url, form):
    review, other, people = setup
    before = f.count(AuditEvent)
    response = as_admin.post(url.format(review=review.id, member=people["reviewer"].id), data=form)
    assert response.status_code == 400
    assert f.count(AuditEvent) == before


def test_non_numeric_and_unknown_ids_are_not_found(as_admin, setup):
    review, other, people = setup
    assert as_admin.get("/admin/reviews/abc").status_code == 404
    assert as_admin.get("/admin/reviews/99999999999").status_code == 404
    assert as_admin.get("/admin/reviews/424242").status_code == 404
    assert as_admin.post(f"/admin/reviews/{review.id}/members/424242/role",
                         data={"role": "reviewer"}).status_code == 404
    assert as_admin.post("/admin/accounts/424242/disable").status_code == 404

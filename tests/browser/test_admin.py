"""An administrator sets up a review on a phone: creates it through the form, invites a member, copies the link
shown once, and finds the team and the account list; every page axe-clean at 360 px."""
from __future__ import annotations

import pytest

from visits.extensions import db
from visits.models import Review, Role, User

from ..support import factories as f
from ..support.browser import assert_accessible, sign_in


@pytest.fixture
def admin(app):
    user = f.gen_user(name="Ann Admin", email="ann@example.test", is_admin=True)
    existing = f.gen_review("Existing Council")
    f.gen_member(existing, "lead_reviewer", name="Lowri Lead")
    db.session.commit()
    return user


def test_administrator_creates_a_review_and_invites_a_member(page, admin):
    sign_in(page, admin)
    page.goto("/admin")
    assert_accessible(page, "admin-index")

    page.get_by_label("Council").fill("Cyngor Newydd")
    page.get_by_label("First day on site").fill("2027-03-01")
    page.get_by_label("Last day on site").fill("2027-02-27")
    page.get_by_role("button", name="Create the review").click()
    page.get_by_role("alert").wait_for()
    assert "cannot be before the first" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "admin-index-error")

    page.get_by_label("Last day on site").fill("2027-03-05")
    page.get_by_role("button", name="Create the review").click()
    page.wait_for_url("**/admin/reviews/*")
    review = db.session.scalars(db.select(Review).filter_by(council_name="Cyngor Newydd")).one()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Cyngor Newydd")

    page.get_by_label("Email").fill("rhian@example.test")
    page.get_by_label("Name", exact=True).fill("Rhian Reviewer")
    page.get_by_label("Role", exact=True).select_option("reviewer")
    page.get_by_role("button", name="Add to the team").click()
    link = page.get_by_label("Link to copy (shown only this once)")
    link.wait_for()
    assert "/invite/" in link.input_value()
    assert page.get_by_text("No mail server is set up").is_visible()
    assert_accessible(page, "admin-review-invited")
    rhian = db.session.scalars(db.select(User).filter_by(email="rhian@example.test")).one()
    assert rhian.role_in(review.id) is Role.reviewer

    page.goto(f"/admin/reviews/{review.id}")
    assert page.get_by_label("Link to copy (shown only this once)").count() == 0
    assert page.get_by_role("row", name="Rhian Reviewer").is_visible()
    assert_accessible(page, "admin-review")

    page.goto("/admin/accounts")
    assert page.get_by_role("row", name="Rhian Reviewer").is_visible()
    assert_accessible(page, "admin-accounts")

    existing = db.session.scalars(db.select(Review).filter_by(council_name="Existing Council")).one()
    page.goto(f"/admin/reviews/{existing.id}/team")
    assert_accessible(page, "admin-team")

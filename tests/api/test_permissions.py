"""Who may see what, as a matrix: every role × every route of the foundation, allowed and refused.

What "limited" means (DESIGN section 2): another team member's visit shows time, kind and team, and its place
only when it is not somebody's home — never who it is with or their needs.
"""
from __future__ import annotations

import pytest

from ..support.routes import ADMIN_GETS, ADMIN_POSTS, routes_in_app

SERVICE_USER_NAME = "Mrs A. Jones"
HOME_ADDRESS = "4 Secret Lane"
NEED = "Polish"
BRIEFING = "lives alone"

ROLES = ["lead_reviewer", "reviewer", "reviewer2", "lay_assessor", "link_officer", "coordinator", "lead_b"]



# Rhys's home visit with Mrs Jones, in review A.
HOME_VISIT_EXPECTATIONS = {
    "lead_reviewer": "full",            # sees everything of the review
    "reviewer": "full",                 # it is his visit
    "reviewer2": "limited",             # a colleague's visit: time, kind, team only
    "lay_assessor": "limited",
    "link_officer": "full",             # they supplied the identity and arrange the interpreter
    "coordinator": "full_anonymous",    # the programme, but no service-user identity
    "lead_b": "absent",                 # another review: does not exist for them
}


@pytest.mark.parametrize("role", ROLES)
def test_home_visit_page_shows_each_role_only_what_they_may_know(world, client, role):
    client.login(world.member(role))
    response = client.get(f"/visits/{world.home_visit.id}")
    page = response.get_data(as_text=True)
    expected = HOME_VISIT_EXPECTATIONS[role]
    if expected == "absent":
        assert response.status_code == 404
        assert "Home visit CTV-001" not in page
        return
    assert response.status_code == 200
    assert "18:00" in page and "Rhys Reviewer" in page
    if expected == "full":
        assert SERVICE_USER_NAME in page and HOME_ADDRESS in page and NEED in page and BRIEFING in page
        assert "Lyn Link" in page and "07700 900555" in page  # who to call
    elif expected == "full_anonymous":
        assert SERVICE_USER_NAME not in page and HOME_ADDRESS not in page and "900777" not in page
        # The case reference and that a need exists, but none of the team's free text about the person.
        assert "CTV-001" in page and "Interpreter" in page
        assert NEED not in page and BRIEFING not in page
    else:
        assert SERVICE_USER_NAME not in page and HOME_ADDRESS not in page and NEED not in page
        assert "CTV-001" not in page


# Lena's day-centre visit in review A: everyone on the review, nobody else.
SETTING_VISIT_STATUS = {"lead_reviewer": 200, "reviewer": 200, "reviewer2": 200, "lay_assessor": 200,
                        "link_officer": 200, "coordinator": 200, "lead_b": 404}


@pytest.mark.parametrize("role,expected", SETTING_VISIT_STATUS.items())
def test_setting_visit_page_is_visible_within_the_review_only(world, client, role, expected):
    client.login(world.member(role))
    response = client.get(f"/visits/{world.setting_visit.id}")
    assert response.status_code == expected
    if expected == 200:
        # A day centre is not a home: everyone on the review may see where it is.
        assert "Maes Day Centre" in response.get_data(as_text=True)


# A review-B meeting Rhys is not on.
MEETING_B_STATUS = {"reviewer": 200,  # on both reviews
                    "lead_b": 200,
                    "lead_reviewer": 404, "reviewer2": 404, "lay_assessor": 404, "link_officer": 404,
                    "coordinator": 404}


@pytest.mark.parametrize("role,expected", MEETING_B_STATUS.items())
def test_nobody_sees_another_reviews_visits(world, client, role, expected):
    client.login(world.member(role))
    assert client.get(f"/visits/{world.meeting_b.id}").status_code == expected


def test_unknown_visit_is_404_not_500(world, client):
    client.login(world.lead)
    assert client.get("/visits/999999").status_code == 404


@pytest.mark.parametrize("path", ["/", "/itinerary", "/itinerary?date=2026-11-23", "/visits/1"])
def test_pages_ask_to_sign_in(world, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_api_answers_401_json_not_a_redirect(world, client):
    response = client.get("/api/itinerary?from=2026-11-23&to=2026-11-24")
    assert response.status_code == 401
    assert response.json["error"] == "unauthenticated"


@pytest.mark.parametrize("role", ROLES)
def test_api_itinerary_holds_the_same_limits_as_the_pages(world, client, role):
    client.login(world.member(role))
    day = world.home_visit.starts_at.date().isoformat()
    response = client.get(f"/api/itinerary?from={day}&to={day}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    expected = HOME_VISIT_EXPECTATIONS[role]
    if expected == "full":
        assert SERVICE_USER_NAME in body and BRIEFING in body
    else:
        assert SERVICE_USER_NAME not in body and HOME_ADDRESS not in body and BRIEFING not in body


def test_the_coordinator_reads_no_briefing_of_a_home_visit_even_before_it_has_a_place_or_a_person(world, client):
    from visits.extensions import db

    from ..support import factories as f

    draft = f.gen_visit(world.review, team=[world.reviewer], kind="home_visit",
                        title="Home visit (to book)")
    draft.briefing = "Ask for Mr B. Evans's daughter"
    db.session.commit()
    client.login(world.coordinator)
    assert "Evans" not in client.get(f"/visits/{draft.id}").get_data(as_text=True)
    from ..support.clients import Client

    link = Client(client.app)
    link.login(world.link)
    assert "Mr B. Evans" in link.get(f"/visits/{draft.id}").get_data(as_text=True)


# Administration (DESIGN section 10): the coordinator manages review A's team, the lead reads it, nobody else
# of review A reaches any of it; review B's lead reads only B's team. Site administrators: tests/api/test_admin.py.
ADMIN_ROUTES = {
    # path: {role: status}; a role not named gets 403
    "/admin": {"coordinator": 200, "lead_reviewer": 200, "lead_b": 200},
    "/admin/accounts": {},
    "/admin/reviews/{review}": {"coordinator": 200},
    "/admin/reviews/{review}/team": {"coordinator": 200, "lead_reviewer": 200},
}
ADMIN_POST_ALLOWED = {"coordinator": {"/admin/reviews/{review}", "/admin/reviews/{review}/status",
                                      "/admin/reviews/{review}/members",
                                      "/admin/reviews/{review}/members/{member}/role",
                                      "/admin/reviews/{review}/members/{member}/remove",
                                      "/admin/reviews/{review}/members/{member}/reset-link"}}


def test_the_matrix_holds_every_administration_route(app):
    assert set(ADMIN_ROUTES) == set(ADMIN_GETS) == routes_in_app(app, "/admin", "GET")
    assert set(ADMIN_POSTS) == routes_in_app(app, "/admin", "POST")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ADMIN_ROUTES)
def test_administration_pages_per_role(world, client, role, path):
    client.login(world.member(role))
    response = client.get(path.format(review=world.review.id))
    assert response.status_code == ADMIN_ROUTES[path].get(role, 403)
    if path == "/admin" and role == "lead_b":
        assert world.review.council_name not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ADMIN_POSTS)
def test_administration_writes_per_role(world, client, role, path):
    client.login(world.member(role))
    # An empty form: those allowed get as far as its validation (400), everyone else is refused first (403).
    response = client.post(path.format(review=world.review.id, member=world.reviewer2.id), data={})
    allowed = path in ADMIN_POST_ALLOWED.get(role, set())
    expected = {400} if allowed else {403}
    if allowed and path.endswith(("/remove", "/reset-link")):  # nothing to fill in: done
        expected = {200, 302}
    assert response.status_code in expected


def test_a_staff_interviews_briefing_naming_a_service_user_reaches_no_one_who_may_not_know_them(world, client):
    """A briefing for a visit about no service user may still name one ("ask why ... was discharged"): the rule for
    titles applies (visits/identity.py private_text), on the visit page and in the API's itinerary alike."""
    from visits.extensions import db

    from ..support import factories as f
    from ..support.clients import Client

    interview = f.gen_visit(world.review, team=[world.reviewer], kind="staff_interview", title="Social worker")
    interview.briefing = f"Ask why {SERVICE_USER_NAME} was discharged without a care plan"
    interview.cancel_reason = f"{SERVICE_USER_NAME} is in hospital"
    db.session.commit()
    day = interview.starts_at.date().isoformat()
    client.login(world.coordinator)
    for path in (f"/visits/{interview.id}", f"/api/itinerary?from={day}&to={day}"):
        assert SERVICE_USER_NAME not in client.get(path).get_data(as_text=True), path
    link = Client(client.app)
    link.login(world.link)  # the link officer knows who the service users are
    assert "was discharged without a care plan" in link.get(f"/visits/{interview.id}").get_data(as_text=True)

"""Every route of the app has a decision for every role, and the app keeps to it.

The table is ROUTE_DECISIONS in tests/support/routes.py: for each rule of `app.url_map` and each method, what a
lead, a reviewer, a lay assessor, a link officer, a coordinator, a member of another review and someone signed out
get. A route added to the app without a row there fails the first test below, which names it. The walk then asks
each route as each role on the shared world (review A's day, tests/support/world.py) with a note, a concern and a
service user's name planted, and checks the outcome, and that in every answer (a page, JSON, a refusal, a form
shown again) those words appear only where DESIGN section 2 allows.

What each page shows in detail is tested by the matrices beside this one (test_permissions.py,
test_recording_matrix.py, test_admin_confidentiality.py); this one is about completeness."""
from __future__ import annotations

import pytest

from visits.calendar.feed import new_token, token_hash
from visits.extensions import db
from visits.models import CalendarFeed, LoginSession

from ..support import factories as f
from ..support.clients import Client, csrf_from
from ..support.routes import (
    HIDDEN, FORBIDDEN, MATRIX_ROLES, OK, ROUTE_DECISIONS, SIGN_IN, form_for, rule_keys_in_app, url_for_rule,
)

PLANTED_NOTE = "Planted note: the back door sticks and the dog bites"
PLANTED_CONCERN = "Planted concern: loose wiring on the landing"
SERVICE_USER_NAME = "Mrs A. Jones"  # two_reviews_world's, on Rhys's home visit

# DESIGN section 2, for the home visit Rhys is on and Lena is not, whose service user the link officer supplied:
# who may read each planted text anywhere in the app.
MAY_READ = {
    PLANTED_NOTE: {"lead", "reviewer"},                # notes: the lead, and those on the visit
    PLANTED_CONCERN: {"lead", "reviewer"},             # concerns: the lead, and who raised it (not referred)
    SERVICE_USER_NAME: {"lead", "reviewer", "link"},   # identity: the lead, own visits, the link officer
}
# Writes that end what later writes act on: the spare member's removal, and signing out.
DONE_LAST = ("/members/<int:user_id>/remove", "/disable", "/logout")
WHO = {"lead": "lead_reviewer", "reviewer": "reviewer", "lay": "lay_assessor", "link": "link_officer",
       "coordinator": "coordinator", "other_review": "lead_b"}


@pytest.fixture
def planted(world):
    """The shared world, with Rhys's note and concern on his home visit and a spare member of review A for the
    account routes to act on (so nobody walking the routes disables or removes themselves)."""
    world.note = f.gen_note(world.home_visit, world.reviewer, PLANTED_NOTE, kind="home_visit")
    world.concern = f.gen_concern(world.home_visit, world.reviewer, PLANTED_CONCERN)
    world.spare = f.gen_member(world.review, "reviewer", name="Sam Spare")
    # Sam is signed in on a phone of his own: ending that session is nobody else's to do.
    world.spare_session = LoginSession(user_id=world.spare.id, token_hash=token_hash(f.new_id()))
    # Rhys's calendar feed: its secret URL is the key, whoever holds it (a calendar app cannot sign in).
    world.feed_token = new_token()
    db.session.add_all([world.spare_session, CalendarFeed(user_id=world.reviewer.id,
                                                          token_hash=token_hash(world.feed_token))])
    db.session.commit()
    return world


def ids_of(world) -> dict[str, str]:
    return {"review_id": world.review.id, "user_id": world.spare.id, "visit_id": world.home_visit.id,
            "case_id": world.case.id, "participant_id": world.service_user.id, "location_id": world.home.id,
            "note_id": world.note.id, "day": world.day.isoformat(), "session_id": world.spare_session.id,
            "token": world.feed_token}


def outcome(response) -> str:
    """What the person got, in the table's words."""
    location = response.headers.get("Location", "")
    if response.status_code == 401 or (300 <= response.status_code < 400 and "/login" in location
                                       and not location.endswith(("/login/two-factor",))):
        return SIGN_IN
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 404:
        return HIDDEN
    return OK


def test_every_route_of_the_app_has_a_decision_for_every_role(app):
    in_app = rule_keys_in_app(app)
    missing = sorted(in_app - set(ROUTE_DECISIONS))
    assert not missing, ("Routes with no decision in ROUTE_DECISIONS (tests/support/routes.py): add a row saying what "
                         "each role gets, by DESIGN section 2: " + ", ".join(missing))
    stale = sorted(set(ROUTE_DECISIONS) - in_app)
    assert not stale, "ROUTE_DECISIONS names routes the app no longer has: " + ", ".join(stale)
    for key, decision in ROUTE_DECISIONS.items():
        assert set(decision) == set(MATRIX_ROLES), f"{key}: a decision for each of {MATRIX_ROLES}"


def browser_for(app, world, role) -> tuple[Client, str]:
    client = Client(app)
    if role != "signed_out":
        client.login(world.member(WHO[role]))
        return client, csrf_from(client.get("/account"))
    return client, csrf_from(client.get("/login"))


def walk(app, world, role) -> dict[str, tuple[str, int]]:
    """Every route as `role`: reads first, then writes with an empty form, signing out last. Each text of MAY_READ
    is looked for in every answer: it may appear only for those section 2 lets read it, and must appear somewhere
    for each of them (or the check would prove nothing)."""
    client, token = browser_for(app, world, role)
    ids = ids_of(world)
    seen: dict[str, tuple[str, int]] = {}
    found: set[str] = set()
    keys = sorted(ROUTE_DECISIONS, key=lambda key: (not key.startswith("GET "), key.endswith(DONE_LAST), key))
    for key in keys:
        method = key.split(" ", 1)[0]
        url = url_for_rule(key, ids)
        if method == "GET":
            response = client.http.get(url)
        else:
            response = client.http.open(url, method=method, data={**form_for(key, ids), "csrf_token": token},
                                        headers={"X-CSRFToken": token})
        assert response.status_code < 500, f"{key} as {role}: {response.status_code}"
        seen[key] = (outcome(response), response.status_code)
        # Every answer, a refusal or a form shown again with its errors as much as a page read.
        if response.mimetype.startswith(("text/", "application/j")):
            body = response.get_data(as_text=True)
            for words, readers in MAY_READ.items():
                assert role in readers or words not in body, f"{key} shows {words!r} to the {role}"
                if words in body:
                    found.add(words)
    may_read = {words for words, readers in MAY_READ.items() if role in readers}
    assert found == may_read, f"the {role} should read {may_read - found} somewhere, and did not"
    return seen


@pytest.mark.parametrize("role", MATRIX_ROLES)
def test_each_role_gets_what_the_table_decides_on_every_route(app, planted, role):
    seen = walk(app, planted, role)
    wrong = {key: f"table says {ROUTE_DECISIONS[key][role]}, got {got} ({status})"
             for key, (got, status) in seen.items() if got != ROUTE_DECISIONS[key][role]}
    assert not wrong, f"as the {role}:\n" + "\n".join(f"  {key}: {why}" for key, why in sorted(wrong.items()))

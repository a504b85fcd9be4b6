"""The itinerary's "Changed since you last looked" (DESIGN section 13): the changes to the person's visits made by
someone else since they last said "Got it", times and kinds only; the service worker's prefetch neither shows
them nor counts as a look; "Got it" is a form post (with its CSRF token) about the person's own itinerary."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from visits.extensions import db
from visits.models import ItinerarySeen, VisitChange

from ..support import factories as f
from ..support.world import HOME_ADDRESS, SERVICE_USER_NAME, console_world
from .test_programme_notices import _edit_form

PREFETCH = {"X-Fieldwork-Prefetch": "1"}


@pytest.fixture
def console(app):
    world = console_world()
    world.t0 = datetime.combine(world.day, datetime.min.time()).replace(hour=6, tzinfo=timezone.utc)
    app.config["CLOCK"] = lambda: world.t0
    return world


def _block(html: str) -> str | None:
    match = re.search(r'<section class="changes-since".*?</section>', html, re.S)
    return match.group(0) if match else None


def _day(client, console, headers=None) -> str:
    response = client.get(f"/itinerary?date={console.day.isoformat()}", headers=headers or {})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _look(client, console, person):
    client.login(person)
    return _day(client, console)


def _move_home_visit(app, client, console, minutes_later=5, **changes):
    """The link officer moves Rhys's and Ffion's 18:00 home visit to 19:30, a little after everyone looked."""
    app.config["CLOCK"] = lambda: console.t0 + timedelta(minutes=minutes_later)
    client.login(console.link)
    form = _edit_form(client, console, console.home_visit, **({"start": "19:30", "end": "20:15"} | changes))
    assert client.post(f"/programme/visits/{console.home_visit.id}", data=form).status_code == 302


ROLES = ["lead_reviewer", "reviewer", "reviewer2", "lay_assessor", "link_officer", "coordinator", "lead_b"]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_people_on_the_visit_see_that_it_moved_and_only_its_time_and_kind(app, client, console, role):
    person = console.member(role)
    _look(client, console, person)
    _move_home_visit(app, client, console)
    block = _block(_look(client, console, person))
    if role in ("reviewer", "reviewer2"):
        assert block is not None
        weekday = console.day.strftime("%a")
        assert "Moved:" in block and f"{weekday} 18:00 → 19:30" in block and "Home visit" in block
        assert "Got it" in block and 'name="csrf_token"' in block
        for secret in ("AD-014", SERVICE_USER_NAME, HOME_ADDRESS, "Home (GS)", console.link.name):
            assert secret not in block
    else:
        # The lead sees the whole programme but was not on the visit; the link officer made the change; the
        # others were never on it; review B's lead cannot know it exists.
        assert block is None


def test_someone_taken_off_a_visit_about_a_service_user_sees_its_time_and_kind_only(app, client, console):
    _look(client, console, console.reviewer2)
    _move_home_visit(app, client, console, team=[str(console.reviewer.id)])
    block = _block(_look(client, console, console.reviewer2))
    assert "Taken off:" in block and "Home visit" in block
    for secret in ("AD-014", SERVICE_USER_NAME, HOME_ADDRESS):
        assert secret not in block
    # The link, when there is one, opens the visit as a colleague's: time, kind and team, nobody's name.
    link = re.search(r'href="(/visits/\d+)"', block)
    if link:
        page = client.get(link.group(1)).get_data(as_text=True)
        assert SERVICE_USER_NAME not in page and HOME_ADDRESS not in page


def test_got_it_marks_the_changes_seen_and_a_later_change_shows_again(app, client, console):
    _look(client, console, console.reviewer)
    _move_home_visit(app, client, console)
    client.login(console.reviewer)
    block = _block(_day(client, console))
    newest = re.search(r'name="change" value="(\d+)"', block).group(1)
    done = client.post("/itinerary/changes/seen", data={"change": newest, "date": console.day.isoformat()})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/itinerary?date={console.day}")
    assert _block(_day(client, console)) is None
    _move_home_visit(app, client, console, minutes_later=10, start="20:00", end="20:45")
    client.login(console.reviewer)
    block = _block(_day(client, console))
    assert "19:30 → 20:00" in block and "18:00 → 19:30" not in block


def test_a_look_is_not_a_got_it(app, client, console):
    """The block stays until the person says they know: opening the page again does not clear it."""
    _look(client, console, console.reviewer)
    _move_home_visit(app, client, console)
    client.login(console.reviewer)
    assert _block(_day(client, console)) is not None
    assert _block(_day(client, console)) is not None


def test_someone_who_never_looked_is_shown_the_programme_as_it_is_not_a_list_of_changes(app, client, console):
    _move_home_visit(app, client, console)
    assert _block(_look(client, console, console.reviewer)) is None


def test_the_service_workers_prefetch_neither_shows_the_changes_nor_counts_as_a_look(app, client, console):
    client.login(console.reviewer)
    _day(client, console, headers=PREFETCH)
    assert f.count(ItinerarySeen) == 0  # a prefetch before the first look starts nothing
    _day(client, console)
    _move_home_visit(app, client, console)
    client.login(console.reviewer)
    assert _block(_day(client, console, headers=PREFETCH)) is None  # the kept copy would show it after "Got it"
    seen = db.session.scalar(db.select(ItinerarySeen.seen_at).where(ItinerarySeen.user_id == console.reviewer.id,
                                                                     ItinerarySeen.review_id == console.review.id))
    assert seen == console.t0
    assert _block(_day(client, console)) is not None


@pytest.mark.parametrize("role", ["lead_reviewer", "lay_assessor", "coordinator", "lead_b"])
def test_nobody_can_mark_as_seen_a_change_that_was_not_theirs(app, client, console, role):
    _look(client, console, console.reviewer)
    _move_home_visit(app, client, console)
    change = db.session.scalar(db.select(VisitChange))
    client.login(console.member(role))
    refused = client.post("/itinerary/changes/seen", data={"change": str(change.id)})
    assert refused.status_code == 400
    assert b"Reload your itinerary" in refused.data
    unknown = client.post("/itinerary/changes/seen", data={"change": "999999"})
    assert unknown.status_code == 400 and unknown.data == refused.data  # the same answer: an id tells nothing
    assert b"19:30" not in refused.data


@pytest.mark.parametrize("form", [{}, {"change": "x"}, {"change": "0"}, {"change": "1", "date": "26/11/2026"},
                                  {"change": "99999999999999999999"}])
def test_a_bad_got_it_form_is_a_400_never_a_500(client, console, form):
    client.login(console.reviewer)
    assert client.post("/itinerary/changes/seen", data=form).status_code == 400


def test_got_it_needs_the_form_token_and_a_signed_in_person(client, console):
    client.login(console.reviewer)
    assert client.post("/itinerary/changes/seen", data={"change": "1"}, with_csrf=False).status_code == 400
    client.http = client.app.test_client()  # signed out, with a sign-in page's token
    response = client.post("/itinerary/changes/seen", data={"change": "1"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert f.count(ItinerarySeen) == 0

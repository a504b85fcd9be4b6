"""A reviewer subscribes their phone's calendar to a secret URL: their own visits only, minimum data, revocable."""
from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from visits.extensions import db
from visits.models import AuditEvent, CalendarFeed, VisitStatus

from ..support.world import HOME_ADDRESS, SERVICE_USER_NAME



def make_feed(client) -> str:
    page = client.post("/calendar/feed").get_data(as_text=True)
    match = re.search(r'id="feed-url" type="url" value="([^"]+)"', page)
    assert match, page
    return html_lib.unescape(match.group(1))


def fetch(app, url: str):
    """The calendar app: no cookies, no session."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    return app.test_client().get("/" + path)


def test_the_feed_parses_and_holds_the_persons_own_visits_only(client, console, app):
    client.login(console.reviewer)
    url = make_feed(client)
    assert url.startswith("http://localhost/calendar/") and url.endswith(".ics")
    response = fetch(app, url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = {str(event.get("uid")): event for event in calendar.events}
    assert set(events) == {f"visit-{console.interview.id}@fieldwork", f"visit-{console.home_visit.id}@fieldwork"}
    interview = events[f"visit-{console.interview.id}@fieldwork"]
    assert str(interview.get("summary")) == "Interview: social worker"
    assert interview.start == console.interview.starts_at.replace(tzinfo=ZoneInfo("Europe/London"))
    assert "Civic Centre" in str(interview.get("location"))
    assert f"/visits/{console.interview.id}" in str(interview.get("url"))


def test_a_home_visit_in_the_feed_names_no_service_user_and_no_address(client, console, app):
    client.login(console.reviewer)
    body = fetch(app, make_feed(client)).get_data(as_text=True)
    calendar = Calendar.from_ical(body)
    home = next(e for e in calendar.events if str(e.get("uid")) == f"visit-{console.home_visit.id}@fieldwork")
    assert str(home.get("summary")) == "Home visit (AD-014)"
    assert home.get("location") is None
    unfolded = body.replace("\r\n ", "")
    assert SERVICE_USER_NAME not in unfolded and HOME_ADDRESS not in unfolded and "Polish" not in unfolded
    assert "BEGIN:VTIMEZONE" in body and "TZID:Europe/London" in body


def test_a_cancelled_visit_is_sent_as_cancelled_so_the_phone_removes_it(client, console, app):
    console.interview.status = VisitStatus.cancelled
    db.session.commit()
    client.login(console.reviewer)
    calendar = Calendar.from_ical(fetch(app, make_feed(client)).data)
    interview = next(e for e in calendar.events if str(e.get("uid")) == f"visit-{console.interview.id}@fieldwork")
    assert str(interview.get("status")) == "CANCELLED"


def test_the_lay_assessors_feed_has_only_her_setting_visit(client, console, app):
    client.login(console.lay)
    calendar = Calendar.from_ical(fetch(app, make_feed(client)).data)
    assert [str(e.get("summary")) for e in calendar.events] == ["Maes Day Centre visit"]


def test_revoking_stops_the_url_at_once_and_a_new_link_replaces_the_old(client, console, app):
    client.login(console.reviewer)
    first = make_feed(client)
    second = make_feed(client)
    assert fetch(app, first).status_code == 404  # making a new link stops the old one
    assert fetch(app, second).status_code == 200
    page = client.post("/calendar/feed/revoke").get_data(as_text=True)
    assert "You have no calendar link." in page
    assert fetch(app, second).status_code == 404
    actions = db.session.scalars(db.select(AuditEvent.action).filter_by(subject_type="calendar_feed")).all()
    assert actions.count("create") == 2 and "revoke" in actions


def test_only_a_hash_of_the_token_is_stored_and_guesses_get_nothing(client, console, app):
    client.login(console.reviewer)
    url = make_feed(client)
    token = url.rsplit("/", 1)[1][:-len(".ics")]
    stored = db.session.scalar(db.select(CalendarFeed))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert app.test_client().get("/calendar/not-a-token.ics").status_code == 404
    assert token not in client.get("/calendar").get_data(as_text=True)  # shown once, never again


def test_a_disabled_account_or_one_no_longer_on_the_review_gets_no_visits(client, console, app):
    client.login(console.reviewer)
    url = make_feed(client)
    console.reviewer.memberships.clear()
    db.session.commit()
    assert list(Calendar.from_ical(fetch(app, url).data).events) == []
    console.reviewer.active = False
    db.session.commit()
    assert fetch(app, url).status_code == 404


def test_the_feed_reaches_back_a_month_at_most(client, console, app):
    console.interview.starts_at -= timedelta(days=60)
    console.interview.ends_at -= timedelta(days=60)
    db.session.commit()
    client.login(console.reviewer)
    calendar = Calendar.from_ical(fetch(app, make_feed(client)).data)
    assert [str(e.get("uid")) for e in calendar.events] == [f"visit-{console.home_visit.id}@fieldwork"]


def test_the_feed_is_in_its_owners_language_whoever_fetches_it(client, console, app):
    """A calendar app sends no cookie and no useful Accept-Language: the titles follow the owner's choice."""
    from flask_babel import force_locale, gettext

    client.login(console.reviewer)
    client.get("/?lang=cy")
    assert console.reviewer.locale == "cy"
    calendar = Calendar.from_ical(fetch(app, make_feed(client)).data)
    home = next(e for e in calendar.events if str(e.get("uid")) == f"visit-{console.home_visit.id}@fieldwork")
    with app.test_request_context(), force_locale("cy"):
        welsh_home_visit, welsh_name = gettext("Home visit"), gettext("Fieldwork visits")
    assert welsh_home_visit != "Home visit"
    assert str(home.get("summary")) == f"{welsh_home_visit} (AD-014)"
    assert str(calendar.get("name") or calendar.get("x-wr-calname")) == welsh_name

"""A visit's title and its agenda are typed freely by the link officer, so one may name the service user ("Home visit
– Mrs Jones"). Whoever may not know who service users are (the coordinator; a reviewer on a visit not theirs; a
calendar app a feed is synced to) gets a visit about one called by its kind and case reference, as briefings are
hidden from them (DESIGN section 2, issue 12 item 5); and the link officer is warned on the form when a title
names a service user or carer of the review, so they can fix it."""
from __future__ import annotations

import html as html_lib
from datetime import timedelta

import pytest
from icalendar import Calendar

from visits.extensions import db
from visits.models import AgendaSegment, Attendance, AttendanceStatus

from ..support import factories as f
from ..support.world import SERVICE_USER_NAME, at

NAMED_TITLE = f"Home visit – {SERVICE_USER_NAME}"
SURNAME_TITLE = "Case talk about Mrs Secretname's care"
AGENDA_TITLE = f"Tea with {SERVICE_USER_NAME}"


@pytest.fixture
def named(console):
    """The home visit titled with the service user's name; a case interview titled with her surname; an agenda
    segment naming her; and her marked absent, so the board's no-shows list the visit."""
    console.home_visit.title = NAMED_TITLE
    console.home_visit.agenda.append(AgendaSegment(position=0, title=AGENDA_TITLE, minutes=20))
    console.case_interview = f.gen_visit(console.review, [console.reviewer], [console.social_worker],
                                         "staff_interview", at(console.day, 15), 30, console.office,
                                         case=console.case, title=SURNAME_TITLE)
    db.session.scalar(db.select(Attendance).filter_by(visit_id=console.home_visit.id,
                                                      participant_id=console.service_user.id)).status = \
        AttendanceStatus.absent
    db.session.commit()
    return console


def pages_showing_titles(console, *visits, days: int = 1) -> list[str]:
    """Every page and JSON of the review's day that shows visit titles, then the given visits' own pages."""
    review, day = console.review.id, console.day.isoformat()
    return [
        f"/programme?review={review}",
        f"/attendance?review={review}&date={day}",
        f"/attendance/board-fragment?review={review}&date={day}",
        f"/needs?review={review}",
        f"/api/programme/findings?review={review}",
        f"/api/attendance?date={day}",
        f"/api/itinerary?from={day}&to={(console.day + timedelta(days=days)).isoformat()}",
        f"/itinerary?date={day}",
    ] + [f"/visits/{visit.id}" for visit in visits]


def coordinator_pages(console) -> list[str]:
    return pages_showing_titles(console, console.home_visit, console.case_interview)


def leaked(text: str) -> list[str]:
    text = html_lib.unescape(text)
    return [words for words in (SERVICE_USER_NAME, "Secretname", AGENDA_TITLE) if words in text]


def assert_none_leaks(client, urls) -> None:
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert leaked(response.get_data(as_text=True)) == [], url


def test_the_coordinator_never_reads_a_service_users_name_in_a_title_or_an_agenda(client, named):
    client.login(named.coordinator)
    assert_none_leaks(client, coordinator_pages(named))
    # What the coordinator reads instead: the kind of visit and its case reference.
    programme = html_lib.unescape(client.get(coordinator_pages(named)[0]).get_data(as_text=True))
    assert "Home visit · AD-014" in programme and "Staff interview · AD-014" in programme


def test_those_who_may_know_her_still_read_the_title_as_typed(client, named):
    for person in (named.link, named.lead, named.reviewer):
        client.login(person)
        page = html_lib.unescape(client.get(f"/visits/{named.home_visit.id}").get_data(as_text=True))
        assert NAMED_TITLE in page and AGENDA_TITLE in page
    client.login(named.link)
    assert NAMED_TITLE in html_lib.unescape(
        client.get(f"/programme?review={named.review.id}").get_data(as_text=True))


@pytest.mark.parametrize("role", ["lay_assessor", "lead_b", "link_b"])
def test_nobody_else_reads_it_either(client, named, role):
    client.login(named.member(role))
    for url in coordinator_pages(named):
        assert leaked(client.get(url).get_data(as_text=True)) == [], (role, url)


def test_a_calendar_feed_leaves_the_app_so_it_never_carries_a_title_about_a_service_user(client, named, app):
    from .test_ical import fetch, make_feed

    client.login(named.reviewer)
    body = fetch(app, make_feed(client)).get_data(as_text=True)
    calendar = Calendar.from_ical(body)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert "Staff interview (AD-014)" in summaries and "Home visit (AD-014)" in summaries
    assert leaked(body) == []


# --- the link officer is told, on the form ---------------------------------------------------------------------


def visit_form(console, **values):
    form = {"review": str(console.review.id), "kind": "home_visit", "title": "", "date": console.day.isoformat(),
            "start": "19:00", "end": "19:45", "status": "planned", "briefing": ""}
    form.update(values)
    return form


def test_the_visit_form_warns_when_a_title_names_a_service_user_or_carer(client, console):
    client.login(console.link)
    new = client.get(f"/programme/visits/new?review={console.review.id}")
    assert new.status_code == 200 and "names a service user" not in new.get_data(as_text=True)
    client.post("/programme/visits", data=visit_form(console, title="Home visit - Mrs Secretname"))
    edit = client.get(f"/programme/visits/{console.home_visit.id}/edit?review={console.review.id}")
    assert "names a service user" not in edit.get_data(as_text=True)
    console.home_visit.title = NAMED_TITLE
    db.session.commit()
    edit = html_lib.unescape(client.get(f"/programme/visits/{console.home_visit.id}/edit?review="
                                        f"{console.review.id}").get_data(as_text=True))
    assert f"This title names a service user or carer ({SERVICE_USER_NAME})" in edit
    assert 'aria-describedby="title-warning' in edit or 'id="title-warning"' in edit


def test_the_visit_form_warns_after_saving_a_title_that_names_her(client, console):
    client.login(console.link)
    response = client.post("/programme/visits", data=visit_form(console, title="Mrs Secretname at home"))
    assert response.status_code == 302
    text = html_lib.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert f"names a service user or carer ({SERVICE_USER_NAME})" in text


def test_the_import_preview_warns_when_a_title_names_a_service_user(client, console):
    from .test_import import csv_bytes, upload

    client.login(console.link)
    row = [console.day.isoformat(), "19:00", "19:45", "home_visit", NAMED_TITLE, "", "", "", "AD-014", "", ""]
    preview = upload(client, console, csv_bytes([row]))
    text = html_lib.unescape(preview.get_data(as_text=True))
    assert preview.status_code == 200
    assert f"Row 2: this title names a service user or carer ({SERVICE_USER_NAME})" in text


def test_the_audit_log_keeps_no_name_typed_in_a_title(client, console):
    """An audit row's detail never holds a service user's name, and a title can (DESIGN section 2)."""
    import json

    from visits.models import AuditEvent

    client.login(console.link)
    assert client.post("/programme/visits", data=visit_form(console, title=NAMED_TITLE,
                                                            case_id=str(console.case.id))).status_code == 302
    details = [json.dumps(event.detail, ensure_ascii=False) for event in db.session.scalars(
        db.select(AuditEvent).filter_by(subject_type="visit"))]
    assert details and not any(SERVICE_USER_NAME in detail for detail in details)


# --- a title naming her on a visit not "about" her (security review, finding R3) ---------------------------------
# A team visit with no case and no service user on it can still be titled after her ("why Mrs … was discharged"):
# whoever may not know service users reads it as its kind, as for a visit about one; the calendar app never reads it.

TEAM_TITLE = f"Team visit: why {SERVICE_USER_NAME} was discharged"


@pytest.fixture
def team_named(console):
    """A team visit of the reviewer's, no case and no service user on it, whose title and one agenda part name her;
    and a clash with it, so the programme's findings quote its title."""
    console.team_visit = f.gen_visit(console.review, [console.reviewer], [], "team_visit", at(console.day, 16), 30,
                                     console.office, title=TEAM_TITLE)
    console.team_visit.agenda.append(AgendaSegment(position=0, title=AGENDA_TITLE, minutes=10))
    console.team_visit.agenda.append(AgendaSegment(position=1, title="Actions for the week", minutes=10))
    f.gen_visit(console.review, [console.reviewer], [], "team_visit", at(console.day, 16), 30, console.office,
                title="Clash with the team visit")
    db.session.commit()
    return console


def team_visit_pages(console) -> list[str]:
    return pages_showing_titles(console, console.team_visit, days=0)


def test_the_coordinator_never_reads_her_name_in_the_title_of_a_team_visit(client, team_named):
    client.login(team_named.coordinator)
    assert_none_leaks(client, team_visit_pages(team_named))
    page = html_lib.unescape(client.get(f"/visits/{team_named.team_visit.id}").get_data(as_text=True))
    assert "Team visit" in page and "Actions for the week" in page  # its kind instead; parts naming no one stay


@pytest.mark.parametrize("role", ["reviewer2", "lay_assessor", "lead_b", "link_b"])
def test_nobody_off_the_visit_reads_her_name_in_its_title(client, team_named, role):
    """DESIGN section 2: of others' visits a reviewer reads only time, kind, team and non-home place. (Ffion is on
    the home visit, so she may read the service user's name there: what she must not read is this visit's title.)"""
    client.login(team_named.member(role))
    for url in team_visit_pages(team_named):
        text = html_lib.unescape(client.get(url).get_data(as_text=True))
        assert "was discharged" not in text and AGENDA_TITLE not in text, (role, url)
        if role != "reviewer2":
            assert leaked(text) == [], (role, url)


def test_the_lead_the_link_officer_and_the_reviewer_on_it_read_the_title_as_typed(client, team_named):
    for person in (team_named.link, team_named.lead, team_named.reviewer):
        client.login(person)
        page = html_lib.unescape(client.get(f"/visits/{team_named.team_visit.id}").get_data(as_text=True))
        assert TEAM_TITLE in page and AGENDA_TITLE in page, person.name
    for person in (team_named.link, team_named.lead):
        client.login(person)
        programme = html_lib.unescape(
            client.get(f"/programme?review={team_named.review.id}").get_data(as_text=True))
        assert TEAM_TITLE in programme, person.name
    client.login(team_named.lead)
    findings = client.get(f"/api/programme/findings?review={team_named.review.id}").get_data(as_text=True)
    assert "Secretname" in html_lib.unescape(findings)  # the clash is quoted by title, so the check above bites


def test_a_team_members_calendar_never_carries_a_title_naming_her(client, team_named, app):
    from .test_ical import fetch, make_feed

    client.login(team_named.reviewer)
    body = fetch(app, make_feed(client)).get_data(as_text=True)
    summaries = [str(event["SUMMARY"]) for event in Calendar.from_ical(body).walk("VEVENT")]
    assert "Team visit" in summaries and "Clash with the team visit" in summaries
    assert leaked(body) == []


def test_a_programme_of_many_visits_looks_for_names_once(client, team_named, monkeypatch):
    from visits import identity

    for n in range(40):
        f.gen_visit(team_named.review, [team_named.reviewer2], [], "team_visit",
                    at(team_named.day + timedelta(days=n % 4), 8 + n % 9), 20, team_named.office,
                    title=f"Team catch-up {n}")
    db.session.commit()
    built = []
    original = identity.NamesInTitle.__init__

    def counting(self, people):
        built.append(1)
        original(self, people)

    monkeypatch.setattr(identity.NamesInTitle, "__init__", counting)
    client.login(team_named.coordinator)
    page = html_lib.unescape(client.get(f"/programme?review={team_named.review.id}").get_data(as_text=True))
    assert "Team catch-up 39" in page and leaked(page) == []
    assert len(built) == 1

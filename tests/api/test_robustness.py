"""No 500 for anything a client can send: ids too large for the database, digits that are not ASCII, dates at
the ends of the calendar, characters no database keeps, and one bad operation among good ones."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from visits.extensions import db
from visits.models import Attendance, AttendanceStatus, Concern, Note, Operation, OverdueAcknowledgement, Visit
from visits.operations.registry import OPERATION_TYPES

from ..support import factories as f
from ..support.clients import Client
from ..support.clients import signed_in
from ..support.sync import send, send_one
from ..support.world import two_reviews_world

HUGE = "99999999999999999999"  # more than any database integer holds
SUPERSCRIPT_TWO = "²"            # str.isdigit() says yes, int() says no



def signed_in_as(app, world, role: str) -> Client:
    return signed_in(app, world.member(role))


def assert_client_error(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:500])


# --- what a browser or a script can put in a URL ------------------------------------------------------------


@pytest.mark.parametrize("url", [
    f"/visits/{HUGE}",
    f"/visits/{HUGE}/sections/notes",
    f"/programme/visits/{HUGE}/edit",
    f"/api/notes?visit={HUGE}",
    f"/api/notes?visit={SUPERSCRIPT_TWO}",
    f"/programme?review={SUPERSCRIPT_TWO}",
    f"/attendance?review={SUPERSCRIPT_TWO}",
    f"/api/programme/findings?review={HUGE}",
    f"/api/programme/findings?review={SUPERSCRIPT_TWO}",
    "/itinerary?date=0001-01-01",
    "/itinerary?date=9999-12-31",
    "/api/itinerary?from=9999-12-31&to=9999-12-31",
    "/api/itinerary?from=0001-01-01&to=0001-01-02",
    "/api/attendance?date=9999-12-31",
    "/api/attendance?date=0001-01-01",
    "/attendance?date=9999-12-31",
    "/attendance?date=0001-01-01",
    "/attendance/board-fragment?date=9999-12-31",
    "/attendance/board-fragment?date=0001-01-01",
])
@pytest.mark.parametrize("role", ["reviewer", "link_officer"])
def test_a_strange_url_is_a_client_error_never_a_500(app, world, role, url):
    assert_client_error(signed_in_as(app, world, role).get(url))


def test_a_visit_id_past_the_database_integer_is_simply_not_found(app, world):
    assert signed_in_as(app, world, "reviewer").get(f"/visits/{HUGE}").status_code == 404
    assert signed_in_as(app, world, "reviewer").get(f"/visits/{2**31}").status_code == 404


def _visit_form(world, **changes) -> dict:
    form = {"review": str(world.review.id), "kind": "staff_interview", "title": "Interview",
            "date": world.home_visit.starts_at.date().isoformat(), "start": "11:30", "end": "12:30",
            "status": "planned"}
    return {**form, **changes}


@pytest.mark.parametrize("url, form", [
    (f"/visits/{HUGE}/ops?type=note.save", {"body": "Hello"}),
    (f"/programme/visits/{HUGE}", {}),
    (f"/programme/visits/{HUGE}/cancel", {}),
    (f"/programme/visits/{HUGE}/participants", {"participant_id": "1"}),
    (f"/programme/visits/1/participants/{HUGE}/remove", {}),
    (f"/attendance/overdue/{HUGE}/acknowledge", {}),
    ("/programme/visits", {"location_id": HUGE}),
    ("/programme/visits", {"case_id": HUGE}),
    ("/programme/visits", {"team": HUGE}),
    ("/programme/visits", {"location_id": SUPERSCRIPT_TWO}),
    ("/programme/visits", {"date": "9999-12-31"}),
    ("/programme/visits", {"date": "0001-01-01"}),
    ("/programme/visits", {"title": "Tea\x00"}),
    ("/programme/visits", {"briefing": "Ring twice\x00"}),
    ("/programme/participants", {"kind": "staff", "name": "Sam", "office_id": HUGE}),
    ("/programme/participants", {"kind": "staff", "name": "Sam\x00"}),
    ("/programme/locations", {"kind": "other", "name": "Hall", "address": "1\x00 Road"}),
    ("/programme/cases", {"reference": "X-1", "service_user_id": HUGE}),
    ("/programme/cases", {"reference": "X-1", "social_worker_ids": HUGE}),
    ("/programme/cases", {"reference": "X\x00"}),
    ("/needs", {"participant_id": HUGE, "type": "advocacy"}),
    ("/needs", {"participant_id": "1", "type": "advocacy", "detail": "Welsh\x00"}),
])
def test_a_strange_console_form_is_a_client_error_never_a_500(app, world, url, form):
    link = signed_in_as(app, world, "link_officer")
    data = {**_visit_form(world), **form} if url == "/programme/visits" else {"review": world.review.id, **form}
    response = link.post(url, data=data)
    assert_client_error(response)


def test_a_huge_participant_id_on_a_visit_is_a_message_on_the_form(app, world):
    link = signed_in_as(app, world, "link_officer")
    response = link.post(f"/programme/visits/{world.interview.id}/participants", data={"participant_id": HUGE})
    assert response.status_code == 400 and "Choose from the list." in response.get_data(as_text=True)


# --- what a device can put in an operation ------------------------------------------------------------------


def _ops(world) -> dict[str, dict]:
    visit, person = world.home_visit, world.service_user
    note = {"note_id": f.new_id(), "visit_id": visit.id, "kind": "home_visit", "body": "Met Mrs J."}
    check = {"visit_id": visit.id, "at": "2026-11-23T18:00:00+00:00"}
    attendance = {"visit_id": visit.id, "participant_id": person.id, "status": "attended"}
    concern = {"concern_id": f.new_id(), "visit_id": visit.id, "category": "safeguarding", "rating": "red",
               "text": "Bruises."}
    need = {"need_id": f.new_id(), "participant_id": person.id, "type": "advocacy", "detail": "Advocate"}
    return {
        "visit_id too large": f.operation("note.save", **{**note, "visit_id": 10**30}),
        "visit_id as a huge string": f.operation("note.save", **{**note, "visit_id": HUGE}),
        "visit_id in superscript": f.operation("note.save", **{**note, "visit_id": SUPERSCRIPT_TWO}),
        "base_version too large": f.operation("note.save", base_version=10**30, **note),
        "participant_id too large": f.operation("attendance.set", **{**attendance, "participant_id": 10**30}),
        "need for a huge participant": f.operation("need.set", **{**need, "participant_id": 10**30}),
        "check-in at the end of time": f.operation("visit.check_in", **{**check, "at": "9999-12-31T23:00-12:00"}),
        "check-in at the start of time": f.operation("visit.check_in",
                                                     **{**check, "at": "0001-01-01T00:00+14:00"}),
        "attendance at the end of time": f.operation("attendance.set",
                                                     **{**attendance, "at": "9999-12-31T23:00-12:00"}),
        "a lone surrogate in a note": f.operation("note.save", **{**note, "body": "Tea \ud800"}),
        "NUL in a note": f.operation("note.save", **{**note, "body": "Tea\x00"}),
        "NUL in a prompt": f.operation("note.save", **{**note, "kind": "setting_observation",
                                                       "prompts": {"to_follow_up": "\x00"}}),
        "NUL in a concern": f.operation("concern.raise", **{**concern, "text": "\x00"}),
        "a surrogate in a need": f.operation("need.set", **{**need, "arrangement": "\udfff"}),
        "NUL in a referral": f.operation("concern.refer", concern_id=f.new_id(), referral_text="\x00"),
    }


OP_CASES = [  # the keys of _ops (it needs the world, which parametrize cannot have)
    "visit_id too large", "visit_id as a huge string", "visit_id in superscript", "base_version too large",
    "participant_id too large", "need for a huge participant", "check-in at the end of time",
    "check-in at the start of time", "attendance at the end of time", "a lone surrogate in a note", "NUL in a note",
    "NUL in a prompt", "NUL in a concern", "a surrogate in a need", "NUL in a referral",
]


@pytest.mark.parametrize("case", OP_CASES)
def test_a_strange_operation_is_rejected_with_a_field_message(app, world, case):
    answer = send_one(signed_in_as(app, world, "reviewer"), _ops(world)[case])
    assert answer["status"] == "rejected" and answer["errors"], answer


def post_new_note_form(app, world, visit_id: int, kind: str, body: str):
    """Rhys posts the new-note form of his home visit's page, as a browser without JavaScript would."""
    reviewer = signed_in_as(app, world, "reviewer")
    return reviewer.post(f"/visits/{world.home_visit.id}/ops?type=note.save&form=note.save:new",
                         data={"op_id": f.new_id(), "note_id": f.new_id(), "visit_id": visit_id, "kind": kind,
                               "body": body})


def test_a_note_with_a_nul_from_the_visit_page_form_is_not_saved_and_says_why(app, world):
    response = post_new_note_form(app, world, world.home_visit.id, "home_visit", "Tea\x00")
    assert response.status_code == 400
    assert "Remove the unusual characters" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Note)) == 0


def test_a_note_too_long_to_send_in_one_request_is_rejected_with_a_message_on_its_text(app, world):
    app.config["SYNC_MAX_BYTES"] = 4_000  # 1,000 characters at most, whatever they are
    prompts = {"welcome_and_reception": "a" * 400, "to_follow_up": "b" * 400}
    op = f.operation("note.save", note_id=f.new_id(), visit_id=world.setting_visit.id, kind="setting_observation",
                     body="c" * 201, prompts=prompts)
    answer = send_one(signed_in_as(app, world, "lay_assessor"), op)
    assert answer["status"] == "rejected" and "At most 1000 characters" in answer["errors"]["body"][0]
    op = f.operation("note.save", note_id=f.new_id(), visit_id=world.setting_visit.id, kind="setting_observation",
                     body="c" * 200, prompts=prompts)
    assert send_one(signed_in_as(app, world, "lay_assessor"), op)["status"] == "applied"


# --- one bad operation never holds up the outbox ------------------------------------------------------------


def _a_visits_work(world) -> list[dict]:
    visit = world.home_visit
    return [
        f.operation("note.save", note_id=f.new_id(), visit_id=visit.id, kind="home_visit", body="Met Mrs J."),
        f.operation("concern.raise", concern_id=f.new_id(), visit_id=visit.id, category="safeguarding",
                    rating="red", text="Bruises on her arm."),
        f.operation("attendance.set", visit_id=visit.id, participant_id=world.service_user.id, status="attended",
                    at="2026-11-23T18:02:00+00:00"),
    ]


def test_an_operation_that_fails_unexpectedly_is_rejected_and_the_rest_of_its_batch_is_applied(
        app, world, monkeypatch):
    def broken(user, op):
        db.session.add(Concern(id=op.data["concern_id"], visit_id=op.data["visit_id"], category="safeguarding",
                               rating="red", text="half written", raised_by_id=user.id))
        db.session.flush()
        raise RuntimeError("a bug in the handler")

    monkeypatch.setitem(OPERATION_TYPES, "concern.raise",
                        replace(OPERATION_TYPES["concern.raise"], handler=broken))
    reviewer = signed_in_as(app, world, "reviewer")
    ops = _a_visits_work(world)

    answers = send(reviewer, *ops)

    assert [a["status"] for a in answers] == ["applied", "rejected", "applied"]
    assert "problem on the server" in answers[1]["errors"]["_schema"][0]
    assert db.session.scalar(db.select(db.func.count()).select_from(Concern)) == 0  # nothing half done is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(Note)) == 1
    # The answer is kept like any other: sent again, the operation is a duplicate, and the outbox moves on.
    again = send_one(reviewer, ops[1])
    assert (again["status"], again["first_status"]) == ("duplicate", "rejected")


def test_a_database_that_cannot_be_reached_still_fails_the_request_so_the_outbox_tries_again(
        app, world, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def unreachable(user, op):
        raise OperationalError("INSERT ...", {}, ConnectionError("server closed the connection"))

    monkeypatch.setitem(OPERATION_TYPES, "concern.raise",
                        replace(OPERATION_TYPES["concern.raise"], handler=unreachable))
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an error page, not a test failure
    reviewer = signed_in_as(app, world, "reviewer")
    concern = _a_visits_work(world)[1]

    response = reviewer.post("/api/sync", json={"ops": [concern]})

    assert response.status_code == 500
    assert db.session.get(Operation, concern["op_id"]) is None  # no answer kept: it is sent again later


# --- the safety net under the schemas ---------------------------------------------------------------------


def _data_error(*args, **kwargs):
    from sqlalchemy.exc import DataError

    raise DataError("SELECT ...", {}, ValueError("value out of range"))


@pytest.mark.parametrize("url, json", [("/api/attendance?date=2026-11-23", True), ("/itinerary", False)])
def test_a_value_the_database_refuses_is_a_400_in_the_form_the_client_reads(app, world, monkeypatch, url, json):
    monkeypatch.setattr("visits.attendance.views.visits_between", _data_error)
    monkeypatch.setattr("visits.itinerary.views.visits_between", _data_error)

    response = signed_in_as(app, world, "reviewer").get(url)

    assert response.status_code == 400 and response.is_json == json
    if json:
        assert response.get_json()["error"] == "bad_request"


def test_an_overflow_nothing_checked_is_a_400_too(app, world, monkeypatch):
    def overflow(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr("visits.attendance.views.visits_between", overflow)
    assert signed_in_as(app, world, "reviewer").get("/api/attendance?date=2026-11-23").status_code == 400


# --- the visit page's own forms -----------------------------------------------------------------------------


def test_a_form_posted_to_one_visits_page_cannot_change_another_visit(app, world):
    # Rhys is on both visits, in two reviews.
    response = post_new_note_form(app, world, world.visit_b.id, "interview", "Written on the wrong page.")
    assert response.status_code == 400
    assert "belongs to another visit" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Note)) == 0


# --- attendance recorded on two phones ----------------------------------------------------------------------


def _attendance(world, status: str, at: str) -> dict:
    return f.operation("attendance.set", visit_id=world.home_visit.id, participant_id=world.service_user.id,
                       status=status, at=at)


def test_the_later_tap_on_a_device_wins_even_when_the_earlier_one_syncs_last(app, world):
    reviewer = signed_in_as(app, world, "reviewer")
    lead = signed_in_as(app, world, "lead_reviewer")
    # The lead marked her late at 18:10 but was offline; the reviewer saw her arrive and synced at once at 18:20.
    assert send_one(reviewer, _attendance(world, "attended", "2026-11-23T18:20:00+00:00"))["status"] == "applied"

    answer = send_one(lead, _attendance(world, "late", "2026-11-23T18:10:00+00:00"))

    assert answer["status"] == "applied" and answer["superseded"] is True and answer["attendance"] == "attended"
    stored = db.session.scalar(db.select(Attendance).filter_by(visit_id=world.home_visit.id))
    assert stored.status is AttendanceStatus.attended and stored.recorded_by_id == world.reviewer.id

    later = send_one(lead, _attendance(world, "late", "2026-11-23T18:25:00+00:00"))
    assert later["status"] == "applied" and "superseded" not in later and later["attendance"] == "late"


# --- the link officer's console -----------------------------------------------------------------------------


def _london(day, hour: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("Europe/London")).astimezone(timezone.utc)


def test_only_an_overdue_home_visit_can_be_acknowledged(app, world):
    day = world.home_visit.starts_at.date()
    link = signed_in_as(app, world, "link_officer")
    app.config["CLOCK"] = lambda: _london(day, 17)  # the home visit (18:00-18:45) has not even begun

    not_yet = link.post(f"/attendance/overdue/{world.home_visit.id}/acknowledge")
    not_a_home_visit = link.post(f"/attendance/overdue/{world.interview.id}/acknowledge")

    assert not_yet.status_code == 400 and "nothing to acknowledge" in not_yet.get_data(as_text=True)
    assert not_a_home_visit.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(OverdueAcknowledgement)) == 0

    app.config["CLOCK"] = lambda: _london(day, 20)  # 45 minutes past the planned end and the grace
    assert link.post(f"/attendance/overdue/{world.home_visit.id}/acknowledge",
                     data={"date": "9999-12-31"}).status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(OverdueAcknowledgement)) == 1


def test_a_visit_edit_posted_without_the_version_it_was_opened_at_is_not_saved(app, world):
    link = signed_in_as(app, world, "link_officer")
    visit = world.interview
    form = _visit_form(world, title="Changed without a version", location_id="", kind="staff_interview")

    response = link.post(f"/programme/visits/{visit.id}", data=form)

    assert response.status_code == 400 and "Reload the visit" in response.get_data(as_text=True)
    assert db.session.get(Visit, visit.id).title == "Interview: Sam Social Worker"


def test_within_the_years_and_the_ids_everything_still_works(app, world):
    reviewer = signed_in_as(app, world, "reviewer")
    assert reviewer.get("/itinerary?date=2100-12-31").status_code == 200
    assert reviewer.get("/api/itinerary?from=2000-01-01&to=2000-01-01").status_code == 200
    assert reviewer.get(f"/visits/{2**31 - 1}").status_code == 404
    assert reviewer.get(f"/visits/{world.home_visit.id}").status_code == 200
    check_in = f.operation("visit.check_in", visit_id=str(world.home_visit.id), at="2100-12-31T23:00-12:00",
                           confirmed=True)
    assert send_one(reviewer, check_in)["status"] == "applied"
    note = f.operation("note.save", note_id=f.new_id(), visit_id=world.home_visit.id, kind="home_visit",
                       body="Welsh and emoji are text: croeso 😀, ŵ, ŷ.")
    assert send_one(reviewer, note)["status"] == "applied"


# --- the same on PostgreSQL, which refuses what SQLite lets through -----------------------------------------


@pytest.fixture
def pg_world(pg_app):
    return pg_app, two_reviews_world()


@pytest.mark.postgres
def test_on_postgres_text_it_refuses_is_a_field_message_and_a_huge_id_a_404(pg_world):
    app, world = pg_world
    reviewer = signed_in_as(app, world, "reviewer")
    answers = send(reviewer, _ops(world)["NUL in a note"], _ops(world)["base_version too large"],
                   _a_visits_work(world)[0])
    assert [a["status"] for a in answers] == ["rejected", "rejected", "applied"]
    assert reviewer.get(f"/visits/{HUGE}").status_code == 404
    assert reviewer.get(f"/api/notes?visit={2**31}").status_code == 400
    # What no schema guards, the safety net does: a NUL in the login form reaches PostgreSQL's email lookup.
    stranger = Client(app)
    assert stranger.post("/login", data={"email": "a\x00@example.test", "password": "x"}).status_code == 400

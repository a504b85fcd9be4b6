"""`flask --app app purge-reviews [--dry-run]` (DESIGN section 11): RETENTION_DAYS after a review is closed, its
personal data is erased from the database -- from the SQLite file's free pages too -- while the review, the
programme's shape and every count stay; a dry run writes nothing, and a second run finds nothing to do."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, inspect, select
from sqlalchemy import text as sql

from visits.admin.reviews import close_review
from visits.clock import utcnow
from visits.extensions import db
from visits.models import (
    AgendaSegment, Attendance, AuditEvent, Case, CheckIn, Concern, Feedback, FeedbackAction, Location, NeedFlag, Note,
    NoteRevision, Operation, Participant, Review, ReviewStatus, Visit,
)

from ..support import factories as f
from ..support.clients import signed_in
from ..support.sync import send_one
from ..support.world import HOME_ADDRESS, NOTE_BODY, SERVICE_USER_NAME, console_world

SERVICE_USER_PHONE = "01632 960111"  # console_world's service user
CONCERN_TEXT = "Concern: bruising on the left arm, unexplained"
REFERRAL_TEXT = "Referral: please ask the duty team to call"
CONFLICT_TEXT = "Second phone: she mentioned her son Gareth"
ARRANGEMENT = "Interpreter Agnieszka Nowak 07700 900321"
BRIEFING = "Ring the bell twice: Mrs Secretname is hard of hearing"
AGENDA = "Talk with Mrs Secretname about her care plan"
REFERRED_TO = "Dafydd Dutymanager, adult safeguarding"
OUTCOME = "Outcome: a carer's assessment was booked for Mrs Secretname"
NOT_REFERRED_REASON = "Not referred: Mrs Secretname's daughter already told the duty team"
FEEDBACK = "Feedback: the staff at the day centre never listen to me"
FEEDBACK_ACTION = "We raised the listening with the day centre manager, Mr Mostyn"
# Review B's own record, which a purge of review A must leave alone.
OTHER_NAME = "Mr Bartholomew Keptname"
OTHER_NOTE = "Review B note: the other council's day centre was warm."

PLANTED = [NOTE_BODY, SERVICE_USER_NAME, SERVICE_USER_PHONE, HOME_ADDRESS, CONCERN_TEXT, REFERRAL_TEXT,
           CONFLICT_TEXT, ARRANGEMENT, BRIEFING, AGENDA, "AD-014", "Polish", "Sian Socialworker", REFERRED_TO, OUTCOME,
           NOT_REFERRED_REASON, FEEDBACK, FEEDBACK_ACTION]


@pytest.fixture(autouse=True)
def sqlite_as_built_by_default(request):
    """SQLite as built by default leaves deleted text in free pages (Debian's build zeroes them already): every
    connection starts with secure_delete off, so the purge has to turn it on itself."""
    if "pg_app" in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")

    def secure_delete_off(connection, _record):
        connection.execute("PRAGMA secure_delete=OFF")

    db.engine.dispose()
    event.listen(db.engine, "connect", secure_delete_off)
    yield
    event.remove(db.engine, "connect", secure_delete_off)


def review_with_a_week_of_records(app):
    """Review A's programme worked through the phones (a note and a conflicting copy, a concern referred, a need
    arranged, attendance, a check-in), then closed; review B holds records of its own (committed)."""
    world = console_world(utcnow().date())
    world.home_visit.briefing = BRIEFING
    db.session.add(AgendaSegment(visit_id=world.home_visit.id, position=0, title=AGENDA, minutes=30))
    other_person = f.gen_participant(world.other_review, "service_user", name=OTHER_NAME, phone="07700 900888")
    other_visit = f.gen_visit(world.other_review, [world.lead_b], [other_person], "home_visit",
                              title="Home visit B")
    f.gen_note(other_visit, world.lead_b, OTHER_NOTE, kind="home_visit")
    db.session.commit()

    reviewer, lead, link = (signed_in(app, person) for person in (world.reviewer, world.lead, world.link))
    visit = world.home_visit.id
    note = db.session.scalars(select(Note).where(Note.visit_id == visit)).one()
    for body, status in ((NOTE_BODY + " Revised.", "applied"), (CONFLICT_TEXT, "conflict")):
        # The second save was written on another phone from version 1: its stored answer holds the note's text.
        save = f.operation("note.save", base_version=1, note_id=note.id, visit_id=visit, kind="home_visit", body=body)
        assert send_one(reviewer, save)["status"] == status
    concern_id = f.new_id()
    raised = f.operation("concern.raise", concern_id=concern_id, visit_id=visit, category="safeguarding",
                         rating="red", text=CONCERN_TEXT)
    assert send_one(reviewer, raised)["status"] == "applied"
    assert send_one(lead, f.operation("concern.refer", concern_id=concern_id, referral_text=REFERRAL_TEXT,
                                      referred_to=REFERRED_TO))["status"] == "applied"
    assert send_one(link, f.operation("concern.acknowledge", concern_id=concern_id))["status"] == "applied"
    assert send_one(link, f.operation("concern.outcome", concern_id=concern_id,
                                      outcome=OUTCOME))["status"] == "applied"
    declined_id = f.new_id()
    assert send_one(reviewer, f.operation("concern.raise", concern_id=declined_id, visit_id=visit,
                                          category="health_and_safety", rating="green",
                                          text="Loose carpet on the stairs"))["status"] == "applied"
    assert send_one(lead, f.operation("concern.decide", concern_id=declined_id,
                                      reason=NOT_REFERRED_REASON))["status"] == "applied"
    assert send_one(link, f.operation("need.set", need_id=world.need.id, participant_id=world.service_user.id,
                                      type="interpreting", detail="Polish", status="arranged",
                                      arrangement=ARRANGEMENT))["status"] == "applied"
    at = utcnow().isoformat()
    check_in = f.operation("visit.check_in", visit_id=visit, at=at, confirmed=True)
    assert send_one(reviewer, check_in)["status"] == "applied"
    assert send_one(reviewer, f.operation("attendance.set", visit_id=visit, participant_id=world.service_user.id,
                                          status="attended", at=at))["status"] == "applied"
    db.session.add(Feedback(visit_id=world.setting_visit.id, recorded_by_id=world.lay.id, consent=True,
                            answers={"welcome": 4}, comment=FEEDBACK))
    db.session.add(FeedbackAction(review_id=world.review.id, location_id=world.day_centre.id, text=FEEDBACK_ACTION))
    close_review(db.session.get(Review, world.review.id), by=world.lead)
    db.session.commit()
    return world


def closed_days_ago(world, days: int) -> None:
    review = db.session.get(Review, world.review.id)
    review.closed_at = utcnow() - timedelta(days=days)
    db.session.commit()


def purge(app, *args):
    db.session.commit()  # the test's own connection holds no lock while the purge VACUUMs
    result = app.test_cli_runner().invoke(args=["purge-reviews", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def every_row() -> dict[str, list[str]]:
    """Every row of every table the database holds, the models' and any other (a full-text index)."""
    db.session.expire_all()
    names = inspect(db.engine).get_table_names()
    return {name: sorted(repr(tuple(row)) for row in db.session.execute(sql(f'SELECT * FROM "{name}"')))
            for name in names}


def found_in_tables(text: str) -> list[str]:
    return [name for name, rows in every_row().items() if any(text in row for row in rows)]


def database_files(app) -> list[Path]:
    main = Path(db.engine.url.database)
    return [path for path in (main, Path(f"{main}-wal"), Path(f"{main}-journal")) if path.exists()]


def found_in_files(app, text: str) -> list[str]:
    return [path.name for path in database_files(app) if text.encode() in path.read_bytes()]


def counts(review_id: int) -> dict[str, int]:
    visits = select(Visit.id).where(Visit.review_id == review_id)
    return {
        "visits": f.count(Visit, Visit.review_id == review_id),
        "notes": f.count(Note, Note.visit_id.in_(visits)),
        "revisions": f.count(NoteRevision, NoteRevision.note_id.in_(select(Note.id).where(Note.visit_id.in_(visits)))),
        "attendances": f.count(Attendance, Attendance.visit_id.in_(visits)),
        "check_ins": f.count(CheckIn, CheckIn.visit_id.in_(visits)),
        "concerns": f.count(Concern, Concern.visit_id.in_(visits)),
        "participants": f.count(Participant, Participant.review_id == review_id),
        "places": f.count(Location, Location.review_id == review_id),
        "cases": f.count(Case, Case.review_id == review_id),
        "needs": f.count(NeedFlag, NeedFlag.participant_id.in_(
            select(Participant.id).where(Participant.review_id == review_id))),
    }


def programme_shape(review_id: int) -> list[tuple]:
    return [(v.kind, v.starts_at, v.ends_at, v.status, v.location_id, v.case_id, [u.id for u in v.team],
             [(a.participant_id, a.status) for a in v.attendances])
            for v in db.session.scalars(select(Visit).where(Visit.review_id == review_id).order_by(Visit.id))]


# --- the real run -------------------------------------------------------------------------------------------


def test_a_review_closed_long_enough_ago_leaves_no_personal_data_in_the_database_or_its_file(app):
    world = review_with_a_week_of_records(app)
    closed_days_ago(world, 91)
    before_counts, before_shape = counts(world.review.id), programme_shape(world.review.id)
    for text in PLANTED:
        assert found_in_tables(text), text  # planted, so the test can fail
    assert found_in_files(app, NOTE_BODY) and found_in_files(app, SERVICE_USER_NAME) and found_in_files(app, "kitchen")

    output = purge(app)

    assert f"Purged review {world.review.id} (Cwm Taf Valleys Council" in output
    for text in PLANTED:
        assert found_in_tables(text) == [], text
        assert found_in_files(app, text) == [], text
    # The full-text index keeps each word on its own: a word of the note is gone from its segments too.
    assert found_in_files(app, "kitchen") == []
    assert counts(world.review.id) == before_counts
    assert programme_shape(world.review.id) == before_shape
    review = db.session.get(Review, world.review.id)
    assert review.purged_at is not None and review.council_name == "Cwm Taf Valleys Council"
    service_user = db.session.get(Participant, world.service_user.id)
    assert service_user.name == f"Service user {service_user.id}" and service_user.phone == ""
    assert db.session.get(Visit, world.home_visit.id).title == "Home visit"
    assert db.session.get(Case, world.case.id).reference == f"Case {world.case.id}"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "review_purged")).one()
    assert event.review_id == world.review.id and event.detail["erased"]["notes"] == before_counts["notes"]
    assert event.detail["erased"]["sync_answers"] >= 5 and event.detail["retention_days"] == 90
    # Review B: every one of its words where it was.
    assert found_in_tables(OTHER_NAME) and found_in_tables(OTHER_NOTE)
    assert found_in_files(app, OTHER_NOTE)
    assert db.session.get(Review, world.other_review.id).purged_at is None


def test_a_second_run_changes_nothing_and_says_so(app):
    world = review_with_a_week_of_records(app)
    closed_days_ago(world, 100)
    purge(app)
    rows = every_row()
    again = purge(app)
    assert "Nothing to purge" in again
    assert every_row() == rows


def test_a_dry_run_says_what_it_would_erase_and_writes_nothing(app):
    world = review_with_a_week_of_records(app)
    closed_days_ago(world, 90)
    rows = every_row()
    output = purge(app, "--dry-run")
    assert f"Would purge review {world.review.id}" in output and "Dry run: nothing was written." in output
    assert "2 concerns" in output and "1 referral texts" in output
    assert "2 concerns' contacts, reasons not to refer and outcomes" in output
    assert every_row() == rows
    assert found_in_files(app, NOTE_BODY)


def test_a_review_closed_less_than_retention_days_ago_is_kept(app):
    world = review_with_a_week_of_records(app)
    closed_days_ago(world, 89)
    rows = every_row()
    assert "Nothing to purge" in purge(app)
    assert every_row() == rows


def test_retention_days_zero_purges_a_review_as_soon_as_it_is_closed(app):
    world = review_with_a_week_of_records(app)
    app.config["RETENTION_DAYS"] = 0
    assert f"Purged review {world.review.id}" in purge(app)
    assert found_in_tables(NOTE_BODY) == []


def test_an_open_review_is_never_purged(app):
    world = console_world()
    app.config["RETENTION_DAYS"] = 0
    assert "Nothing to purge" in purge(app)
    assert db.session.get(Review, world.review.id).purged_at is None and found_in_tables(NOTE_BODY)


def test_the_ledger_keeps_answers_of_other_reviews(app):
    world = review_with_a_week_of_records(app)
    other = signed_in(app, world.lead_b)
    visit_b = db.session.scalars(select(Visit).where(Visit.review_id == world.other_review.id)).first()
    kept = send_one(other, f.operation("visit.check_in", visit_id=visit_b.id, at=utcnow().isoformat(), confirmed=True))
    assert kept["status"] == "applied"
    app.config["RETENTION_DAYS"] = 0
    purge(app)
    assert db.session.get(Operation, kept["op_id"]) is not None


# --- PostgreSQL ---------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_purge_leaves_no_personal_data_in_postgresql_tables(pg_app):
    world = review_with_a_week_of_records(pg_app)
    closed_days_ago(world, 91)
    before = counts(world.review.id)
    for text in PLANTED:
        assert found_in_tables(text), text
    output = purge(pg_app)
    assert f"Purged review {world.review.id}" in output
    for text in PLANTED:
        assert found_in_tables(text) == [], text
    assert counts(world.review.id) == before
    assert found_in_tables(OTHER_NOTE)
    assert "Nothing to purge" in purge(pg_app)


def test_a_review_closed_before_closing_was_dated_is_named_and_kept_until_it_is_dated(app):
    world = console_world()
    review = db.session.get(Review, world.review.id)
    review.status = ReviewStatus.closed  # closed by an older version, which kept no date
    db.session.commit()
    app.config["RETENTION_DAYS"] = 0
    output = purge(app)
    assert f"`flask close-review {world.review.id}` dates it" in output and "Nothing to purge" in output
    assert found_in_tables(NOTE_BODY)
    assert "closed at" in app.test_cli_runner().invoke(args=["close-review", str(world.review.id)]).output
    assert f"Purged review {world.review.id}" in purge(app)

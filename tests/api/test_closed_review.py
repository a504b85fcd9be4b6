"""A closed review is read-only for everyone (DESIGN section 11): closed from the console or from a terminal, every
change refused -- the console's forms, the needs page, the board's acknowledgement, the visit page's forms and
every operation through /api/sync -- with a reason its members can read, and nothing written. Reading stays."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from visits.extensions import db
from visits.models import AuditEvent, Note, Review, ReviewStatus
from visits.operations.registry import OPERATION_TYPES

from ..support import factories as f
from ..support.clients import signed_in
from ..support.world import NOTE_BODY, SERVICE_USER_NAME, console_world
from ..support.sync import send

CLOSED = "This review is closed"
CONCERN_TEXT = "Loose stair rail at the back door."
MEMBERS = ["lead_reviewer", "reviewer", "reviewer2", "lay_assessor", "link_officer", "coordinator"]
# Tables a refused request may still write to: who signed in, the audit trail of the refusal, the sync ledger's
# stored answer. Everything else of the review must be exactly as it was.
MAY_CHANGE = {"users", "login_sessions", "audit_events", "operations"}
REVIEW_CONTENT_BLUEPRINTS = ("programme", "concerns", "feedback", "notes")


@pytest.fixture
def closed(app):
    """Review A's programme, with a note, a concern, a need and a case, closed by the lead (committed)."""
    world = console_world()
    world.concern = f.gen_concern(world.home_visit, world.reviewer, CONCERN_TEXT)
    world.note = db.session.scalars(select(Note).where(Note.visit_id == world.home_visit.id)).one()
    from visits.admin.reviews import close_review

    close_review(world.review, by=world.lead)
    db.session.commit()
    return world


def database_rows() -> dict[str, list[tuple]]:
    """Every row of every table but those a refusal may touch, in a stable order."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        if table.name in MAY_CHANGE:
            continue
        rows[table.name] = sorted((tuple(map(repr, row)) for row in db.session.execute(table.select())))
    return rows


def console_posts(app) -> list[str]:
    """Every POST route that changes a review's content -- the console (programme, people and places, travel,
    import, needs, board), concerns' contacts, feedback's questions and answers, notes' themes -- from the app's
    URL map: a route added later is walked too. The visit page's forms are walked operation by operation below
    (test_the_visit_page_forms_are_refused_and_the_page_says_why). Not walked: a service user's rights
    (rights.withdraw), which erase rather than change, and administration (accounts and teams)."""
    rules = [rule for rule in app.url_map.iter_rules()
             if "POST" in rule.methods and rule.endpoint.split(".")[0] in REVIEW_CONTENT_BLUEPRINTS]
    return sorted(rule.rule for rule in rules)


def fill(rule: str, world) -> str:
    """The rule's URL for the closed review's things; `?review=` names the review for routes that take it there."""
    values = {"visit_id": world.home_visit.id, "participant_id": world.service_user.id,
              "location_id": world.home.id, "case_id": world.case.id}
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: str(values[m.group(1)]), rule) + f"?review={world.review.id}"


def every_operation(world) -> list[dict]:
    """One operation of every type, each one its sender could have made the day before the review closed."""
    at = datetime.now(timezone.utc).isoformat()
    visit = world.home_visit.id
    return [
        f.operation("note.save", note_id=f.new_id(), visit_id=visit, kind="home_visit", body="A new note."),
        f.operation("note.save", base_version=1, note_id=world.note.id, visit_id=visit, kind="home_visit",
                    body="An edited note."),
        f.operation("attendance.set", visit_id=visit, participant_id=world.service_user.id, status="attended",
                    at=at),
        f.operation("visit.check_in", visit_id=visit, at=at),
        f.operation("visit.check_out", visit_id=visit, at=at),
        f.operation("visit.undo_check_out", visit_id=visit, at=at),
        f.operation("need.set", need_id=world.need.id, participant_id=world.service_user.id, type="interpreting",
                    detail="Polish and Russian", status="arranged", arrangement="Anna, 07700 900999"),
        f.operation("need.set", need_id=f.new_id(), participant_id=world.service_user.id, type="advocacy",
                    detail="An advocate", status="requested", arrangement=""),
        f.operation("concern.raise", concern_id=f.new_id(), visit_id=visit, category="safeguarding",
                    rating="red", text="A new concern."),
        f.operation("concern.refer", concern_id=world.concern.id, referral_text="Referred to the council.",
                    referred_to="Duty manager"),
        f.operation("concern.decide", concern_id=world.concern.id, reason="Dealt with on the day."),
        f.operation("concern.acknowledge", concern_id=world.concern.id),
        f.operation("concern.outcome", concern_id=world.concern.id, outcome="The council visited."),
        f.operation("feedback.record", feedback_id=f.new_id(), visit_id=visit, consent=True, answers={},
                    comment="Kind people.", at=at),
    ]


# --- closing ------------------------------------------------------------------------------------------------


def test_the_administrator_closes_a_review_from_the_console_and_it_is_dated_and_audited(app):
    world = console_world()
    admin = f.gen_user("Ada Admin", is_admin=True)
    db.session.commit()
    console = signed_in(app, admin)
    response = console.post(f"/admin/reviews/{world.review.id}/status", data={"status": "closed", "confirm": "true"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    review = db.session.get(Review, world.review.id)
    assert review.status is ReviewStatus.closed and review.closed_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "review_status_changed",
                                                        AuditEvent.review_id == review.id)).one()
    assert event.user_id == admin.id and event.detail["after"] == "closed"
    assert event.detail["closed_at"] == review.closed_at.isoformat()
    page = console.get(f"/admin/reviews/{review.id}").get_data(as_text=True)
    assert "Closed on" in page and "erased 90 days after closing" in page


def test_close_review_from_a_terminal_prints_one_line_once_and_audits_it(app):
    world = console_world()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["close-review", str(world.review.id)])
    assert first.exit_code == 0, first.output
    assert first.output.count("\n") == 1
    assert f"Review {world.review.id} (Cwm Taf Valleys Council) closed at" in first.output
    assert "RETENTION_DAYS=90" in first.output
    review = db.session.get(Review, world.review.id)
    closed_at = review.closed_at
    assert review.status is ReviewStatus.closed and closed_at is not None

    again = runner.invoke(args=["close-review", str(world.review.id)])
    assert again.exit_code == 0 and "was already closed" in again.output and again.output.count("\n") == 1
    db.session.expire_all()
    assert db.session.get(Review, world.review.id).closed_at == closed_at
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "review_status_changed")).all()
    assert [(e.user_id, e.detail["via"]) for e in events] == [(None, "command line")]


def test_close_review_of_an_unknown_review_fails_with_a_message(app):
    result = app.test_cli_runner().invoke(args=["close-review", "4040"])
    assert result.exit_code != 0 and "There is no review 4040" in result.output


# --- every write refused, for everyone ----------------------------------------------------------------------


def test_the_walk_covers_the_console_and_the_visit_page(app):
    posts = console_posts(app)
    for expected in ("/programme/visits", "/programme/visits/<int:visit_id>", "/programme/import/confirm",
                     "/needs", "/attendance/overdue/<int:visit_id>/acknowledge",
                     "/programme/participants/<int:participant_id>", "/programme/cases"):
        assert expected in posts


@pytest.mark.parametrize("role", MEMBERS)
def test_every_console_post_is_refused_with_the_reason_and_changes_nothing(closed, app, role):
    person = signed_in(app, closed.member(role))
    before = database_rows()
    for rule in console_posts(app):
        url = fill(rule, closed)
        response = person.post(url, data={"review": str(closed.review.id), "title": "Changed", "status": "cancelled",
                                          "reason": "Closed?", "minutes": "15"})
        page = response.get_data(as_text=True)
        assert response.status_code == 403, (url, response.status_code)
        assert CLOSED in page, url
        assert NOTE_BODY not in page and CONCERN_TEXT not in page
    assert database_rows() == before


def test_someone_of_another_review_learns_nothing_of_it(closed, app):
    outsider = signed_in(app, closed.lead_b)
    for rule in console_posts(app):
        response = outsider.post(fill(rule, closed), data={"review": str(closed.review.id)})
        assert response.status_code in (403, 404) and CLOSED not in response.get_data(as_text=True), rule
    answers = send(outsider, *every_operation(closed))
    assert {answer["status"] for answer in answers} == {"forbidden"}
    assert not any(answer.get("errors") for answer in answers)


def test_the_walk_sends_every_operation_type_there_is(closed):
    """A new operation type must be added to every_operation, so a closed review is shown to refuse it too."""
    assert set(OPERATION_TYPES) - {op["type"] for op in every_operation(closed)} == set()


@pytest.mark.parametrize("role", MEMBERS)
def test_every_operation_on_a_closed_review_is_refused_with_the_reason_the_phone_shows(closed, app, role):
    ops = every_operation(closed)
    person = signed_in(app, closed.member(role))
    before = database_rows()
    answers = send(person, *ops)
    assert [answer["status"] for answer in answers] == ["forbidden"] * len(ops)
    for answer in answers:
        assert answer["errors"] == {"_schema": ["This review is closed: changes can no longer be saved."]}
    assert database_rows() == before
    # The same answer again for a replay: the phone keeps showing why.
    again = send(person, ops[0])[0]
    assert again["status"] == "duplicate" and again["first_status"] == "forbidden" and again["errors"]


def test_the_visit_page_forms_are_refused_and_the_page_says_why(closed, app):
    reviewer = signed_in(app, closed.reviewer)
    before = database_rows()
    for op in every_operation(closed):
        fields = {name: value for name, value in op["data"].items() if not isinstance(value, dict)}  # no form has one
        form = {"op_id": op["op_id"], "base_version": op["base_version"] or "", **fields}
        response = reviewer.post(f"/visits/{closed.home_visit.id}/ops?type={op['type']}", data=form)
        assert response.status_code == 403 and CLOSED in response.get_data(as_text=True), op["type"]
    assert database_rows() == before


def test_a_visit_page_form_sent_with_htmx_answers_its_section_saying_why(closed, app):
    reviewer = signed_in(app, closed.reviewer)
    op = every_operation(closed)[0]
    response = reviewer.post(f"/visits/{closed.home_visit.id}/ops?type=note.save&form=note.save:new",
                             data={"op_id": op["op_id"], "base_version": "", **op["data"]},
                             headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert "This review is closed: changes can no longer be saved." in response.get_data(as_text=True)


def test_administration_refusals_still_mean_the_role(closed, app):
    response = signed_in(app, closed.reviewer).post(f"/admin/reviews/{closed.review.id}", data={})
    assert response.status_code == 403 and CLOSED not in response.get_data(as_text=True)


# --- reading stays --------------------------------------------------------------------------------------------


def test_the_team_still_reads_a_closed_review_and_no_page_offers_a_change(closed, app):
    reviewer = signed_in(app, closed.reviewer)
    page = reviewer.get(f"/visits/{closed.home_visit.id}").get_data(as_text=True)
    assert NOTE_BODY in page and SERVICE_USER_NAME in page
    assert 'data-op-type="note.save"' not in page and 'data-op-type="visit.check_in"' not in page

    link = signed_in(app, closed.link)
    programme = link.get(f"/programme?review={closed.review.id}")
    assert programme.status_code == 200 and "Add a visit" not in programme.get_data(as_text=True)
    needs = link.get(f"/needs?review={closed.review.id}")
    assert needs.status_code == 200 and "Polish" in needs.get_data(as_text=True)
    assert link.get(f"/attendance?review={closed.review.id}").status_code == 200
    export = link.get(f"/export/programme.csv?review={closed.review.id}")
    assert export.status_code == 200 and SERVICE_USER_NAME in export.get_data(as_text=True)


def test_an_open_review_is_still_changed_as_before(app):
    world = console_world()
    answers = send(signed_in(app, world.reviewer), f.operation(
        "note.save", note_id=f.new_id(), visit_id=world.home_visit.id, kind="home_visit", body="Still open."))
    assert answers[0]["status"] == "applied"


def test_the_offline_list_leaves_out_a_closed_review_s_visits(closed, app):
    reviewer = signed_in(app, closed.reviewer)
    urls = reviewer.get("/api/offline-pages").get_json()["urls"]
    assert not any(url.startswith(f"/visits/{closed.home_visit.id}") for url in urls)
    page = reviewer.get(f"/visits/{closed.home_visit.id}")
    # Read online, never kept: no mark to store it, and the worker told to forget a copy it kept.
    assert "X-Fieldwork-User" not in page.headers and page.headers["X-Fieldwork-Forget"] == "1"

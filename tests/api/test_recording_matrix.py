"""Who may do and see what of the field record (DESIGN section 2), as matrices: every role x every operation,
and every role x every way of reading a note. The link officer and the coordinator never read a note's text,
whichever endpoint they try."""
from __future__ import annotations

from datetime import date

import pytest

from visits.extensions import db
from visits.models import AuditEvent

from ..support import factories as f
from ..support.clients import signed_in
from ..support.sync import send, send_one

ROLES = ["lead_reviewer", "reviewer", "lay_assessor", "reviewer2", "link_officer", "coordinator", "lead_b"]
AT = "2026-11-23T18:00:00+00:00"

# The reviewer and the lay assessor are the visit's team; the lead is not on it.
MAY = {
    "note.save": {"reviewer", "lay_assessor"},
    "attendance.set": {"reviewer", "lay_assessor", "lead_reviewer", "link_officer"},
    "visit.check_in": {"reviewer", "lay_assessor"},
    "visit.check_out": {"reviewer", "lay_assessor"},
    "need.set": {"reviewer", "lay_assessor", "lead_reviewer", "link_officer"},
    "concern.raise": {"reviewer", "lay_assessor", "lead_reviewer"},
    "concern.refer": {"lead_reviewer"},
}
SECRET = "SECRET-NOTE-TEXT-7431"
SECRET_PROMPT = "SECRET-PROMPT-TEXT-9902"


def operation_for(op_type: str, team, concern) -> dict:
    visit_id = team.home_visit.id
    return {
        "note.save": lambda: f.operation(op_type, note_id=f.new_id(), visit_id=visit_id, kind="general",
                                         body="Seen."),
        "attendance.set": lambda: f.operation(op_type, visit_id=visit_id, participant_id=team.carer.id,
                                              status="apologies", at=AT),
        "visit.check_in": lambda: f.operation(op_type, visit_id=visit_id, at=AT, confirmed=True),
        "visit.check_out": lambda: f.operation(op_type, visit_id=visit_id, at=AT, confirmed=True),
        "need.set": lambda: f.operation(op_type, need_id=f.new_id(), participant_id=team.carer.id,
                                        type="advocacy"),
        "concern.raise": lambda: f.operation(op_type, concern_id=f.new_id(), visit_id=visit_id,
                                             category="safeguarding", rating="amber", text="Seen."),
        "concern.refer": lambda: f.operation(op_type, concern_id=concern.id, referral_text="Refer."),
    }[op_type]()


@pytest.mark.parametrize("op_type", list(MAY))
@pytest.mark.parametrize("role", ROLES)
def test_role_by_operation(team, app, role, op_type):
    concern = f.gen_concern(team.home_visit, team.reviewer)
    db.session.commit()
    client = signed_in(app, team.member(role))
    if op_type == "visit.check_out" and role in MAY[op_type]:
        send(client, operation_for("visit.check_in", team, concern))
    op = operation_for(op_type, team, concern)
    answer = send_one(client, op)
    assert answer["status"] == ("applied" if role in MAY[op_type] else "forbidden"), answer
    # Sent again (a lost answer, a second tab): the first answer, and nothing applied twice.
    writes = db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action != "read")
    db.session.rollback()  # read what the requests committed (the client's page loads log reads: not counted)
    written = db.session.scalar(writes)
    replay = send_one(client, op)
    assert replay["status"] == "duplicate" and replay["first_status"] == answer["status"], replay
    db.session.rollback()
    assert db.session.scalar(writes) == written  # nothing written again


# --- reading notes ------------------------------------------------------------------------------------------

READS_NOTES = {"lead_reviewer", "reviewer", "lay_assessor"}


@pytest.fixture
def secret_note(team):
    note = f.gen_note(team.home_visit, team.reviewer, body=SECRET, kind="home_visit")
    f.gen_note(team.home_visit, team.lay, body="", kind="setting_observation",
               prompts={"what_people_said": SECRET_PROMPT})
    db.session.commit()
    return note


@pytest.mark.parametrize("role", ROLES)
def test_role_by_note_reading_endpoint(team, app, secret_note, role):
    client = signed_in(app, team.member(role))
    reads = role in READS_NOTES
    page = client.get(f"/visits/{team.home_visit.id}")
    api = client.get("/api/notes", query_string={"visit": team.home_visit.id})
    history = client.get(f"/notes/{secret_note.id}/history")
    assert (SECRET in page.get_data(as_text=True)) is reads
    assert (SECRET_PROMPT in page.get_data(as_text=True)) is reads
    assert api.status_code == (200 if reads else 404 if role == "lead_b" else 403)
    assert (SECRET in api.get_data(as_text=True)) is reads
    assert history.status_code == (200 if reads else 404)


def fill(rule, team, note) -> str | None:
    values = {"visit_id": team.home_visit.id, "note_id": note.id, "participant_id": team.service_user.id,
              "review_id": team.review.id, "name": "notes"}
    try:
        return rule.build({arg: values.get(arg, 1) for arg in rule.arguments}, append_unknown=False)[1]
    except Exception:  # a converter we cannot fill (e.g. a token in the URL): not a way in for a guess either
        return None


@pytest.mark.parametrize("role", ["link_officer", "coordinator"])
def test_the_link_officer_and_coordinator_never_read_a_note_through_any_endpoint(team, app, secret_note, role):
    client = signed_in(app, team.member(role))
    today = date.today().isoformat()
    query = {"visit": team.home_visit.id, "date": today, "from": today, "to": today, "review": team.review.id}
    tried = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule == "/logout":
            continue
        path = fill(rule, team, secret_note)
        if path is None:
            continue
        for headers in ({}, {"HX-Request": "true"}):
            body = client.get(path, query_string=query, headers=headers).get_data(as_text=True)
            assert SECRET not in body and SECRET_PROMPT not in body, f"{role} read a note at {path}"
        tried.append(path)
    assert {f"/visits/{team.home_visit.id}", "/api/notes", f"/notes/{secret_note.id}/history",
            "/api/attendance", "/api/itinerary"} <= set(tried)

    # Nor through the write path: a save on the note's id is refused without echoing its text.
    answer = send_one(client, f.operation("note.save", base_version=None, note_id=secret_note.id,
                                          visit_id=team.home_visit.id, kind="home_visit", body="Let me see."))
    assert answer == {"op_id": answer["op_id"], "type": "note.save", "status": "forbidden"}


# --- concerns -----------------------------------------------------------------------------------------------


def test_the_link_officer_sees_a_concern_only_once_referred_and_then_only_the_referral(team, app):
    concern = f.gen_concern(team.home_visit, team.reviewer, text="CONCERN-DETAIL-551", rating="red")
    db.session.commit()
    link = signed_in(app, team.link)
    before = link.get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert "CONCERN-DETAIL-551" not in before and "Concerns" not in before

    send(signed_in(app, team.lead), f.operation("concern.refer", concern_id=concern.id,
                                                referral_text="REFERRAL-TEXT-118"))
    after = link.get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert "REFERRAL-TEXT-118" in after and "CONCERN-DETAIL-551" not in after
    assert "Refer to the council" not in after and "Raise a concern" not in after


@pytest.mark.parametrize("role, sees", [("lead_reviewer", True), ("reviewer", True), ("lay_assessor", False),
                                        ("coordinator", False), ("reviewer2", False)])
def test_a_concern_is_seen_by_the_lead_and_whoever_raised_it(team, app, role, sees):
    f.gen_concern(team.home_visit, team.reviewer, text="CONCERN-DETAIL-552")
    db.session.commit()
    page = signed_in(app, team.member(role)).get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert ("CONCERN-DETAIL-552" in page) is sees


@pytest.mark.parametrize("role, offered", [
    ("lead_reviewer", {"attendance.set", "need.set", "concern.raise", "concern.refer",
                       "concern.decide"}),
    ("reviewer", {"visit.check_in", "attendance.set", "note.save", "need.set", "concern.raise"}),
    ("lay_assessor", {"visit.check_in", "attendance.set", "note.save", "need.set", "concern.raise"}),
    ("link_officer", {"attendance.set", "need.set"}),
    ("coordinator", set()),
    ("reviewer2", set()),
])
def test_the_visit_page_offers_each_role_only_the_forms_it_may_use(team, app, role, offered):
    from ..support.html_forms import forms_on

    f.gen_concern(team.home_visit, team.reviewer)
    f.gen_need(team.service_user)
    db.session.commit()
    page = signed_in(app, team.member(role)).get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert {form.op_type for form in forms_on(page) if form.op_type} == offered

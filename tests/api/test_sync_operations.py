"""Each operation type through POST /api/sync: applied, duplicate on replay, rejected with field messages,
forbidden for those who may not, and a stale note save kept as a conflict (DESIGN sections 5 and 7)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from visits.extensions import db
from visits.models import (
    Attendance, AuditEvent, CheckIn, Concern, NeedFlag, Note, NoteRevision, Operation, VisitStatus,
)

from ..support import factories as f
from ..support.factories import count
from ..support.clients import signed_in
from ..support.sync import send, send_one

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def note_op(team, note_id=None, base_version=None, body="She lives alone and manages well.", kind="home_visit",
            **extra):
    return f.operation("note.save", base_version=base_version, note_id=note_id or f.new_id(),
                       visit_id=team.home_visit.id, kind=kind, body=body, **extra)


# --- the ledger ---------------------------------------------------------------------------------------------


def test_a_replayed_operation_answers_the_first_answer_and_changes_nothing(team, app):
    reviewer = signed_in(app, team.reviewer)
    op = note_op(team)
    first = send_one(reviewer, op)
    again = send_one(reviewer, op)
    assert first["status"] == "applied" and first["version"] == 1
    assert again == {**first, "status": "duplicate", "first_status": "applied"}
    assert count(Note) == 1 and count(NoteRevision) == 1 and count(Operation) == 1
    assert count(AuditEvent, AuditEvent.action == "note.save") == 1


def test_an_op_id_that_is_not_a_uuid_is_rejected_and_not_stored(team, app):
    reviewer = signed_in(app, team.reviewer)
    answer = send_one(reviewer, {**note_op(team), "op_id": "not-a-uuid"})
    assert answer["status"] == "rejected" and "op_id" in answer["errors"]
    assert count(Operation) == 0 and count(Note) == 0


def test_an_unknown_type_is_rejected_and_the_answer_is_kept(team, app):
    reviewer = signed_in(app, team.reviewer)
    op = f.operation("note.delete", note_id=f.new_id())
    first = send_one(reviewer, op)
    assert first["status"] == "rejected" and first["errors"]["type"]
    assert send_one(reviewer, op)["first_status"] == "rejected"


def test_someone_else_replaying_an_op_id_learns_nothing_of_the_first_answer(team, app):
    op = note_op(team)
    assert send_one(signed_in(app, team.reviewer), op)["status"] == "applied"
    answer = send_one(signed_in(app, team.lay), op)
    assert answer == {"op_id": op["op_id"], "type": "note.save", "status": "forbidden"}


def test_a_refused_operation_is_remembered_as_refused(team, app):
    op = note_op(team)
    link = signed_in(app, team.link)
    assert send_one(link, op)["status"] == "forbidden"
    assert send_one(link, op) == {"op_id": op["op_id"], "type": "note.save", "status": "duplicate",
                                  "first_status": "forbidden"}
    assert count(AuditEvent, AuditEvent.action == "forbidden") == 1


# --- note.save ----------------------------------------------------------------------------------------------


def test_a_save_from_the_current_version_makes_a_new_version_and_keeps_the_history(team, app):
    reviewer = signed_in(app, team.reviewer)
    note_id = f.new_id()
    send(reviewer, note_op(team, note_id, body="First draft."))
    answer = send_one(reviewer, note_op(team, note_id, base_version=1, body="Second draft."))
    assert answer == {"op_id": answer["op_id"], "type": "note.save", "status": "applied", "note_id": note_id,
                      "version": 2}
    note = db.session.get(Note, note_id)
    assert (note.body, note.version, note.in_conflict) == ("Second draft.", 2, False)
    assert [r.body for r in note.revisions] == ["First draft.", "Second draft."]


def test_a_save_from_an_old_version_keeps_both_texts_as_a_conflict_for_the_author(team, app):
    phone, laptop = signed_in(app, team.reviewer), signed_in(app, team.reviewer)
    note_id = f.new_id()
    send(phone, note_op(team, note_id, body="Draft."))
    send(laptop, note_op(team, note_id, base_version=1, body="Written up on the laptop."))
    answer = send_one(phone, note_op(team, note_id, base_version=1, body="Added on the phone, offline."))

    assert answer["status"] == "conflict"
    assert answer["server_version"] == 2 and answer["server_body"] == "Written up on the laptop."
    note = db.session.get(Note, note_id)
    db.session.refresh(note)
    assert note.body == "Written up on the laptop." and note.version == 2 and note.in_conflict
    (copy,) = [r for r in note.revisions if r.is_conflict]
    assert copy.body == "Added on the phone, offline." and copy.base_version == 1 and not copy.resolved


def test_the_author_merges_a_conflict_by_saving_the_merge_from_the_current_version(team, app):
    reviewer = signed_in(app, team.reviewer)
    note_id = f.new_id()
    send(reviewer, note_op(team, note_id, body="A."), note_op(team, note_id, base_version=1, body="B."),
         note_op(team, note_id, base_version=1, body="C."))
    merge = note_op(team, note_id, base_version=2, body="B. C.")
    merge["data"]["resolves_conflict"] = True  # what the merge view sends
    merged = send_one(reviewer, merge)
    assert merged["status"] == "applied" and merged["version"] == 3
    note = db.session.get(Note, note_id)
    db.session.refresh(note)
    assert note.body == "B. C." and not note.in_conflict
    assert all(r.resolved for r in note.revisions if r.is_conflict)


def test_the_same_text_sent_again_from_an_old_version_is_not_a_conflict(team, app):
    reviewer = signed_in(app, team.reviewer)
    note_id = f.new_id()
    send(reviewer, note_op(team, note_id, body="A."), note_op(team, note_id, base_version=1, body="B."))
    assert send_one(reviewer, note_op(team, note_id, base_version=1, body="B."))["status"] == "applied"
    assert not db.session.get(Note, note_id).in_conflict


def test_lay_assessor_answers_the_setting_prompts_as_separate_fields(team, app):
    lay = signed_in(app, team.lay)
    prompts = {"welcome_and_reception": "Greeted at once, by name.", "to_follow_up": "Ask about the lift."}
    answer = send_one(lay, note_op(team, kind="setting_observation", body="", prompts=prompts))
    assert answer["status"] == "applied"
    assert db.session.get(Note, answer["note_id"]).prompts == prompts


@pytest.mark.parametrize("change, field", [
    ({"kind": "diary"}, "kind"),
    ({"visit_id": "twelve"}, "visit_id"),
    ({"note_id": "123"}, "note_id"),
    ({"body": "   "}, "body"),
    ({"body": "x" * 50_001}, "body"),
    ({"kind": "setting_observation", "prompts": {"smell": "fine"}}, "prompts"),
    ({"prompts": {"welcome_and_reception": "Warm."}}, "prompts"),
    ({"colour": "blue"}, "colour"),
])
def test_a_bad_note_is_rejected_with_a_message_for_the_field(team, app, change, field):
    op = note_op(team)
    op["data"].update(change)
    answer = send_one(signed_in(app, team.reviewer), op)
    assert answer["status"] == "rejected"
    assert answer["errors"][field] and all(isinstance(m, str) for m in answer["errors"][field])
    assert count(Note) == 0


def test_a_bad_base_version_is_rejected(team, app):
    answer = send_one(signed_in(app, team.reviewer), note_op(team, base_version="two"))
    assert answer["status"] == "rejected" and answer["errors"]["base_version"]


@pytest.mark.parametrize("role", ["lead_reviewer", "reviewer2", "link_officer", "coordinator", "lead_b"])
def test_only_the_visit_team_writes_notes(team, app, role):
    answer = send_one(signed_in(app, team.member(role)), note_op(team))
    assert answer["status"] == "forbidden" and count(Note) == 0


def test_nobody_saves_over_someone_elses_note(team, app):
    note = f.gen_note(team.home_visit, team.reviewer, body="Rhys's own words.")
    db.session.commit()
    answer = send_one(signed_in(app, team.lay), note_op(team, note.id, base_version=1, body="Lowri's words."))
    assert answer == {"op_id": answer["op_id"], "type": "note.save", "status": "forbidden"}
    assert db.session.get(Note, note.id).body == "Rhys's own words."


def test_a_note_for_a_visit_that_does_not_exist_is_forbidden_not_not_found(team, app):
    op = note_op(team)
    op["data"]["visit_id"] = 999_999
    assert send_one(signed_in(app, team.reviewer), op)["status"] == "forbidden"


# --- attendance.set -----------------------------------------------------------------------------------------


def attendance_op(team, status="attended", participant=None, at=NOW.isoformat()):
    return f.operation("attendance.set", visit_id=team.home_visit.id,
                       participant_id=(participant or team.service_user).id, status=status, at=at)


@pytest.mark.parametrize("role", ["reviewer", "lay_assessor", "lead_reviewer", "link_officer"])
def test_attendance_is_recorded_with_device_and_server_time_once(team, app, role):
    client = signed_in(app, team.member(role))
    op = attendance_op(team, "late")
    assert send_one(client, op)["status"] == "applied"
    assert send_one(client, op)["first_status"] == "applied"
    row = db.session.scalar(select(Attendance).filter_by(participant_id=team.service_user.id))
    db.session.refresh(row)
    assert row.status.value == "late" and row.recorded_by_id == team.member(role).id
    assert row.recorded_at_device == NOW and row.recorded_at is not None
    assert count(AuditEvent, AuditEvent.action == "attendance.set") == 1


@pytest.mark.parametrize("change, field", [
    ({"status": "asleep"}, "status"),
    ({"at": "2026-11-23T10:00:00"}, "at"),  # no UTC offset: which 10 o'clock?
    ({"participant_id": None}, "participant_id"),
])
def test_bad_attendance_is_rejected_with_field_messages(team, app, change, field):
    op = attendance_op(team)
    op["data"].update(change)
    answer = send_one(signed_in(app, team.reviewer), op)
    assert answer["status"] == "rejected" and answer["errors"][field]


def test_attendance_of_someone_not_booked_on_the_visit_is_rejected(team, app):
    stranger = f.gen_participant(team.review, "staff", name="Not booked")
    db.session.commit()
    answer = send_one(signed_in(app, team.reviewer), attendance_op(team, participant=stranger))
    assert answer["status"] == "rejected" and answer["errors"]["participant_id"]


@pytest.mark.parametrize("role", ["reviewer2", "coordinator", "lead_b"])
def test_attendance_is_forbidden_to_those_not_running_the_visit(team, app, role):
    assert send_one(signed_in(app, team.member(role)), attendance_op(team))["status"] == "forbidden"


# --- visit.check_in / visit.check_out -----------------------------------------------------------------------


def check_op(team, type, at):
    # NOW is not the day of the visit: a device saying so is the case tests/api/test_check_in_times.py covers.
    return f.operation(type, visit_id=team.home_visit.id, at=at.isoformat(), confirmed=True)


def test_checking_in_and_out_records_both_times_and_moves_the_visit_along(team, app):
    reviewer = signed_in(app, team.reviewer)
    check_in = check_op(team, "visit.check_in", NOW)
    answer = send_one(reviewer, check_in)
    assert answer["status"] == "applied" and answer["checked_in_at"] == NOW.isoformat()
    assert db.session.get(type(team.home_visit), team.home_visit.id).status is VisitStatus.in_progress
    assert send_one(reviewer, check_in)["status"] == "duplicate"

    out = send_one(reviewer, check_op(team, "visit.check_out", NOW + timedelta(minutes=50)))
    assert out["status"] == "applied" and out["checked_out_at"] == (NOW + timedelta(minutes=50)).isoformat()
    check = db.session.scalar(select(CheckIn).filter_by(user_id=team.reviewer.id))
    db.session.refresh(check)
    assert check.checked_in_at == NOW and check.checked_out_recorded_at is not None
    # The lay assessor never checked in, so the reviewer leaving ends the visit.
    visit = db.session.get(type(team.home_visit), team.home_visit.id)
    db.session.refresh(visit)
    assert visit.status is VisitStatus.completed


def test_checking_out_before_checking_in_is_rejected(team, app):
    answer = send_one(signed_in(app, team.reviewer), check_op(team, "visit.check_out", NOW))
    assert answer["status"] == "rejected" and answer["errors"]["at"]


def test_a_check_out_time_before_the_check_in_time_is_rejected(team, app):
    reviewer = signed_in(app, team.reviewer)
    send(reviewer, check_op(team, "visit.check_in", NOW))
    answer = send_one(reviewer, check_op(team, "visit.check_out", NOW - timedelta(minutes=5)))
    assert answer["status"] == "rejected" and answer["errors"]["at"]


@pytest.mark.parametrize("at", ["2026-11-23T10:00:00", "yesterday", None])
def test_a_check_in_needs_a_device_time_with_its_offset(team, app, at):
    op = f.operation("visit.check_in", visit_id=team.home_visit.id, at=at)
    answer = send_one(signed_in(app, team.reviewer), op)
    assert answer["status"] == "rejected" and answer["errors"]["at"]


@pytest.mark.parametrize("role", ["lead_reviewer", "link_officer", "coordinator", "reviewer2", "lead_b"])
def test_only_the_visit_team_checks_in(team, app, role):
    client = signed_in(app, team.member(role))
    assert send_one(client, check_op(team, "visit.check_in", NOW))["status"] == "forbidden"
    assert count(CheckIn) == 0


# --- need.set -----------------------------------------------------------------------------------------------


def need_op(team, need_id=None, **data):
    return f.operation("need.set", need_id=need_id or f.new_id(), participant_id=team.service_user.id,
                       **{"type": "interpreting", "detail": "Welsh", **data})


def test_a_reviewer_raises_a_need_and_the_link_officer_arranges_it(team, app):
    need_id = f.new_id()
    raised = need_op(team, need_id)
    reviewer = signed_in(app, team.reviewer)
    assert send_one(reviewer, raised)["need_status"] == "requested"
    assert send_one(reviewer, raised)["status"] == "duplicate"

    arranged = send_one(signed_in(app, team.link), need_op(team, need_id, status="arranged",
                                                           arrangement="Siân Evans, 07700 900123"))
    assert arranged["status"] == "applied" and arranged["need_status"] == "arranged"
    need = db.session.get(NeedFlag, need_id)
    db.session.refresh(need)
    assert (need.detail, need.arrangement, need.arranged_by_id) == ("Welsh", "Siân Evans, 07700 900123",
                                                                    team.link.id)


def test_arranging_needs_says_what_was_arranged(team, app):
    answer = send_one(signed_in(app, team.link), need_op(team, status="confirmed"))
    assert answer["status"] == "rejected" and answer["errors"]["arrangement"]


@pytest.mark.parametrize("change, field", [({"type": "telepathy"}, "type"), ({"status": "maybe"}, "status"),
                                           ({"need_id": "7"}, "need_id"), ({"detail": "x" * 301}, "detail")])
def test_a_bad_need_is_rejected_with_field_messages(team, app, change, field):
    answer = send_one(signed_in(app, team.reviewer), need_op(team, **change))
    assert answer["status"] == "rejected" and answer["errors"][field]


def test_a_reviewer_may_not_mark_a_need_arranged(team, app):
    answer = send_one(signed_in(app, team.reviewer), need_op(team, status="arranged", arrangement="Done"))
    assert answer["status"] == "forbidden" and count(NeedFlag) == 0


def test_a_reviewer_may_not_change_a_need_once_it_is_arranged(team, app):
    need = f.gen_need(team.service_user, status="arranged")
    db.session.commit()
    answer = send_one(signed_in(app, team.reviewer), need_op(team, need.id, detail="Polish"))
    assert answer["status"] == "forbidden"


@pytest.mark.parametrize("role", ["reviewer2", "coordinator", "lead_b"])
def test_needs_are_raised_only_by_those_with_the_person_on_a_visit_or_who_arrange_them(team, app, role):
    assert send_one(signed_in(app, team.member(role)), need_op(team))["status"] == "forbidden"


# --- concern.raise / concern.refer --------------------------------------------------------------------------


def concern_op(team, concern_id=None, **data):
    return f.operation("concern.raise", concern_id=concern_id or f.new_id(),
                       **{"visit_id": team.home_visit.id, "category": "safeguarding", "rating": "red",
                          "text": "Bruising on her arms.", **data})


def test_a_reviewer_raises_a_concern_once_and_the_lead_refers_it(team, app):
    raised = concern_op(team)
    reviewer = signed_in(app, team.reviewer)
    assert send_one(reviewer, raised)["status"] == "applied"
    assert send_one(reviewer, raised)["status"] == "duplicate"
    concern_id = raised["data"]["concern_id"]
    refer = f.operation("concern.refer", concern_id=concern_id, referral_text="Please follow up today.")
    assert send_one(signed_in(app, team.lead), refer)["status"] == "applied"
    concern = db.session.get(Concern, concern_id)
    db.session.refresh(concern)
    assert concern.referral_text == "Please follow up today." and concern.referred_by_id == team.lead.id


def test_the_same_concern_id_is_not_raised_twice(team, app):
    concern_id = f.new_id()
    reviewer = signed_in(app, team.reviewer)
    send(reviewer, concern_op(team, concern_id))
    answer = send_one(reviewer, concern_op(team, concern_id))
    assert answer["status"] == "rejected" and answer["errors"]["concern_id"]
    assert count(Concern) == 1


@pytest.mark.parametrize("change, field", [({"rating": "purple"}, "rating"), ({"category": "rude"}, "category"),
                                           ({"text": ""}, "text"), ({"visit_id": None}, "visit_id")])
def test_a_bad_concern_is_rejected_with_field_messages(team, app, change, field):
    answer = send_one(signed_in(app, team.reviewer), concern_op(team, **change))
    assert answer["status"] == "rejected" and answer["errors"][field]


@pytest.mark.parametrize("role", ["link_officer", "coordinator", "reviewer2", "lead_b"])
def test_concerns_are_raised_by_the_visit_team_and_the_lead_only(team, app, role):
    assert send_one(signed_in(app, team.member(role)), concern_op(team))["status"] == "forbidden"


@pytest.mark.parametrize("role", ["reviewer", "lay_assessor", "link_officer", "coordinator", "lead_b"])
def test_only_the_lead_refers_a_concern(team, app, role):
    concern = f.gen_concern(team.home_visit, team.reviewer)
    db.session.commit()
    refer = f.operation("concern.refer", concern_id=concern.id, referral_text="Refer.")
    assert send_one(signed_in(app, team.member(role)), refer)["status"] == "forbidden"


def test_a_referral_needs_its_text(team, app):
    concern = f.gen_concern(team.home_visit, team.reviewer)
    db.session.commit()
    refer = f.operation("concern.refer", concern_id=concern.id, referral_text="")
    answer = send_one(signed_in(app, team.lead), refer)
    assert answer["status"] == "rejected" and answer["errors"]["referral_text"]

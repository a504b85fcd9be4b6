"""Issue 12, item 7: a check-in or check-out far from its visit's time is only taken when the person says they mean
it, and a check-out tapped by mistake can be undone for ten minutes, through the one write path (POST /api/sync)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from visits.extensions import db
from visits.models import AuditEvent, Case, CaseStatus, CheckIn, Operation, Visit, VisitStatus
from visits.recording.page import team_checks

from ..support import factories as f
from ..support.clients import signed_in
from ..support.factories import count
from ..support.sync import send_one
from ..support.clock import london


def check(team, op_type, moment: datetime, **extra) -> dict:
    return f.operation(op_type, visit_id=team.home_visit.id, at=moment.isoformat(), **extra)


def state(team):
    db.session.expire_all()
    visit = db.session.get(Visit, team.home_visit.id)
    mine = db.session.scalar(select(CheckIn).filter_by(visit_id=visit.id, user_id=team.reviewer.id))
    return visit, mine


# --- far from the visit: asked first -------------------------------------------------------------------------


def test_a_check_in_at_three_in_the_morning_for_a_ten_o_clock_visit_is_refused_with_a_reason(team, app):
    reviewer = signed_in(app, team.reviewer)
    answer = send_one(reviewer, check(team, "visit.check_in", london(team.day, 3, 4)))
    assert answer["status"] == "rejected"
    (reason,) = answer["errors"]["confirmed"]
    assert "10:00" in reason and "check in" in reason.lower()
    visit, mine = state(team)
    assert visit.status is VisitStatus.planned and mine is None


def test_a_check_in_on_tomorrow_s_visit_is_refused_unless_confirmed(team, app):
    reviewer = signed_in(app, team.reviewer)
    yesterday_same_time = london(team.day - timedelta(days=1), 10)
    assert send_one(reviewer, check(team, "visit.check_in", yesterday_same_time))["status"] == "rejected"
    answer = send_one(reviewer, check(team, "visit.check_in", yesterday_same_time, confirmed=True))
    assert answer["status"] == "applied"
    visit, mine = state(team)
    assert visit.status is VisitStatus.in_progress and mine.checked_in_at == yesterday_same_time


def test_a_check_in_on_the_doorstep_needs_no_confirmation(team, app):
    reviewer = signed_in(app, team.reviewer)
    assert send_one(reviewer, check(team, "visit.check_in", london(team.day, 9, 50)))["status"] == "applied"
    assert send_one(reviewer, check(team, "visit.check_out", london(team.day, 11, 5)))["status"] == "applied"


def test_a_check_out_long_after_the_visit_is_refused_unless_confirmed(team, app):
    reviewer = signed_in(app, team.reviewer)
    send_one(reviewer, check(team, "visit.check_in", london(team.day, 10)))
    late = london(team.day, 19, 30)
    answer = send_one(reviewer, check(team, "visit.check_out", late))
    assert answer["status"] == "rejected" and "check out" in answer["errors"]["confirmed"][0].lower()
    assert state(team)[1].checked_out_at is None
    assert send_one(reviewer, check(team, "visit.check_out", late, confirmed=True))["status"] == "applied"
    assert state(team)[0].status is VisitStatus.completed


def test_the_refusal_is_remembered_for_its_op_id_and_a_confirmed_retry_is_a_new_operation(team, app):
    reviewer = signed_in(app, team.reviewer)
    op = check(team, "visit.check_in", london(team.day, 3, 4))
    send_one(reviewer, op)
    assert send_one(reviewer, op)["first_status"] == "rejected"
    assert count(Operation) == 1


# --- undoing a check-out -------------------------------------------------------------------------------------


def checked_in_and_out(team, reviewer, out_at=None):
    send_one(reviewer, check(team, "visit.check_in", london(team.day, 10)))
    send_one(reviewer, check(team, "visit.check_out", out_at or london(team.day, 10, 50), confirmed=True))
    visit, mine = state(team)
    assert visit.status is VisitStatus.completed and mine.checked_out_at is not None


def test_a_check_out_undone_within_minutes_puts_the_visit_back_in_progress(team, app):
    reviewer = signed_in(app, team.reviewer)
    checked_in_and_out(team, reviewer)
    assert db.session.get(Case, team.case.id).status is CaseStatus.visited

    answer = send_one(reviewer, check(team, "visit.undo_check_out", london(team.day, 10, 53)))
    assert answer["status"] == "applied" and answer["checked_out_at"] is None
    visit, mine = state(team)
    assert visit.status is VisitStatus.in_progress
    assert mine.checked_out_at is None and mine.checked_out_recorded_at is None
    assert mine.checked_in_at == london(team.day, 10)
    assert db.session.get(Case, team.case.id).status is CaseStatus.identified  # the home visit is not done yet
    (event,) = db.session.scalars(select(AuditEvent).filter_by(action="visit.undo_check_out"))
    assert event.user_id == team.reviewer.id and event.detail["undone"] == london(team.day, 10, 50).isoformat()


def test_after_an_undo_the_lone_worker_is_watched_again(team, app):
    reviewer = signed_in(app, team.reviewer)
    send_one(signed_in(app, team.lay), check(team, "visit.check_in", london(team.day, 10)))
    send_one(signed_in(app, team.lay), check(team, "visit.check_out", london(team.day, 10, 40)))
    checked_in_and_out(team, reviewer)
    long_after = london(team.day, 13)
    assert not any(member.overdue for member in team_checks(state(team)[0], long_after))

    send_one(reviewer, check(team, "visit.undo_check_out", london(team.day, 10, 52)))
    overdue = {member.user_id for member in team_checks(state(team)[0], long_after) if member.overdue}
    assert overdue == {team.reviewer.id}


def test_a_check_out_is_undone_once(team, app):
    reviewer = signed_in(app, team.reviewer)
    checked_in_and_out(team, reviewer)
    undo = check(team, "visit.undo_check_out", london(team.day, 10, 52))
    assert send_one(reviewer, undo)["status"] == "applied"
    assert send_one(reviewer, undo)["status"] == "duplicate"
    second = send_one(reviewer, check(team, "visit.undo_check_out", london(team.day, 10, 54)))
    assert second["status"] == "rejected" and second["errors"]["at"]
    assert count(AuditEvent, AuditEvent.action == "visit.undo_check_out") == 1


def test_a_check_out_cannot_be_undone_after_ten_minutes(team, app):
    reviewer = signed_in(app, team.reviewer)
    checked_in_and_out(team, reviewer)
    answer = send_one(reviewer, check(team, "visit.undo_check_out", london(team.day, 11, 1)))
    assert answer["status"] == "rejected" and "10 minutes" in answer["errors"]["at"][0]
    visit, mine = state(team)
    assert visit.status is VisitStatus.completed and mine.checked_out_at is not None


def test_a_check_out_the_server_recorded_days_ago_cannot_be_undone_by_a_device_time_made_to_fit(team, app):
    """The ten minutes are counted on the phone's clock (an undo made offline is still an undo), so a phone could
    claim any time: the server also bounds how long after it recorded the check-out an undo may arrive."""
    reviewer = signed_in(app, team.reviewer)
    checked_in_and_out(team, reviewer)
    app.config["CLOCK"] = lambda: datetime.now(timezone.utc) + timedelta(days=3)
    answer = send_one(reviewer, check(team, "visit.undo_check_out", london(team.day, 10, 51)))
    assert answer["status"] == "rejected" and answer["errors"]["at"]
    visit, mine = state(team)
    assert visit.status is VisitStatus.completed and mine.checked_out_at is not None


def test_a_team_member_cannot_undo_someone_else_s_check_out(team, app):
    checked_in_and_out(team, signed_in(app, team.reviewer))
    answer = send_one(signed_in(app, team.lay), check(team, "visit.undo_check_out", london(team.day, 10, 52)))
    assert answer["status"] == "rejected"
    assert state(team)[1].checked_out_at is not None


@pytest.mark.parametrize("role", ["lead_reviewer", "link_officer", "coordinator", "lead_b"])
def test_nobody_off_the_visit_team_may_undo_a_check_out(team, app, role):
    checked_in_and_out(team, signed_in(app, team.reviewer))
    answer = send_one(signed_in(app, team.member(role)), check(team, "visit.undo_check_out", london(team.day, 10, 52)))
    assert answer["status"] == "forbidden" and "errors" not in answer
    assert state(team)[1].checked_out_at is not None


def test_a_check_out_on_a_closed_review_cannot_be_undone(team, app):
    reviewer = signed_in(app, team.reviewer)
    checked_in_and_out(team, reviewer)
    from visits.admin.reviews import close_review

    close_review(db.session.get(Visit, team.home_visit.id).review, by=team.lead)
    db.session.commit()
    answer = send_one(reviewer, check(team, "visit.undo_check_out", london(team.day, 10, 52)))
    assert answer["status"] == "forbidden" and "closed" in answer["errors"]["_schema"][0]
    assert state(team)[1].checked_out_at is not None


def test_the_openapi_document_lists_the_undo(client):
    document = client.get("/api/openapi.json").get_json()
    assert "visit.undo_check_out" in str(document)


# --- the visit page without script: the server asks, a button says yes ----------------------------------------


def set_clock(app, moment: datetime) -> None:
    app.config["CLOCK"] = lambda: moment


def test_without_script_a_far_check_in_is_asked_about_and_a_second_button_confirms_it(team, app):
    from .test_visit_page_recording import page_of, submit, the_form

    set_clock(app, london(team.day, 3, 4))
    reviewer = signed_in(app, team.reviewer)
    answer = submit(reviewer, the_form(page_of(reviewer, team), "visit.check_in"))
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "far from that time. Check in anyway?" in page
    assert state(team)[1] is None

    confirm = the_form(page, "visit.check_in")
    assert submit(reviewer, confirm, "Check in anyway").status_code == 303
    visit, mine = state(team)
    assert visit.status is VisitStatus.in_progress and mine.checked_in_at == london(team.day, 3, 4)


def test_the_check_form_hands_the_phone_its_near_window_and_questions(team, app):
    from .test_visit_page_recording import page_of

    page = page_of(signed_in(app, team.reviewer), team)
    assert f'data-near-from="{london(team.day, 8).isoformat()}"' in page
    assert f'data-near-until="{london(team.day, 13).isoformat()}"' in page
    assert "data-ask=" in page and "Check in anyway?" in page


def test_the_page_offers_undo_beside_a_fresh_check_out_and_not_after_ten_minutes(team, app):
    from .test_visit_page_recording import HX, page_of, submit, the_form

    reviewer = signed_in(app, team.reviewer)
    checked_in_and_out(team, reviewer, out_at=london(team.day, 19, 40))
    set_clock(app, london(team.day, 19, 45))
    page = page_of(reviewer, team)
    assert "Checked out at 19:40" in page and "Undo" in page
    section = submit(reviewer, the_form(page, "visit.undo_check_out"), headers=HX).get_data(as_text=True)
    assert "Check-out undone" in section and "You checked in at 10:00" in section
    assert state(team)[0].status is VisitStatus.in_progress

    send_one(reviewer, check(team, "visit.check_out", london(team.day, 19, 46), confirmed=True))
    set_clock(app, london(team.day, 19, 57))
    page = page_of(reviewer, team)
    assert "You checked out at 19:46" in page and 'data-op-type="visit.undo_check_out"' not in page


def test_the_audit_log_names_an_undone_check_out(team, app):
    reviewer = signed_in(app, team.reviewer)
    checked_in_and_out(team, reviewer)
    send_one(reviewer, check(team, "visit.undo_check_out", london(team.day, 10, 52)))
    page = signed_in(app, team.lead).get(f"/audit?review={team.review.id}").get_data(as_text=True)
    log = page.split("<main", 1)[1]
    assert "Check-out undone" in log and "visit.undo_check_out<" not in log


def test_the_visit_page_marks_someone_overdue_after_the_review_s_own_grace_not_the_app_s(team, app):
    """The lead or link officer may shorten the grace of the lone-worker alarm (/alerts/settings): the visit page's
    'overdue' follows it, as the board and the alarm do."""
    send_one(signed_in(app, team.reviewer), check(team, "visit.check_in", london(team.day, 10)))
    visit = state(team)[0]
    ten_past_the_end = visit.ends_at_utc() + timedelta(minutes=10)
    assert not any(member.overdue for member in team_checks(visit, ten_past_the_end))  # within the app's 30

    visit.review.alert_grace_minutes = 5
    db.session.commit()
    overdue = {member.user_id for member in team_checks(state(team)[0], ten_past_the_end) if member.overdue}
    assert team.reviewer.id in overdue

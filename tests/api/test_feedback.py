"""Service users' feedback (DESIGN sections 2 and 12): a lay assessor or reviewer on the visit records what a person
said through the easy-read questionnaire (`feedback.record`, once, through the one write path); the lead reads
the summaries with comments, sets the questions and records "what we did about it"; the link officer sees counts
per setting only; the coordinator and anyone on another review see nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from visits.admin.reviews import close_review
from visits.extensions import db
from visits.models import AuditEvent, Feedback, FeedbackAction, FeedbackQuestion

from ..support import factories as f
from ..support.clients import signed_in
from ..support.sync import send, send_one

COMMENT = "The stairs frightened me: FEEDBACK-COMMENT-5521"
OTHER_COMMENT = "Lovely lunch but nobody asked me: FEEDBACK-COMMENT-8830"
ANSWERS = {"respect": 5, "listened": 4, "information": "declined", "overall": 4}


def record_op(visit, **data):
    fields = {"feedback_id": f.new_id(), "visit_id": visit.id, "language": "en", "supported_by": "carer",
              "consent": True, "answers": ANSWERS, "comment": COMMENT}
    fields.update(data)
    return f.operation("feedback.record", **fields)


def test_lay_assessor_records_feedback_and_a_replay_changes_nothing(app, team):
    client = signed_in(app, team.lay)
    op = record_op(team.home_visit, participant_id=team.service_user.id)

    first, again = send(client, op, op)

    assert first["status"] == "applied" and again["status"] == "duplicate" and again["first_status"] == "applied"
    stored = db.session.scalars(select(Feedback)).one()
    assert stored.answers == ANSWERS and stored.comment == COMMENT and stored.recorded_by_id == team.lay.id
    assert stored.participant_id == team.service_user.id and stored.supported_by.value == "carer" and stored.consent
    # The audit trail says feedback was given, never what was said.
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feedback.record")).one()
    assert "FEEDBACK-COMMENT" not in str(event.detail) and "declined" not in str(event.detail)
    assert send_one(client, record_op(team.home_visit, feedback_id=stored.id))["status"] == "rejected"
    assert f.count(Feedback) == 1


@pytest.mark.parametrize("role", ["link_officer", "reviewer2", "coordinator", "lead_b"])
def test_those_not_on_the_visit_may_not_record_feedback(app, team, role):
    answer = send_one(signed_in(app, team.member(role)), record_op(team.home_visit))
    assert answer["status"] == "forbidden" and "errors" not in answer
    assert f.count(Feedback) == 0


def test_a_reviewer_not_on_a_staff_interview_or_on_it_may_not_ask_there(app, team):
    interview = f.gen_visit(team.review, team=[team.reviewer], kind="staff_interview")
    db.session.commit()
    assert send_one(signed_in(app, team.reviewer), record_op(interview))["status"] == "forbidden"


@pytest.mark.parametrize("change, field", [
    ({"answers": {"respect": 6}}, "answers"),
    ({"answers": {"respect": 0}}, "answers"),
    ({"answers": {"respect": "great"}}, "answers"),
    ({"answers": {"respect": "²"}}, "answers"),  # a digit to str.isdigit, not to int()
    ({"answers": {"how_was_the_food": 3}}, "answers"),
    ({"consent": False}, "consent"),
    ({"consent": False, "answers": {}, "comment": ""}, "consent"),
    ({"supported_by": "friend"}, "supported_by"),
    ({"language": ""}, "language"),
    ({"comment": "x" * 4001}, "comment"),
])
def test_bad_feedback_is_rejected_with_the_field_named(app, team, change, field):
    answer = send_one(signed_in(app, team.lay), record_op(team.home_visit, **change))
    assert answer["status"] == "rejected", answer
    assert any(name.startswith(field) for name in answer["errors"]), answer["errors"]
    assert f.count(Feedback) == 0


def test_a_person_not_on_the_visit_cannot_be_named(app, team):
    stranger = f.gen_participant(team.review, "service_user", name="Someone Else")
    db.session.commit()
    answer = send_one(signed_in(app, team.lay), record_op(team.home_visit, participant_id=stranger.id))
    assert answer["status"] == "rejected" and "participant_id" in answer["errors"]


def test_a_closed_review_refuses_feedback_and_says_why(app, team):
    close_review(team.review, by=team.lead)
    db.session.commit()
    answer = send_one(signed_in(app, team.lay), record_op(team.home_visit))
    assert answer["status"] == "forbidden" and "closed" in str(answer["errors"])
    assert f.count(Feedback) == 0


# --- the questionnaire page, with and without JavaScript ----------------------------------------------------------


def test_the_questionnaire_without_javascript_records_once_and_no_consent_records_nothing(app, team):
    client = signed_in(app, team.lay)
    url = f"/visits/{team.home_visit.id}/feedback"
    page = client.get(url).get_data(as_text=True)
    assert "Were you treated with respect?" in page and "I'd rather not say" in page
    assert 'data-op-type="feedback.record"' in page

    declined = client.post(url, data={"op_id": f.new_id(), "feedback_id": f.new_id(), "consent": "no",
                                      "answers.respect": "5"})
    assert declined.status_code == 200 and "Nothing was written down" in declined.get_data(as_text=True)
    assert f.count(Feedback) == 0

    form = {"op_id": f.new_id(), "feedback_id": f.new_id(), "visit_id": team.home_visit.id, "consent": "yes",
            "answers.respect": "4", "answers.overall": "declined", "answers.listened": "", "language": "cy",
            "supported_by": "advocate", "participant_id": "", "comment": COMMENT}
    assert "Your answers are saved" in client.post(url, data=form).get_data(as_text=True)
    assert "Your answers are saved" in client.post(url, data=form).get_data(as_text=True)  # a double tap
    stored = db.session.scalars(select(Feedback)).one()
    assert stored.answers == {"respect": 4, "overall": "declined"} and stored.language == "cy"


def test_a_bad_answer_without_javascript_shows_the_form_again_with_what_was_typed(app, team):
    client = signed_in(app, team.lay)
    url = f"/visits/{team.home_visit.id}/feedback"
    response = client.post(url, data={"op_id": f.new_id(), "feedback_id": f.new_id(), "consent": "yes",
                                      "answers.respect": "6", "comment": "Kept as typed 4411"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Answer with 1 to 5" in page and "Kept as typed 4411" in page
    no_choice = client.post(url, data={"op_id": f.new_id(), "feedback_id": f.new_id()})
    assert no_choice.status_code == 400 and "Choose yes or no." in no_choice.get_data(as_text=True)
    assert f.count(Feedback) == 0


@pytest.mark.parametrize("role, status", [
    ("lay_assessor", 200), ("reviewer", 200), ("reviewer2", 403), ("lead_reviewer", 403),
    ("link_officer", 403), ("coordinator", 403), ("lead_b", 404),
])
def test_who_may_open_the_questionnaire(app, team, role, status):
    client = signed_in(app, team.member(role))
    assert client.get(f"/visits/{team.home_visit.id}/feedback").status_code == status
    visit_page = client.get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    assert ("Ask for feedback" in visit_page) is (status == 200)


def test_the_phone_keeps_the_questionnaire_of_its_persons_visits(app, team):
    lay_urls = signed_in(app, team.lay).get("/api/offline-pages").get_json()["urls"]
    assert f"/visits/{team.home_visit.id}/feedback" in lay_urls
    link_urls = signed_in(app, team.link).get("/api/offline-pages").get_json()["urls"]
    assert not any(url.endswith("/feedback") for url in link_urls)


# --- summaries: who sees what ------------------------------------------------------------------------------------


@pytest.fixture
def answered(app, team):
    """Two people answered at the home and one at a day centre; one comment each place."""
    centre = f.gen_location(team.review, "day_facility", name="Maes Day Centre")
    setting = f.gen_visit(team.review, team=[team.lay], kind="setting_visit", location=centre)
    db.session.commit()
    lay = signed_in(app, team.lay)
    send(lay, record_op(team.home_visit), record_op(team.home_visit, comment="", answers={"respect": 2}),
         record_op(setting, comment=OTHER_COMMENT, answers={"respect": "declined", "overall": 5}))
    team.setting_visit, team.day_centre = setting, centre
    return team


def test_the_lead_reads_every_summary_with_comments_and_medians(app, answered):
    page = signed_in(app, answered.lead).get(f"/feedback?review={answered.review.id}").get_data(as_text=True)
    assert COMMENT in page and OTHER_COMMENT in page
    assert "Maes Day Centre" in page and "Service user&#39;s home" in page
    assert "2 people" in page and "3.5" in page  # the home's respect: 5 and 2
    assert "Home visit" in page and "Setting visit" in page


def test_the_link_officer_sees_counts_per_setting_and_nothing_said(app, answered):
    response = signed_in(app, answered.link).get(f"/feedback?review={answered.review.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Maes Day Centre" in page
    for secret in ("FEEDBACK-COMMENT", "Very good", "Were you treated", "Median", "declined"):
        assert secret not in page


def test_a_reviewer_sees_what_they_recorded_and_only_that(app, answered):
    lay_page = signed_in(app, answered.lay).get(f"/feedback?review={answered.review.id}").get_data(as_text=True)
    assert COMMENT in lay_page and OTHER_COMMENT in lay_page
    colleague = signed_in(app, answered.reviewer).get(f"/feedback?review={answered.review.id}")
    assert colleague.status_code == 200 and "FEEDBACK-COMMENT" not in colleague.get_data(as_text=True)


@pytest.mark.parametrize("role, status", [("coordinator", 403), ("lead_b", 404), ("link_b", 404)])
def test_the_coordinator_and_another_review_see_no_feedback(app, answered, role, status):
    client = signed_in(app, answered.member(role))
    for url in (f"/feedback?review={answered.review.id}", f"/feedback/questions?review={answered.review.id}"):
        response = client.get(url)
        assert response.status_code == status and "FEEDBACK-COMMENT" not in response.get_data(as_text=True)
    for url in ("/feedback", f"/visits/{answered.home_visit.id}/feedback",
                f"/visits/{answered.setting_visit.id}"):
        assert "FEEDBACK-COMMENT" not in client.get(url).get_data(as_text=True)


def test_a_review_id_of_unicode_digits_is_not_found_rather_than_a_server_error(app, answered):
    lead = signed_in(app, answered.lead)
    for url in ("/feedback?review=²", "/feedback/questions?review=²"):
        assert lead.get(url).status_code == 404, url


def test_what_we_did_about_it_is_the_leads_and_audited(app, answered):
    url = f"/feedback/actions?review={answered.review.id}"
    form = {"location_id": answered.day_centre.id, "text": "Asked the centre to offer a choice of seat"}
    for role in ("link_officer", "lay_assessor", "coordinator"):
        assert signed_in(app, answered.member(role)).post(url, data=form).status_code == 403
    assert signed_in(app, answered.member("lead_b")).post(url, data=form).status_code == 404
    lead = signed_in(app, answered.lead)
    assert lead.post(url, data=form).status_code == 302
    assert "offer a choice of seat" in lead.get(f"/feedback?review={answered.review.id}").get_data(as_text=True)
    action = db.session.scalars(select(FeedbackAction)).one()
    assert action.location_id == answered.day_centre.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "feedback.action")).one()
    assert "seat" not in str(event.detail)
    assert lead.post(url, data={"location_id": answered.day_centre.id, "text": " "}).status_code == 302
    assert f.count(FeedbackAction) == 1


# --- the lead's questions ----------------------------------------------------------------------------------------


def test_the_lead_rewords_reorders_adds_and_retires_questions_keyed_by_code(app, answered):
    lead = signed_in(app, answered.lead)
    url = f"/feedback/questions?review={answered.review.id}"
    assert "Did staff listen to you?" in lead.get(url).get_data(as_text=True)
    lead.post(url, data={"action": "reword", "code": "respect", "text": "Were you treated kindly?"})
    lead.post(url, data={"action": "down", "code": "respect"})
    lead.post(url, data={"action": "add", "text": "Was the place clean?"})
    lead.post(url, data={"action": "retire", "code": "respect"})   # answered: retired, its answers kept
    lead.post(url, data={"action": "retire", "code": "choices"})   # never answered: deleted
    rows = {q.code: q for q in db.session.scalars(select(FeedbackQuestion)
                                                  .where(FeedbackQuestion.review_id == answered.review.id))}
    assert rows["respect"].text == "Were you treated kindly?" and rows["respect"].retired_at is not None
    assert "choices" not in rows and "was_the_place" in rows
    asked = signed_in(app, answered.lay).get(f"/visits/{answered.home_visit.id}/feedback").get_data(as_text=True)
    assert "Was the place clean?" in asked and "treated kindly" not in asked
    summary = lead.get(f"/feedback?review={answered.review.id}").get_data(as_text=True)
    assert "Were you treated kindly? (no longer asked)" in summary
    # A phone that still holds the old page may answer the retired question: kept, not refused.
    assert send_one(signed_in(app, answered.lay), record_op(answered.home_visit))["status"] == "applied"
    assert {e.action for e in db.session.scalars(select(AuditEvent))} >= {
        "feedback.question_reword", "feedback.question_move", "feedback.question_add",
        "feedback.question_retire", "feedback.question_delete"}


@pytest.mark.parametrize("role", ["reviewer", "lay_assessor", "link_officer", "coordinator"])
def test_only_the_lead_edits_questions(app, team, role):
    client = signed_in(app, team.member(role))
    url = f"/feedback/questions?review={team.review.id}"
    assert client.post(url, data={"action": "add", "text": "Sneaky question?"}).status_code == 403
    assert f.count(FeedbackQuestion) == 0


def test_the_privacy_page_says_who_sees_feedback_as_the_permission_functions_decide(app, team):
    from visits.privacy.table import COLUMNS, who_sees_what

    (row,) = [row for row in who_sees_what() if row.key == "feedback"]
    assert dict((cell.column, cell.answer) for cell in row.cells) == dict(zip(COLUMNS, [
        "feedback_all", "feedback_own", "feedback_own", "feedback_counts", "none", "none", "none"]))
    assert "comments included" in app.test_client().get("/privacy").get_data(as_text=True)


def test_a_persons_export_holds_the_feedback_recorded_as_theirs_and_no_one_elses(app, team):
    lay = signed_in(app, team.lay)
    send(lay, record_op(team.home_visit, participant_id=team.service_user.id),
         record_op(team.home_visit, participant_id=team.carer.id, comment=OTHER_COMMENT))
    export = signed_in(app, team.lead).get(f"/participants/{team.service_user.id}/export.json")
    assert export.status_code == 200
    (theirs,) = export.get_json()["feedback"]
    assert theirs["comment"] == COMMENT and theirs["answers"] == ANSWERS and theirs["supported_by"] == "carer"
    assert OTHER_COMMENT not in export.get_data(as_text=True)


def test_only_a_home_visits_questionnaire_names_who_is_answering(app, team):
    centre = f.gen_location(team.review, "day_facility", name="Maes Day Centre")
    other = f.gen_participant(team.review, "service_user", name="Mr Bryn Other")
    setting = f.gen_visit(team.review, team=[team.lay], participants=[team.service_user, other],
                          kind="setting_visit", location=centre)
    db.session.commit()
    lay = signed_in(app, team.lay)
    at_home = lay.get(f"/visits/{team.home_visit.id}/feedback").get_data(as_text=True)
    assert "Mrs Eira Jones" in at_home and "Who is answering?" in at_home
    at_centre = lay.get(f"/visits/{setting.id}/feedback").get_data(as_text=True)
    assert "Mrs Eira Jones" not in at_centre and "Mr Bryn Other" not in at_centre


@pytest.mark.parametrize("role, link", [
    ("lead_reviewer", "The review&#39;s feedback summaries"), ("link_officer", None), ("coordinator", None),
])
def test_the_visit_page_leads_the_lead_to_the_summaries_and_no_one_else(app, team, role, link):
    page = signed_in(app, team.member(role)).get(f"/visits/{team.home_visit.id}").get_data(as_text=True)
    if link:
        assert link in page or "The review's feedback summaries" in page
    else:
        assert 'id="feedback"' not in page and "/feedback?review" not in page

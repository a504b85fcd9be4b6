"""The Welsh active offer on service users' feedback (issue 13, item 5): feedback.record carries `active_offer`,
asked of the team member on the questionnaire's language step; the lead's summary counts the languages answered
in and the offers made per place; the link officer's counts say nothing of either."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from visits.extensions import db
from visits.models import Feedback

from ..support import factories as f
from ..support.clients import signed_in
from ..support.html_forms import forms_on
from ..support.sync import send, send_one


def record_op(visit, **data):
    fields = {"feedback_id": f.new_id(), "visit_id": visit.id, "language": "en", "supported_by": "none",
              "consent": True, "answers": {"respect": 4}, "comment": ""}
    fields.update(data)
    return f.operation("feedback.record", **fields)


def test_the_offer_is_recorded_with_the_feedback_and_left_out_it_is_not_recorded(app, team):
    lena = signed_in(app, team.lay)
    made, silent = record_op(team.home_visit, language="cy", active_offer=True), record_op(team.home_visit)
    assert [answer["status"] for answer in send(lena, made, silent)] == ["applied", "applied"]
    assert db.session.get(Feedback, made["data"]["feedback_id"]).active_offer is True
    assert db.session.get(Feedback, made["data"]["feedback_id"]).language == "cy"
    assert db.session.get(Feedback, silent["data"]["feedback_id"]).active_offer is None


def test_an_offer_that_is_not_yes_or_no_is_refused_on_its_field(app, team):
    answer = send_one(signed_in(app, team.lay), record_op(team.home_visit, active_offer="perhaps"))
    assert answer["status"] == "rejected" and list(answer["errors"]) == ["active_offer"]
    assert f.count(Feedback) == 0


def test_the_questionnaires_language_step_asks_the_team_member_and_the_form_records_it(app, team):
    lena = signed_in(app, team.lay)
    html = lena.get(f"/visits/{team.home_visit.id}/feedback").get_data(as_text=True)
    assert "For the team member: the Welsh active offer was made" in html
    step = html[html.index('data-fb-step="language"'):html.index('data-fb-step="supported_by"')]
    assert 'name="active_offer" value="true"' in step and 'name="active_offer" value="false"' in step
    # Welsh is offered first, and every language is worded (the list is translated, not a raw `_(name)`).
    assert step.index('value="cy"') < step.index('value="en"')
    [form] = [form for form in forms_on(html) if form.attrs.get("id") == "feedback-form"]
    response = lena.http.post(form.action, data=form.filled(consent="yes", language="cy", active_offer="true",
                                                            **{"answers.respect": "5"}))
    assert response.status_code == 200 and "Your answers are saved." in response.get_data(as_text=True)
    stored = db.session.scalars(select(Feedback)).one()
    assert (stored.language, stored.active_offer) == ("cy", True)


@pytest.fixture
def answered(app, team):
    centre = f.gen_location(team.review, "day_facility", name="Maes Day Centre")
    setting = f.gen_visit(team.review, team=[team.lay], kind="setting_visit", location=centre)
    db.session.commit()
    send(signed_in(app, team.lay),
         record_op(setting, language="cy", active_offer=True), record_op(setting, language="cy", active_offer=True),
         record_op(setting, language="en", active_offer=False), record_op(setting, language="pl"))
    return team


def test_the_lead_reads_the_languages_and_offers_per_place(app, answered):
    page = signed_in(app, answered.lead).get(f"/feedback?review={answered.review.id}").get_data(as_text=True)
    assert "Languages answered in: Cymraeg (Welsh) 2, English 1, Polski (Polish) 1." in page
    assert "Welsh active offer made: 2 yes, 1 no, 1 not recorded." in page


def test_the_link_officer_learns_nothing_of_languages_or_offers(app, answered):
    page = signed_in(app, answered.link).get(f"/feedback?review={answered.review.id}").get_data(as_text=True)
    assert "Maes Day Centre" in page
    for word in ("Languages answered in", "active offer", "Cymraeg (Welsh)", "Polski"):
        assert word not in page


def _selected_language(html):
    step = html[html.index('id="fb-language"'):]
    step = step[:step.index("</select>")]
    return [part.split('"')[1] for part in step.split("<option")[1:] if " selected" in part.split(">")[0]]


@pytest.mark.parametrize("locale, expected", [("cy", ["cy"]), ("en", ["en"]), (None, ["en"])])
def test_the_questionnaire_starts_from_the_pages_language(app, team, locale, expected):
    # A Welsh page handed to someone answering in Welsh must not say they answered in English.
    team.lay.locale = locale
    db.session.commit()
    html = signed_in(app, team.lay).get(f"/visits/{team.home_visit.id}/feedback").get_data(as_text=True)
    assert _selected_language(html) == expected


def test_the_default_language_of_an_answer_is_welsh_only_for_a_welsh_page():
    from babel import Locale

    from visits.feedback.views import answer_language_default

    assert answer_language_default(Locale.parse("cy")) == "cy"
    assert answer_language_default(Locale.parse("en_GB")) == "en"
    assert answer_language_default(None) == "en"

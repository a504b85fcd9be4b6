"""Issue 13, item 4: what leaves the app goes in the person's language. An alert is composed again for each
recipient in theirs (push and email alike); an invitation or reset in the person's chosen language, and in both,
Welsh first, while nobody has chosen (a new invitation, the out-of-hours contact's address): the Welsh Language
Standards put Welsh first when both are sent."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from flask_babel import force_locale, gettext

from tests.support import factories as f
from tests.support.world import SERVICE_USER_NAME
from visits.accounts import service as accounts
from visits.alerts import concern_alerts
from visits.alerts.contract import email_recipient, user_recipient
from visits.alerts.delivery import deliver
from visits.alerts.email import alert_text, subject_of
from visits.extensions import db

REFERRED = datetime(2026, 3, 9, 14, 5, tzinfo=timezone.utc)
CONCERN_TEXT = "Bruises on Mrs Gwenllian Secretname's arm"
TITLE = "Red concern not acknowledged"


def welsh(text: str) -> str:
    with force_locale("cy"):
        return gettext(text)


def test_the_catalogue_has_a_welsh_title_to_look_for(app):
    assert welsh(TITLE) != TITLE  # without it this file would prove nothing


def _steps(app, team, minutes):
    concern = f.gen_concern(team.home_visit, team.reviewer, text=CONCERN_TEXT, rating="red")
    concern.referred_at, concern.referred_by_id = REFERRED, team.lead.id
    concern.referral_text = f"Referred about {SERVICE_USER_NAME}"
    team.review.out_of_hours_email = "Duty.Team@council.example"
    db.session.commit()
    now = REFERRED + timedelta(minutes=minutes)
    app.config["CLOCK"] = lambda: now
    return concern_alerts.due_steps(now)


def _sent(steps):
    sent = []
    for step in steps:
        deliver(step, send=lambda recipient, message: sent.append((recipient, message)) or "push")
    return dict(sent)


def test_each_person_reads_the_alert_in_their_own_language(app, team):
    team.lead.locale, team.link.locale = "cy", "en"
    sent = _sent(_steps(app, team, 30))
    to_lead, to_link = sent[user_recipient(team.lead.id)], sent[user_recipient(team.link.id)]
    assert to_lead.title == welsh(TITLE) and to_lead.also is None
    assert to_lead.body.startswith(welsh("A red %(category)s concern referred at %(time)s has not been "
                                         "acknowledged.").split("%")[0])
    assert to_link.title == TITLE and to_link.also is None
    for message in (to_lead, to_link):
        assert CONCERN_TEXT not in message.body and SERVICE_USER_NAME not in message.body


def test_someone_who_never_chose_reads_english_as_the_app_shows_them(app, team):
    team.lead.locale = None
    sent = _sent(_steps(app, team, 30))
    assert sent[user_recipient(team.lead.id)].title == TITLE


def test_the_out_of_hours_address_gets_welsh_first_then_english(app, team):
    steps = _steps(app, team, 30)
    _sent(steps)  # step 1 claimed
    app.config["CLOCK"] = lambda: REFERRED + timedelta(minutes=60)
    sent = _sent(concern_alerts.due_steps(REFERRED + timedelta(minutes=60)))
    message = sent[email_recipient("duty.team@council.example")]
    assert message.title == welsh(TITLE) and message.also.title == TITLE
    assert subject_of(message) == f"{welsh(TITLE)} / {TITLE}"
    with force_locale("cy"):
        text = alert_text(message)
    first, second = text.split("-" * 40)
    assert "has not been acknowledged" in second and "has not been acknowledged" not in first
    assert "Open it in Fieldwork" in second and "Open it in Fieldwork" not in first  # the mail's own words too
    assert CONCERN_TEXT not in text and SERVICE_USER_NAME not in text


def test_an_invitation_goes_in_both_languages_until_the_person_chooses(app, team, monkeypatch):
    mails = []
    monkeypatch.setattr("visits.accounts.mail.send", lambda to, subject, body: mails.append((subject, body)) or True)
    newcomer = f.gen_user("Newydd Person")
    newcomer.locale = None
    accounts.invite(newcomer, by=team.lead)
    subject, body = mails[-1]
    assert subject == f"{welsh('You are invited to Fieldwork')} / You are invited to Fieldwork"
    first, second = body.split("-" * 40)
    assert "has invited you to Fieldwork" in second and "has invited you to Fieldwork" not in first
    assert "/invite/" in first and "/invite/" in second


def test_a_reset_goes_in_the_language_the_person_chose(app, team, monkeypatch):
    mails = []
    monkeypatch.setattr("visits.accounts.mail.send", lambda to, subject, body: mails.append((subject, body)) or True)
    team.reviewer.locale = "cy"
    accounts.issue_reset(team.reviewer, by=None)
    subject, body = mails[-1]
    assert subject == welsh("Reset your Fieldwork password")
    assert "Reset your Fieldwork password" not in subject and "If it was not you" not in body


def test_an_alert_whose_recomposing_fails_is_still_sent_in_the_producers_words(app, team):
    """A delivery is claimed before it is composed for its recipient, and a failed delivery is never sent again:
    if composing fails (the visit erased mid-ladder, a broken translation), the words the producer composed go."""
    team.lead.locale = "cy"
    (step,) = [s for s in _steps(app, team, 30) if user_recipient(team.lead.id) in s.recipients]

    def broken():
        raise KeyError("a placeholder the translation lacks")

    sent = _sent([replace(step, recipients=(user_recipient(team.lead.id),), compose=broken)])
    assert sent[user_recipient(team.lead.id)] == step.message

"""Alerts by email (visits/alerts/email.py), sent to a real SMTP server on loopback (aiosmtpd): the mail arrives
with the alert's title and words and an absolute link, and nothing of a service user, a note or a concern in it;
a refused or unreachable server raises, for the delivery to record; with no mail server it goes to the log."""
from __future__ import annotations

import logging
import smtplib
import socket
from datetime import datetime, timedelta, timezone

import pytest

from tests.support import factories as f
from tests.support.smtp import body_of, link_in, mail_app, smtp_server  # noqa: F401
from tests.support.world import HOME_ADDRESS, NOTE_BODY, SERVICE_USER_NAME, field_team_world
from visits.alerts import concern_alerts, programme_notices
from visits.alerts.contract import Message, parse_recipient
from visits.alerts.email import alert_email_channel, send_alert_email
from visits.extensions import db
from visits.models import Attendance

CONCERN_TEXT = "Mrs Gwenllian Secretname has unexplained bruising"


def _plant_secrets(world):
    """A service user named, with an address, a note and a concern on the visit: none of it may leave by mail."""
    person = f.gen_participant(world.review, "service_user", name=SERVICE_USER_NAME, phone="07700 900999")
    db.session.add(Attendance(visit=world.home_visit, participant=person))
    world.home_visit.title = f"Home visit to {SERVICE_USER_NAME}"
    world.home.address = HOME_ADDRESS
    f.gen_note(world.home_visit, world.reviewer, body=NOTE_BODY)
    concern = f.gen_concern(world.home_visit, world.reviewer, text=CONCERN_TEXT, category="safeguarding",
                            rating="red")
    db.session.commit()
    return person, concern


def _assert_nothing_private(mail, world):
    text = mail.as_string()
    for secret in (SERVICE_USER_NAME, "Secretname", HOME_ADDRESS, "Hidden Row", NOTE_BODY, "kitchen was cold",
                   CONCERN_TEXT, "bruising", "Mrs Eira Jones", world.reviewer.name, world.lead.name,
                   world.case.reference):
        assert secret not in text, secret


def test_an_alert_mail_reaches_the_smtp_server_with_its_title_words_and_an_absolute_link(mail_app, smtp_server):
    mail_app.config["PUBLIC_URL"] = "https://fieldwork.example.gov.uk"
    message = Message("concern", "Red concern not acknowledged",
                      "A red safeguarding concern referred at 14:05 has not been acknowledged.", "/concerns?review=3")
    send_alert_email("duty.team@council.example", message)
    [mail] = smtp_server.wait_for(1)
    assert mail["Subject"] == "Red concern not acknowledged"
    assert mail["To"] == "duty.team@council.example"
    assert "A red safeguarding concern referred at 14:05 has not been acknowledged." in body_of(mail)
    assert link_in(mail) == "https://fieldwork.example.gov.uk/concerns?review=3"
    assert alert_email_channel() == "email"


def test_the_concern_producers_mail_to_the_out_of_hours_contact_names_no_one(mail_app, smtp_server):
    world = field_team_world()
    _person, concern = _plant_secrets(world)
    referred = datetime(2026, 3, 9, 14, 5, tzinfo=timezone.utc)
    concern.referred_at, concern.referral_text = referred, f"About {SERVICE_USER_NAME} at {HOME_ADDRESS}"
    world.review.out_of_hours_email = "duty.team@council.example"
    db.session.commit()
    now = referred + timedelta(minutes=61)
    mail_app.config["CLOCK"] = lambda: now
    steps = [step for step in concern_alerts.due_steps(now) if step.step == 2]
    [(kind, address)] = [parse_recipient(recipient) for recipient in steps[0].recipients]
    assert kind == "email"
    send_alert_email(address, steps[0].message)
    [mail] = smtp_server.wait_for(1)
    assert "14:05" in body_of(mail)
    _assert_nothing_private(mail, world)


def test_a_programme_notice_by_mail_names_no_one(mail_app, smtp_server):
    from visits.programme.service import cancel_visit

    world = field_team_world()
    _plant_secrets(world)
    now = datetime.combine(world.day, datetime.min.time()).replace(hour=7, tzinfo=timezone.utc)
    mail_app.config["CLOCK"] = lambda: now
    cancel_visit(world.review, world.lead, world.home_visit, f"{SERVICE_USER_NAME} is in hospital")
    db.session.commit()
    steps = programme_notices.due_steps(now)
    assert steps
    for step in steps:
        send_alert_email("someone@example.test", step.message)
    mails = smtp_server.wait_for(len(steps))
    assert len(mails) == len(steps)
    for mail in mails:
        assert "cancelled" in body_of(mail)
        assert "hospital" not in mail.as_string()
        _assert_nothing_private(mail, world)


def test_a_refused_recipient_raises_for_the_delivery_to_record(mail_app, smtp_server):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 No such mailbox"

    smtp_server.handle_RCPT = refuse
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send_alert_email("nobody@council.example", Message("concern", "T", "B", "/concerns"))


def test_an_unreachable_mail_server_raises(mail_app, monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(mail_app.extensions["mailman"], "port", port)
    with pytest.raises(OSError):
        send_alert_email("duty@council.example", Message("concern", "T", "B", "/concerns"))


def test_with_no_mail_server_the_alert_is_written_to_the_log_and_says_so(app, caplog):
    app.config["MAIL_SERVER"] = ""
    with caplog.at_level(logging.INFO, logger="fieldwork.mail"):
        send_alert_email("duty@council.example", Message("programme", "Programme change",
                                                         "Thu 14:00 home visit cancelled", "/itinerary"))
    assert alert_email_channel() == "log"
    assert "Mail not sent (no MAIL_SERVER) to duty@council.example: Programme change" in caplog.text
    assert "http://localhost:5000/itinerary" in caplog.text


def test_an_alert_url_must_be_a_path_of_the_app(app):
    with pytest.raises(ValueError):
        send_alert_email("duty@council.example", Message("concern", "T", "B", "https://evil.example/x"))


def test_a_tick_through_the_real_channels_mails_the_concern_and_the_programme_change_once(mail_app, smtp_server):
    """Integration with the job runner's tick (visits/alerts/tick.py): nobody here has a push subscription, so
    each alert is mailed; a second tick sends nothing more."""
    from visits.alerts.tick import run_tick
    from visits.models import AlertDelivery
    from visits.programme.service import cancel_visit

    world = field_team_world()
    _person, concern = _plant_secrets(world)
    now = datetime.combine(world.day, datetime.min.time()).replace(hour=7, tzinfo=timezone.utc)
    mail_app.config["CLOCK"] = lambda: now
    concern.referred_at = now - timedelta(minutes=61)
    world.review.out_of_hours_email = "duty.team@council.example"
    cancel_visit(world.review, world.lead, world.home_visit, f"{SERVICE_USER_NAME} is in hospital")
    db.session.commit()
    run_tick(now)
    # Concern: step 1 to the lead and the link officer, step 2 to the out-of-hours contact; the cancelled visit:
    # Rhys and Lena (the lead cancelled it, so is not told of it).
    mails = smtp_server.wait_for(5)
    assert sorted(mail["To"] for mail in mails) == sorted([
        world.lead.email, world.link.email, "duty.team@council.example", world.reviewer.email, world.lay.email])
    for mail in mails:
        _assert_nothing_private(mail, world)
        assert "hospital" not in mail.as_string()
    run_tick(now + timedelta(minutes=1))
    assert len(smtp_server.wait_for(6, timeout=0.5)) == 5
    assert f.count(AlertDelivery, AlertDelivery.sent_at.is_not(None)) == 5

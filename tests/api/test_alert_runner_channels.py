"""A tick through the real channels: Web Push (visits/push/sender.py) to a push service stand-in on loopback, whose
request the test decrypts, and email (visits/alerts/email.py) to a real SMTP server on loopback."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from visits.alerts.contract import DueStep, Message, email_recipient, user_recipient
from visits.alerts.tick import run_tick
from visits.extensions import db
from visits.models import AlertDelivery, PushSubscription

from ..support import factories as f
from ..support.push_service import BrowserKeys, push_service
from ..support.smtp import mail_app, smtp_server  # noqa: F401
from ..unit.test_alert_delivery import NOON, make_events, stand_in_producer

ALERT = Message("overdue", "Are you safe?", "Your home visit was due to end at 14:00. Check out.", "/visits/7")


@pytest.fixture
def service(mail_app):
    with push_service(mail_app) as stand_in:
        yield stand_in


def _subscribe(user, endpoint: str) -> BrowserKeys:
    keys = BrowserKeys()
    db.session.add(PushSubscription(user_id=user.id, endpoint=endpoint, p256dh=keys.p256dh, auth=keys.auth))
    db.session.commit()
    return keys


def test_a_tick_pushes_to_a_subscribed_phone_and_emails_everyone_else(mail_app, service, smtp_server):  # noqa: F811
    review = f.gen_review()
    rhys, lena, lead = f.gen_user(), f.gen_user(email="lena@example.test"), f.gen_user(email="lead@example.test")
    db.session.commit()
    rhys_phone = _subscribe(rhys, service.endpoint("rhys"))
    _subscribe(lead, service.endpoint("lead-old-phone"))
    service.answer("lead-old-phone", 410)  # the browser dropped it: gone, and the lead gets email instead
    [event_id] = make_events(review.id, 1)
    recipients = (user_recipient(rhys.id), user_recipient(lena.id), user_recipient(lead.id),
                  email_recipient("Duty@Council.example"))

    outcome = run_tick(NOON, [stand_in_producer([DueStep(event_id, 2, recipients, ALERT)])])

    assert (outcome.sent, outcome.failed) == (4, 0)
    [pushed] = service.received("rhys")
    assert json.loads(rhys_phone.decrypt(pushed.body)) == ALERT.payload()
    mails = smtp_server.wait_for(3)
    assert sorted(a.addr_spec for mail in mails for a in mail["To"].addresses) == [
        "duty@council.example", "lead@example.test", "lena@example.test"]
    assert {mail["Subject"] for mail in mails} == {ALERT.title}
    channels = dict(db.session.execute(select(AlertDelivery.recipient, AlertDelivery.channel)).all())
    assert channels == {user_recipient(rhys.id): "push", user_recipient(lena.id): "email",
                        user_recipient(lead.id): "email", email_recipient("duty@council.example"): "email"}
    assert db.session.scalar(select(PushSubscription).where(PushSubscription.user_id == lead.id)) is None


def test_a_refused_mail_is_recorded_as_failed_and_the_push_still_goes(mail_app, service, smtp_server):  # noqa: F811
    review = f.gen_review()
    rhys = f.gen_user()
    db.session.commit()
    phone = _subscribe(rhys, service.endpoint("rhys"))
    [event_id] = make_events(review.id, 1)

    async def refuse(server, session, envelope, address, options):
        return "550 No such mailbox"

    smtp_server.handle_RCPT = refuse
    outcome = run_tick(NOON, [stand_in_producer(
        [DueStep(event_id, 3, (email_recipient("gone@council.example"), user_recipient(rhys.id)), ALERT)])])

    assert (outcome.sent, outcome.failed) == (1, 1)
    assert json.loads(phone.decrypt(service.received("rhys")[0].body))["title"] == ALERT.title
    failed = db.session.scalar(select(AlertDelivery).where(AlertDelivery.failed_at.is_not(None)))
    assert failed.channel == "email" and failed.error == "email: SMTPRecipientsRefused"


def test_with_no_mail_server_an_alert_mail_is_recorded_as_written_to_the_log_not_as_sent(app):
    """Without MAIL_SERVER the mail goes to the log: the delivery must not read as an email someone received."""
    assert not app.config.get("MAIL_SERVER")
    review = f.gen_review()
    lena = f.gen_user(email="lena@example.test")
    db.session.commit()
    [event_id] = make_events(review.id, 1)

    outcome = run_tick(NOON, [stand_in_producer([DueStep(event_id, 2, (user_recipient(lena.id),
                                                                       email_recipient("duty@council.example")),
                                                          ALERT)])])

    assert outcome.sent == 2
    assert set(db.session.scalars(select(AlertDelivery.channel))) == {"log"}

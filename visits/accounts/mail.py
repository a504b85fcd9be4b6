"""The app's mails, sent through Flask-Mailman: by SMTP when MAIL_SERVER is set, otherwise written to the log
by EmailBackend below, so development and a deployment without mail still work (whoever makes a link is shown
it to pass on by hand, and is told whether it was mailed)."""
from __future__ import annotations

import logging
from typing import Callable

from flask import current_app
from flask_babel import force_locale
from flask_mailman import EmailMessage
from flask_mailman.backends.base import BaseEmailBackend

from ..extensions import mail
from ..i18n import LANGUAGES, language_code

log = logging.getLogger("fieldwork.mail")


class EmailBackend(BaseEmailBackend):
    """Writes each mail to the log instead of sending it (Flask-Mailman finds it by the name EmailBackend)."""

    def send_messages(self, email_messages):
        for message in email_messages:
            log.info("Mail not sent (no MAIL_SERVER) to %s: %s\n%s", ", ".join(message.to), message.subject,
                     message.body)
        return len(email_messages)


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send(to: str, subject: str, body: str) -> bool:
    """Send one plain-text mail; True when it went to a mail server. A server that fails is logged, not raised:
    the link is shown on screen as well, so nobody is left without it."""
    backend = "smtp" if mail_configured() else "visits.accounts.mail.EmailBackend"
    try:
        connection = mail.get_connection(backend=backend)
        EmailMessage(subject=subject, body=body, to=[to], connection=connection).send()
    except OSError:  # smtplib's errors, refused connections and timeouts are all OSErrors
        log.exception("Mail to %s could not be sent", to)
        return False
    return mail_configured()


def send_to_person(user, compose: Callable[[], tuple[str, str]]) -> bool:
    """Sends the (subject, body) that `compose` makes in the person's chosen language; before they have chosen one
    (a new invitation), both, Welsh first, as the Welsh Language Standards ask of a letter in both languages."""
    chosen = language_code(getattr(user, "locale", None))
    if chosen:
        with force_locale(LANGUAGES[chosen]):
            subject, body = compose()
        return send(user.email, subject, body)
    with force_locale(LANGUAGES["cy"]):
        welsh_subject, welsh_body = compose()
    with force_locale(LANGUAGES["en"]):
        english_subject, english_body = compose()
    return send(user.email, f"{welsh_subject} / {english_subject}",
                f"{welsh_body}\n\n{'-' * 40}\n\n{english_body}")

"""Email, the channel for people with no push subscription and for the review's out-of-hours contact, who is
usually not a user (DESIGN section 13). It goes through the accounts' mail settings (visits/accounts/mail.py,
Flask-Mailman): SMTP when MAIL_SERVER is set; otherwise the mail is written to the log, and
`alert_email_channel()` says "log" so the delivery's record shows that nobody was mailed.

Unlike an invitation, whose link is also shown on screen, an alert has no other way to arrive: a failure is
raised, for the caller to record against the delivery (and try the next step's people).

What a mail says is the alert's own words (`Message`: no name, no note, no concern text) and an absolute link to
the page, which asks who is looking before it shows anything.
"""
from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMessage

from ..accounts.mail import mail_configured
from ..extensions import mail
from .contract import Message

LOG_BACKEND = "visits.accounts.mail.EmailBackend"
# Where the link points when neither PUBLIC_URL nor a request says (as for the accounts' links): the job runner
# has no request, so a deployment must set PUBLIC_URL for mailed links to work.
FALLBACK_BASE = "http://localhost:5000"


def alert_email_channel() -> str:
    """"email" when a mail server takes it, "log" when it is only written to the log (no MAIL_SERVER)."""
    return "email" if mail_configured() else "log"


def absolute_link(path: str) -> str:
    """The app's page at `path` as a link for a mail: PUBLIC_URL, else the request's host, else localhost."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError("an alert's url is a path of the app")
    base = current_app.config.get("PUBLIC_URL") or (request.host_url if has_request_context() else FALLBACK_BASE)
    return base.rstrip("/") + path


def alert_text(message: Message) -> str:
    """The mail's text in the language in force; a bilingual message (Welsh with `also` in English) both, Welsh
    first."""
    if message.also is not None:
        with force_locale("en_GB"):
            english = alert_text(message.also)
        return f"{_alert_text(message)}\n\n{'-' * 40}\n\n{english}"
    return _alert_text(message)


def subject_of(message: Message) -> str:
    return f"{message.title} / {message.also.title}" if message.also is not None else message.title


def _alert_text(message: Message) -> str:
    return _("%(body)s\n\n"
             "Open it in Fieldwork (you may be asked to sign in):\n%(url)s\n\n"
             "This alert names no one on purpose: the details are in the app, for those allowed to see them.",
             body=message.body, url=absolute_link(message.url))


def send_alert_email(address: str, message: Message) -> str:
    """Mails `message` to `address` (subject: its title) and answers where it went: "email", or "log" with no mail
    server. Raises when the mail server refuses or cannot be reached (OSError, smtplib's errors): the caller
    records the failure."""
    backend = "smtp" if mail_configured() else LOG_BACKEND
    connection = mail.get_connection(backend=backend, fail_silently=False)
    EmailMessage(subject=subject_of(message), body=alert_text(message), to=[address], connection=connection).send()
    return alert_email_channel()

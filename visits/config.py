"""Settings from the environment.

Everything a deployment changes comes from environment variables so one image serves SQLite on a laptop and
PostgreSQL behind several gunicorn workers. Secrets are never defaulted in production.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


# The most one /api/sync batch may hold: past it visits/recording/views.py answers 413 and the outbox halves it.
SYNC_MAX_BYTES = 1_000_000


class ConfigError(RuntimeError):
    pass


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set when FIELDWORK_ENV=production")
    # Local use only: a key generated once and kept in the instance folder, so sessions survive restarts.
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; psycopg 3 is the one we install.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    instance_path.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{instance_path / 'fieldwork.sqlite'}"


def engine_options(url: str) -> dict:
    options: dict = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        # Two requests writing at once (two sync batches) wait for each other's lock instead of failing.
        options["connect_args"] = {"timeout": 15}
    return options


def from_environment(instance_path: str) -> dict:
    path = Path(instance_path)
    production = os.environ.get("FIELDWORK_ENV", "development") == "production"
    console = _console_settings()
    return {
        "FIELDWORK_ENV": "production" if production else "development",
        "SECRET_KEY": _secret_key(path, production),
        "SQLALCHEMY_DATABASE_URI": _database_url(path),
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", "fieldwork-demo"),
        # Cookies: signed session cookie only; no server-side session store, so any worker can serve any request.
        "SESSION_COOKIE_SECURE": production or os.environ.get("SESSION_COOKIE_SECURE") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        # A review week on site: the session lasts the week; once it has lapsed, the next online navigation
        # empties the pages the device kept (service_worker/sw.js).
        "PERMANENT_SESSION_LIFETIME": timedelta(days=int(os.environ.get("SESSION_DAYS", "10"))),
        # The cookie is written only when the session changes: otherwise every response (a prefetch still in
        # flight, a static file) re-sends the old cookie and can overwrite a sign-in happening meanwhile.
        "SESSION_REFRESH_EACH_REQUEST": False,
        # CSRF tokens are checked by our own hook (after the 401 decision), see visits/security.py.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # How many proxies stand in front of the app (see app.py, trust_proxies): the login limit and the audit log
        # key on the client's address, which only a proxy we trust may tell us.
        "TRUSTED_PROXIES": _trusted_proxies(),
        "BABEL_DEFAULT_LOCALE": "en_GB",
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "SYNC_MAX_OPS": 200,
        "SYNC_MAX_BYTES": SYNC_MAX_BYTES,
        "OVERDUE_GRACE_MINUTES": int(os.environ.get("OVERDUE_GRACE_MINUTES", "30")),
        # DESIGN section 11: `flask purge-reviews` erases the personal data of reviews closed at least this many
        # days ago (0: as soon as they are closed).
        "RETENTION_DAYS": _retention_days(),
        # Who /privacy tells people to contact about their data (empty: the review's lead reviewer).
        "PRIVACY_CONTACT": os.environ.get("PRIVACY_CONTACT", "").strip(),
        **_account_settings(),
        **_alert_settings(path),
        **console,
        **request_limits(console["IMPORT_MAX_BYTES"], SYNC_MAX_BYTES),
    }


def _trusted_proxies() -> int:
    raw = os.environ.get("TRUSTED_PROXIES", "0").strip()
    if not (raw.isascii() and raw.isdigit()):
        raise ConfigError("TRUSTED_PROXIES must be the number of proxies in front of the app (0 when none)")
    return int(raw)


def _retention_days() -> int:
    raw = os.environ.get("RETENTION_DAYS", "90").strip()
    if not (raw.isascii() and raw.isdigit()):
        raise ConfigError("RETENTION_DAYS must be a whole number of days, 0 or more")
    return int(raw)


def request_limits(import_max_bytes: int, sync_max_bytes: int) -> dict:
    """Flask's bounds on what one request may send. Without them a body of any size is read (a url-encoded form
    wholly into memory). They sit above the limits our views check themselves, so a view still answers first in
    its own words: the import's 400 for a file too large, the sync's 413 that the outbox halves its batch on.

    The import's confirm step posts the checked rows back as CSV text in one url-encoded form field
    (visits/programme/import_views.py). That text can outgrow the file: columns left out are filled in, and an
    .xlsx is zipped where the text is not. Room is made for twice the file; url-encoding then writes punctuation
    and each byte of an accented letter as three characters, so the form's body may be three times that."""
    payload = 2 * import_max_bytes
    return {
        # Werkzeug holds each text field of a multipart form in memory up to this; Flask's default (500 kB) is
        # less than the confirm payload of a file within IMPORT_MAX_BYTES.
        "MAX_FORM_MEMORY_SIZE": payload,
        # 64 kB more for the other fields, multipart framing and a sync batch's envelope.
        "MAX_CONTENT_LENGTH": max(3 * payload, import_max_bytes, sync_max_bytes) + 64 * 1024,
    }


def _console_settings() -> dict:
    """The link officer's console (issue 5). The programme thresholds default to the guide's numbers
    (visits/programme_rules.Thresholds reads the PROGRAMME_* keys); each can be set from the environment."""
    def number(name: str, default: int) -> int:
        return int(os.environ.get(name, str(default)))

    return {
        "PROGRAMME_MAX_INTERVIEWS_PER_DAY": number("PROGRAMME_MAX_INTERVIEWS_PER_DAY", 4),
        "PROGRAMME_EARLIEST_START": os.environ.get("PROGRAMME_EARLIEST_START", "09:00"),
        "PROGRAMME_MIN_HOME_VISIT_MINUTES": number("PROGRAMME_MIN_HOME_VISIT_MINUTES", 45),
        "PROGRAMME_GROUP_MIN": number("PROGRAMME_GROUP_MIN", 8),
        "PROGRAMME_GROUP_MAX": number("PROGRAMME_GROUP_MAX", 12),
        "PROGRAMME_CASES_IDENTIFIED": number("PROGRAMME_CASES_IDENTIFIED", 15),
        "PROGRAMME_CASES_VISITED": number("PROGRAMME_CASES_VISITED", 12),
        "PROGRAMME_MAX_STAKEHOLDER_MEETINGS": number("PROGRAMME_MAX_STAKEHOLDER_MEETINGS", 5),
        # Not the guide's: minutes between two places when the travel matrix has no entry.
        "PROGRAMME_DEFAULT_TRAVEL_MINUTES": number("PROGRAMME_DEFAULT_TRAVEL_MINUTES", 20),
        # Not the guide's either (it says "avoid over-programming" without a figure): a team member's long day.
        "PROGRAMME_MAX_SESSIONS_PER_DAY": number("PROGRAMME_MAX_SESSIONS_PER_DAY", 5),
        "PROGRAMME_MAX_DAY_HOURS": number("PROGRAMME_MAX_DAY_HOURS", 10),
        # DESIGN section 3: an unarranged need on a visit within this many hours is an alert on the board.
        "NEED_ALERT_HOURS": number("NEED_ALERT_HOURS", 48),
        # Overdue home visits older than this are no longer shown as live alerts (the audit log keeps them).
        "OVERDUE_LOOKBACK_HOURS": number("OVERDUE_LOOKBACK_HOURS", 24),
        "BOARD_POLL_SECONDS": number("BOARD_POLL_SECONDS", 15),
        # Programme import: a week's programme is a few hundred rows; anything far larger is a mistake.
        "IMPORT_MAX_BYTES": number("IMPORT_MAX_BYTES", 2_000_000),
        "IMPORT_MAX_ROWS": number("IMPORT_MAX_ROWS", 2000),
    }


def _account_settings() -> dict:
    """Invitations, resets, mail and two-factor (DESIGN section 10). With no MAIL_SERVER, mails are written to the
    log (visits/accounts/mail.py) and the pages say to pass links on by hand."""
    mail_server = os.environ.get("MAIL_SERVER", "")
    return {
        # Links in mails and in `create-admin`'s output start with this (the address people reach the app at).
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").rstrip("/"),
        "INVITATION_DAYS": int(os.environ.get("INVITATION_DAYS", "7")),
        "RESET_HOURS": int(os.environ.get("RESET_HOURS", "1")),
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "1") == "1",
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL") == "1",
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "10")),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Fieldwork <fieldwork@localhost>"),
        # Flask-Mailman's backend: SMTP when a server is configured, else ours that logs each mail.
        "MAIL_BACKEND": "smtp" if mail_server else "visits.accounts.mail.EmailBackend",
        "TWO_FACTOR_RATE_LIMIT": os.environ.get("TWO_FACTOR_RATE_LIMIT", "10 per minute;30 per hour"),
        "RESET_RATE_LIMIT": os.environ.get("RESET_RATE_LIMIT", "5 per minute;20 per hour"),
        # WebAuthn relying party: the site's host name (never an IP address) and its origin. Unset, they are
        # taken from the request, which suits one host name per deployment.
        "WEBAUTHN_RP_ID": os.environ.get("WEBAUTHN_RP_ID", ""),
        "WEBAUTHN_ORIGIN": os.environ.get("WEBAUTHN_ORIGIN", ""),
    }


# The browsers' push services (DESIGN section 13): the only hosts a push subscription may name. Chrome and
# Android (FCM), Firefox (Mozilla autopush), Safari/iOS (Apple), Edge (Windows Push Notification Services).
DEFAULT_PUSH_HOSTS = ("fcm.googleapis.com", "updates.push.services.mozilla.com", "web.push.apple.com",
                      "*.notify.windows.com")


def _alert_settings(instance_path: Path) -> dict:
    """Alerts that reach people (DESIGN section 13): the job runner's queue, its tick, Web Push and escalation."""
    hosts = os.environ.get("PUSH_ENDPOINT_HOSTS")
    return {
        # The job runner's queue: a SQLite file in the instance folder, or Redis (redis://...) for several hosts.
        "JOBS_URL": os.environ.get("JOBS_URL", "") or f"sqlite:///{instance_path / 'jobs.sqlite'}",
        "ALERT_TICK_SECONDS": int(os.environ.get("ALERT_TICK_SECONDS", "30")),
        # VAPID: the private key (PEM or base64url); unset, one is generated once into the instance folder.
        "VAPID_PRIVATE_KEY": os.environ.get("VAPID_PRIVATE_KEY", ""),
        # Who the push services may contact about our pushes (RFC 8292 "sub"): a mailto: or https: URL.
        "VAPID_SUBJECT": os.environ.get("VAPID_SUBJECT", "mailto:fieldwork@localhost"),
        # Hosts (or host:port; "*." allows subdomains) a subscription's endpoint may be on.
        "PUSH_ENDPOINT_HOSTS": tuple(h.strip().lower() for h in hosts.split(",") if h.strip())
        if hosts is not None else DEFAULT_PUSH_HOSTS,
        # A red concern referred and not acknowledged within this many minutes goes to the lead again, then to the
        # review's out-of-hours contact.
        "RED_CONCERN_ACK_MINUTES": int(os.environ.get("RED_CONCERN_ACK_MINUTES", "30")),
    }

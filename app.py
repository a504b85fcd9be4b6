"""Fieldwork: `flask --app app run`, or `gunicorn 'app:create_app()'`."""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from visits import cli, errors, i18n, security, sessions, static_files, templating, two_factor
from visits.config import engine_options, from_environment
from visits.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from visits.i18n import select_locale
from visits.schemas import MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` in our URLs is an id: one past what the database holds cannot match (404), where asking the
    database for it would overflow (a 500)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES proxies, the client's address (the login limit, the audit log) and scheme are the
    ones the nearest of them forwarded. ProxyFix takes the n-th X-Forwarded-For entry from the right, which our
    own proxies wrote; anything to its left came from the client and is ignored, and with none trusted (the
    default) the header is not read at all, so nobody can dodge the limit by inventing addresses.
    X-Forwarded-Host is not trusted: a proxy that forwards the Host header unchanged needs nothing more, and one
    that sets no X-Forwarded-Host would otherwise let a client choose the host in links and the passkey origin."""
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_port=0, x_prefix=0)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder="static", template_folder="templates")
    app.url_map.converters["int"] = IdConverter  # before any route is added: a rule keeps the converter it got
    app.config.update(from_environment(app.instance_path))
    if config:
        app.config.update(config)
    trust_proxies(app)
    # Chosen for the database finally configured (a test or a deployment may override the URL).
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path) + "/migrations", render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    i18n.init_app(app)  # ?lang= stored and dropped before anything else looks at the request
    login_manager.init_app(app)
    mail.init_app(app)
    sessions.init_app(app)
    security.init_app(app)
    two_factor.init_app(app)  # after security: the enrolment gate runs once the CSRF check has
    errors.init_app(app)
    templating.init_app(app)
    static_files.init_app(app)  # /static/ compressed, and kept a year when versioned
    cli.init_app(app)

    from visits.auth.views import bp as auth_bp
    from visits.itinerary.views import bp as itinerary_bp
    from visits.api.views import bp as api_bp
    from visits.health import bp as health_bp
    from visits.offline.views import bp as offline_bp
    from visits.recording.views import bp as recording_bp
    from visits.notes.views import bp as notes_bp
    from visits.attendance.views import bp as attendance_bp
    from visits.api.openapi import bp as openapi_bp
    from visits.calendar.views import bp as calendar_bp
    from visits.glossary.views import bp as glossary_bp

    for blueprint in (auth_bp, itinerary_bp, api_bp, health_bp, offline_bp, calendar_bp, glossary_bp):
        app.register_blueprint(blueprint)
    # Recording in the field: forms and /api/sync, note history and /api/notes, /api/attendance.
    for blueprint in (recording_bp, notes_bp, attendance_bp, openapi_bp):
        app.register_blueprint(blueprint)
    # The link officer's console: programme, import/export, board, needs.
    from visits.programme import bp as programme_bp

    app.register_blueprint(programme_bp)
    # The audit log, for a review's lead reviewer and coordinator (DESIGN section 2).
    from visits.audit_log.views import bp as audit_log_bp

    app.register_blueprint(audit_log_bp)
    # Accounts (DESIGN section 10): invitations, resets, one's own account; two-factor; administration.
    from visits.accounts.views import bp as accounts_bp
    from visits.admin.views import bp as admin_bp
    from visits.two_factor.views import bp as two_factor_bp

    for blueprint in (accounts_bp, two_factor_bp, admin_bp):
        app.register_blueprint(blueprint)
    # A participant's rights, for the lead reviewer, and the public privacy page (DESIGN section 11).
    from visits.privacy.views import bp as privacy_bp
    from visits.rights.views import bp as rights_bp

    for blueprint in (rights_bp, privacy_bp):
        app.register_blueprint(blueprint)
    from visits.evidence import bp as evidence_bp; app.register_blueprint(evidence_bp)  # noqa: E702  (DESIGN 12)
    from visits.feedback.views import bp as feedback_bp; app.register_blueprint(feedback_bp)  # noqa: E702
    # Concerns: the lead's list of every concern's state and age, the numbers above the concern form (section 12).
    from visits.concerns.views import bp as concerns_bp

    app.register_blueprint(concerns_bp)
    # The lone-worker ladder: its settings, acknowledging an alert, one's duress code (DESIGN section 13).
    from visits.alerts.views import bp as alerts_bp

    app.register_blueprint(alerts_bp)
    # Web Push (section 13): the VAPID key, this device's subscription; visits.push.sender sends alerts.
    from visits.push import bp as push_bp

    app.register_blueprint(push_bp)
    return app

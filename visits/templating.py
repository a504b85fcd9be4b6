"""What every template may use: the app-wide globals and filters, and the main navigation.

Area-specific values stay with their area (a blueprint's own context processor); what is here is shared by the
pages of every role, so it is registered once on the app.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from flask import Flask, current_app, url_for
from flask_babel import format_date, format_datetime, format_time
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .glossary.terms import abbreviate
from .i18n import html_lang, language_links, plural_forms
from .permissions import (can_read_audit_log, can_read_concerns_page, can_read_evidence, can_read_programme,
                          can_read_team, console_reviews, feedback_view, is_site_admin, managed_reviews)
from .security import user_key
from .static_files import file_version
from .vocabulary import TemplateLabels

# Read once per process (a deploy starts new processes), and per static folder: an app in the same process with
# another folder (tests do this) must never link this one's hashes, which its files would not have.
_asset_versions: dict[tuple[str, str], str] = {}


def asset_url(filename: str) -> str:
    """A static URL carrying a hash of the file, so a deploy changes the URL and caches never serve stale code.
    The browser keeps the file a year under this URL (visits/static_files.py, while the hash is the file's)."""
    key = (current_app.static_folder, filename)
    version = _asset_versions.get(key)
    if version is None:
        version = file_version(current_app.static_folder, filename)
        if version is None:
            raise FileNotFoundError(Path(current_app.static_folder) / filename)
        _asset_versions[key] = version
    return url_for("static", filename=filename, v=version)


def main_nav() -> list[tuple[str, str]]:
    """The main navigation, as (endpoint, label): console pages only for the roles that may open them (DESIGN
    section 2)."""
    items = [("itinerary.today", _("My visits"))]
    if console_reviews(current_user, can_read_programme):
        items += [("programme.programme", _("Programme")), ("programme.board", _("Attendance")),
                  ("programme.needs", _("Needs"))]
    # The evidence of the week, and what comes of concerns and feedback (DESIGN section 12): each for whoever may
    # read it.
    if console_reviews(current_user, can_read_evidence):
        items.append(("evidence.index", _("Evidence")))
    if console_reviews(current_user, can_read_concerns_page):
        items.append(("concerns.index", _("Concerns")))
    if console_reviews(current_user, lambda user, review_id: feedback_view(user, review_id) in ("all", "counts")):
        items.append(("feedback.summary", _("Feedback")))
    if console_reviews(current_user, can_read_audit_log):
        items.append(("audit_log.index", _("Audit log")))
    if is_site_admin(current_user) or managed_reviews(current_user):
        items.append(("admin.index", _("Administration")))
    elif console_reviews(current_user, can_read_team):
        items.append(("admin.index", _("Team")))
    items += [("calendar.index", _("Calendar")), ("glossary.index", _("Glossary"))]
    return items


def date_words() -> dict:
    """The names the page's scripts write another day's time with (static/js/fieldwork.js, Fieldwork.clock), in the
    page's language from Babel's data: browsers' own Intl has no Welsh dates in Chromium (it writes English), so
    the scripts never ask it for names. Weekdays start on Sunday, as JavaScript's getDay() counts."""
    from flask_babel import get_locale

    locale = get_locale()
    days = locale.days["format"]["abbreviated"]  # Babel counts from Monday (0)
    months = locale.months["format"]["abbreviated"]
    return {"weekdays": [days[6]] + [days[n] for n in range(6)], "months": [months[n] for n in range(1, 13)]}


def clock_time(moment: datetime) -> str:
    """A time of day as a programme writes it: 14:05."""
    return moment.strftime("%H:%M")


GLOBALS = {
    "asset_url": asset_url, "csrf_token": generate_csrf, "html_lang": html_lang, "main_nav": main_nav,
    "language_links": language_links, "plural_forms": plural_forms, "date_words": date_words,
    "user_key": user_key, "label": TemplateLabels(),
    "format_date": format_date, "format_datetime": format_datetime, "format_time": format_time,
}

FILTERS = {"abbr": abbreviate, "clock": clock_time}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(GLOBALS)
    app.jinja_env.filters.update(FILTERS)

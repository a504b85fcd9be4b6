"""Locale and time-zone helpers. Every user-facing string goes through gettext so a Welsh catalogue can be
added without touching code; dates are shown in the review's zone (Europe/London)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import has_request_context, request

# Add "cy" here once translations/cy is compiled; until then a Welsh browser gets English labelled as English.
SUPPORTED_LOCALES = ("en_GB",)
LONDON = ZoneInfo("Europe/London")


def select_locale() -> str:
    if not has_request_context():  # a flask command: the default language
        return "en_GB"
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en_GB"


def today_in(tz: ZoneInfo = LONDON) -> date:
    return datetime.now(timezone.utc).astimezone(tz).date()


def html_lang() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale).replace("_", "-") if locale else "en-GB"

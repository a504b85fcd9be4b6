"""The programme check's findings name days in the reader's language (issue 13): "Dydd Llun 9 Mawrth" in Welsh,
as the English has always read "Monday 9 March"."""
from __future__ import annotations

from datetime import date

from flask_babel import force_locale

from visits import programme_rules


def test_outside_the_app_the_days_are_english():
    assert programme_rules._day(date(2026, 3, 9)) == "Monday 9 March"
    assert programme_rules._short_day(date(2026, 3, 9)) == "Mon 9 Mar"


def test_a_welsh_reader_gets_welsh_day_and_month_names(app):
    with app.test_request_context(), force_locale("cy"):
        assert programme_rules._day(date(2026, 3, 9)) == "Dydd Llun 9 Mawrth"
        assert "Maw" in programme_rules._short_day(date(2026, 3, 9))

"""The language of a request and of its pages. Every user-facing string goes through gettext so a Welsh catalogue
can be added without touching code."""
from __future__ import annotations

from flask import has_request_context, request

# Add "cy" here once translations/cy is compiled; until then a Welsh browser gets English labelled as English.
SUPPORTED_LOCALES = ("en_GB",)


def select_locale() -> str:
    if not has_request_context():  # a flask command: the default language
        return "en_GB"
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en_GB"


def plural_forms(singular: str, plural: str) -> dict[str, str]:
    """A counted message for the page's script, one text per plural category of the current language (CLDR:
    "one", "other", and Welsh's "zero", "two", "few", "many"). The script picks one with Intl.PluralRules and
    puts the number in for {count}: the same catalogue entry serves the server and the browser."""
    from flask_babel import get_locale, ngettext

    locale = get_locale()
    forms: dict[str, str] = {}
    for number in range(0, 200):
        category = locale.plural_form(number) if locale else ("one" if number == 1 else "other")
        if category not in forms:
            forms[category] = ngettext(singular, plural, number, count="{count}")
    return forms


def html_lang() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return str(locale).replace("_", "-") if locale else "en-GB"

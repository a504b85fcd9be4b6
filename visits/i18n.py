"""The language of a request and of its pages: Welsh or English (issue 13, the Welsh Language Standards).

A person chooses with the "English | Cymraeg" links every page carries: the same URL with `?lang=cy` or
`?lang=en`, which stores the choice and sends them back to the URL without it. The choice is kept on the phone (a
cookie, so the service worker's prefetches and kept pages are in it too) and, once signed in, on their account,
which then decides on every device. Before anyone has chosen, the browser's Accept-Language decides.
Every user-facing string goes through gettext; translations/cy holds the Welsh catalogue."""
from __future__ import annotations

from typing import Optional
from urllib.parse import quote, urlencode

from flask import Flask, current_app, has_request_context, redirect, request
from flask_login import current_user, user_logged_in
from werkzeug.exceptions import HTTPException

# The code a person chooses (?lang=, the cookie, users.locale) and the Babel locale it stands for.
LANGUAGES = {"en": "en_GB", "cy": "cy"}
DEFAULT = "en"
SUPPORTED_LOCALES = tuple(LANGUAGES.values())
COOKIE = "lang"
# Set beside it when someone chooses with the switch before signing in, for this browser session only: the choice
# an account with none may adopt at sign-in. The `lang` cookie alone may be the last person's on a shared phone.
CHOSEN_COOKIE = "lang_chosen"
# Sec-Fetch-Site values of a request the person made on this site (or typed): only these may change an account.
OWN_SITE = ("same-origin", "none")
COOKIE_MAX_AGE = 365 * 24 * 3600


def language_code(locale: Optional[str]) -> Optional[str]:
    """"cy" or "en" for a stored choice or a Babel locale; None for anything else."""
    if not locale:
        return None
    for code, babel_locale in LANGUAGES.items():
        if locale in (code, babel_locale):
            return code
    return None


def chosen_language() -> str:
    """The request's language code: the account's choice, else the phone's, else the browser's, else English."""
    if not has_request_context():  # a flask command or a job: English unless the caller forces one
        return DEFAULT
    user = current_user if current_user else None
    if user is not None and user.is_authenticated:
        stored = language_code(getattr(user, "locale", None))
        if stored:
            return stored
    from_cookie = language_code(request.cookies.get(COOKIE))
    if from_cookie:
        return from_cookie
    best = request.accept_languages.best_match(SUPPORTED_LOCALES + tuple(LANGUAGES))
    return language_code(best) or DEFAULT


def select_locale() -> str:
    return LANGUAGES[chosen_language()]


def locale_for(user) -> str:
    """The Babel locale to write to someone in when they are not the one asking (an email, an alert, their iCal
    feed): their account's choice, else English."""
    return LANGUAGES[language_code(getattr(user, "locale", None)) or DEFAULT]


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


def _this_path() -> str:
    """The request's path as a link on this site: never protocol-relative ("//host"), and quoted, so that no
    character a browser reads as a slash ("/\\host") or as the end of the path can make it another host."""
    return quote("/" + request.path.lstrip("/"), safe="/:@!$&'()*+,;=-._~")


def _has_get(path: str) -> bool:
    try:
        current_app.url_map.bind("").match(path, method="GET")
    except HTTPException:
        return False
    return True


def language_url(code: str) -> str:
    """The same page in another language: this URL with ?lang=<code> (GOV.UK's language navigation).

    Written as a reference to the page's own address ("?date=...&lang=cy"), which a browser resolves against the
    address it shows: the switch can never lead to another host or path, and the page does not repeat its path
    (a link's secret token, which must not tell a used link's page from an unknown one's). A form's error page (a
    POST) leads to a GET of the form's own address when there is one (its fields are not carried over), else to
    the itinerary."""
    if request.method in ("GET", "HEAD"):
        return "?" + urlencode({**request.args.to_dict(flat=False), COOKIE: [code]}, doseq=True)
    query = urlencode({COOKIE: code})
    return f"?{query}" if _has_get("/" + request.path.lstrip("/")) else f"/?{query}"


def language_links() -> list[dict]:
    """The switch in every page's header: each language in its own name, the current one marked."""
    current = chosen_language()
    return [{"code": code, "name": name, "href": language_url(code), "current": code == current}
            for code, name in (("en", "English"), ("cy", "Cymraeg"))]


def _store_choice():
    """?lang=cy on any GET: keep the choice on the phone and the account, then the same URL without it."""
    if request.method not in ("GET", "HEAD") or COOKIE not in request.args:
        return None
    code = language_code(request.args.get(COOKIE))
    args = request.args.to_dict(flat=False)
    args.pop(COOKIE, None)
    path = _this_path()
    response = redirect(f"{path}?{urlencode(args, doseq=True)}" if args else path, code=303)
    if code is None or request.method == "HEAD":  # ?lang=xx, or a HEAD (no side effects): the page as it was
        return response
    signed_in = bool(current_user and current_user.is_authenticated)
    if signed_in and request.headers.get("Sec-Fetch-Site", "none") not in OWN_SITE:
        # A link on another site may not change an account (and with it the language of its alerts and mails).
        return response
    if signed_in and getattr(current_user, "locale", None) != code:
        from .extensions import db

        current_user.locale = code
        db.session.commit()
    _set_cookie(response, code)
    if not signed_in:
        response.set_cookie(CHOSEN_COOKIE, code, samesite="Lax", httponly=True,
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def _set_cookie(response, code: str) -> None:
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))


def adopt_phone_choice(user) -> bool:
    """At sign-in: an account that has no language yet takes the one this phone was given (the person chose
    Cymraeg on the sign-in page, then signed in). An account that has one keeps it: it decides on every device.
    True when the account changed (the caller's commit stores it)."""
    if language_code(getattr(user, "locale", None)):
        return False
    # Only a choice made with the switch in this browser session: the `lang` cookie may be the last person's.
    from_cookie = language_code(request.cookies.get(CHOSEN_COOKIE)) if has_request_context() else None
    if not from_cookie:
        return False
    user.locale = from_cookie
    return True


def _on_sign_in(sender, user, **extra) -> None:
    if adopt_phone_choice(user):
        from .extensions import db

        db.session.commit()


def _phone_follows_account(response):
    """The phone keeps the account's choice too (the cookie), so that what is fetched without the session — the
    sign-in page after signing out, the offline page the service worker keeps — is in the person's language; and
    a page says which language it is in (Content-Language), which the service worker compares with the page's."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Language", html_lang())
    if current_user and current_user.is_authenticated:
        if CHOSEN_COOKIE in request.cookies:  # adopted at sign-in, or not wanted: never the next person's
            response.delete_cookie(CHOSEN_COOKIE)
        account = language_code(getattr(current_user, "locale", None))
        if account and language_code(request.cookies.get(COOKIE)) != account and COOKIE not in request.args:
            _set_cookie(response, account)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_store_choice)
    app.after_request(_phone_follows_account)
    user_logged_in.connect(_on_sign_in, app)

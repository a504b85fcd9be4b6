"""Choosing Welsh or English (issue 13; visits/i18n.py): "English | Cymraeg" on every page, each link the same page
in the other language; the choice kept on the phone (a cookie) and on the account, which decides on every device;
before anyone has chosen, the browser's Accept-Language."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from visits.extensions import db
from visits.models import User

from ..support import factories as f
from ..support.clients import Client, csrf_from
from ..support.routes import ROUTE_DECISIONS, url_for_rule
from .test_route_matrix import WHO, ids_of, planted  # noqa: F401 (planted: the route walk's own world)

WELSH_BROWSER = {"Accept-Language": "cy-GB,cy;q=0.9"}


class _Switches(HTMLParser):
    """The page's <html lang>, and each language switch (nav.language-switch) with its links' attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.html_lang = None
        self.switches: list[list[dict]] = []
        self._depth = 0  # inside a switch: how many open <nav>s

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if tag == "nav" and "language-switch" in (attrs.get("class") or "").split():
            self.switches.append([])
            self._depth = 1
        elif tag == "nav" and self._depth:
            self._depth += 1
        elif tag == "a" and self._depth:
            self.switches[-1].append(attrs)

    def handle_endtag(self, tag):
        if tag == "nav" and self._depth:
            self._depth -= 1


def read_page(response) -> _Switches:
    parser = _Switches()
    parser.feed(response.get_data(as_text=True))
    return parser


def links_of(response) -> dict[str, dict]:
    """The one switch's links, by language code."""
    page = read_page(response)
    assert len(page.switches) == 1, f"{len(page.switches)} language switches"
    return {link["hreflang"]: link for link in page.switches[0]}


@pytest.fixture
def rhys(app):
    review = f.gen_review("Cyngor Sir Ceredigion")
    user = f.gen_member(review, "reviewer", name="Rhys Reviewer", email="rhys@example.test")
    db.session.commit()
    return user


def stored_locale(user) -> str | None:
    db.session.expire_all()
    return db.session.get(User, user.id).locale


def test_choosing_cymraeg_keeps_it_on_the_phone_and_the_account_and_comes_back_to_the_same_page(app, rhys):
    phone = Client(app)
    phone.login(rhys)
    response = phone.get("/itinerary?date=2026-12-07&lang=cy&x=1&x=2")
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert target.path == "/itinerary" and parse_qs(target.query) == {"date": ["2026-12-07"], "x": ["1", "2"]}
    assert "lang=cy" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert stored_locale(rhys) == "cy"
    page = phone.get(response.headers["Location"])
    assert read_page(page).html_lang == "cy" and page.headers["Content-Language"] == "cy"
    # The switch marks Cymraeg as the language the page is in, and offers this same page in English.
    links = links_of(page)
    assert links["cy"].get("aria-current") == "true" and "aria-current" not in links["en"]
    english = urlsplit(urljoin("http://localhost/itinerary?date=2026-12-07&x=1&x=2", links["en"]["href"]))
    assert english.path == "/itinerary"
    assert parse_qs(english.query) == {"date": ["2026-12-07"], "x": ["1", "2"], "lang": ["en"]}

    back = phone.get(english.geturl().replace("http://localhost", ""))
    assert back.status_code == 303 and stored_locale(rhys) == "en"
    assert read_page(phone.get(back.headers["Location"])).html_lang == "en-GB"


def test_the_switch_never_leads_off_site(app, rhys):
    phone = Client(app)
    # "//evil.com" as the path: the same site's "/evil.com", never another host.
    response = phone.get("/", environ_overrides={"PATH_INFO": "//evil.com"}, query_string="lang=cy")
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert not location.netloc and response.headers["Location"].startswith("/") \
        and not response.headers["Location"].startswith("//")
    # The page at that path (a 404) offers itself in the other language on this site too.
    missing = phone.get("/", environ_overrides={"PATH_INFO": "//evil.com"})
    for link in links_of(missing).values():
        assert link["href"].startswith("?"), link  # this address, another query: never another host


def test_the_accounts_choice_wins_on_another_device(app, rhys):
    first = Client(app)
    first.login(rhys)
    first.get("/?lang=cy")
    # A new phone: no cookie, an English browser; signing in brings the account's Welsh.
    second = Client(app)
    second.login(rhys)
    page = second.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert read_page(page).html_lang == "cy"
    # ... and the phone keeps it too, for what it fetches without the session (the sign-in page after signing out).
    assert second.http.get_cookie("lang").value == "cy"


def test_before_sign_in_the_browsers_language_decides_until_someone_chooses(app):
    phone = Client(app)
    assert read_page(phone.get("/login", headers=WELSH_BROWSER)).html_lang == "cy"
    assert read_page(phone.get("/login", headers={"Accept-Language": "en-US,en;q=0.8"})).html_lang == "en-GB"
    assert read_page(phone.get("/login", headers={"Accept-Language": "fr"})).html_lang == "en-GB"
    # A choice made on the phone beats the browser's.
    phone.get("/login?lang=en", headers=WELSH_BROWSER)
    assert read_page(phone.get("/login", headers=WELSH_BROWSER)).html_lang == "en-GB"


def test_an_unknown_language_is_ignored(app, rhys):
    phone = Client(app)
    phone.login(rhys)
    response = phone.get("/itinerary?date=2026-12-07&lang=xx")
    assert response.status_code == 303 and response.headers["Location"] == "/itinerary?date=2026-12-07"
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]
    assert stored_locale(rhys) is None
    assert read_page(phone.get("/", headers={"Accept-Language": "en-GB"})).html_lang == "en-GB"


def test_the_switch_on_a_refused_sign_in_leads_to_the_sign_in_page(app, rhys):
    phone = Client(app)
    form = phone.get("/login")
    refused = phone.http.post("/login?next=/itinerary", data={"email": rhys.email, "password": "wrong",
                                                              "csrf_token": csrf_from(form)})
    assert refused.status_code == 400
    links = links_of(refused)
    # A GET of the sign-in page (never a repeat of the POST, nor its form fields in the address).
    assert links["cy"]["href"] == "?lang=cy" and links["en"]["href"] == "?lang=en"  # /login's, not /login?next=
    switched = phone.get(urljoin("http://localhost/login?next=/itinerary", links["cy"]["href"]))
    assert switched.status_code == 303 and switched.headers["Location"] == "/login"
    assert read_page(phone.get("/login")).html_lang == "cy"


def test_signing_in_gives_an_account_with_no_choice_yet_the_phones(app, rhys):
    phone = Client(app)
    phone.http.get("/login?lang=cy")  # chosen on the sign-in page, before signing in
    page = phone.http.get("/login")
    response = phone.http.post("/login", data={"email": rhys.email, "password": f.PASSWORD,
                                                "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert stored_locale(rhys) == "cy"


def test_signing_in_keeps_the_accounts_own_choice_over_the_phones(app, rhys):
    rhys.locale = "en"
    db.session.commit()
    phone = Client(app)
    phone.http.get("/login?lang=cy")
    page = phone.http.get("/login")
    phone.http.post("/login", data={"email": rhys.email, "password": f.PASSWORD, "csrf_token": csrf_from(page)})
    assert stored_locale(rhys) == "en"
    home = phone.http.get("/")
    assert read_page(home).html_lang == "en-GB"
    # The phone now follows the account.
    assert phone.http.get_cookie("lang").value == "en"


@pytest.mark.parametrize("role", ["lead", "link", "coordinator", "signed_out"])
def test_every_page_has_exactly_one_switch_with_hreflang_lang_and_aria_current(app, planted, role):  # noqa: F811
    """Every page of the app (a GET of each rule, as several roles): one switch, each language's link naming its
    language (hreflang, lang) and the current one marked. A fragment (htmx) has none: its page has one."""
    phone = Client(app)
    if role != "signed_out":
        phone.login(planted.member(WHO[role]))
    phone.get("/?lang=cy")
    ids = ids_of(planted)
    pages = 0
    for key in sorted(k for k in ROUTE_DECISIONS if k.startswith("GET ")):
        url = url_for_rule(key, ids)
        response = phone.get(url)
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:
            continue
        body = response.get_data(as_text=True)
        page = read_page(response)
        if "<html" not in body:
            assert not page.switches, f"{key}: a fragment carries a language switch"
            continue
        pages += 1
        assert len(page.switches) == 1, f"{key} ({response.status_code}): {len(page.switches)} switches"
        links = page.switches[0]
        assert [link.get("hreflang") for link in links] == ["en", "cy"], key
        assert all(link.get("lang") == link.get("hreflang") for link in links), key
        assert [link.get("aria-current") for link in links] == [None, "true"], f"{key}: Cymraeg is current"
        assert page.html_lang == "cy", key
        for link in links:
            target = urlsplit(link["href"])
            assert not target.netloc and parse_qs(target.query)["lang"] == [link["hreflang"]], (key, link)
    assert pages > 5, "the walk met too few pages to prove anything"


def test_the_account_page_says_the_language_and_changes_it(app, rhys):
    phone = Client(app)
    phone.login(rhys)
    phone.get("/?lang=cy")
    page = phone.get("/account").get_data(as_text=True)
    assert '<span lang="cy">Cymraeg</span>' in page
    assert 'href="?lang=en" hreflang="en"' in page
    assert phone.get("/account?lang=en").headers["Location"] == "/account" and stored_locale(rhys) == "en"


def test_the_offline_page_the_phone_keeps_is_the_same_for_everyone_only_its_language_differs(app, planted):  # noqa: F811
    """The service worker fetches it again, with the session, when the language changes; its one copy serves
    whoever uses the phone next, so it carries nothing of the person (not even the main navigation of their role)."""
    bodies = {}
    for role in ("lead", "link", "coordinator", "signed_out"):
        phone = Client(app)
        if role != "signed_out":
            phone.login(planted.member(WHO[role]))
        phone.get("/?lang=cy")
        response = phone.get("/offline")
        assert response.headers["Content-Language"] == "cy"
        bodies[role] = response.get_data(as_text=True)
    assert len(set(bodies.values())) == 1, "the offline page differs by who asked"
    assert 'class="main-nav"' not in bodies["lead"]


def test_on_a_shared_phone_the_next_person_does_not_inherit_the_last_persons_language(app, rhys):
    """Gwen chose Cymraeg; she signs out and Rhys, who never chose, signs in on the same phone without touching the
    switch: his alerts, mails and calendar must not turn Welsh behind his back."""
    gwen = f.gen_user("Gwen Lead", "gwen@example.test")
    gwen.locale = "cy"
    db.session.commit()
    phone = Client(app)
    phone.login(gwen)  # a fresh cookie jar: the phone as it was handed to Gwen
    phone.get("/")
    assert phone.http.get_cookie("lang").value == "cy"
    phone.post("/logout")
    page = phone.http.get("/login")
    assert read_page(page).html_lang == "cy"  # the sign-in page still in the last language, as the phone shows it
    phone.http.post("/login", data={"email": rhys.email, "password": f.PASSWORD, "csrf_token": csrf_from(page)})
    assert stored_locale(rhys) is None


def test_a_link_from_another_site_does_not_change_an_account(app, rhys):
    phone = Client(app)
    phone.login(rhys)
    response = phone.get("/?lang=cy", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 303 and stored_locale(rhys) is None
    phone.get("/?lang=cy", headers={"Sec-Fetch-Site": "same-origin"})
    assert stored_locale(rhys) == "cy"


def test_a_head_request_changes_nothing(app, rhys):
    phone = Client(app)
    phone.login(rhys)
    response = phone.http.head("/?lang=cy")
    assert response.status_code == 303 and stored_locale(rhys) is None
    assert "lang=cy" not in response.headers.get("Set-Cookie", "")

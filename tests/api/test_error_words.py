"""Issue 13: an error page is in the person's language like every other page. Werkzeug names and describes its
errors in English; the app says them in its own words, through the catalogue, and keeps the JSON error codes the
outbox reads ("not_found", "bad_request")."""
from __future__ import annotations

from flask_babel import force_locale, gettext
from markupsafe import escape
from werkzeug.exceptions import BadRequest, NotFound, TooManyRequests

from visits.errors import PLAIN_WORDS, in_plain_words


def test_a_missing_page_is_in_welsh_for_a_welsh_reader(app, client):
    page = client.get("/no-such-page", headers={"Accept-Language": "cy"})
    assert page.status_code == 404
    body = page.get_data(as_text=True)
    with app.test_request_context(), force_locale("cy"):
        heading = gettext("Page not found")
    assert heading != "Page not found" and f"<h1>{escape(heading)}</h1>" in body
    assert NotFound.description not in body and "Not Found" not in body


def test_json_keeps_its_code_and_says_the_message_in_the_readers_language(app, client):
    answer = client.get("/api/no-such-thing", headers={"Accept-Language": "cy"})
    assert answer.status_code == 404 and answer.json["error"] == "not_found"
    with app.test_request_context(), force_locale("cy"):
        assert answer.json["message"] == str(PLAIN_WORDS[404][1])


def test_a_method_refused_says_so_in_plain_words_and_keeps_allow(app):
    answer = app.test_client().delete("/glossary")
    assert answer.status_code == 405 and "GET" in answer.headers["Allow"]
    assert "The method is not allowed" not in answer.get_data(as_text=True)


def test_a_views_own_description_is_kept_and_werkzeugs_replaced(app):
    with app.test_request_context():
        assert in_plain_words(BadRequest(description="Choose a day.")).description == "Choose a day."
        assert in_plain_words(BadRequest()).description == str(PLAIN_WORDS[400][1])
        assert in_plain_words(TooManyRequests(description="120 per 1 hour")).description == str(PLAIN_WORDS[429][1])

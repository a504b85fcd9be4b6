"""How large a request may be: a programme file within IMPORT_MAX_BYTES is previewed and confirmed (the confirm
step posts the rows back as one form field, larger than Flask's default form limits), a larger file is refused in
words, and a request past MAX_CONTENT_LENGTH answers a readable 413, never a 500, with nothing written."""
from __future__ import annotations

import html as html_lib
import json
from urllib.parse import urlencode

import pytest

from visits.config import request_limits
from .test_import import confirm, console, csv_bytes, payload_of, upload, visit_count  # noqa: F401

# What a link officer writes in a briefing: punctuation and Welsh letters, which a browser's url-encoding of
# the confirm form writes as three characters each.
BRIEFING = "Interpreter (Polish) arranged; park at the rear, ask for Siân at reception — bring the consent form. "
# Flask's defaults before visits/config.py set its own: 500 kB of form text, any size of body.
FLASK_FORM_MEMORY_DEFAULT = 500_000


def programme_of(console, size: int) -> bytes:
    """A valid CSV of about `size` bytes: briefings (no team, so no overlaps) of the longest a form allows."""
    day = console.day.isoformat()
    briefing = (BRIEFING * 40)[:3900]
    row_bytes = len(csv_bytes([[day, "09:00", "09:30", "briefing", "Briefing 000", "", "", "", "", "planned",
                                briefing]])) - len(csv_bytes([]))
    rows = [[day, "09:00", "09:30", "briefing", f"Briefing {n:03}", "", "", "", "", "planned", briefing]
            for n in range(size // row_bytes)]
    return csv_bytes(rows)


@pytest.mark.parametrize("size", [800_000, None], ids=["0.8 MB", "just within IMPORT_MAX_BYTES"])
def test_a_file_within_the_import_limit_previews_and_confirms(client, console, app, size):
    client.login(console.link)
    content = programme_of(console, size or app.config["IMPORT_MAX_BYTES"] - 5_000)
    preview = upload(client, console, content)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:500]
    html = preview.get_data(as_text=True)
    # What the browser will post back is well past Flask's default form limit.
    assert len(urlencode({"payload": payload_of(html)})) > FLASK_FORM_MEMORY_DEFAULT
    assert visit_count() == 0

    done = confirm(client, console, html)
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert visit_count() == len(content.splitlines()) - 1


def test_the_confirm_payload_fits_a_multipart_form_field_too(client, console):
    """Werkzeug bounds each text field of a multipart form by MAX_FORM_MEMORY_SIZE."""
    client.login(console.link)
    preview = upload(client, console, programme_of(console, 800_000))
    assert preview.status_code == 200
    done = client.http.post("/programme/import/confirm", content_type="multipart/form-data", data={
        "review": str(console.review.id), "csrf_token": client.csrf(), "filename": "programme.csv",
        "payload": payload_of(preview.get_data(as_text=True))})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert visit_count() > 0


def test_a_file_past_the_import_limit_is_refused_in_words(client, console, app):
    client.login(console.link)
    content = programme_of(console, app.config["IMPORT_MAX_BYTES"] + 50_000)
    response = upload(client, console, content)
    assert response.status_code == 400
    assert f"larger than {app.config['IMPORT_MAX_BYTES'] // 1000} kB" in html_lib.unescape(
        response.get_data(as_text=True))
    assert visit_count() == 0


def assert_readable_413(response, app):
    assert response.status_code == 413
    text = html_lib.unescape(response.get_data(as_text=True))
    assert "Too large to send" in text
    assert f"at most {app.config['MAX_CONTENT_LENGTH'] // 1_000_000} MB" in text
    assert "split the file into smaller files" in text
    assert "capacity limit" not in text  # werkzeug's own words


def test_an_upload_past_the_request_limit_is_a_readable_413_and_writes_nothing(client, console, app):
    client.login(console.link)
    response = upload(client, console, b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert_readable_413(response, app)
    assert visit_count() == 0


def test_a_confirm_past_the_request_limit_is_a_readable_413_and_writes_nothing(client, console, app):
    client.login(console.link)
    preview = upload(client, console, programme_of(console, 100_000))
    assert preview.status_code == 200
    payload = payload_of(preview.get_data(as_text=True))
    padded = payload + "\r\n" * (app.config["MAX_CONTENT_LENGTH"] // 2)  # blank rows, as a tampered form might
    response = client.post("/programme/import/confirm", data={"review": str(console.review.id),
                                                              "payload": padded, "filename": "programme.csv"})
    assert_readable_413(response, app)
    assert visit_count() == 0


def test_a_sync_batch_past_the_request_limit_is_a_json_413_the_outbox_knows(client, console, app):
    client.login(console.reviewer)
    body = json.dumps({"ops": [], "padding": "x" * app.config["MAX_CONTENT_LENGTH"]}).encode()
    response = client.post("/api/sync", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.is_json
    answer = response.get_json()
    assert answer["error"] == "request_entity_too_large"
    assert "more than can be sent at once" in answer["message"]


def test_a_sync_batch_just_past_its_own_limit_still_gets_the_sync_s_own_answer(client, console, app):
    """MAX_CONTENT_LENGTH sits above SYNC_MAX_BYTES: the sync view, not Flask, says how much to send."""
    client.login(console.reviewer)
    limit = app.config["SYNC_MAX_BYTES"]
    body = json.dumps({"ops": [], "padding": "x" * limit}).encode()
    response = client.post("/api/sync", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.get_json()["message"] == f"Send at most {limit} bytes at a time."


@pytest.mark.parametrize("import_max, sync_max", [(2_000_000, 1_000_000), (100_000, 5_000_000)])
def test_the_request_limits_hold_what_the_views_check_themselves(import_max, sync_max):
    limits = request_limits(import_max, sync_max)
    assert limits["MAX_FORM_MEMORY_SIZE"] >= 2 * import_max  # the confirm payload, even grown from an .xlsx
    assert limits["MAX_CONTENT_LENGTH"] > max(3 * limits["MAX_FORM_MEMORY_SIZE"], sync_max)


def test_the_app_is_configured_with_them(app):
    assert app.config["MAX_CONTENT_LENGTH"] == request_limits(app.config["IMPORT_MAX_BYTES"],
                                                              app.config["SYNC_MAX_BYTES"])["MAX_CONTENT_LENGTH"]
    assert app.config["MAX_FORM_MEMORY_SIZE"] > FLASK_FORM_MEMORY_DEFAULT


def test_a_file_whose_rows_would_not_fit_the_confirm_form_is_refused_at_the_preview(client, console, app):
    client.login(console.link)
    content = programme_of(console, 200_000)
    app.config["MAX_FORM_MEMORY_SIZE"] = 100_000  # as a workbook whose text is far larger than its zip
    preview = upload(client, console, content)
    assert preview.status_code == 400 and "more text than one import can carry" in preview.get_data(as_text=True)
    assert 'name="payload"' not in preview.get_data(as_text=True)
    assert visit_count() == 0

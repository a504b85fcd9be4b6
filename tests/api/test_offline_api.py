"""The server side of working offline: the worker, the manifest, which pages a phone may keep, and whose."""
from __future__ import annotations

import json

import pytest

from ..support import factories as f


def test_service_worker_is_served_at_the_root_never_http_cached_with_its_version(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "no-store" in response.headers["Cache-Control"]
    first_line = response.get_data(as_text=True).splitlines()[0]
    build = json.loads(first_line.removeprefix("const BUILD = ").removesuffix(";"))
    assert len(build["version"]) == 16
    assert "/offline" in build["shell"] and any("htmx" in url for url in build["shell"])
    assert "Caching plan" in response.get_data(as_text=True)


def test_manifest_makes_the_app_installable(client):
    manifest = client.get("/manifest.webmanifest").json
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_offline_page_holds_nothing_personal(world, client):
    client.login(world.reviewer)
    page = client.get("/offline").get_data(as_text=True)
    assert "Rhys Reviewer" not in page and "csrf-token" not in page and "data-user-key" not in page


def test_pages_to_keep_are_the_persons_own_days_and_visits(world, client):
    client.login(world.lay)
    urls = client.get("/api/offline-pages").json["urls"]
    assert f"/visits/{world.setting_visit.id}" in urls
    assert f"/visits/{world.home_visit.id}" not in urls and f"/visits/{world.interview.id}" not in urls
    assert any(url.startswith("/itinerary?date=") for url in urls)


def test_own_note_edit_pages_are_kept_for_offline_editing(world, client):
    from visits.extensions import db

    note = f.gen_note(world.home_visit, world.reviewer)
    db.session.commit()
    client.login(world.reviewer)
    urls = client.get("/api/offline-pages").json["urls"]
    assert f"/visits/{world.home_visit.id}?edit={note.id}" in urls


def test_pages_are_marked_with_an_opaque_key_of_whose_they_are(world, client):
    client.login(world.reviewer)
    key = client.get("/").headers["X-Fieldwork-User"]
    assert len(key) == 32 and str(world.reviewer.id) != key
    from ..support.clients import Client

    second = Client(client.app)
    second.login(world.reviewer2)
    assert second.get("/").headers["X-Fieldwork-User"] != key


def test_console_pages_are_never_marked_for_keeping(world, client):
    client.login(world.link)
    assert "X-Fieldwork-User" in client.get("/", headers=PREFETCH).headers  # their own-visits copy
    assert "X-Fieldwork-User" not in client.get("/programme").headers
    assert "X-Fieldwork-User" not in client.get("/attendance").headers


def test_signed_out_pages_are_not_marked(client):
    assert "X-Fieldwork-User" not in client.get("/login").headers


def test_csrf_renewal_needs_a_session(world, client):
    assert client.get("/api/csrf").status_code == 401
    client.login(world.reviewer)
    assert client.get("/api/csrf").json["csrf_token"]


def test_the_app_shell_stays_under_60_kb_gzipped(app):
    import gzip
    from pathlib import Path

    from visits.offline.build import SHELL_FILES

    weight = sum(len(gzip.compress((Path(app.static_folder) / name).read_bytes(), 9)) for name in SHELL_FILES)
    assert weight < 60 * 1024, f"app shell is {weight} bytes gzipped"


def test_the_lead_and_link_officer_keep_only_their_own_visits_on_a_device(world, client):
    client.login(world.link)
    urls = client.get("/api/offline-pages").json["urls"]
    assert not any(url.startswith("/visits/") for url in urls)  # the link officer is on no visit
    assert "X-Fieldwork-User" not in client.get(f"/visits/{world.home_visit.id}").headers


PREFETCH = {"X-Fieldwork-Prefetch": "1"}


@pytest.mark.parametrize("role", ["lead_reviewer", "link_officer"])
def test_whole_programme_days_are_never_kept_only_a_copy_of_ones_own_visits(world, client, role):
    from visits.extensions import db

    person = world.member(role)
    world.setting_visit.team.append(person)
    db.session.commit()
    client.login(person)
    day = world.home_visit.starts_at.date().isoformat()
    for path in ("/", f"/itinerary?date={day}"):
        online = client.get(path)
        assert "Mrs A. Jones" in online.get_data(as_text=True)  # online, the whole programme as the role allows
        assert "X-Fieldwork-User" not in online.headers
        kept = client.get(path, headers=PREFETCH)
        page = kept.get_data(as_text=True)
        assert kept.headers["X-Fieldwork-User"]
        assert "Maes Day Centre" in page and "only your own visits" in page
        assert "Mrs A. Jones" not in page and "Home visit CTV-001" not in page and "Sam Social Worker" not in page


def test_a_reviewer_keeps_their_days_as_they_are(world, client):
    client.login(world.reviewer)
    kept = client.get("/", headers=PREFETCH)
    assert kept.headers["X-Fieldwork-User"] and "Mrs A. Jones" in kept.get_data(as_text=True)
    assert "only your own visits" not in kept.get_data(as_text=True)


def test_sync_from_a_page_left_open_by_someone_else_is_refused_409(world, client):
    client.login(world.reviewer)
    other_key = "0" * 32
    response = client.post("/api/sync", json={"ops": []}, headers={"X-Fieldwork-User": other_key})
    assert response.status_code == 409 and response.json["error"] == "wrong_user"
    assert client.get("/api/csrf", headers={"X-Fieldwork-User": other_key}).status_code == 409
    own_key = client.get("/").headers["X-Fieldwork-User"]
    assert client.post("/api/sync", json={"ops": []}, headers={"X-Fieldwork-User": own_key}).status_code == 200

"""First load on a slow phone (issue 12, item 13): static files travel compressed, and a versioned URL (the
`?v=<hash>` every template writes through asset_url) is kept by the browser for a year, so a return visit asks
nothing. An unversioned or out-of-date URL is revalidated; the service worker and the manifest are never kept.
Pages (HTML) are not compressed: they carry CSRF tokens and personal data beside text the requester chose
(BREACH)."""
from __future__ import annotations

import gzip
from urllib.parse import urlsplit

from tests.support.clients import Client
from tests.support.world import field_team_world
from visits.templating import asset_url

YEAR = "public, max-age=31536000, immutable"


def versioned(app, filename: str) -> str:
    with app.test_request_context():
        return asset_url(filename)


def test_a_versioned_script_comes_gzipped_and_cacheable_for_a_year(app):
    url = versioned(app, "vendor/htmx-2.0.11.min.js")
    assert "?v=" in url
    response = app.test_client().get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == YEAR
    assert "Accept-Encoding" in response.headers["Vary"]
    body = response.get_data()
    assert len(body) < 20_000 and b"htmx" in gzip.decompress(body)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_stylesheet_the_pages_link_is_compressed_and_kept(app):
    response = app.test_client().get(versioned(app, "css/app.css"), headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == YEAR
    assert response.mimetype == "text/css"


def test_an_app_with_other_files_in_the_same_process_never_changes_the_versions_this_one_links(app, tmp_path):
    """The versions asset_url reads once are kept per static folder: an app whose app.css differs (a test's copy
    of the files, another deploy) links its own hash, and this app's pages still link the one it serves for a year.
    (Keyed by file name alone, whichever app asked first decided both: it failed CI once.)"""
    import shutil

    from tests.support.apps import sqlite_app

    copy = tmp_path / "other-static"
    shutil.copytree(app.static_folder, copy)
    with open(copy / "css" / "app.css", "a") as css:
        css.write("\n/* another deploy */\n")
    with sqlite_app(tmp_path, name="other") as other:
        other.static_folder = str(copy)
        theirs = versioned(other, "css/app.css")
    ours = versioned(app, "css/app.css")
    assert theirs != ours
    response = app.test_client().get(ours)
    assert response.headers["Cache-Control"] == YEAR


def test_a_client_that_asks_for_no_compression_gets_the_plain_file(app):
    response = app.test_client().get(versioned(app, "css/app.css"))
    assert "Content-Encoding" not in response.headers
    assert b"{" in response.get_data()


def test_an_unversioned_url_is_revalidated_not_kept(app):
    response = app.test_client().get("/static/css/app.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "immutable" not in response.headers["Cache-Control"]
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_url_naming_another_version_is_served_but_not_kept(app):
    """A page rendered before a deploy asks for the old version: it gets today's file, which must not be kept a
    year under the old URL."""
    response = app.test_client().get("/static/css/app.css?v=0123456789ab", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_kept_file_is_answered_304_when_unchanged(app):
    http = app.test_client()
    first = http.get("/static/css/app.css")
    again = http.get("/static/css/app.css", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_service_worker_and_the_manifest_are_never_kept(app):
    http = app.test_client()
    worker = http.get("/sw.js", headers={"Accept-Encoding": "gzip"})
    assert "no-cache" in worker.headers["Cache-Control"] and "immutable" not in worker.headers["Cache-Control"]
    manifest = http.get("/manifest.webmanifest", headers={"Accept-Encoding": "gzip"})
    assert manifest.headers["Cache-Control"] == "no-cache"


def test_the_service_workers_shell_urls_are_the_versioned_ones_the_pages_use(app):
    """The worker precaches the shell by these URLs (matched ignoring ?v=), so the pages' URLs must be them."""
    worker = app.test_client().get("/sw.js").get_data(as_text=True)
    url = versioned(app, "css/app.css")
    assert f'"{url}"' in worker
    assert urlsplit(url).path == "/static/css/app.css"


def test_pages_are_not_compressed_whatever_the_browser_accepts(app):
    """BREACH: a page holds a CSRF token and personal data beside text the requester chose (a search, a name in
    the URL); compressing it would let an attacker who sees the sizes guess the secrets a byte at a time."""
    world = field_team_world()
    client = Client(app)
    login = client.http.get("/login", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in login.headers
    client.login(world.reviewer)
    page = client.http.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert page.status_code == 200 and "Content-Encoding" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"
    visit = client.http.get(f"/visits/{world.home_visit.id}", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in visit.headers

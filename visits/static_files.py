"""Static files for a slow phone: compressed, and kept by the browser for a year when the URL names their version.

Every template links a static file through templating.asset_url, which adds `?v=<hash of the file>`. WhiteNoise
serves the files (from a copy holding a gzip of each beside it, made once per set of files, since it serves only
pre-compressed files) with ETag, 304s, Range and `Vary: Accept-Encoding`. What it cannot do is read the query
string: its immutable_file_test sees the path. The version stays in the query rather than moving into the path
(/static/<hash>/...) because the service worker matches its shell cache ignoring the query (service_worker/sw.js,
shellFirst), so a page cached before a deploy still finds its scripts offline after the new worker has replaced
the cache; a hash in the path would break exactly that. So `VersionedStatic.serve` gives the year-long, immutable
Cache-Control only when `v` is the hash of the file being served now; any other URL (none, or the version of a
previous deploy) is answered `no-cache`: revalidated with its ETag each time.

Pages (HTML) are deliberately not compressed, here or by a proxy in front (README, "Static files and
compression"): each carries a CSRF token and personal data beside text the requester chose (a search, a name typed
in a form sent back), and with compression the size of the answer tells an attacker who can make a victim's
browser send requests and watch the encrypted lengths whether a guess matched the secret (BREACH). The pages are
15 to 30 KB, a round trip or two more on a slow link (measured in BENCHMARKS.md); the static files, most of the
bytes, hold no secret and are compressed, and after the first visit they come from the browser's cache.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Builds of other versions of the files (an earlier deploy, another checkout's edits) older than this are removed.
STALE_BUILD_SECONDS = 24 * 3600


@lru_cache(maxsize=512)
def _version_of(path: str, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def file_version(static_folder: str, filename: str) -> str | None:
    """The hash asset_url puts in a file's URL; None when there is no such file."""
    path = Path(static_folder) / filename
    try:
        stat = path.stat()
    except OSError:
        return None
    if not path.is_file():
        return None
    return _version_of(str(path), stat.st_size, stat.st_mtime_ns)


def _tree_version(static_folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in static_folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(static_folder)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def compressed_copy(static_folder: Path, builds: Path) -> Path:
    """A copy of the static folder with `<file>.gz` beside each file worth compressing, made once per version of
    the files. Several workers start at once: each builds in its own temporary folder and the first rename wins."""
    final = builds / _tree_version(static_folder)
    if final.is_dir():
        return final
    builds.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=builds))
    try:
        shutil.copytree(static_folder, work / "files")
        compressor = Compressor(use_brotli=False, quiet=True)
        for path in (work / "files").rglob("*"):
            if path.is_file() and compressor.should_compress(path.name):
                compressor.compress(str(path))
        try:
            os.rename(work / "files", final)
        except OSError:
            if not final.is_dir():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _remove_stale_builds(builds, keep=final)
    return final


def _remove_stale_builds(builds: Path, keep: Path) -> None:
    now = time.time()
    for build in builds.iterdir():
        try:
            if build != keep and now - build.stat().st_mtime > STALE_BUILD_SECONDS:
                shutil.rmtree(build, ignore_errors=True)
        except OSError:
            pass


class VersionedStatic(WhiteNoise):
    """WhiteNoise, with the year-long Cache-Control decided per request from the `v` in the query string."""

    def __init__(self, application, static_folder: str, **options):
        super().__init__(application, **options)
        self.static_folder = static_folder
        self.url_prefix = "/" + options["prefix"].strip("/") + "/"

    def serve(self, static_file, environ, start_response):
        path = environ.get("PATH_INFO", "")
        asked = parse_qs(environ.get("QUERY_STRING", "")).get("v", [""])[-1]
        current = file_version(self.static_folder, path[len(self.url_prefix):]) if path.startswith(
            self.url_prefix) else None
        cache_control = IMMUTABLE if asked and asked == current else REVALIDATE

        def start_with_cache_control(status, headers, exc_info=None):
            headers = [(name, value) for name, value in headers if name.lower() != "cache-control"]
            headers.append(("Cache-Control", cache_control))
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return super().serve(static_file, environ, start_with_cache_control)


def _static_headers(headers, path, url) -> None:
    # What visits/security.py adds to every Flask response and that matters for a file: the type is the type.
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cache-Control"] = REVALIDATE


def init_app(app: Flask) -> None:
    """Put WhiteNoise in front of the app for /static/. In debug (`flask run --debug`) it reads the static folder
    itself on each request, so edits show at once, uncompressed."""
    static_folder = Path(app.static_folder)
    if app.debug:
        root, autorefresh = static_folder, True
    else:
        try:
            root = compressed_copy(static_folder, Path(app.instance_path) / "static-build")
        except OSError:  # a read-only instance folder: the build goes to the temporary folder instead
            root = compressed_copy(static_folder, Path(tempfile.gettempdir()) / "fieldwork-static-build")
        autorefresh = False
    app.wsgi_app = VersionedStatic(app.wsgi_app, str(static_folder), root=str(root), prefix=app.static_url_path,
                                   autorefresh=autorefresh, max_age=None, allow_all_origins=False,
                                   add_headers_function=_static_headers)

"""What the service worker precaches and the version that names its caches.

The version is a hash of every static file and of the worker itself, so any deploy that changes one of them
changes the worker's bytes: the browser installs the new worker, which fills a new cache and drops the old.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

# What the service worker runs besides itself (importScripts, in this order): the names it shares with the page,
# and the outbox it flushes on Background Sync.
WORKER_SCRIPTS = ("js/fieldwork.js", "js/outbox.js")

# The app shell: enough to draw any cached page with no network. Every script templates/base.html and the visit
# page load is here (tests/api/test_offline_api.py weighs it against its budget).
SHELL_FILES = (
    "css/app.css",
    *WORKER_SCRIPTS,
    "js/app.js",
    "js/worker.js",
    "js/op_forms.js",
    "js/waiting.js",  # changes waiting on this phone, shown on the visit page and on /outbox
    "js/outbox_page.js",
    "js/sync_bar.js",
    "js/logout.js",
    "js/recording.js",
    "js/check_times.js",  # the visit page asks before a check-in far from the visit's time
    "js/folds.js",  # the visit page opens a fold holding a change waiting on the phone
    "js/feedback.js",  # the easy-read questionnaire, kept for each upcoming visit where service users are met
    "css/feedback.css",
    "vendor/htmx-2.0.11.min.js",
    "icons/icon-192.png",
    "icons/icon.svg",
)


@lru_cache(maxsize=4)
def build_version(static_folder: str, worker_path: str) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in Path(static_folder).rglob("*") if p.is_file()) + [Path(worker_path)]
    for path in files:
        digest.update(str(path.relative_to(path.parents[1])).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]

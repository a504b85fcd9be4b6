"""Sending operations the way the outbox does: POST /api/sync with the page's CSRF token in a header."""
from __future__ import annotations

import threading

from .clients import Client, csrf_from, signed_in


def token(client) -> str:
    # Signed in, /login redirects: the itinerary page carries the token like every page.
    return csrf_from(client.get("/"))


def post_batch(client, ops, **kwargs):
    return client.post("/api/sync", json={"ops": list(ops)}, headers={"X-CSRFToken": token(client)},
                       with_csrf=False, **kwargs)


def send(client, *ops) -> list[dict]:
    response = post_batch(client, ops)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def send_one(client, op) -> dict:
    (answer,) = send(client, op)
    return answer


def two_devices(app, user) -> list[tuple[Client, str]]:
    """The same person signed in on a phone and a laptop, each with its page's CSRF token."""
    devices = []
    for _ in range(2):
        client = signed_in(app, user)
        devices.append((client, token(client)))
    return devices


def send_at_once(devices, op) -> list:
    """Both devices post the same operation at the same moment, each in its own thread (and so its own app
    context and database session, as two workers would)."""
    start = threading.Barrier(len(devices))
    answers: list = [None] * len(devices)

    def sync_from(index: int) -> None:
        client, csrf = devices[index]
        start.wait()
        answers[index] = client.http.post("/api/sync", json={"ops": [op]}, headers={"X-CSRFToken": csrf})

    threads = [threading.Thread(target=sync_from, args=(i,)) for i in range(len(devices))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers

"""Sending operations the way the outbox does: POST /api/sync with the page's CSRF token in a header."""
from __future__ import annotations

from ..conftest import Client, csrf_from


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


def signed_in(app, user) -> Client:
    """A browser of its own for this person (each test may need several people at once)."""
    client = Client(app)
    client.login(user)
    return client

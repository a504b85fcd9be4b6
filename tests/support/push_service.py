"""A push service stand-in on loopback (Web Push without the internet): an HTTP server in a thread on a free port
that records each request's path, headers and body and answers with the status the test chose (201 by default, as
a push service does; 410 for a subscription the browser dropped).

    with push_service() as service:
        endpoint = service.endpoint("phone-1")    # http://127.0.0.1:PORT/push/phone-1
        ... app.config["PUSH_ENDPOINT_HOSTS"] = (service.host,)
        service.answer("phone-1", 410)
        service.requests -> [Recorded(path, headers, body), ...]

Also the browser's side of a subscription: `BrowserKeys` (a P-256 key pair and 16 auth bytes, as
pushManager.subscribe makes) with `subscription_json(endpoint)` and `decrypt(body)` (RFC 8291, http_ece).
"""
from __future__ import annotations

import base64
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Recorded:
    path: str
    headers: dict
    body: bytes


@dataclass
class PushServiceStandIn:
    host: str = ""
    requests: list[Recorded] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def endpoint(self, name: str) -> str:
        return f"http://{self.host}/push/{name}"

    def answer(self, name: str, status: int) -> None:
        self.statuses[f"/push/{name}"] = status

    def redirect(self, name: str, location: str, status: int = 307) -> None:
        """Answer `status` with a Location header (a push service, or someone posing as one, sending us elsewhere)."""
        self.statuses[f"/push/{name}"] = status
        self.locations[f"/push/{name}"] = location

    def received(self, name: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == f"/push/{name}"]


@contextmanager
def push_service(app=None):
    """The stand-in on a free loopback port; with `app`, the only push service that app's allow-list takes."""
    service = PushServiceStandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with service.lock:
                service.requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = service.statuses.get(self.path, 201)
            self.send_response(status)
            if self.path in service.locations:
                self.send_header("Location", service.locations[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST  # noqa: N815 (a redirect followed as a GET is recorded too)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.host = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    if app is not None:
        app.config["PUSH_ENDPOINT_HOSTS"] = (service.host,)
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class BrowserKeys:
    """What a browser makes when it subscribes: a P-256 key pair (the public half is `p256dh`) and 16 auth bytes."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription_json(self, endpoint: str) -> dict:
        return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": self.p256dh, "auth": self.auth}}

    def decrypt(self, body: bytes) -> bytes:
        return http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret,
                                version="aes128gcm")

"""Web Push end to end without the internet (DESIGN section 13): a phone subscribes through the API, the server
pushes to a push service stand-in on loopback (tests/support/push_service.py), and the test decrypts what arrived
with the phone's keys (RFC 8291, http_ece) and checks the VAPID signature against GET /api/push/key."""
from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from visits.extensions import db
from visits.models import AuditEvent, LoginSession, PushSubscription
from visits.push import sender
from visits.push.sender import send_to_user

from ..support.clients import signed_in
from ..support.push_service import BrowserKeys, push_service
from ..support.sync import token

ALERT = {"kind": "overdue", "title": "Are you safe?", "body": "Your home visit was due to end at 14:00. Check out.",
         "url": "/visits/12"}
ROLES = ("lead", "reviewer", "lay", "link", "coordinator", "lead_b")


@pytest.fixture
def service(app):
    with push_service(app) as stand_in:
        yield stand_in


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def subscribe(client, subscription: dict, *, csrf: bool = True):
    headers = {"X-CSRFToken": token(client)} if csrf else {}
    return client.http.post("/api/push/subscriptions", json=subscription, headers=headers)


def unsubscribe(client):
    return client.http.delete("/api/push/subscriptions", headers={"X-CSRFToken": token(client)})


def subscriptions_of(user) -> list[PushSubscription]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(PushSubscription).filter_by(user_id=user.id)))


def verify_vapid(authorization: str, public_key_b64: str, endpoint_origin: str, subject: str) -> dict:
    """RFC 8292: `vapid t=<JWT ES256>, k=<public key>`; the JWT's signature checks against our public key."""
    assert authorization.startswith("vapid "), authorization
    parts = dict(part.strip().split("=", 1) for part in authorization[len("vapid "):].split(","))
    assert parts["k"] == public_key_b64
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(b64url_decode(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    signature = b64url_decode(signature_b64)
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(public_key_b64))
    public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(b64url_decode(claims_b64))
    assert claims["aud"] == endpoint_origin and claims["sub"] == subject
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    return claims


def test_an_alert_reaches_the_phone_encrypted_for_it_and_signed_with_the_servers_key(app, team, service):
    rhys = signed_in(app, team.reviewer)
    public_key = rhys.get("/api/push/key").get_json()["publicKey"]
    assert len(b64url_decode(public_key)) == 65 and b64url_decode(public_key)[0] == 4
    phone = BrowserKeys()
    response = subscribe(rhys, phone.subscription_json(service.endpoint("rhys-phone")))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"subscribed": True}

    assert send_to_user(team.reviewer.id, ALERT) == 1

    (request,) = service.received("rhys-phone")
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) == sender.TTL_SECONDS
    assert ALERT["title"].encode() not in request.body  # encrypted on the wire
    assert json.loads(phone.decrypt(request.body)) == ALERT
    verify_vapid(request.headers["authorization"], public_key, f"http://{service.host}",
                 app.config["VAPID_SUBJECT"])
    # Another key does not verify: the check above can fail.
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    with pytest.raises((InvalidSignature, AssertionError)):
        verify_vapid(request.headers["authorization"].replace(public_key, base64.urlsafe_b64encode(other)
                                                              .rstrip(b"=").decode()),
                     base64.urlsafe_b64encode(other).rstrip(b"=").decode(), f"http://{service.host}",
                     app.config["VAPID_SUBJECT"])
    (row,) = subscriptions_of(team.reviewer)
    assert row.last_sent_at is not None


def test_the_public_key_is_the_same_on_every_call_and_only_for_those_signed_in(app, team, client):
    rhys = signed_in(app, team.reviewer)
    first = rhys.get("/api/push/key").get_json()
    assert first == signed_in(app, team.lead).get("/api/push/key").get_json()
    assert client.http.get("/api/push/key").status_code == 401


def test_every_phone_of_the_person_gets_it_and_no_one_else_does(app, team, service):
    rhys, rhys_tablet, lena = signed_in(app, team.reviewer), signed_in(app, team.reviewer), signed_in(app, team.lay)
    keys = {name: BrowserKeys() for name in ("phone", "tablet", "lena")}
    assert subscribe(rhys, keys["phone"].subscription_json(service.endpoint("phone"))).status_code == 200
    assert subscribe(rhys_tablet, keys["tablet"].subscription_json(service.endpoint("tablet"))).status_code == 200
    assert subscribe(lena, keys["lena"].subscription_json(service.endpoint("lena"))).status_code == 200
    assert send_to_user(team.reviewer.id, ALERT) == 2
    assert json.loads(keys["phone"].decrypt(service.received("phone")[0].body)) == ALERT
    assert json.loads(keys["tablet"].decrypt(service.received("tablet")[0].body)) == ALERT
    assert service.received("lena") == []


@pytest.mark.parametrize("status", [404, 410])
def test_a_subscription_the_push_service_says_is_gone_is_removed(app, team, service, status):
    rhys = signed_in(app, team.reviewer)
    assert subscribe(rhys, BrowserKeys().subscription_json(service.endpoint("old"))).status_code == 200
    service.answer("old", status)
    assert send_to_user(team.reviewer.id, ALERT) == 0
    assert subscriptions_of(team.reviewer) == []
    assert send_to_user(team.reviewer.id, ALERT) == 0
    assert len(service.received("old")) == 1


def test_another_failure_is_not_reached_and_the_subscription_stays(app, team, service):
    rhys = signed_in(app, team.reviewer)
    assert subscribe(rhys, BrowserKeys().subscription_json(service.endpoint("busy"))).status_code == 200
    service.answer("busy", 503)
    assert send_to_user(team.reviewer.id, ALERT) == 0
    assert len(subscriptions_of(team.reviewer)) == 1


def test_a_push_service_that_does_not_answer_is_given_up_on_in_bounded_time(app, team, monkeypatch):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    host = f"127.0.0.1:{listener.getsockname()[1]}"
    app.config["PUSH_ENDPOINT_HOSTS"] = (host,)
    monkeypatch.setattr(sender, "TIMEOUT_SECONDS", 0.5)
    rhys = signed_in(app, team.reviewer)
    try:
        assert subscribe(rhys, BrowserKeys().subscription_json(f"http://{host}/push/x")).status_code == 200
        started = time.monotonic()
        assert send_to_user(team.reviewer.id, ALERT) == 0
        assert time.monotonic() - started < 5
    finally:
        listener.close()
    assert len(subscriptions_of(team.reviewer)) == 1


def test_the_allow_list_is_checked_again_before_each_post(app, team, service):
    rhys = signed_in(app, team.reviewer)
    assert subscribe(rhys, BrowserKeys().subscription_json(service.endpoint("p"))).status_code == 200
    app.config["PUSH_ENDPOINT_HOSTS"] = ("fcm.googleapis.com",)
    assert send_to_user(team.reviewer.id, ALERT) == 0
    assert service.received("p") == []


def test_the_payload_carries_the_four_fields_only_and_a_path_on_this_site(app, team, service):
    """A notification shows on a locked screen: whatever else a caller hands the sender (a name, a note, a
    concern's text) is not sent, and a link elsewhere becomes the home page."""
    rhys = signed_in(app, team.reviewer)
    phone = BrowserKeys()
    assert subscribe(rhys, phone.subscription_json(service.endpoint("p"))).status_code == 200
    planted = {"name": team.service_user.name if team.service_user else "Margaret Evans",
               "note": "Planted note text: the back door sticks", "concern": "Planted concern: bruising seen"}
    send_to_user(team.reviewer.id, {**ALERT, **planted, "url": "https://evil.example/phish"})
    send_to_user(team.reviewer.id, {**ALERT, "url": "//evil.example/x"})
    bodies = [phone.decrypt(r.body).decode() for r in service.received("p")]
    for body in bodies:
        payload = json.loads(body)
        assert set(payload) == {"kind", "title", "body", "url"}
        assert payload["url"] == "/"
        for text in planted.values():
            assert text not in body
    audit = " ".join(json.dumps(e.detail) + e.subject_id for e in db.session.scalars(db.select(AuditEvent)))
    assert service.host not in audit and phone.auth not in audit  # ids only in the audit log


OFF_THE_LIST = [
    "https://evil.example/push/x",
    "https://fcm.googleapis.com@evil.example/x",        # userinfo: goes to evil.example
    "https://evil.example#@fcm.googleapis.com/x",
    "https://FCM.googleapis.com/fcm/send/x",            # upper case
    "https://fcm.googleapis.com./fcm/send/x",           # trailing dot
    "https://fcm.googleapis.com:8443/fcm/send/x",       # a port the entry does not name
    "http://fcm.googleapis.com/fcm/send/x",             # not https
    "https://fcm.googleapis.com.evil.example/x",
    "https://evilfcm.googleapis.com/x",
    "https://fcm.googleapis.com\\@evil.example/x",
    "https://fcm.googIeapis.com/x",
    "https://fcm.googleapis.xn--com-9o0a/x",
    "https://fcm.googleapis.cöm/x",                     # IDN
    "https://127.0.0.1/x", "https://[::1]/x", "https://2130706433/x", "https://0x7f.0.0.1/x",  # IP literals
    "https://169.254.169.254/latest/meta-data",
    "https://notify.windows.com/x",                     # a wildcard's bare host
    "file:///etc/passwd", "fcm.googleapis.com/x", "https://fcm.googleapis.com", " https://fcm.googleapis.com/x",
    "https://fcm.googleapis.com/x\n", "https://fcm.googleapis.com/x y", "",
    "https://fcm.googleapis.com/" + "a" * 1000,
]


@pytest.mark.parametrize("endpoint", OFF_THE_LIST)
def test_an_endpoint_off_the_allow_list_is_refused(app, team, endpoint):
    app.config["PUSH_ENDPOINT_HOSTS"] = ("fcm.googleapis.com", "*.notify.windows.com")
    rhys = signed_in(app, team.reviewer)
    response = subscribe(rhys, BrowserKeys().subscription_json(endpoint))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "endpoint" in response.get_json()["fields"]
    assert subscriptions_of(team.reviewer) == []


def test_endpoints_of_the_listed_push_services_are_taken_one_per_device(app, team):
    """A browser has one subscription for the site: a new endpoint from the same sign-in replaces the old one, so
    a client cannot pile endpoints up (each would be posted to on every alert)."""
    app.config["PUSH_ENDPOINT_HOSTS"] = ("fcm.googleapis.com", "*.notify.windows.com")
    rhys = signed_in(app, team.reviewer)
    for endpoint in ("https://fcm.googleapis.com/fcm/send/dGVzdA:APA91bH-x_y",
                     "https://db5p.notify.windows.com/w/?token=BQYAAAB%2bWk%3d"):
        assert subscribe(rhys, BrowserKeys().subscription_json(endpoint)).status_code == 200
        assert [s.endpoint for s in subscriptions_of(team.reviewer)] == [endpoint]


def _bad_keys():
    good = BrowserKeys()
    compressed = base64.urlsafe_b64encode(good.private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)).rstrip(b"=").decode()
    return [
        {"p256dh": compressed, "auth": good.auth},
        {"p256dh": good.p256dh[:-2], "auth": good.auth},
        {"p256dh": good.p256dh + "AAAA", "auth": good.auth},
        {"p256dh": "B" + good.p256dh[1:].replace(good.p256dh[1], "z" if good.p256dh[1] != "z" else "y", 1),
         "auth": good.auth},
        {"p256dh": good.p256dh, "auth": good.auth[:-4]},
        {"p256dh": good.p256dh, "auth": "!" * 22},
        {"p256dh": good.p256dh},
        {"auth": good.auth},
        {"p256dh": 7, "auth": good.auth},
        {"p256dh": good.p256dh, "auth": good.auth, "extra": "x"},
    ]


@pytest.mark.parametrize("index", range(10))
def test_keys_that_are_not_a_p256_point_and_16_bytes_are_refused(app, team, service, index):
    rhys = signed_in(app, team.reviewer)
    response = subscribe(rhys, {"endpoint": service.endpoint("x"), "keys": _bad_keys()[index]})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert any(name.startswith("keys") for name in response.get_json()["fields"]), response.get_json()


@pytest.mark.parametrize("body", [None, [], "x", {"endpoint": 3}, {"keys": {}}, {"endpoint": "x", "keys": "y"}])
def test_a_body_that_is_not_a_subscription_is_answered_400_with_field_messages(app, team, body):
    rhys = signed_in(app, team.reviewer)
    response = rhys.http.post("/api/push/subscriptions", data=json.dumps(body), content_type="application/json",
                              headers={"X-CSRFToken": token(rhys)})
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid"


def test_without_the_csrf_header_nothing_is_kept(app, team, service):
    rhys = signed_in(app, team.reviewer)
    response = subscribe(rhys, BrowserKeys().subscription_json(service.endpoint("x")), csrf=False)
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"
    response = rhys.http.delete("/api/push/subscriptions")
    assert response.status_code == 400
    assert subscriptions_of(team.reviewer) == []


def test_signing_out_removes_this_phones_subscription_and_only_it(app, team, service):
    rhys, rhys_tablet = signed_in(app, team.reviewer), signed_in(app, team.reviewer)
    assert subscribe(rhys, BrowserKeys().subscription_json(service.endpoint("phone"))).status_code == 200
    assert subscribe(rhys_tablet, BrowserKeys().subscription_json(service.endpoint("tablet"))).status_code == 200
    response = rhys.http.post("/logout", headers={"X-CSRFToken": token(rhys)}, data={"csrf_token": token(rhys)})
    assert response.status_code in (302, 303)
    assert [s.endpoint for s in subscriptions_of(team.reviewer)] == [service.endpoint("tablet")]
    assert send_to_user(team.reviewer.id, ALERT) == 1
    assert service.received("phone") == []


def test_a_session_ended_from_another_device_gets_no_more_alerts(app, team, service):
    rhys, rhys_tablet = signed_in(app, team.reviewer), signed_in(app, team.reviewer)
    assert subscribe(rhys, BrowserKeys().subscription_json(service.endpoint("phone"))).status_code == 200
    response = rhys_tablet.http.post("/account/sessions/end-others", data={"csrf_token": token(rhys_tablet)})
    assert response.status_code in (302, 303)
    assert db.session.scalar(db.select(db.func.count(LoginSession.id)).filter(
        LoginSession.user_id == team.reviewer.id, LoginSession.revoked_at.is_(None))) == 1
    assert send_to_user(team.reviewer.id, ALERT) == 0
    assert service.received("phone") == []
    assert subscriptions_of(team.reviewer) == []


def test_turning_alerts_off_removes_this_devices_subscription(app, team, service):
    rhys = signed_in(app, team.reviewer)
    assert subscribe(rhys, BrowserKeys().subscription_json(service.endpoint("phone"))).status_code == 200
    response = unsubscribe(rhys)
    assert response.status_code == 200 and response.get_json() == {"subscribed": False}
    assert subscriptions_of(team.reviewer) == []
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))
               if e.action.startswith("push_")]
    assert actions == ["push_subscribe", "push_unsubscribe"]


def test_the_same_endpoint_again_is_updated_and_moves_to_whoever_is_signed_in(app, team, service):
    rhys, lena = signed_in(app, team.reviewer), signed_in(app, team.lay)
    endpoint = service.endpoint("shared-phone")
    assert subscribe(rhys, BrowserKeys().subscription_json(endpoint)).status_code == 200
    new_keys = BrowserKeys()
    assert subscribe(lena, new_keys.subscription_json(endpoint)).status_code == 200
    assert subscriptions_of(team.reviewer) == []
    (row,) = subscriptions_of(team.lay)
    assert row.p256dh == new_keys.p256dh
    assert send_to_user(team.lay.id, ALERT) == 1
    assert json.loads(new_keys.decrypt(service.received("shared-phone")[0].body)) == ALERT


@pytest.mark.parametrize("role", ROLES)
def test_each_role_manages_only_their_own_devices_subscriptions(app, team, service, role):
    person = getattr(team, role)
    someone, other = signed_in(app, person), signed_in(app, team.reviewer if role != "reviewer" else team.lead)
    other_user = team.reviewer if role != "reviewer" else team.lead
    assert subscribe(other, BrowserKeys().subscription_json(service.endpoint("other"))).status_code == 200
    assert subscribe(someone, BrowserKeys().subscription_json(service.endpoint("mine"))).status_code == 200
    assert [s.endpoint for s in subscriptions_of(person)] == [service.endpoint("mine")]
    assert unsubscribe(someone).status_code == 200
    assert subscriptions_of(person) == []
    assert [s.endpoint for s in subscriptions_of(other_user)] == [service.endpoint("other")]
    assert send_to_user(other_user.id, ALERT) == 1


def test_signed_out_nothing_is_taken(app, team, client, service):
    page = client.http.get("/login")
    from ..support.clients import csrf_from

    headers = {"X-CSRFToken": csrf_from(page)}
    assert client.http.post("/api/push/subscriptions", json=BrowserKeys().subscription_json(
        service.endpoint("x")), headers=headers).status_code == 401
    assert client.http.delete("/api/push/subscriptions", headers=headers).status_code == 401
    assert db.session.scalar(db.select(db.func.count(PushSubscription.id))) == 0


def test_vapid_private_key_set_is_the_key_served(app, team):
    key = ec.generate_private_key(ec.SECP256R1())
    app.config["VAPID_PRIVATE_KEY"] = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()).decode()
    app.extensions.pop("vapid", None)
    served = signed_in(app, team.reviewer).get("/api/push/key").get_json()["publicKey"]
    assert b64url_decode(served) == key.public_key().public_bytes(serialization.Encoding.X962,
                                                                  serialization.PublicFormat.UncompressedPoint)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_push_service_that_redirects_is_not_followed_and_not_counted_as_reached(app, team, service, status):
    """A host on the allow-list answering 307 would have the server post the alert (and its VAPID signature) to an
    address off the list; the redirect is not followed, the push is not reached (email takes over), and the
    subscription stays (a push service having a bad minute is not a browser dropping it)."""
    with push_service() as elsewhere:
        rhys = signed_in(app, team.reviewer)
        assert subscribe(rhys, BrowserKeys().subscription_json(service.endpoint("r"))).status_code == 200
        service.redirect("r", elsewhere.endpoint("internal"), status)
        assert send_to_user(team.reviewer.id, ALERT) == 0
        assert len(service.received("r")) == 1
        assert elsewhere.requests == []
    assert len(subscriptions_of(team.reviewer)) == 1


def test_a_body_nested_deeper_than_the_parser_goes_is_answered_400(app, team):
    rhys = signed_in(app, team.reviewer)
    body = '{"a":' * 5000 + "1" + "}" * 5000
    response = rhys.http.post("/api/push/subscriptions", data=body, content_type="application/json",
                              headers={"X-CSRFToken": token(rhys)})
    assert response.status_code == 400, response.status_code
    assert response.get_json()["error"] == "invalid"
    assert response.get_json()["fields"]
    assert subscriptions_of(team.reviewer) == []

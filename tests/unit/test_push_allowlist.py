"""The allow-list of push services (visits/push/allowlist.py): one pure rule, the same expression the server
checks and /api/openapi.json documents."""
from __future__ import annotations

import os
import re
import stat
from concurrent.futures import ProcessPoolExecutor

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from visits.config import DEFAULT_PUSH_HOSTS
from visits.push.allowlist import endpoint_allowed, endpoint_pattern, valid_entry
from visits.push.keys import KEY_FILE, VapidKeyError, b64url, load_or_create, parse_private_key

HOSTS = ("fcm.googleapis.com", "*.notify.windows.com", "push.example.org:8443", "127.0.0.1:5005",
         "localhost:5006", "10.1.2.3")


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc:APA91b-x_y",
    "https://db5p.notify.windows.com/w/?token=BQYA%2b%3d",
    "https://a.b.notify.windows.com/w/x",
    "https://push.example.org:8443/x",
    "http://127.0.0.1:5005/push/1", "https://127.0.0.1:5005/push/1",
    "http://localhost:5006/p",
    "https://10.1.2.3/p",                                  # an IP literal the list names exactly
])
def test_listed_hosts_are_allowed(endpoint):
    assert endpoint_allowed(endpoint, HOSTS)


@pytest.mark.parametrize("endpoint", [
    "https://evil.example/x",
    "https://fcm.googleapis.com@evil.example/x",          # userinfo
    "https://user:pw@fcm.googleapis.com/x",
    "https://evil.example\\@fcm.googleapis.com/x",
    "https://FCM.GOOGLEAPIS.COM/x", "https://Fcm.googleapis.com/x",  # upper case
    "https://fcm.googleapis.com./x",                       # trailing dot
    "https://fcm.googleapis.com.evil.example/x", "https://xfcm.googleapis.com/x",
    "https://fcm.googleapis.com:443/x",                    # a port the entry does not name
    "http://fcm.googleapis.com/x",                         # plain http to a push service
    "http://push.example.org:8443/x",                      # plain http: only a loopback entry
    "https://push.example.org/x", "https://push.example.org:8444/x",
    "http://127.0.0.1:5006/x", "http://127.0.0.1/x", "http://127.0.0.2:5005/x",
    "https://notify.windows.com/x",                        # the wildcard's bare host
    "https://.notify.windows.com/x", "https://-a.notify.windows.com/x",
    "https://fcm.googleapis.cöm/x", "https://fcm.googleapis.com\u3002/x", "https://ｆcm.googleapis.com/x",  # IDN
    "https://10.1.2.4/x", "https://127.0.0.1/x", "https://[::1]/x", "https://2130706433/x",
    "https://0x7f.0.0.1/x", "https://010.1.2.3/x", "https://169.254.169.254/x",   # IP literals not listed
    "https://fcm.googleapis.com/x#frag", "https://fcm.googleapis.com/x y", "https://fcm.googleapis.com/x\n",
    "https://fcm.googleapis.com/\t", "https://fcm.googleapis.com", "https:fcm.googleapis.com/x",
    "//fcm.googleapis.com/x", "fcm.googleapis.com/x", "javascript:alert(1)", "", "https://%66cm.googleapis.com/x",
    "https://fcm.googleapis.com/" + "a" * 1000,
])
def test_anything_else_is_refused(endpoint):
    assert not endpoint_allowed(endpoint, HOSTS)


def test_the_default_list_is_the_browsers_push_services():
    assert endpoint_allowed("https://updates.push.services.mozilla.com/wpush/v2/gAAAA", DEFAULT_PUSH_HOSTS)
    assert endpoint_allowed("https://web.push.apple.com/QGz", DEFAULT_PUSH_HOSTS)
    assert not endpoint_allowed("http://127.0.0.1:5005/push/1", DEFAULT_PUSH_HOSTS)


def test_an_empty_or_malformed_list_allows_nothing():
    assert not endpoint_allowed("https://fcm.googleapis.com/x", ())
    assert not endpoint_allowed("https://fcm.googleapis.com/x", ("https://fcm.googleapis.com", "fcm.googleapis.com/"))
    for entry in ("*", "*.com.", "a..b", "host:0", "host:70000", "[::1]", "FCM.googleapis.com", "ex ample.com"):
        assert not valid_entry(entry), entry


def test_the_documented_pattern_is_the_rule_itself():
    pattern = endpoint_pattern(HOSTS)
    assert pattern.startswith("^") and pattern.endswith("$")
    assert re.fullmatch(pattern[1:-1], "https://fcm.googleapis.com/x")
    assert not re.fullmatch(pattern[1:-1], "https://evil.example/x")


# --- The VAPID key --------------------------------------------------------------------------------------------
def _make(folder: str) -> bytes:
    return load_or_create(__import__("pathlib").Path(folder)).private_numbers().private_value.to_bytes(32, "big")


def test_the_key_is_made_once_even_by_workers_starting_together(tmp_path):
    with ProcessPoolExecutor(4) as pool:
        keys = list(pool.map(_make, [str(tmp_path)] * 8))
    assert len(set(keys)) == 1
    assert stat.S_IMODE(os.stat(tmp_path / KEY_FILE).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [KEY_FILE]  # no temporary file left behind
    assert _make(str(tmp_path)) == keys[0]


def test_vapid_private_key_may_be_pem_or_base64url():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    raw = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    der = b64url(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    for text in (pem, raw, der):
        assert parse_private_key(text).private_numbers() == key.private_numbers()
    other_curve = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    for bad in ("not a key", other_curve, b64url(b"x" * 31)):
        with pytest.raises(VapidKeyError):
            parse_private_key(bad)

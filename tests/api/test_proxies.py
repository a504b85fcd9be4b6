"""Behind an HTTPS proxy (TRUSTED_PROXIES, werkzeug's ProxyFix): each person's wrong passwords count against their
own address, not the proxy's, and the audit log says where a request came from. With no proxy trusted (the
default), X-Forwarded-For is whatever the client typed and is ignored."""
from __future__ import annotations

import pytest

from tests.support import factories as f
from tests.support.apps import sqlite_app
from tests.support.clients import csrf_from
from tests.support.world import field_team_world
from visits.config import ConfigError, from_environment
from visits.extensions import db
from visits.models import AuditEvent

PROXY = "10.0.0.2"


def wrong_passwords(app, forwarded_for: str, times: int) -> list[int]:
    """A person behind the proxy types a wrong password `times` times: the status of each answer."""
    http = app.test_client()
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https", "Referer": "https://localhost/login"}
    environ = {"REMOTE_ADDR": PROXY}
    token = csrf_from(http.get("/login", headers=headers, environ_base=environ))
    return [http.post("/login", data={"email": "someone@example.test", "password": "wrong", "csrf_token": token},
                      headers=headers, environ_base=environ).status_code for _ in range(times)]


def limited_app(tmp_path, **settings):
    return sqlite_app(tmp_path, "proxied", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                      LOGIN_RATE_LIMIT="3 per minute", **settings)


def test_behind_one_proxy_one_persons_wrong_passwords_do_not_lock_out_another(tmp_path):
    with limited_app(tmp_path, TRUSTED_PROXIES=1) as app:
        assert wrong_passwords(app, "198.51.100.7", 4) == [400, 400, 400, 429]
        # Her colleague signs in through the same proxy: his own three tries are still his.
        assert wrong_passwords(app, "203.0.113.9", 3) == [400, 400, 400]


def test_with_no_proxy_trusted_an_invented_forwarded_address_does_not_dodge_the_limit(tmp_path):
    with limited_app(tmp_path) as app:
        assert app.config["TRUSTED_PROXIES"] == 0
        codes = [wrong_passwords(app, f"192.0.2.{n}", 1)[0] for n in range(5)]
    assert codes == [400, 400, 400, 429, 429]


def test_a_client_behind_the_proxy_cannot_choose_its_address_by_adding_its_own_forwarded_for(tmp_path):
    """The proxy appends the address it saw; only the last (the proxy's own entry) is trusted with one proxy."""
    with limited_app(tmp_path, TRUSTED_PROXIES=1) as app:
        codes = [wrong_passwords(app, f"192.0.2.{n}, 198.51.100.7", 1)[0] for n in range(5)]
    assert codes == [400, 400, 400, 429, 429]


def _audited_addresses(app, forwarded_for: str) -> list[str]:
    """Rhys signs in through the proxy and opens his day, which names Mrs Jones: an audited read."""
    world = field_team_world()
    http = app.test_client()
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https", "Referer": "https://localhost/login"}
    environ = {"REMOTE_ADDR": PROXY}
    token = csrf_from(http.get("/login", headers=headers, environ_base=environ))
    http.post("/login", data={"email": world.reviewer.email, "password": f.PASSWORD, "csrf_token": token},
              headers=headers, environ_base=environ)
    assert http.get("/", headers=headers, environ_base=environ).status_code == 200
    db.session.expire_all()
    return db.session.scalars(db.select(AuditEvent.remote_addr)).all()


def test_behind_one_proxy_the_audit_log_records_the_clients_address_not_the_proxys(tmp_path):
    with sqlite_app(tmp_path, "audited", TRUSTED_PROXIES=1) as app:
        addresses = _audited_addresses(app, "198.51.100.7")
    assert addresses and set(addresses) == {"198.51.100.7"}


def test_with_no_proxy_trusted_the_audit_log_records_the_connecting_address(tmp_path):
    with sqlite_app(tmp_path, "direct") as app:
        addresses = _audited_addresses(app, "198.51.100.7")
    assert addresses and set(addresses) == {PROXY}


@pytest.mark.parametrize("raw", ["-1", "one", "1.5"])
def test_trusted_proxies_must_be_a_whole_number(raw, monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_PROXIES", raw)
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        from_environment(str(tmp_path))


def test_trusted_proxies_is_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    assert from_environment(str(tmp_path))["TRUSTED_PROXIES"] == 2

"""A request with a method a URL does not take gets 405 with an `Allow` header naming the methods it does take
(RFC 9110), in plain words: no stack trace, nothing of anybody's. Walked over every rule in the URL map, so a new
route is covered without being listed."""
from __future__ import annotations

import pytest
from werkzeug.exceptions import MethodNotAllowed

from tests.support.clients import Client
from tests.support.world import field_team_world

CANDIDATES = ("POST", "PUT", "DELETE", "PATCH", "GET")
SAMPLE_ARGUMENTS = {"int": "1", "string": "x", "path": "x/y", "uuid": "00000000-0000-4000-8000-000000000001",
                    "any": None, "default": "x"}


def sample_path(rule) -> str:
    """The rule's URL with a plausible value for each argument (a wrong method is decided before any lookup)."""
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        kind = "int" if kind in ("id", "integer") else kind
        values[name] = SAMPLE_ARGUMENTS.get(kind) or SAMPLE_ARGUMENTS["default"]
        if kind == "any":
            values[name] = converter.items[0] if hasattr(converter, "items") else "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_url_answers_a_wrong_method_with_405_and_an_allow_header(app):
    world = field_team_world()
    client = Client(app)
    client.login(world.reviewer)
    token = client.csrf()
    adapter = app.url_map.bind("localhost")
    checked = []
    for rule in app.url_map.iter_rules():
        path = sample_path(rule)
        allowed = set(adapter.allowed_methods(path))
        method = next((m for m in CANDIDATES if m not in allowed), None)
        if method is None:
            continue
        try:
            adapter.match(path, method=method)
        except MethodNotAllowed:
            pass
        else:  # another rule takes this method at this path
            continue
        response = client.http.open(path, method=method, headers={"X-CSRFToken": token})
        body = response.get_data(as_text=True)
        assert response.status_code == 405, (rule.rule, method, response.status_code)
        assert response.headers.get("Allow"), (rule.rule, method)
        named = {m.strip() for m in response.headers["Allow"].split(",")}
        assert named == allowed, (rule.rule, named, allowed)
        assert "Traceback" not in body and "Mrs Eira Jones" not in body and world.reviewer.email not in body
        checked.append(rule.rule)
    assert len(checked) > 50


@pytest.mark.parametrize("path", ["/api/sync", "/visits/1"])
def test_a_405_to_the_api_and_to_a_page_each_name_the_allowed_methods(app, path):
    world = field_team_world()
    client = Client(app)
    client.login(world.reviewer)
    method = "GET" if path == "/api/sync" else "DELETE"
    response = client.http.open(path, method=method, headers={"X-CSRFToken": client.csrf()})
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"] if path == "/api/sync" else "GET" in response.headers["Allow"]


def test_a_wrong_method_without_a_form_token_is_still_405_not_a_token_error(app):
    """A request no route takes changes nothing, so it is told which methods the URL takes rather than that its
    token is missing (the CSRF check would otherwise answer first)."""
    world = field_team_world()
    client = Client(app)
    client.login(world.reviewer)
    response = client.http.delete("/api/notes?visit=1")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]

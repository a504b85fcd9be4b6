"""GET /api/openapi.json is generated from the schemas and describes every JSON endpoint there is."""
from __future__ import annotations

import re

import pytest

from visits.operations.registry import OPERATION_TYPES

from ..support.clients import Client
from ..support.clients import signed_in
from ..support.sync import token


def test_every_api_route_is_in_the_openapi_document(app, client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        assert path in document["paths"], f"{rule.rule} ({rule.endpoint}) is not described: add it to ENDPOINTS"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = document["paths"][path][method.lower()]
            assert operation["summary"] and "200" in operation["responses"]


def test_the_sync_contract_comes_from_the_schemas(client):
    document = client.get("/api/openapi.json").get_json()
    sync = document["paths"]["/api/sync"]["post"]
    assert {"400", "401", "413"} <= set(sync["responses"])
    request_schema = sync["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    schemas = document["components"]["schemas"]
    # Any item is taken and answered on its own; the envelope an item should have is the first choice.
    envelope = schemas[request_schema]["properties"]["ops"]["items"]["anyOf"][0]
    operation = schemas[envelope["$ref"].split("/")[-1]]
    assert operation["properties"]["type"]["enum"] == list(OPERATION_TYPES)
    assert set(operation["required"]) == {"op_id", "type", "data"}
    result = schemas["OperationResultOut"]["properties"]
    assert result["status"]["enum"] == ["applied", "duplicate", "conflict", "rejected", "forbidden"]
    by_type = sync["x-operation-data"]
    assert set(by_type) == set(OPERATION_TYPES)
    note_data = schemas[by_type["note.save"]["$ref"].split("/")[-1]]
    assert {"note_id", "visit_id", "kind"} <= set(note_data["required"])
    notes_query = {p["name"] for p in document["paths"]["/api/notes"]["get"]["parameters"]}
    assert notes_query == {"visit"}


def test_a_device_carrying_someone_else_s_changes_gets_a_documented_409(team, app):
    document = Client(app).get("/api/openapi.json").get_json()
    for path, method in (("/api/sync", "post"), ("/api/csrf", "get")):
        answer = document["paths"][path][method]["responses"]["409"]
        assert "wrong_user" in answer["description"]
        assert answer["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"

    reviewer = signed_in(app, team.reviewer)
    response = reviewer.post("/api/sync", json={"ops": []}, with_csrf=False,
                             headers={"X-CSRFToken": token(reviewer), "X-Fieldwork-User": "someone-else"})
    assert response.status_code == 409
    assert response.get_json()["error"] == "wrong_user"
    assert set(response.get_json()) <= set(document["components"]["schemas"]["Error"]["properties"])


@pytest.mark.parametrize(("url", "query"), [("/api/notes", {"visit": "x"}), ("/api/itinerary", {"from": "x"}),
                                            ("/api/attendance", {})])
def test_the_error_schema_holds_the_fields_a_400_answers_with(team, app, url, query):
    error = Client(app).get("/api/openapi.json").get_json()["components"]["schemas"]["Error"]
    assert error["properties"]["fields"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}

    response = signed_in(app, team.reviewer).get(url, query_string=query)
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) <= set(error["properties"]) and "fields" in body
    assert all(isinstance(messages, list) and all(isinstance(m, str) for m in messages)
               for messages in body["fields"].values())


def test_healthz_is_described_as_answered_without_a_session(client):
    document = client.get("/api/openapi.json").get_json()
    health = document["paths"]["/healthz"]["get"]
    assert health["security"] == [] and health["summary"]
    assert {"200", "503"} <= set(health["responses"])
    shape = health["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert health["responses"]["503"]["content"]["application/json"]["schema"]["$ref"].endswith("/" + shape)
    properties = document["components"]["schemas"][shape]["properties"]
    assert properties["status"]["enum"] == ["ok", "error"]
    assert properties["database"]["enum"] == ["ok", "unreachable"]
    answer = client.get("/healthz").get_json()
    assert set(answer) == set(properties) and answer["status"] == "ok"

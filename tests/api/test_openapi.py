"""GET /api/openapi.json is generated from the schemas and describes every JSON endpoint there is."""
from __future__ import annotations

import re

from visits.schemas import OPERATION_TYPES


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
    operation = schemas[schemas[request_schema]["properties"]["ops"]["items"]["$ref"].split("/")[-1]]
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

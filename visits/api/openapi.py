"""`GET /api/openapi.json`: an OpenAPI 3 description of every JSON endpoint, generated from the marshmallow schemas
the endpoints themselves load and dump, so the document cannot drift from what is served.

Adding a JSON endpoint under /api/? Add a line to ENDPOINTS (tests/api/test_openapi.py fails until you do).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify
from marshmallow import Schema

from .. import schemas
from ..operations.registry import OPERATION_TYPES

bp = Blueprint("openapi", __name__)

ERROR_MEANINGS = {
    400: "Invalid query or body; `fields` or `message` says what",
    401: "Not signed in (never a redirect)",
    403: "Signed in, but not allowed to see this",
    404: "Not found, or not yours to know about",
    409: "Someone else is signed in on this device: the X-Fieldwork-User header names another person "
         "(`error: wrong_user`). Nothing was applied: keep the changes for their owner, who must sign in again",
    413: "Batch too large (operations or bytes)",
    503: "The database cannot be reached",
}


@dataclass(frozen=True)
class Endpoint:
    summary: str
    response: Optional[type[Schema]] = None
    query: Optional[type[Schema]] = None
    body: Optional[type[Schema]] = None
    errors: tuple[int, ...] = (401,)
    error_body: type[Schema] = schemas.ErrorOut  # what the error answers hold
    public: bool = False  # answered without a session


# Keyed by Flask endpoint name (blueprint.function).
ENDPOINTS: dict[str, Endpoint] = {
    "api.itinerary": Endpoint("The signed-in person's visits between two dates, as they may see them",
                              schemas.ItineraryOut, query=schemas.ItineraryQuery, errors=(400, 401)),
    "recording.sync_batch": Endpoint(
        "Apply a batch of operations made on a device; one answer per operation, in order. Idempotent by op_id. "
        "Needs the X-CSRFToken header (400 {error: csrf} when stale).",
        schemas.SyncOut, body=schemas.SyncIn, errors=(400, 401, 409, 413)),
    "notes.notes_api": Endpoint("The notes on a visit (every read is audited)", schemas.NotesOut,
                                query=schemas.NotesQuery, errors=(400, 401, 403, 404)),
    "attendance.attendance_api": Endpoint("Attendance and the team's check-ins for one day",
                                          schemas.AttendanceOut, query=schemas.AttendanceQuery,
                                          errors=(400, 401)),
    "offline.csrf_token": Endpoint("A fresh CSRF token for the sync client", schemas.CsrfOut, errors=(401, 409)),
    "offline.offline_pages": Endpoint("The pages to keep for offline use", schemas.OfflinePagesOut),
    "programme.findings_api": Endpoint("The programme checker's findings for a review", schemas.FindingsOut,
                                       query=schemas.FindingsQuery, errors=(400, 401, 403, 404)),
    "openapi.document": Endpoint("This description"),
    # Not under /api/, but JSON that other tools rely on (DESIGN section 7).
    "health.healthz": Endpoint("For load balancers and uptime checks: whether the app can reach its database",
                               schemas.HealthOut, errors=(503,), error_body=schemas.HealthOut, public=True),
}


def _operation(endpoint: Endpoint) -> dict:
    ok: dict = {"description": "OK"}
    if endpoint.response is not None:
        ok["content"] = {"application/json": {"schema": endpoint.response}}
    operation: dict = {"summary": endpoint.summary, "responses": {"200": ok}}
    error_body = "Error" if endpoint.error_body is schemas.ErrorOut else endpoint.error_body
    for code in endpoint.errors:
        operation["responses"][str(code)] = {"description": ERROR_MEANINGS[code],
                                             "content": {"application/json": {"schema": error_body}}}
    if endpoint.public:
        operation["security"] = []
    if endpoint.query is not None:
        operation["parameters"] = [{"in": "query", "schema": endpoint.query}]
    if endpoint.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": endpoint.body}}}
    return operation


def build_document(app) -> dict:
    spec = APISpec(title="Fieldwork", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "JSON endpoints of Fieldwork. Sign in at /login; the session cookie "
                                        "authenticates; unsafe methods need the X-CSRFToken header."})
    spec.components.schema("Error", schema=schemas.ErrorOut)
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": "session"})
    # An operation's `data` depends on its `type`: each type's schema is a component of its own.
    for entry in OPERATION_TYPES.values():
        if entry.data.__name__ not in spec.components.schemas:
            spec.components.schema(entry.data.__name__, schema=entry.data)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        endpoint = ENDPOINTS.get(rule.endpoint)
        if endpoint is None:  # a page, not JSON (the test that every /api/ route is here keeps this honest)
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        methods = sorted(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
        operations = {method: _operation(endpoint) for method in methods}
        if endpoint.body is schemas.SyncIn:
            operations["post"]["x-operation-data"] = {
                name: {"$ref": f"#/components/schemas/{entry.data.__name__}"}
                for name, entry in OPERATION_TYPES.items()}
        spec.path(path=path, operations=operations,
                  parameters=[{"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                              for name in sorted(rule.arguments)])
    document = spec.to_dict()
    # The envelope cannot name the types itself (the registry names its data schemas): they are listed here.
    document["components"]["schemas"]["OperationIn"]["properties"]["type"]["enum"] = list(OPERATION_TYPES)
    document["security"] = [{"session": []}]
    _each_operation_answered_on_its_own(document)
    return document


def _each_operation_answered_on_its_own(document: dict) -> None:
    """A batch takes any item in `ops`: each is checked and answered on its own (`rejected` with its errors when
    it is not an operation), so one bad item never blocks the rest of a phone's outbox (DESIGN section 5). The
    document says so; the envelope an item should have is OperationIn."""
    components = document["components"]["schemas"]
    ops = components["SyncIn"]["properties"]["ops"]
    envelope = components["OperationIn"]
    # The envelope of each type with that type's data, so a reader (or a generator of test cases) knows what a
    # whole operation of each type looks like: x-operation-data says the same for tools that read extensions.
    by_type = [{**envelope, "properties": {**envelope["properties"], "type": {"type": "string", "enum": [name]},
                                           "data": {"$ref": f"#/components/schemas/{entry.data.__name__}"}}}
               for name, entry in OPERATION_TYPES.items()]
    ops["items"] = {"anyOf": [ops["items"], *by_type, {}]}
    ops["description"] = ("The operations, in the order made. Each item should be an OperationIn, whose `data` is "
                          "the schema of its type; one that is not is answered `rejected` in its place, and the "
                          "others are applied.")


@bp.get("/api/openapi.json")
def document():
    return jsonify(build_document(current_app))


# --- Web Push (DESIGN section 13; visits/push) ------------------------------------------------------------------
def _push_endpoints() -> None:
    from ..push.schemas import PushKeyOut, PushStateOut, PushSubscriptionIn

    ENDPOINTS.update({
        "push.public_key": Endpoint("The server's VAPID public key, for pushManager.subscribe", PushKeyOut),
        "push.subscribe": Endpoint(
            "Keep this browser's PushSubscription (its toJSON()) for the signed-in person on this device; the same "
            "endpoint again is updated. The endpoint must be on the server's allow-list of push services (the "
            "`pattern` given). Needs the X-CSRFToken header.", PushStateOut, body=PushSubscriptionIn,
            errors=(400, 401)),
        "push.unsubscribe": Endpoint("This device stops getting alerts: its subscriptions are removed. Needs the "
                                     "X-CSRFToken header.", PushStateOut, errors=(400, 401)),
    })


def _push_endpoint_pattern(app, document: dict) -> dict:
    """The endpoint's `pattern` is made from PUSH_ENDPOINT_HOSTS: the document says exactly what the server takes."""
    from ..push.allowlist import endpoint_pattern

    schema = document["components"]["schemas"].get("PushSubscriptionIn")
    if schema is not None:
        schema["properties"]["endpoint"]["pattern"] = endpoint_pattern(
            tuple(app.config["PUSH_ENDPOINT_HOSTS"]))
    return document


_push_endpoints()
_build_document_without_push = build_document


def build_document(app) -> dict:  # noqa: F811  (the same document, with the push endpoint's pattern)
    return _push_endpoint_pattern(app, _build_document_without_push(app))

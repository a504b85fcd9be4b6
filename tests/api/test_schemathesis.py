"""Schemathesis against the app's own OpenAPI document (/api/openapi.json), signed in as a reviewer.

Every operation the document describes is called a few dozen times with data drawn from its schemas, both data
that fits them and data that does not, on the field team's world (a home visit today that Rhys is on), with Rhys's
session cookie and CSRF header on every call, as his phone sends them. Each answer must not be a 5xx, must carry no
stack trace, and must be what the document says: a status it lists, its content type, a body its schema
describes. When the document is wrong, the fix is to the document (visits/api/openapi.py and the schemas), so it
tells the truth to whoever builds on it.

Bounded and deterministic for CI: a fixed number of examples per operation, derandomized (the same cases on
every run), no deadline (two cores shared by a whole suite)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, negative_data_rejection, positive_data_acceptance, response_schema_conformance,
    status_code_conformance,
)

from ..support.clients import signed_in
from ..support.sync import token

EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 15}
STACK_TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "werkzeug.exceptions")


@schemathesis.check
def no_stack_trace(ctx, response, case):
    """Whatever went wrong, the body says it in words, never as the server's insides."""
    body = response.text if isinstance(response.text, str) else ""
    for marker in STACK_TRACE_MARKERS:
        if marker in body:
            raise AssertionError(f"{case.operation.label} answered {response.status_code} with {marker!r} in its body")
    return None


CHECKS = [not_a_server_error, no_stack_trace, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Data that fits the document is taken (or refused as forbidden/not found: the ids drawn are mostly nobody's);
# data that does not is refused with a 4xx, never half-taken.
CHECKS_FOR = {GenerationMode.POSITIVE: CHECKS + [positive_data_acceptance],
              GenerationMode.NEGATIVE: CHECKS + [negative_data_rejection]}


def operations(schema, with_parameters_only: bool):
    """Every operation of the document, or only those that take anything (parameters or a body): there is nothing
    to get wrong, or to point at the world's rows, in a bare GET."""
    found = [result.ok() for result in schema.get_all_operations()]
    if with_parameters_only:
        found = [operation for operation in found if operation.definition.raw.get("parameters")
                 or operation.definition.raw.get("requestBody")]
    return found


def on_rhys_s_visit(case, team) -> None:
    """The ids a case names made the world's own: Rhys's home visit, its service user, his review. Drawn ids are
    mostly nobody's, and answered 404 or forbidden before anything is stored; these go all the way."""
    if isinstance(case.query, dict):
        for name, value in (("visit", team.home_visit.id), ("review", team.review.id)):
            if name in case.query:
                case.query[name] = value
    ops = case.body.get("ops") if isinstance(case.body, dict) else None
    for op in ops if isinstance(ops, list) else ():
        data = op.get("data") if isinstance(op, dict) else None
        if isinstance(data, dict):
            for name, value in (("visit_id", team.home_visit.id), ("participant_id", team.service_user.id)):
                if name in data:
                    data[name] = value


def whole_operations_only(app):
    """The document with a sync batch's items drawn only from the envelopes of each type with its data: it also
    says any other item is taken (and answered `rejected`), and a generator that may draw anything draws little
    else."""
    document = app.test_client().get("/api/openapi.json").get_json()
    items = document["components"]["schemas"]["SyncIn"]["properties"]["ops"]["items"]
    items["anyOf"] = [choice for choice in items["anyOf"]
                      if choice.get("properties", {}).get("data", {}).get("$ref")]
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    return schema


# (how cases are drawn, how many per operation, whether their ids are made the world's own)
RUNS = {"fitting": (GenerationMode.POSITIVE, 20, False), "not_fitting": (GenerationMode.NEGATIVE, 15, True),
        "fitting_on_rhys_s_visit": (GenerationMode.POSITIVE, 25, True)}


@pytest.mark.parametrize("run", RUNS)
def test_every_api_operation_answers_within_its_document_for_a_signed_in_reviewer(app, team, run):
    mode, examples, with_parameters_only = RUNS[run]
    rhys = signed_in(app, team.reviewer)
    headers = {"X-CSRFToken": token(rhys)}
    schema = whole_operations_only(app) if run == "fitting_on_rhys_s_visit" else \
        schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    statuses: dict[int, int] = {}
    answers: dict[str, int] = {}  # what the operations inside the sync batches were answered
    chosen = operations(schema, with_parameters_only)
    for operation in chosen:
        @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def call_it(case):
            # The document's security scheme names the session cookie, so cases come with a made-up one: Rhys's own
            # is the one to send (his test client holds it, as his phone's browser would). Cases that only leave
            # the cookie out are not drawn: signed-out answers are tested on their own (tests/api/test_auth.py).
            if mode is GenerationMode.NEGATIVE:
                assume("session" in (case.cookies or {}))
            case.cookies = {}
            if run == "fitting_on_rhys_s_visit":
                on_rhys_s_visit(case, team)
            response = case.call_and_validate(session=rhys.http, headers=headers, checks=CHECKS_FOR[mode])
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if operation.label == "POST /api/sync" and response.status_code == 200:
                for answer in response.json()["results"]:
                    answers[answer["status"]] = answers.get(answer["status"], 0) + 1

        call_it()
    print(f"{run}: answers by status", statuses, "operations synced", answers, "across",
          [operation.label for operation in chosen])
    assert sum(statuses.values()) >= 60
    assert statuses.get(401, 0) < sum(statuses.values()) / 10, "the calls were not signed in"
    if run == "fitting_on_rhys_s_visit":
        assert answers.get("applied"), "no drawn operation got as far as being applied"

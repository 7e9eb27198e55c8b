"""Every API operation fuzzed by Schemathesis against the app: no answer is a 5xx, and none
contradicts the OpenAPI document (status, content type, headers, body shape, Allow).

Two passes, both deterministic (Hypothesis derandomised, no example database):
- coverage: Schemathesis's boundary and negative cases of every parameter and body field
  (wrong types, missing fields, lengths and enums at their edges, other media types), once
  per operation, with the token of a role the operation admits and real ids in the path;
- fuzzing: ``MAX_EXAMPLES`` generated requests per operation for each of three tokens (a
  coordinator, an agency referrer, an administrator), ids real half the time.

Checks: every built-in check but ``positive_data_acceptance`` (see ``EXCLUDED``).
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import hypothesis
import pytest
import schemathesis
from flask import Flask
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import AllowHeaderMismatch

from casework.api import blueprint
from casework.api.openapi import build_spec
from tests.api_fuzz.aim import body_strategy, path_strategy, real_path
from tests.api_fuzz.conftest import ON_SQLITE, Fuzzed
from tests.api_fuzz.world import ROLES, World
from tests.conftest import bearer

pytestmark = pytest.mark.skipif(not ON_SQLITE, reason="fuzzed on SQLite only (conftest.py)")
MAX_EXAMPLES = 10
# A request valid by the document may still be refused by a rule no JSON Schema states (a
# panel that is not the caller's: 404; a role: 403; all 24 DASH answers; a date after
# another): the document lists those answers, so they do not contradict it.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]
SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
CONFORMANCE = (
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
_ACTIVE: dict[str, Any] = {}


def _document() -> dict[str, Any]:
    """The document the app serves, built at collection from the same declarations (one
    test item per operation needs it before any fixture exists);
    ``test_the_fuzzed_document_is_the_served_one`` checks it is the very one."""
    bare = Flask("casework-document")
    bare.register_blueprint(blueprint)
    return json.loads(json.dumps(build_spec(bare)))


def _served(environ: dict[str, Any], start_response: Any) -> Any:
    """The fuzzed app, in-process, for the generated requests and the checks' own probes."""
    return _ACTIVE["fuzzed"].app(environ, start_response)


def _world() -> World | None:
    fuzzed = _ACTIVE.get("fuzzed")
    return None if fuzzed is None else fuzzed.world


def _methods_documented_at(path: str) -> set[str]:
    """The methods documented under every path template that ``path`` fits."""
    methods: set[str] = set()
    for template, operations in DOCUMENT["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            methods |= {m.upper() for m in operations}
    return methods


def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    return path_strategy(_world(), path_parameters)


def flatmap_body(context: Any, body: Any) -> Any:
    return body_strategy(_world(), body)


def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but one false alarm: ``OPTIONS /api/v1/referrals/accept`` allows
    GET, which is ``GET /api/v1/referrals/{referral_id}`` (an id that is no referral: 404),
    documented under the other template the same address fits."""
    if not isinstance(failure, AllowHeaderMismatch) or failure.missing_methods:
        return True
    path = urlsplit(str(response.request.url)).path
    return not set(failure.undocumented_methods) <= _methods_documented_at(path)


def _schema(phase: str) -> Any:
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    schema.app = _served
    schema.config.phases.update(phases=[phase])
    # The token is the test's (``_send``); requests without one, or with a wrong one, are
    # the ``ignored_auth`` check's own probes, so generation leaves Authorization alone.
    schema.config.generation.update(with_security_parameters=False)
    for hook in (flatmap_path_parameters, flatmap_body, filter_failure):
        schema.hook(hook)
    return schema


DOCUMENT = _document()
COVERAGE = _schema("coverage")
FUZZING = _schema("fuzzing")


def _admitted_role(case: Any) -> str:
    """The first of our roles the operation admits (its document says "Roles: ..."), so the
    boundary cases get past the role check to the validation they are about."""
    described = case.operation.definition.raw.get("description", "")
    admitted = described.removeprefix("Roles: ").split(", ")
    return next(
        (role for role in ("coordinator", "admin", "referrer") if role in admitted), "coordinator"
    )


def _send(case: Any, fuzz: Fuzzed, role: str) -> None:
    _ACTIVE["fuzzed"] = fuzz
    case.call_and_validate(headers=bearer(fuzz.world.tokens[role]), excluded_checks=EXCLUDED)


def test_the_fuzzed_document_is_the_served_one(fuzzed: Fuzzed) -> None:
    assert fuzzed.app.test_client().get("/openapi.json").json == DOCUMENT


def _operation_at(method: str, path: str) -> tuple[Any, dict[str, str]]:
    """The documented operation a concrete address reaches (a literal segment before a
    parameter, as the app routes it), with its path parameters."""
    found = []
    for template, operations in DOCUMENT["paths"].items():
        pattern = re.sub(r"\{([^}]+)\}", r"(?P<\1>[^/]+)", template)
        match = re.fullmatch(pattern, path)
        if match and method.lower() in operations:
            found.append((template.count("{"), template, match.groupdict()))
    assert found, (method, path)
    _, template, params = min(found)
    return FUZZING[template][method], params


def test_the_seeded_answers_follow_the_document(fuzzed: Fuzzed) -> None:
    """The answers a fuzzer seldom gets (a referral accepted, an agenda published, an
    action agreed, a meeting closed) come from building the partnership: each conforms."""
    checks = [
        schemathesis.checks.not_a_server_error,
        *[getattr(schemathesis.specs.openapi.checks, name) for name in CONFORMANCE],
    ]
    assert len(fuzzed.world.answers) > 30  # the seeding did run through the API
    wrong = []
    for method, url, answer in fuzzed.world.answers:
        path, query = urlsplit(url).path, dict(parse_qsl(urlsplit(url).query))
        operation, params = _operation_at(method, path)
        case = operation.Case(path_parameters=params, query=query or None)
        try:
            case.validate_response(answer, checks=checks)
        except FailureGroup as exc:
            found = (f"{f.title}: {f.message.strip().splitlines()[0]}" for f in exc.exceptions)
            wrong.append(f"{method} {url}: " + "; ".join(found))
    assert not wrong, "\n".join(wrong)


@COVERAGE.parametrize()
@pytest.mark.parametrize("role", ["admitted"])  # named per operation: ``_admitted_role``
@SETTINGS
def test_boundaries(case: Any, role: str, fuzz: Fuzzed) -> None:
    broken_path = case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)
    if case.path_parameters and not broken_path:
        # Real records, spread over the cases the same way on every run.
        pick = zlib.crc32(repr((case.body, case.query, case.headers)).encode())
        case.path_parameters = real_path(fuzz.world, case.path_parameters, pick)
    _send(case, fuzz, _admitted_role(case) if role == "admitted" else role)


@FUZZING.parametrize()
@pytest.mark.parametrize("role", list(ROLES))
@SETTINGS
def test_generated(case: Any, role: str, fuzz: Fuzzed) -> None:
    _send(case, fuzz, role)

"""Schemathesis against the running service's own /openapi.json (issue 8).

Every operation is called with generated data, valid and invalid, authenticated with an
account key (the admin operations with the admin token): no answer is a 5xx, and every
answer is one the description documents (status code, content type, headers, body schema).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from _pytest.nodeid import coerce_node_id
from _pytest.nodes import Node
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import Service, make_service, wait_http

ADMIN_TOKEN = "schemathesis-admin-token"
# operations that check what no schema can express: the upload's content (a random blob is no
# document: 415/422) and language codes or names (`klingon`: 422), so a schema-valid request
# may be refused with a 4xx that Schemathesis' positive_data_acceptance would count as an error
SEMANTIC = {"files_create", "runs_create", "glossaries_create"}

if not hasattr(Node, "_nodeid"):
    # Schemathesis 4.32.5's lazy loader renames the test node per operation through `Node._nodeid`,
    # which pytest 9 replaced by the structured `_id`; this maps one onto the other.
    Node._nodeid = property(  # type: ignore[attr-defined]
        lambda node: node._id, lambda node, value: setattr(node, "_id", coerce_node_id(value))
    )


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = make_service(
        tmp_path_factory.mktemp("schemathesis"),
        {"POLYDOC_ADMIN_TOKEN": ADMIN_TOKEN, "POLYDOC_RATE_LIMIT_PER_MINUTE": "100000"},
    )
    port = svc.base_url.rsplit(":", 1)[1]
    svc.start("serve", "serve", "--port", port)
    wait_http(f"{svc.base_url}/healthz")
    svc.key = svc.new_account("schemathesis", credits=100_000)
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def api_schema(api: Service) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,  # one slow answer on a shared 2-core machine is not a failure; the timeout is
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_description(case: schemathesis.Case, api: Service) -> None:
    token = ADMIN_TOKEN if case.path.startswith("/v1/admin") else api.key
    semantic = case.operation.definition.raw.get("operationId") in SEMANTIC
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance] if semantic else [],
        timeout=30,
    )
    if semantic and case.meta is not None and case.meta.generation.mode.is_positive:
        # instead of positive_data_acceptance: a schema-valid request may be refused only for what
        # a schema cannot say (an unknown language, a file that is not a document), never by the
        # request validation that the schema describes (`invalid_request`)
        if 400 <= response.status_code < 500 and response.status_code not in (401, 404, 409, 429):
            assert response.json()["error"]["code"] != "invalid_request", response.text

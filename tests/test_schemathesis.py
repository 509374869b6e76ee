"""Schemathesis against the running service's own /openapi.json (issue 8).

Every operation described there is called with generated data, valid and invalid (the
coverage and fuzzing phases, 25 examples per operation), authenticated with an account key
(the admin operations with the admin token), and every answer is validated by all of
Schemathesis' default checks: no 5xx, status codes, content types, headers and bodies as
documented, invalid data refused, valid data accepted, undeclared methods answered 405 with
a correct `Allow` header. The description declares the bearer scheme, so Schemathesis also
sends requests without a key or with a wrong one and checks that they are refused.

Nothing is excluded: the event stream (SSE) is called as well, on a run that has ended, where
it sends one event (validated against the event schema) and closes. Path ids are usually
random, so often a generated id is replaced by the id of a real object seeded first (a file,
its translation, a run, a glossary, a spare key, the account): the 200 answers are validated
too, not only the 404s.

Needs `schemathesis==4.32.5` (a test dependency); without it the module is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis==4.32.5")

from _pytest.nodeid import coerce_node_id  # noqa: E402
from _pytest.nodes import Node  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
)

from tests.helpers import Service, start_serve, translate, upload  # noqa: E402

ADMIN_TOKEN = "schemathesis-admin-token"
# operations that check what no schema can express: the upload's content (a random blob is no
# document: 415/422) and language codes or names (`klingon`: 422), so a schema-valid request
# may be refused with a 4xx that Schemathesis' positive_data_acceptance would count as an error;
# likewise a webhook URL on a private address (422) and text in no known language
SEMANTIC = {"files_create", "runs_create", "glossaries_create", "webhooks_create", "translate_text"}

if not hasattr(Node, "_nodeid"):
    # Schemathesis 4.32.5's lazy loader renames the test node per operation through `Node._nodeid`,
    # which pytest 9 replaced by the structured `_id`; this maps one onto the other.
    Node._nodeid = property(  # type: ignore[attr-defined]
        lambda node: node._id, lambda node, value: setattr(node, "_id", coerce_node_id(value))
    )


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_serve(
        tmp_path_factory.mktemp("schemathesis"),
        {"POLYDOC_ADMIN_TOKEN": ADMIN_TOKEN, "POLYDOC_RATE_LIMIT_PER_MINUTE": "100000"},
    )
    svc.key = svc.new_account("schemathesis", credits=100_000)
    yield svc
    svc.stop()


def seed(svc: Service) -> dict[str, list[str]]:
    """Real objects of the account, by path parameter name (`delete:` ones for DELETE, so the
    other operations still find theirs)."""
    terms = [{"source": "house", "target": "casa"}]
    with svc.client() as c:
        run, _ = translate(c, "seed.txt", b"The red house is big.\n")  # asserts it succeeded
        return {
            "file_id": [run["input_file_id"], run["output_file_id"]],
            "run_id": [run["id"]],
            "glossary_id": [c.post("/v1/glossaries", json={"name": "g", "terms": terms}).json()["id"]],
            "account_id": [c.get("/v1/account").json()["id"]],
            # revoking a key is a DELETE: only a spare one, or the test would lock itself out
            "delete:key_id": [c.post("/v1/keys").json()["id"]],
            "delete:file_id": [upload(c, "doomed.txt", b"The dog is small.\n")["id"]],
            "delete:glossary_id": [c.post("/v1/glossaries", json={"name": "d", "terms": terms}).json()["id"]],
        }


@pytest.fixture(scope="module")
def api_schema(api: Service) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")
    real = seed(api)

    @schema.auth(refresh_interval=None)
    class Bearer:
        """The account key, the admin token for /v1/admin; left out of the cases that test a
        missing Authorization header (the description declares the bearer scheme)."""

        def get(self, _case: schemathesis.Case, context: Any) -> str:
            return ADMIN_TOKEN if context.operation.path.startswith("/v1/admin") else api.key

        def set(self, case: schemathesis.Case, token: str, _context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}

    @schema.hook("flatmap_path_parameters")
    def real_ids(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
        prefix = "delete:" if context.operation.method.upper() == "DELETE" else ""
        known = [name for name in path_parameters or () if prefix + name in real]
        if not known:
            return st.just(path_parameters)
        name = known[0]
        return st.sampled_from(
            [path_parameters, *({**path_parameters, name: v} for v in real[prefix + name])]
        )

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,  # one slow answer on a shared 2-core machine is not a failure; the timeout is
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_description(case: schemathesis.Case) -> None:
    operation = case.operation.definition.raw.get("operationId")
    semantic = operation in SEMANTIC
    excluded = [positive_data_acceptance] if semantic else []
    if operation == "metrics":  # answers a loopback scraper without a key (POLYDOC_METRICS_ACCESS=local)
        excluded += [ignored_auth, missing_required_header, negative_data_rejection]
    response = case.call_and_validate(excluded_checks=excluded, timeout=30)
    if semantic and case.meta is not None and case.meta.generation.mode.is_positive:
        # instead of positive_data_acceptance: a schema-valid request may be refused only for what
        # a schema cannot say (an unknown language, a file that is not a document), never by the
        # request validation that the schema describes (`invalid_request`)
        if 400 <= response.status_code < 500 and response.status_code not in (401, 404, 409, 429):
            assert response.json()["error"]["code"] != "invalid_request", response.text


def test_the_description_is_served_and_complete(api: Service) -> None:
    """What Schemathesis read: every route of the API is described, with its operation id."""
    spec = api.client().get("/openapi.json").json()
    ops = [op for path in spec["paths"].values() for op in path.values()]
    assert len(ops) >= 23 and all(op.get("operationId") for op in ops)

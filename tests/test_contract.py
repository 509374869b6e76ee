"""The wire contract of DESIGN §1, checked against JSON Schemas equivalent to the SDK's models."""

from __future__ import annotations

import re

import jsonschema
import pytest

from tests.helpers import Service, translate, upload, wait_run

UUID = {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}
# ISO 8601 with an offset: "Z" or "+00:00"; never naive
TIMESTAMP = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"}
NULLABLE_INT = {"type": ["integer", "null"]}

FILE_SCHEMA = {
    "type": "object",
    "required": ["id", "account_id", "filename", "size", "num_pages", "s3_key", "created_at", "expires_at"],
    "properties": {
        "id": UUID,
        "account_id": UUID,
        "filename": {"type": "string"},
        "size": {"type": "integer"},
        "num_pages": {"type": "integer"},
        "s3_key": {"type": "string"},
        "created_at": TIMESTAMP,
        "expires_at": TIMESTAMP,
    },
}
RUN_SCHEMA = {
    "type": "object",
    "required": ["id", "account_id", "input_file_id", "target_language", "status", "created_at"],
    "properties": {
        "id": UUID,
        "account_id": UUID,
        "input_file_id": UUID,
        "target_language": {"type": "string"},
        "status": {"enum": ["Running", "Succeeded", "Failed"]},
        "created_at": TIMESTAMP,
        "finished_at": {"anyOf": [TIMESTAMP, {"type": "null"}]},
        "output_file_id": {"anyOf": [UUID, {"type": "null"}]},
        "input_tokens": NULLABLE_INT,
        "output_tokens": NULLABLE_INT,
        "credits": NULLABLE_INT,
    },
}
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def _snake_case_keys(obj: dict) -> bool:
    return all(SNAKE.match(k) for k in obj)


def test_file_and_run_objects_match_the_sdk_models(service: Service) -> None:
    with service.client() as c:
        resp = c.post("/v1/files", files={"data": ("note.txt", b"The house is big.\n")})
        assert resp.status_code == 200  # 200, never 201
        f = resp.json()
        jsonschema.validate(f, FILE_SCHEMA)
        assert _snake_case_keys(f) and f["filename"] == "note.txt" and f["size"] == 18 and f["num_pages"] == 1
        resp = c.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"})
        assert resp.status_code == 200
        run = resp.json()
        jsonschema.validate(run, RUN_SCHEMA)
        assert run["status"] == "Running" and run["stage"] in ("queued", "extracting", "translating", "done")
        done = wait_run(c, run["id"])
        jsonschema.validate(done, RUN_SCHEMA)
        assert done["finished_at"] and done["output_file_id"]
        listed = c.get("/v1/runs")
        assert listed.status_code == 200 and isinstance(listed.json(), list)
        for item in listed.json():
            jsonschema.validate(item, RUN_SCHEMA)
        files = c.get("/v1/files").json()
        assert isinstance(files, list)
        for item in files:
            jsonschema.validate(item, FILE_SCHEMA)


def test_download_headers(service: Service) -> None:
    with service.client() as c:
        run, _ = translate(c, "Überblick notes.txt", b"The house is big.\n")
        resp = c.get(f"/v1/files/{run['output_file_id']}/download")
    assert resp.headers["content-type"] == "application/octet-stream"
    disposition = resp.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "%C3%9Cberblick%20notes.es.txt" in disposition
    assert resp.headers["x-content-type-options"] == "nosniff"


def test_lists_are_newest_first_and_paged_with_link_header(service: Service) -> None:
    key = service.new_account("pager", credits=10)
    with service.client(key) as c:
        ids = [upload(c, f"f{i}.txt", f"The house number {i} is big.\n".encode())["id"] for i in range(5)]
        page1 = c.get("/v1/files", params={"limit": 2})
        assert [f["id"] for f in page1.json()] == ids[::-1][:2]
        link = page1.headers["link"]
        assert 'rel="next"' in link
        next_url = link.split(";")[0].strip("<>")
        page2 = c.get(next_url)
        assert [f["id"] for f in page2.json()] == ids[::-1][2:4]
        page3 = c.get(page2.headers["link"].split(";")[0].strip("<>"))
        assert [f["id"] for f in page3.json()] == ids[::-1][4:]
        assert "link" not in page3.headers


def test_openapi_describes_every_operation(service: Service) -> None:
    spec = service.client().get("/openapi.json").json()
    ops = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {
        "files_create",
        "files_list",
        "files_download",
        "runs_create",
        "runs_list",
        "runs_get",
        "runs_cancel",
        "files_get",
        "files_delete",
        "languages_list",
        "account_get",
    } <= ops


@pytest.mark.parametrize("path", ["/v1/languages", "/healthz"])
def test_public_endpoints(service: Service, path: str) -> None:
    resp = service.client(key="nothing").get(path)
    assert resp.status_code == 200


def test_metrics_in_prometheus_format(service: Service) -> None:
    with service.client() as c:
        translate(c, "m.txt", b"The house is big.\n")
        body = c.get("/metrics").text
    from prometheus_client.parser import text_string_to_metric_families

    families = {f.name: f for f in text_string_to_metric_families(body)}
    succeeded = [
        s.value
        for s in families["polydoc_runs"].samples
        if s.labels == {"status": "Succeeded", "stage": "done"}
    ]
    assert succeeded and succeeded[0] >= 1
    assert "polydoc_queue_depth" in families and "polydoc_tokens" in families
    count = [s.value for s in families["polydoc_run_duration_seconds"].samples if s.name.endswith("_count")]
    assert count[0] == succeeded[0]

"""Fair queues, over real HTTP with a real `polydoc serve` (embedded, or scale-out with
POLYDOC_TEST_BACKEND=scaleout): a one-page run does not wait behind a 2,000-page one, and one
account's runs do not keep another account's run waiting."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import Service, start_serve, upload, wait_run

SENTENCE = "The red house near the river is very big, and the old dog sleeps in the garden all day long. "
ONE_PAGE = b"The house is very big.\n"


def long_text(pages: int) -> bytes:
    """`pages` standard pages (1,800 characters each, formats.base) of English, one per paragraph."""
    paragraphs = []
    for i in range(pages):
        text = (f"Page {i}. " + SENTENCE * 20)[:1799] + "."
        paragraphs.append(text)
    return "\n\n".join(paragraphs).encode() + b"\n"


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """Our own server: other tests' runs in the same lanes would blur the timing."""
    service = start_serve(tmp_path_factory.mktemp("fair"), {"POLYDOC_MAX_UPLOAD_BYTES": str(8 << 20)})
    key_file = service.data_dir / "demo_api_key"
    deadline = time.monotonic() + 10
    while not key_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    service.key = key_file.read_text().strip()
    yield service
    service.stop()


def start_run(c: httpx.Client, file_id: str) -> str:
    resp = c.post("/v1/runs", json={"input_file_id": file_id, "target_language": "es"})
    assert resp.status_code == 200, resp.text
    return resp.json()["id"]


def wait_translating(c: httpx.Client, run_id: str, timeout: float = 120) -> dict:
    """Until the run's engine has translated something (it is busy, not still reading)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = c.get(f"/v1/runs/{run_id}").json()
        if run["stage"] == "translating" and run["segments_done"] > 0:
            return run
        assert run["status"] == "Running", run
        time.sleep(0.2)
    raise TimeoutError(f"run {run_id} did not start translating: {run}")


def test_one_page_run_finishes_in_under_2_s_beside_a_2000_page_run(svc: Service) -> None:
    with svc.client() as c:
        big = upload(c, "book.txt", long_text(2000))
        assert big["num_pages"] == 2000
        small = upload(c, "note.txt", ONE_PAGE)
        # a lane's first run starts its parser and pipeline processes (2.5 s alone on a loaded
        # 2-core machine; 0.3 s once warm): that is start-up, not waiting, so it comes first
        assert wait_run(c, start_run(c, small["id"]))["status"] == "Succeeded"
        big_id = start_run(c, big["id"])
        try:
            wait_translating(c, big_id)
            started = time.monotonic()
            done = wait_run(c, start_run(c, small["id"]), timeout=60)
            elapsed = time.monotonic() - started
            assert done["status"] == "Succeeded", done
            assert "casa" in c.get(f"/v1/files/{done['output_file_id']}/download").text
            assert elapsed < 2.0, f"the one-page run took {elapsed:.2f} s beside the 2,000-page run"
            # the large run was busy all along: the small one went past it, not after it
            running = c.get(f"/v1/runs/{big_id}").json()
            assert running["status"] == "Running" and running["segments_done"] < running["segments_total"]
        finally:
            c.post(f"/v1/runs/{big_id}/cancel")
        assert wait_run(c, big_id, timeout=60)["error"]["code"] == "cancelled"


def test_one_accounts_runs_do_not_keep_another_waiting(svc: Service) -> None:
    """Four runs of account A, then one of account B, all in the large lane (two at a time): B's
    run is the third to start (first come, first served would make it the fifth)."""
    doc = long_text(21)  # just over POLYDOC_SMALL_RUN_PAGES: the large lane
    with svc.client(svc.new_account("busy", credits=1000)) as a, svc.client(svc.new_account("late")) as b:
        file_a, file_b = upload(a, "a.txt", doc), upload(b, "b.txt", doc)
        runs_a = [start_run(a, file_a["id"]) for _ in range(4)]
        run_b = start_run(b, file_b["id"])
        ended = [wait_run(a, r, timeout=120) for r in runs_a] + [wait_run(b, run_b, timeout=120)]
    assert all(r["status"] == "Succeeded" for r in ended), ended
    order = [r["id"] for r in sorted(ended, key=lambda r: r["started_at"])]
    assert order.index(run_b) <= 2, f"B's run started #{order.index(run_b) + 1} of 5"


def test_the_embedded_broker_keeps_no_delivered_message(svc: Service) -> None:
    """kombu keeps every delivered message (visible = 0) and each poll of every lane scanned them
    all; ours deletes them once claimed, so polling costs the same after a million runs."""
    with svc.client() as c:
        file = upload(c, "note.txt", ONE_PAGE)
        ended = [wait_run(c, start_run(c, file["id"])) for _ in range(3)]
    assert all(r["status"] == "Succeeded" for r in ended), ended
    broker = svc.data_dir / "broker.sqlite"
    if not broker.exists():
        pytest.skip("the service's broker is not the embedded SQLite file")
    with sqlite3.connect(broker) as db:
        rows = db.execute("SELECT visible, count(*) FROM kombu_message GROUP BY visible").fetchall()
    assert rows == [], f"messages left in the broker (visible, count): {rows}"

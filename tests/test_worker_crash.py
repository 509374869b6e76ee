"""A worker killed mid-run: the run still ends Succeeded exactly once and is charged once."""

from __future__ import annotations

import signal
import time
import uuid
from pathlib import Path

from sqlalchemy import func, select

from polydoc.db.models import CreditEntry, File
from tests.helpers import make_service, upload, wait_http, wait_run


def test_sigkill_worker_mid_run_then_restart(tmp_path: Path) -> None:
    # the test polls fast for up to four minutes: the per-key rate limit is not what it tests
    svc = make_service(tmp_path, {"POLYDOC_RATE_LIMIT_PER_MINUTE": "100000"})
    port = svc.base_url.rsplit(":", 1)[1]
    key = svc.new_account("crash", credits=10_000)
    svc.start("api", "api", "--port", port)
    svc.start("worker", "worker", "--beat", "--concurrency", "1")
    try:
        wait_http(f"{svc.base_url}/healthz")
        text = "".join(f"Paragraph {i}: the red house near the river is very big.\n\n" for i in range(10000))
        with svc.client(key) as c:
            f = upload(c, "long.txt", text.encode())
            run = c.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"}).json()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                resp = c.get(f"/v1/runs/{run['id']}")
                assert resp.status_code == 200, resp.text
                state = resp.json()
                if state["stage"] == "translating" and state["segments_done"] > 0:
                    break
                time.sleep(0.05)
            assert state["stage"] == "translating" and state["segments_done"] < state["segments_total"]
            svc.kill("worker", signal.SIGKILL)
            assert c.get(f"/v1/runs/{run['id']}").json()["status"] == "Running"
            svc.start("worker", "worker", "--beat", "--concurrency", "1")
            done = wait_run(c, run["id"], timeout=180)
            assert done["status"] == "Succeeded", done
            assert done["attempts"] == 2
            # the first attempt's cached segments were not paid again
            assert done["segments_cached"] > 0
            out = c.get(f"/v1/files/{done['output_file_id']}/download").text
            assert out.count("casa") == 10000
            account = c.get("/v1/account").json()
        assert account["balance"] == 10_000 - f["num_pages"] and account["held"] == 0
        with svc.db() as db:
            rid = uuid.UUID(run["id"])
            kinds = dict(
                db.execute(
                    select(CreditEntry.kind, func.count())
                    .where(CreditEntry.run_id == rid)
                    .group_by(CreditEntry.kind)
                ).all()
            )
            outputs = db.scalar(select(func.count()).select_from(File).where(File.run_id == rid))
        assert kinds == {"hold": 1, "release": 1, "charge": 1}
        assert outputs == 1
    finally:
        svc.stop()

"""Shared test helpers: a real `polydoc serve` on a free port with its own data folder, and HTTP shortcuts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
POLYDOC = [sys.executable, "-m", "polydoc"]

# fast sweeps and short leases so crash-recovery tests finish quickly
TEST_ENV = {
    "POLYDOC_RUN_LEASE_SECONDS": "3",
    "POLYDOC_SWEEP_INTERVAL_SECONDS": "1",
    "POLYDOC_QUEUE_GRACE_SECONDS": "30",
    "POLYDOC_MAX_UPLOAD_BYTES": str(5 * 1024 * 1024),
    "POLYDOC_DEMO_CREDITS": "100000",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not come up")


@dataclass
class Service:
    """A running Polydoc (processes we started) and an HTTP client for its demo account."""

    base_url: str
    data_dir: Path
    env: dict[str, str]
    key: str = ""
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def client(self, key: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {key or self.key}"}, timeout=60
        )

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.data_dir / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            [*POLYDOC, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def stop(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*POLYDOC, *args], env=self.env, capture_output=True, text=True, timeout=120)

    def db(self) -> Session:
        """A session on the service's own database (SQLite file or PostgreSQL)."""
        url = self.env.get("POLYDOC_DATABASE_URL") or f"sqlite:///{self.data_dir / 'polydoc.sqlite'}"
        return Session(create_engine(url, poolclass=NullPool))

    def new_account(self, name: str, credits: int = 1000) -> str:
        """Create an account with the CLI; returns its API key (the last line of stdout). `--init`:
        the test owns this data folder, and may create the account before any server started."""
        done = self.cli("accounts", "create", name, "--credits", str(credits), "--init")
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]


def scaleout_env() -> dict[str, str]:
    """A fresh PostgreSQL database, Redis database and S3 bucket (from scripts/services.sh)."""
    import uuid

    import boto3
    import psycopg

    suffix = uuid.uuid4().hex[:12]
    pg = os.environ["POLYDOC_TEST_PG_URL"]
    with psycopg.connect(pg.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE polydoc_{suffix}")
    endpoint = os.environ["POLYDOC_TEST_S3_ENDPOINT"]
    creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    boto3.client("s3", endpoint_url=endpoint, **creds).create_bucket(Bucket=f"polydoc-{suffix}")
    return {
        "POLYDOC_DATABASE_URL": pg.rsplit("/", 1)[0] + f"/polydoc_{suffix}",
        "POLYDOC_BROKER_URL": os.environ["POLYDOC_TEST_REDIS_URL"] + f"/{int(suffix, 16) % 15 + 1}",
        "POLYDOC_STORAGE_URL": f"s3://polydoc-{suffix}/blobs",
        "POLYDOC_S3_ENDPOINT_URL": endpoint,
        "POLYDOC_S3_ACCESS_KEY_ID": "test",
        "POLYDOC_S3_SECRET_ACCESS_KEY": "test",
    }


def make_service(tmp: Path, extra_env: dict[str, str] | None = None) -> Service:
    """Embedded default, or PostgreSQL + Redis + S3 when POLYDOC_TEST_BACKEND=scaleout."""
    port = free_port()
    backend = scaleout_env() if os.environ.get("POLYDOC_TEST_BACKEND") == "scaleout" else {}
    env = {
        **os.environ,
        **TEST_ENV,
        **backend,
        "POLYDOC_DATA_DIR": str(tmp),
        "POLYDOC_PORT": str(port),
        **(extra_env or {}),
    }
    return Service(base_url=f"http://127.0.0.1:{port}", data_dir=tmp, env=env)


def start_serve(tmp: Path, extra_env: dict[str, str] | None = None) -> Service:
    """`polydoc serve` on a free port with its data in `tmp`, answering /healthz."""
    svc = make_service(tmp, extra_env)
    svc.start("serve", "serve", "--port", svc.base_url.rsplit(":", 1)[1])
    wait_http(f"{svc.base_url}/healthz")
    return svc


def wait_run(client: httpx.Client, run_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        resp = client.get(f"/v1/runs/{run_id}")
        assert resp.status_code == 200, (resp.status_code, resp.headers, resp.text)
        run = resp.json()
        if run["status"] != "Running":
            return run
        time.sleep(0.1)
    raise TimeoutError(f"run {run_id} still running: {run}")


def upload(client: httpx.Client, name: str, data: bytes) -> dict:
    resp = client.post("/v1/files", files={"data": (name, data)})
    assert resp.status_code == 200, resp.text
    return resp.json()


def translate(
    client: httpx.Client, name: str, data: bytes, target: str = "es", **extra: object
) -> tuple[dict, bytes]:
    """Upload, run to `target`, wait; returns (run, output bytes)."""
    f = upload(client, name, data)
    resp = client.post("/v1/runs", json={"input_file_id": f["id"], "target_language": target, **extra})
    assert resp.status_code == 200, resp.text
    run = wait_run(client, resp.json()["id"])
    assert run["status"] == "Succeeded", run
    out = client.get(f"/v1/files/{run['output_file_id']}/download")
    assert out.status_code == 200
    return run, out.content

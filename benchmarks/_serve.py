"""`polydoc serve` for a benchmark: a free loopback port, a fresh data folder, the demo account's client."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def demo_service(timeout: float = 120) -> Iterator[httpx.Client]:
    """A client of the demo account of a fresh embedded-default `polydoc serve`; stopped on exit."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [sys.executable, "-m", "polydoc", "serve", "--port", str(port)],
            env={**os.environ, "POLYDOC_DATA_DIR": tmp},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            base, key_file = f"http://127.0.0.1:{port}", Path(tmp, "demo_api_key")
            for _ in range(300):  # at most 30 s
                try:
                    if httpx.get(base + "/healthz").status_code == 200 and key_file.exists():
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            key = key_file.read_text().strip()
            with httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=timeout
            ) as client:
                yield client
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)

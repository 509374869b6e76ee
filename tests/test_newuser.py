"""What a new user tripped over, replayed with the real `polydoc` command, real servers and data folders."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import POLYDOC, Service, free_port, start_serve, wait_http

ADMIN_TOKEN = "newuser-admin-token-0123456789"
STORY = b"The red house is very old.\n\nThe dog is black and the cat is white.\n"


def run(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*POLYDOC, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def plain_env(**extra: str) -> dict[str, str]:
    """The user's environment: no POLYDOC_* settings of the test run leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLYDOC_")}
    return {**env, "COLUMNS": "200", **extra}


@pytest.fixture(scope="module")
def admin_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_serve(tmp_path_factory.mktemp("admin-serve"), {"POLYDOC_ADMIN_TOKEN": ADMIN_TOKEN})
    yield svc
    svc.stop()


def test_accounts_create_elsewhere_refuses_a_new_database(tmp_path: Path) -> None:
    done = run("accounts", "create", "alice", "--credits", "50", env=plain_env(), cwd=tmp_path)
    assert done.returncode == 2
    assert f"no Polydoc database in the data folder {tmp_path / 'data'}" in " ".join(done.stderr.split())
    assert "--init" in done.stderr and "--server" in done.stderr
    assert done.stdout == "" and not (tmp_path / "data").exists()  # nothing created, no key printed

    made = run("accounts", "create", "alice", "--credits", "1500", "--init", env=plain_env(), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert f"Using the data folder {tmp_path / 'data'}" in made.stderr
    assert "with 1,500 credits" in made.stderr and (tmp_path / "data" / "polydoc.sqlite").is_file()
    assert made.stdout.strip().startswith("pd_")
    again = run("accounts", "create", "bob", "--credits", "1", env=plain_env(), cwd=tmp_path)  # now it exists
    assert again.returncode == 0 and "with 1 credit in" in again.stderr


def test_accounts_create_in_the_servers_data_folder_makes_a_key_it_accepts(
    admin_service: Service, tmp_path: Path
) -> None:
    env = plain_env()
    done = run(
        "accounts", "create", "carol", "--data-dir", str(admin_service.data_dir), env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert f"Using the data folder {admin_service.data_dir}" in done.stderr
    key = done.stdout.strip().splitlines()[-1]
    assert admin_service.client(key).get("/v1/account").status_code == 200


def test_accounts_create_over_http_with_the_admin_token(admin_service: Service, tmp_path: Path) -> None:
    url = admin_service.base_url
    done = run(
        "accounts",
        "create",
        "dave",
        "--credits",
        "2000",
        "--server",
        url,
        "--admin-token",
        ADMIN_TOKEN,
        env=plain_env(),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert f"with 2,000 credits in {url}" in done.stderr and not (tmp_path / "data").exists()
    key = done.stdout.strip().splitlines()[-1]
    assert admin_service.client(key).get("/v1/account").json()["balance"] == 2000

    wrong = run(
        "accounts",
        "create",
        "eve",
        "--server",
        url,
        "--admin-token",
        "not-the-token",
        env=plain_env(),
        cwd=tmp_path,
    )
    assert wrong.returncode == 1 and "POLYDOC_ADMIN_TOKEN" in wrong.stderr and wrong.stdout == ""


def test_serve_on_a_port_in_use_says_so_before_anything_else(admin_service: Service, tmp_path: Path) -> None:
    port = admin_service.base_url.rsplit(":", 1)[1]
    done = run(
        "serve", "--port", port, "--data-dir", str(tmp_path / "d"), env=plain_env(), cwd=tmp_path, timeout=60
    )
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in " ".join(done.stderr.split())
    assert "running at" not in done.stdout and "Demo API key" not in done.stdout
    assert not (tmp_path / "d").exists()  # no data folder, no demo key made for nothing


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_kill_term_of_serve_stops_its_worker_too(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [*POLYDOC, "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
        env=plain_env(),
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        worker_pid = None
        while worker_pid is None and time.monotonic() < deadline:
            found = re.search(r"worker pid: (\d+)", (tmp_path / "serve.log").read_text())
            worker_pid = int(found.group(1)) if found else None
            time.sleep(0.2)
        assert worker_pid and _alive(worker_pid)
        wait_http(f"http://127.0.0.1:{port}/healthz")
        limits = Path(f"/proc/{serve.pid}/limits").read_text()
        soft, hard = re.search(r"Max open files\s+(\S+)\s+(\S+)", limits).groups()
        assert soft == hard  # raised to what the system allows this user

        serve.send_signal(signal.SIGTERM)  # the serve process alone, as `kill -TERM <pid>` does
        assert serve.wait(timeout=40) is not None
        deadline = time.monotonic() + 10
        while _alive(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(worker_pid), "the worker outlived serve"
        with socket.socket() as s:  # and the port is free again
            s.bind(("127.0.0.1", port))
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait(timeout=10)


def test_local_translate_goes_on_after_a_failed_language(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_bytes(STORY)
    done = run("translate", "story.txt", "--to", "de,es", "--from", "en", env=plain_env(), cwd=tmp_path)
    assert done.returncode == 1
    assert (tmp_path / "story.es.txt").is_file() and "casa" in (tmp_path / "story.es.txt").read_text()
    assert not (tmp_path / "story.de.txt").exists()
    said = " ".join(done.stderr.split())
    assert "story.txt → de" in said and "1 of 2 translations failed" in said
    assert done.stdout.strip() == "story.es.txt"


def test_local_progress_shows_a_percentage_not_a_question_mark(tmp_path: Path) -> None:
    text = "".join(f"Sentence number {i} about the red house and the dog.\n\n" for i in range(4000))
    (tmp_path / "long.txt").write_text(text)
    screen = _on_a_terminal([*POLYDOC, "translate", "long.txt", "--to", "es", "--from", "en"], tmp_path)
    assert "/?" not in screen
    assert "segments so far" in screen  # while the document is still being read
    assert re.search(r"100% · 4,000/4,000 segments", screen), screen[-500:]
    assert "4,000 segments (4,000 unique)" in screen


def _on_a_terminal(argv: list[str], cwd: Path, timeout: float = 120) -> str:
    """Run with stderr on a pseudo-terminal (as in a shell) and return all it drew."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=plain_env(TERM="xterm"),
        stdout=subprocess.DEVNULL,
        stderr=follower,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:  # the other side closed: the command ended
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        assert proc.wait(timeout=30) == 0
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode(errors="replace"))


def test_remote_translate_says_1_credit_and_separates_thousands(service: Service, tmp_path: Path) -> None:
    key = service.new_account("newuser-remote", credits=12_000)
    (tmp_path / "story.txt").write_bytes(STORY)
    done = run(
        "translate",
        "story.txt",
        "--to",
        "es",
        "--yes",
        "--server",
        service.base_url,
        "--api-key",
        key,
        env=plain_env(),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stderr.split())
    assert "1 credit ·" in said and "1 credits" not in said
    assert "balance 12,000 → 11,999" in said

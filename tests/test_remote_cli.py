"""The remote CLI (`polydoc translate --server`, `polydoc runs`, `polydoc files`) against a real server."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import POLYDOC, Service, upload

STORY = b"The house is very big.\n\nThe dog is red and the cat is black.\n"
PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The red house</title></head>
<body><p>The <b>big</b> dog eats the food.</p><p>The house is small.</p></body></html>
"""
LONG = "".join(f"Sentence number {i} about the red house and the dog.\n\n" for i in range(6000)).encode()


def cli(service: Service, *args: str, key: str | None = None, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `polydoc …` with the server and key in the environment (Typer reads them), wide tables."""
    full_env = {**service.env, "POLYDOC_SERVER": service.base_url, "COLUMNS": "250", **(env or {})}
    if key is not None:
        full_env["POLYDOC_API_KEY"] = key
    return subprocess.run([*POLYDOC, *args], env=full_env, capture_output=True, text=True, timeout=240, cwd=cwd)


@pytest.fixture(scope="module")
def key(service: Service) -> str:
    return service.new_account("remote-cli", credits=500)


def test_two_files_into_two_languages(service: Service, key: str, tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_bytes(STORY)
    (tmp_path / "page.html").write_bytes(PAGE)
    # flags this time (the other tests use POLYDOC_SERVER / POLYDOC_API_KEY)
    done = subprocess.run(
        [*POLYDOC, "translate", "story.txt", "page.html", "--to", "es,ca", "--yes",
         "--server", service.base_url, "--api-key", key],
        env=service.env, capture_output=True, text=True, timeout=240, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    outputs = {p.name for p in tmp_path.iterdir()} - {"story.txt", "page.html"}
    assert outputs == {"story.es.txt", "story.ca.txt", "page.es.html", "page.ca.html"}
    assert sorted(Path(line).name for line in done.stdout.split()) == sorted(outputs)  # paths on stdout
    es, ca = (tmp_path / "story.es.txt").read_text(), (tmp_path / "story.ca.txt").read_text()
    assert "casa" in es and "perro" in es and "house" not in es
    assert "gos" in ca and "dog" not in ca
    html_es = (tmp_path / "page.es.html").read_text()
    assert "perro" in html_es and "<b>" in html_es and "<title>" in html_es
    assert "4 of 4 translations done" in done.stderr


def _on_a_terminal(service: Service, key: str, cwd: Path, answer: bytes, *args: str) -> subprocess.CompletedProcess:
    """`polydoc translate` with stdin on a pseudo-terminal, the `answer` typed in advance."""
    import os
    import pty

    master, slave = pty.openpty()
    env = {**service.env, "POLYDOC_SERVER": service.base_url, "POLYDOC_API_KEY": key, "COLUMNS": "250"}
    proc = subprocess.Popen([*POLYDOC, "translate", *args], env=env, stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=cwd)
    os.close(slave)
    os.write(master, answer)
    try:
        out, err = proc.communicate(timeout=240)
    finally:
        os.close(master)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_the_price_is_shown_and_asked_for_first(service: Service, tmp_path: Path) -> None:
    key = service.new_account("remote-price", credits=50)
    (tmp_path / "ask.txt").write_bytes(STORY)
    with service.client(key) as c:
        def books() -> tuple[int, int, list, list]:
            account = c.get("/v1/account").json()
            return account["balance"], account["held"], c.get("/v1/runs").json(), c.get("/v1/files").json()

        # no terminal and no --yes: the price, then a refusal that says how to go on; nothing left behind
        refused = cli(service, "translate", "ask.txt", "--to", "es,ca", key=key, cwd=tmp_path)
        assert refused.returncode == 1
        said = " ".join(refused.stderr.split())
        assert "ask.txt → es: 1 credit · 1 page · 0 of 2 segments from memory or repeated · apertium" in said
        assert "ask.txt → ca: 1 credit" in said and "Total: 2 credits for 2 translations; balance 50 → 48" in said
        assert "--yes" in said and sorted(p.name for p in tmp_path.iterdir()) == ["ask.txt"]
        assert books() == (50, 0, [], [])
        # on a terminal, "n": nothing started either
        declined = _on_a_terminal(service, key, tmp_path, b"n\n", "ask.txt", "--to", "es")
        assert declined.returncode == 1 and "Start 1 run for 1 credit?" in declined.stderr
        assert books() == (50, 0, [], [])
        # "y": it runs, at the price shown
        agreed = _on_a_terminal(service, key, tmp_path, b"y\n", "ask.txt", "--to", "es")
        assert agreed.returncode == 0, agreed.stderr
        assert "casa" in (tmp_path / "ask.es.txt").read_text()
        balance, held, runs, _files = books()
        assert (balance, held, len(runs), runs[0]["credits"]) == (49, 0, 1, 1)
        # again with --yes: served from memory, so free, and said so before it starts
        again = cli(service, "translate", "--yes", "ask.txt", "--to", "es", "-o", "again.txt", key=key, cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        said = " ".join(again.stderr.split())
        assert "ask.txt → es: 0 credits · 1 page · 2 of 2 segments from memory" in said
        assert "Total: 0 credits" in said and "1 of 1 translations done; 0 credits" in said
        assert books()[:2] == (49, 0)


def test_output_folder_and_single_output_file(service: Service, key: str, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(STORY)
    b.write_bytes(b"The cat is small.\n")
    done = cli(service, "translate", "--yes", str(a), str(b), "--to", "es", "-o", str(tmp_path / "out"), key=key)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.es.txt", "b.es.txt"]
    assert "gato" in (tmp_path / "out" / "b.es.txt").read_text()
    single = tmp_path / "named" / "result.txt"
    done = cli(service, "translate", "--yes", str(a), "--to", "ca", "-o", str(single), key=key)
    assert done.returncode == 0, done.stderr
    assert "gos" in single.read_text() and done.stdout.strip() == str(single)


def test_unsupported_language_fails_with_reason(service: Service, key: str, tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_bytes(STORY)
    done = cli(service, "translate", "--yes", str(tmp_path / "story.txt"), "--to", "de", key=key)
    assert done.returncode == 1
    assert "unsupported_language" in done.stderr and "cannot translate en to de" in " ".join(done.stderr.split())
    assert [p.name for p in tmp_path.iterdir()] == ["story.txt"]


def test_bad_file_fails_but_the_good_one_is_written(service: Service, key: str, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_bytes(STORY)
    (tmp_path / "empty.txt").write_bytes(b"")
    done = cli(service, "translate", "--yes", "good.txt", "empty.txt", "--to", "es", key=key, cwd=tmp_path)
    assert done.returncode == 1
    assert "empty.txt → es" in done.stderr and "empty_file" in done.stderr
    assert "1 of 2 translations done" in done.stderr
    assert "casa" in (tmp_path / "good.es.txt").read_text()
    assert not (tmp_path / "empty.es.txt").exists()


def test_bad_key_missing_key_and_no_server(service: Service, tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_bytes(STORY)
    done = cli(service, "translate", "--yes", str(tmp_path / "story.txt"), "--to", "es", key="pd_wrong")
    assert done.returncode == 1 and "unauthorized" in done.stderr and "API key" in done.stderr
    env = {k: v for k, v in service.env.items() if k != "POLYDOC_API_KEY"}
    missing = subprocess.run([*POLYDOC, "runs", "list", "--server", service.base_url], env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "POLYDOC_API_KEY" in missing.stderr
    down = cli(service, "files", "list", key="k", env={"POLYDOC_SERVER": "http://127.0.0.1:9"})
    assert down.returncode == 1 and "connection_failed" in down.stderr


def test_runs_list_show_cancel(service: Service, key: str, tmp_path: Path) -> None:
    (tmp_path / "list-me.txt").write_bytes(STORY)
    assert cli(service, "translate", "--yes", str(tmp_path / "list-me.txt"), "--to", "es", key=key).returncode == 0
    runs = json.loads(cli(service, "runs", "list", "--json", key=key).stdout)
    mine = next(r for r in runs if r["target_language"] == "es" and r["status"] == "Succeeded")
    table = cli(service, "runs", "list", key=key)
    assert table.returncode == 0 and mine["id"][:8] in table.stdout and "list-me.txt" in table.stdout
    show = cli(service, "runs", "show", mine["id"][:8], key=key)  # a unique beginning of the id will do
    assert show.returncode == 0 and "Succeeded" in show.stdout and "apertium" in show.stdout
    assert mine["id"] in show.stdout

    with service.client(key) as c:  # a long run, so it is still going when we cancel it
        f = upload(c, "long.txt", LONG)
        run = c.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"}).json()
    cancelled = cli(service, "runs", "cancel", run["id"], key=key)
    assert cancelled.returncode == 0, cancelled.stderr
    after = json.loads(cli(service, "runs", "show", run["id"], "--json", key=key).stdout)
    assert after["status"] == "Failed" and after["error"]["code"] == "cancelled"
    again = cli(service, "runs", "cancel", run["id"], key=key)
    assert again.returncode == 1 and "run_finished" in again.stderr
    failed = json.loads(cli(service, "runs", "list", "--status", "failed", "--json", key=key).stdout)
    assert run["id"] in {r["id"] for r in failed} and all(r["status"] == "Failed" for r in failed)
    shown = cli(service, "runs", "show", run["id"], key=key)
    assert shown.returncode == 1 and "cancelled" in shown.stdout  # a failed run: non-zero, with its reason
    unknown = cli(service, "runs", "show", "00000000-0000-0000-0000-000000000000", key=key)
    assert unknown.returncode == 1 and "not_found" in unknown.stderr
    unknown = cli(service, "runs", "cancel", "zzzz", key=key)
    assert unknown.returncode == 1 and "not_found" in unknown.stderr


def test_files_list_download_delete(service: Service, key: str, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_bytes(STORY)
    assert cli(service, "translate", "--yes", str(tmp_path / "keep.txt"), "--to", "es", key=key).returncode == 0
    files = json.loads(cli(service, "files", "list", "--json", key=key).stdout)
    original = next(f for f in files if f["filename"] == "keep.txt")
    output = next(f for f in files if f["filename"] == "keep.es.txt")
    table = cli(service, "files", "list", key=key)
    assert table.returncode == 0 and original["id"][:8] in table.stdout and "keep.es.txt" in table.stdout

    here = tmp_path / "downloads"
    here.mkdir()
    got = cli(service, "files", "download", output["id"][:8], key=key, cwd=here)  # its own name, in the cwd
    assert got.returncode == 0, got.stderr
    assert (here / "keep.es.txt").read_text() == (tmp_path / "keep.es.txt").read_text()
    got = cli(service, "files", "download", original["id"], "-o", str(here / "copy.txt"), key=key)
    assert got.returncode == 0 and (here / "copy.txt").read_bytes() == STORY

    deleted = cli(service, "files", "delete", original["id"], key=key)
    assert deleted.returncode == 0 and "keep.txt" in deleted.stdout
    remaining = json.loads(cli(service, "files", "list", "--json", key=key).stdout)
    assert original["id"] not in {f["id"] for f in remaining}
    gone = cli(service, "files", "download", original["id"], key=key, cwd=here)
    assert gone.returncode == 1 and "not_found" in gone.stderr


def test_translate_without_server_still_works_locally(service: Service, tmp_path: Path) -> None:
    src = tmp_path / "local.txt"
    src.write_bytes(STORY)
    env = {k: v for k, v in service.env.items() if k not in ("POLYDOC_SERVER", "POLYDOC_API_KEY")}
    done = subprocess.run([*POLYDOC, "translate", str(src), "--to", "es", "-o", str(tmp_path / "x.txt")],
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "x.txt") and "casa" in (tmp_path / "x.txt").read_text()


# -- the client on its own (no server) ------------------------------------------------------------


def _run(status: str, progress: float) -> dict:
    return {"id": "r1", "status": status, "progress": progress, "stage": "translating"}


def test_follow_reads_server_sent_events() -> None:
    import httpx

    from polydoc.client import Remote

    stream = (
        f"event: run\nid: a\ndata: {json.dumps(_run('Running', 0.5))}\n\n: keep-alive\n\n"
        f"event: run\ndata: {json.dumps(_run('Succeeded', 1.0))}\n\n"
    )

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer k"
        assert request.url.path == "/v1/runs/r1/events"
        return httpx.Response(200, text=stream, headers={"content-type": "text/event-stream"})

    seen: list[float] = []
    with Remote("http://x", "k", transport=httpx.MockTransport(handler)) as remote:
        final = remote.follow("r1", lambda run: seen.append(run["progress"]))
    assert final["status"] == "Succeeded" and seen == [0.5, 1.0]


def test_follow_falls_back_to_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from polydoc import client as remote_module

    monkeypatch.setattr(remote_module, "POLL_SECONDS", 0)
    answers = iter([_run("Running", 0.2), _run("Running", 0.2), _run("Running", 0.7), _run("Failed", 0.7)])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/events"):  # a proxy that does not pass event streams
            return httpx.Response(404, text="<html>not here</html>")
        return httpx.Response(200, json=next(answers))

    seen: list[float] = []
    with remote_module.Remote("http://x", "k", transport=httpx.MockTransport(handler)) as remote:
        final = remote.follow("r1", lambda run: seen.append(run["progress"]))
    assert final["status"] == "Failed" and seen == [0.2, 0.7, 0.7]  # unchanged answers are not reported


def test_error_body_and_filenames() -> None:
    import httpx

    from polydoc.client import Remote, RemoteError, filename_from_disposition

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(402, json={"error": {"code": "insufficient_credits", "message": "Need 3 credits"}})

    with Remote("http://x", "k", transport=httpx.MockTransport(handler)) as remote:
        with pytest.raises(RemoteError) as caught:
            remote.create_run("f", "es")
    assert (caught.value.code, caught.value.message, caught.value.status) == ("insufficient_credits", "Need 3 credits", 402)
    header = "attachment; filename=\"r_sum_.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt"
    assert filename_from_disposition(header) == "résumé.txt"
    assert filename_from_disposition('attachment; filename="../../etc/passwd"') == "passwd"
    assert filename_from_disposition(None) is None
    assert filename_from_disposition('attachment; filename=".."') is None
    assert filename_from_disposition('attachment; filename="a\\b.txt"') == "b.txt"


def test_waits_out_429_and_repeats_with_the_same_idempotency_key() -> None:
    import httpx

    from polydoc.client import Remote

    keys: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["idempotency-key"])
        if len(keys) == 1:
            body = {"error": {"code": "too_many_runs", "message": "The account already has 50 runs in progress"}}
            return httpx.Response(429, json=body, headers={"Retry-After": "1"})
        return httpx.Response(200, json={"id": "r1", "status": "Running"})

    with Remote("http://x", "k", transport=httpx.MockTransport(handler)) as remote:
        assert remote.create_run("f1", "es")["id"] == "r1"
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 32

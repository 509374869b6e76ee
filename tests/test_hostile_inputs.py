"""Hostile and broken uploads (issue 8): each is refused clearly or handled safely, in bounded
time and memory, while the service keeps answering.

A dedicated server runs the whole corpus (tests/builders/hostile.py). Around it, a monitor
samples the resident memory of every process of the server (API, worker, engine pipes) ten
times a second and polls /healthz four times a second, and a canary HTTP server that every
external entity points at records any request. Every input must end in one of two ways:

* refused: a 4xx with an `error.code` at upload, or an upload accepted and a run that ends
  `Failed` with one of the expected codes;
* translated, when the input is valid after all (a zip kept inside a member, an SVG image
  that is never parsed, HTML, whose parser never reads a DTD, 200,000 runs): the run
  succeeds and its output holds no expanded entity and nothing read from the server.

The server runs with the tests' 3 s lease, so a valid document whose stages take far longer
(200,000 runs: about 10 s to read, 20 s to rebuild) also shows that the worker keeps its lease
through a long stage: the run is worked on exactly once (`attempts == 1`).
"""

from __future__ import annotations

import http.server
import io
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.builders import hostile
from tests.builders.hostile import Hostile
from tests.helpers import Service, start_serve, translate, upload, wait_run

MB = 1024 * 1024
RSS_GROWTH_LIMIT = 500 * MB  # per server process, above its RSS once warmed up
LEAKS = re.compile(r"Traceback|File \"|\.py\b|site-packages|/tmp/|/var/|/home/|/work/|polydoc-(upload|run)-")
PASSWD = re.compile(rb"root:[^:\n]*:0:0:")


# -- the observers --------------------------------------------------------------------------------


class Canary(http.server.ThreadingHTTPServer):
    """Records every request: an XML parser that fetches an external entity shows up here."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                canary.hits.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'<!ENTITY leak "CANARY-CONTENT">')

            def log_message(self, *_args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/xxe.dtd"


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants, from the parent ids in /proc/<pid>/stat."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        tree += frontier
    return tree


def rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def process_name(pid: int) -> str:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return str(pid)
    words = [a.decode(errors="replace") for a in args if a]
    if "polydoc" in words:  # python -m polydoc serve|worker
        i = words.index("polydoc")
        return words[i + 1] if i + 1 < len(words) else "polydoc"
    return Path(words[0]).name if words else str(pid)


@dataclass
class Monitor:
    """Samples the RSS of every process of the server (API, worker, engine pipes) and polls
    /healthz, each from a thread of its own. Growth is per process: each process's RSS above
    what it had when the monitor started; a process that appeared later grew from nothing."""

    root_pid: int
    health_url: str
    samples: int = 0
    polls: int = 0
    slowest_poll: float = 0.0
    failures: list[str] = field(default_factory=list)
    baseline: dict[int, int] = field(default_factory=dict)
    peak: dict[int, int] = field(default_factory=dict)  # the highest RSS of each process
    window: dict[int, int] = field(default_factory=dict)  # the highest since mark()
    names: dict[int, str] = field(default_factory=dict)
    peak_total: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for pid in process_tree(self.root_pid):
            self.baseline[pid], self.names[pid] = rss(pid), process_name(pid)
        self._record(list(self.baseline))
        self._threads = [
            threading.Thread(target=self._sample, name="rss", daemon=True),
            threading.Thread(target=self._poll, name="healthz", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def mark(self) -> None:
        """Start a new window: `window` holds each process's highest RSS from now on."""
        self.window = {pid: rss(pid) for pid in self.baseline}

    def growth(self, *, window: bool = False) -> dict[str, int]:
        """Bytes above its baseline that each process reached (in the window, or ever)."""
        seen = self.window if window else self.peak
        return {f"{self.names[pid]} ({pid})": seen[pid] - self.baseline[pid] for pid in seen}

    def _record(self, pids: list[int]) -> int:
        total = 0
        for pid in pids:
            value = rss(pid)
            if not value:
                continue
            if pid not in self.baseline:  # sampled up to a second late: its growth counts from 0
                self.baseline[pid], self.names[pid] = 0, process_name(pid)
            self.peak[pid] = max(self.peak.get(pid, 0), value)
            self.window[pid] = max(self.window.get(pid, 0), value)
            total += value
        return total

    def _sample(self) -> None:
        pids, refreshed = [self.root_pid], 0.0
        while not self._stop.wait(0.1):
            if time.monotonic() - refreshed > 1.0:  # engine pipes come and go
                pids, refreshed = process_tree(self.root_pid), time.monotonic()
            self.peak_total = max(self.peak_total, self._record(pids))
            self.samples += 1

    def _poll(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self._stop.wait(0.25):
                started = time.monotonic()
                try:
                    status = client.get(self.health_url).status_code
                    if status != 200:
                        self.failures.append(f"/healthz answered {status}")
                except httpx.HTTPError as exc:
                    self.failures.append(f"/healthz failed: {exc!r}")
                self.polls += 1
                self.slowest_poll = max(self.slowest_poll, time.monotonic() - started)


@dataclass
class Rig:
    svc: Service
    monitor: Monitor
    canary: Canary


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    svc = start_serve(tmp_path_factory.mktemp("hostile"))
    svc.key = svc.new_account("hostile", credits=100_000)
    canary = Canary()
    threading.Thread(target=canary.serve_forever, daemon=True).start()
    with svc.client() as c:  # warm up: worker, engine pipe and language model loaded before the baselines
        translate(c, "warm.txt", f"{hostile.TEXT}\n".encode())
    monitor = Monitor(svc.procs["serve"].pid, f"{svc.base_url}/healthz")
    monitor.start()
    try:
        yield Rig(svc, monitor, canary)
    finally:
        monitor.stop()
        canary.shutdown()
        canary.server_close()
        svc.stop()


# -- helpers --------------------------------------------------------------------------------------


def _mb(growth: dict[str, int]) -> str:
    return ", ".join(f"{name} {value / MB:+.0f} MB" for name, value in growth.items())


def assert_clean(message: str, svc: Service) -> None:
    assert message and not LEAKS.search(message), message
    assert str(svc.data_dir) not in message, message


def readable_bytes(data: bytes) -> bytes:
    """The bytes to search for leaked content: every member of an archive, inflated (bounded)."""
    if not data.startswith(b"PK\x03\x04"):
        return data
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.filename.endswith(".zip"):
                continue
            with zf.open(info) as fh:
                out.append(fh.read(8 * MB))
    return b"\n".join(out)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if i.file_size < 8 * MB}


def run_to_end(c: httpx.Client, file_id: str, timeout: float) -> dict:
    resp = c.post(
        "/v1/runs", json={"input_file_id": file_id, "target_language": "es", "source_language": "en"}
    )
    assert resp.status_code == 200, resp.text
    return wait_run(c, resp.json()["id"], timeout=timeout)


# -- the corpus -----------------------------------------------------------------------------------

CASES = hostile.corpus()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input(rig: Rig, case: Hostile) -> None:
    data = case.make(rig.canary.url)
    hits = len(rig.canary.hits)
    rig.monitor.mark()
    started = time.monotonic()
    with rig.svc.client() as c:
        resp = c.post("/v1/files", files={"data": (case.filename, data)})
        if resp.status_code != 200:
            body = resp.json()
            assert case.refused, f"{case.name} must be translated, but the upload got {resp.text}"
            assert resp.status_code in case.statuses, resp.text
            assert set(body) == {"error"} and body["error"]["code"] in case.codes, resp.text
            assert_clean(body["error"]["message"], rig.svc)
        else:
            run = run_to_end(c, resp.json()["id"], timeout=case.seconds)
            if case.refused:
                assert run["status"] == "Failed", run
                assert run["error"]["code"] in case.codes, run
                assert_clean(run["error"]["message"], rig.svc)
                assert run["output_file_id"] is None and run["credits"] is None
            else:
                assert run["status"] == "Succeeded" and run["attempts"] == 1, run
                out = c.get(f"/v1/files/{run['output_file_id']}/download")
                assert out.status_code == 200
                check_translated(case, data, out.content)
    elapsed = time.monotonic() - started
    growth = rig.monitor.growth(window=True)
    assert elapsed < case.seconds, f"{case.name} took {elapsed:.1f} s"
    assert max(growth.values()) < RSS_GROWTH_LIMIT, f"{case.name}: RSS growth {_mb(growth)}"
    assert rig.canary.hits[hits:] == [], f"{case.name}: the server fetched {rig.canary.hits[hits:]}"


def check_translated(case: Hostile, data: bytes, output: bytes) -> None:
    """A valid input that carried something hostile: the output expands and reads nothing."""
    text = readable_bytes(output)
    assert not PASSWD.search(text), "the output holds /etc/passwd"
    assert b"CANARY-CONTENT" not in text and b"lollollol" not in text
    assert len(output) < 4 * len(data) + MB, "the output is far larger than the input"
    if case.name == "zip-nested-embedded":  # the inner archive is copied, never opened
        assert members(output)["word/embeddings/bomb.zip"] == hostile.nested_zip_bomb()
    if case.name == "docx-200k-runs":
        assert text.count(b"<w:b/>") >= 1000  # the bold runs are still there


# -- file names -----------------------------------------------------------------------------------

NAMES = [
    (b"../../etc/passwd.txt", "passwd.txt"),
    (b"..\\..\\windows\\win.ini.txt", "win.ini.txt"),
    (b"/srv/polydoc/data/blobs/x.txt", "x.txt"),
    (b"rep\x01ort\x1b[31m\x7f.txt", "rep_ort_[31m_.txt"),
    (b"tab\there\x0b.txt", "tab_here_.txt"),
    (b"nul\x00byte.txt", "nul_byte.txt"),
    ("c1\u0085\u009bcontrols.txt".encode(), "c1__controls.txt"),
    ("\u202etxt.exe".encode(), "_txt.exe"),
    ("line\u2028sep.txt".encode(), "line_sep.txt"),
    (b"a" * 296 + b".txt", "a" * 196 + ".txt"),
    (("\u00e9" * 300 + ".txt").encode(), "\u00e9" * 196 + ".txt"),
    (b"..", "document"),
]


def multipart(filename: bytes, content: bytes) -> bytes:
    """A form with the filename's bytes as they are (httpx would percent-encode controls)."""
    return (
        b'--BOUNDARY\r\nContent-Disposition: form-data; name="data"; filename="'
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + content
        + b"\r\n--BOUNDARY--\r\n"
    )


def disposition_name(header: str) -> tuple[str, str]:
    """(filename, filename*) of a Content-Disposition header, checked for injection."""
    from urllib.parse import unquote

    assert header.isprintable() and header.isascii(), header
    match = re.fullmatch(
        r"attachment; filename=\"([^\"\\]*)\"; filename\*=UTF-8''([A-Za-z0-9%._~!$&'()*+,=:@-]*)", header
    )
    assert match, header
    return match.group(1), unquote(match.group(2))


@pytest.mark.parametrize("raw,clean", NAMES, ids=[f"name{i}" for i in range(len(NAMES))])
def test_weird_filename_is_sanitised(rig: Rig, raw: bytes, clean: str) -> None:
    started = time.monotonic()
    headers = {"Content-Type": "multipart/form-data; boundary=BOUNDARY"}
    with rig.svc.client() as c:
        resp = c.post("/v1/files", content=multipart(raw, f"{hostile.TEXT}\n".encode()), headers=headers)
        assert resp.status_code == 200, resp.text
        f = resp.json()
        assert f["filename"] == clean
        assert [x["filename"] for x in c.get("/v1/files", params={"limit": 1}).json()] == [clean]
        ascii_name, utf8_name = disposition_name(
            c.get(f"/v1/files/{f['id']}/download").headers["content-disposition"]
        )
        assert utf8_name == clean and "/" not in ascii_name and ".." not in ascii_name.strip(".")
        run = run_to_end(c, f["id"], timeout=20)
        assert run["status"] == "Succeeded", run
        out = c.get(f"/v1/files/{run['output_file_id']}")
        stem, dot, ext = clean.rpartition(".")
        assert out.json()["filename"] == (f"{stem}.es.{ext}" if dot else f"{clean}.es")
        _, out_name = disposition_name(
            c.get(f"/v1/files/{run['output_file_id']}/download").headers["content-disposition"]
        )
        assert out_name == out.json()["filename"]
    assert time.monotonic() - started < 20


# -- the whole time -------------------------------------------------------------------------------


def test_service_stayed_up_and_bounded(rig: Rig) -> None:
    """Runs last: /healthz never failed, nothing was fetched, memory stayed bounded, and a normal
    document still translates."""
    monitor = rig.monitor
    assert monitor.polls > 20 and monitor.samples > 50, (monitor.polls, monitor.samples)
    assert monitor.failures == [], monitor.failures[:5]
    assert rig.canary.hits == []
    growth = monitor.growth()
    assert max(growth.values()) < RSS_GROWTH_LIMIT, f"RSS growth {_mb(growth)}"
    assert {"serve", "worker"} <= {name.split()[0] for name in growth}, growth  # both were watched
    with rig.svc.client() as c:
        f = upload(c, "after.txt", b"The house is big.\n")
        assert run_to_end(c, f["id"], timeout=20)["status"] == "Succeeded"

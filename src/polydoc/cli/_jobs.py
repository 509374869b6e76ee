"""The remote CLI's batch runner: every file × language as one job, over `polydoc.client`.

`run_jobs` uploads, runs, follows and downloads them all and reports each job's changes through
a callback, so `polydoc translate --server` only draws.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from polydoc.cli.paths import output_path
from polydoc.client import Remote, RemoteError


@dataclass
class Job:
    """One input file into one language: its upload, its run and where the result went."""

    path: Path
    target: str
    file: dict | None = None
    run: dict | None = None
    output: Path | None = None
    error: RemoteError | None = None

    @property
    def label(self) -> str:
        return f"{self.path.name} → {self.target}"


@dataclass
class JobsOutcome:
    jobs: list[Job] = field(default_factory=list)

    @property
    def failed(self) -> list[Job]:
        return [j for j in self.jobs if j.error is not None]


def run_jobs(
    remote: Remote,
    paths: list[Path],
    targets: list[str],
    *,
    source: str | None = None,
    engine: str | None = None,
    output: Path | None = None,
    on_job: Callable[[Job], None] | None = None,
    parallel: int = 8,
) -> JobsOutcome:
    """Upload each file once, start one run per language, follow them all, download the results.

    Runs are followed (`parallel` at a time) from the moment they start, while later files still
    upload. A failure of one file or run is recorded on its job and the others carry on; failures
    that concern every job (bad key, server unreachable) raise `RemoteError` at once. On Ctrl-C the
    runs still going are cancelled.
    """
    result = JobsOutcome([Job(p, t) for p in paths for t in targets])
    notify = on_job or (lambda _job: None)
    many = len(result.jobs) > 1
    by_path: dict[Path, list[Job]] = {}
    for job in result.jobs:
        by_path.setdefault(job.path, []).append(job)
    pool = ThreadPoolExecutor(max_workers=max(1, min(parallel, len(result.jobs))))
    try:
        pending = set()
        for path, jobs in by_path.items():
            _start(remote, path, jobs, source=source, engine=engine, notify=notify)
            pending |= {
                pool.submit(_finish, remote, job, output=output, many=many, notify=notify)
                for job in jobs
                if job.run is not None
            }
        while pending:  # short waits keep Ctrl-C responsive
            _done, pending = wait(pending, timeout=0.5)
    except KeyboardInterrupt:
        cancel_running(remote, result.jobs)  # before the pool waits for its streams: they end with the runs
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return result


def _start(
    remote: Remote,
    path: Path,
    jobs: list[Job],
    *,
    source: str | None,
    engine: str | None,
    notify: Callable[[Job], None],
) -> None:
    """Upload one file and start its runs (waiting while the server has too many runs going)."""
    try:
        uploaded = remote.upload(path)
    except RemoteError as exc:
        if exc.status in (None, 401):
            raise
        for job in jobs:
            job.error = exc
            notify(job)
        return
    for job in jobs:
        job.file = uploaded
        try:
            job.run = remote.create_run(uploaded["id"], job.target, source=source, engine=engine)
        except RemoteError as exc:
            if exc.status in (None, 401):
                raise
            job.error = exc
        notify(job)
    if all(job.run is None for job in jobs):  # nothing will use it: do not leave it behind
        try:
            remote.delete_file(uploaded["id"])
        except RemoteError:
            pass


def _finish(
    remote: Remote, job: Job, *, output: Path | None, many: bool, notify: Callable[[Job], None]
) -> None:
    """Follow one run to its end and download its result."""
    assert job.run is not None

    def changed(run: dict) -> None:
        job.run = run
        notify(job)

    try:
        job.run = remote.follow(job.run["id"], changed)
        if job.run["status"] != "Succeeded":
            error = job.run.get("error") or {}
            job.error = RemoteError(error.get("code") or "failed", error.get("message") or "The run failed")
        else:
            job.output = remote.download(
                job.run["output_file_id"],
                lambda name: output_path(
                    job.path,
                    job.target,
                    output,
                    many=many,
                    suffix=PurePosixPath(name).suffix or job.path.suffix,
                ),
            )
    except RemoteError as exc:
        job.error = exc
    notify(job)


def cancel_running(remote: Remote, jobs: list[Job]) -> list[Job]:
    """Cancel the runs among `jobs` that have not ended; returns the jobs cancelled."""
    cancelled = []
    for job in jobs:
        if job.run and job.run.get("status") == "Running":
            try:
                job.run = remote.cancel_run(job.run["id"])
                cancelled.append(job)
            except RemoteError:
                pass  # it ended meanwhile
    return cancelled

"""The remote CLI's batch runner: every file × language as one job, over `polydoc.client`.

`prepare_jobs` uploads each file once and asks the server what each run would cost (nothing is
held); the caller shows the prices and asks. `run_jobs` then starts, follows and downloads them
all, each run capped at its estimate (`max_credits`: the server refuses one that would cost more
than was agreed), and reports each job's changes through a callback, so `polydoc translate
--server` only draws. `discard_jobs` removes the uploads when the user says no.
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
    estimate: dict | None = None
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

    @property
    def priced(self) -> list[Job]:
        """The jobs ready to start: uploaded and estimated."""
        return [j for j in self.jobs if j.estimate is not None and j.error is None]

    @property
    def credits(self) -> int:
        return sum(j.estimate["credits"] for j in self.priced if j.estimate)


def _fatal(exc: RemoteError) -> bool:
    """A failure that concerns every job (bad key, server unreachable), not one file."""
    return exc.status in (None, 401)


def prepare_jobs(
    remote: Remote,
    paths: list[Path],
    targets: list[str],
    *,
    source: str | None = None,
    engine: str | None = None,
) -> JobsOutcome:
    """Upload each file once and estimate each of its runs; nothing is held yet.

    A failure of one file or estimate is recorded on its job; failures that concern every job
    raise `RemoteError`. An upload no job can use is deleted again."""
    result = JobsOutcome([Job(p, t) for p in paths for t in targets])
    by_path: dict[Path, list[Job]] = {}
    for job in result.jobs:
        by_path.setdefault(job.path, []).append(job)
    try:
        for path, jobs in by_path.items():
            _prepare(remote, path, jobs, source=source, engine=engine)
    except BaseException:
        discard_jobs(remote, result)
        raise
    return result


def _prepare(remote: Remote, path: Path, jobs: list[Job], *, source: str | None, engine: str | None) -> None:
    try:
        uploaded = remote.upload(path)
    except RemoteError as exc:
        if _fatal(exc):
            raise
        for job in jobs:
            job.error = exc
        return
    for job in jobs:
        job.file = uploaded
        try:
            job.estimate = remote.estimate(uploaded["id"], job.target, source=source, engine=engine)
        except RemoteError as exc:
            if _fatal(exc):
                raise
            job.error = exc
    if all(job.estimate is None for job in jobs):  # nothing will use it: do not leave it behind
        _delete(remote, uploaded["id"])
        for job in jobs:
            job.file = None


def discard_jobs(remote: Remote, outcome: JobsOutcome) -> None:
    """Delete the uploads no run uses (the user declined the price, or every run was refused)."""
    uploaded = {j.file["id"] for j in outcome.jobs if j.file is not None}
    used = {j.file["id"] for j in outcome.jobs if j.file is not None and j.run is not None}
    for file_id in uploaded - used:
        _delete(remote, file_id)


def _delete(remote: Remote, file_id: str) -> None:
    try:
        remote.delete_file(file_id)
    except RemoteError:
        pass  # already gone, or the server went away: it expires anyway


def run_jobs(
    remote: Remote,
    outcome: JobsOutcome,
    *,
    source: str | None = None,
    engine: str | None = None,
    output: Path | None = None,
    on_job: Callable[[Job], None] | None = None,
    parallel: int = 8,
) -> JobsOutcome:
    """Start the priced jobs' runs (each at most its estimate), follow them, download the results.

    Runs are followed (`parallel` at a time) from the moment they start, while later ones still
    start. A failure of one run is recorded on its job and the others carry on; failures that
    concern every job (bad key, server unreachable) raise `RemoteError` at once. On Ctrl-C the
    runs still going are cancelled.
    """
    result = outcome
    notify = on_job or (lambda _job: None)
    many = len(result.jobs) > 1
    pool = ThreadPoolExecutor(max_workers=max(1, min(parallel, len(result.jobs))))
    try:
        pending = set()
        for job in result.priced:
            _start(remote, job, source=source, engine=engine, notify=notify)
            if job.run is not None:
                pending.add(pool.submit(_finish, remote, job, output=output, many=many, notify=notify))
        discard_jobs(remote, result)  # a file whose every run was refused
        while pending:  # short waits keep Ctrl-C responsive
            _done, pending = wait(pending, timeout=0.5)
    except KeyboardInterrupt:
        cancel_running(remote, result.jobs)  # before the pool waits for its streams: they end with the runs
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return result


def _start(
    remote: Remote, job: Job, *, source: str | None, engine: str | None, notify: Callable[[Job], None]
) -> None:
    """Start one job's run, capped at the price shown (waiting while the server has too many runs going)."""
    assert job.file is not None and job.estimate is not None
    try:
        job.run = remote.create_run(
            job.file["id"], job.target, source=source, engine=engine, max_credits=job.estimate["credits"]
        )
    except RemoteError as exc:
        if _fatal(exc):
            raise
        job.error = exc
    notify(job)


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

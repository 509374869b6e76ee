"""`polydoc translate`: on this machine, or through a server with `--server`."""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn
from rich.text import Text

from polydoc.config import configure

if TYPE_CHECKING:
    from polydoc.cli._jobs import Job, JobsOutcome
    from polydoc.client import Remote

from polydoc.cli._shared import (
    ApiKey,
    DataDir,
    Server,
    _connect,
    _count,
    _credits,
    _duration,
    _fail,
    _run_bar,
    _why,
    app,
    err,
)


def _languages(value: str) -> list[str]:
    targets = list(dict.fromkeys(t.strip() for t in value.split(",") if t.strip()))
    if not targets:
        raise typer.BadParameter("give at least one language, e.g. --to es or --to es,ca", param_hint="--to")
    return targets


@app.command()
def translate(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="Documents to translate")],
    to: Annotated[str, typer.Option("--to", help="Target language(s), comma separated: es or es,ca")],
    source: Annotated[str | None, typer.Option("--from", help="Source language (else detected)")] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Output file (one file, one language) or folder (default: beside the input)",
        ),
    ] = None,
    engine: Annotated[
        str | None, typer.Option(help="Engine (default: apertium here, the server's default with --server)")
    ] = None,
    server: Server = None,
    api_key: ApiKey = None,
    data_dir: DataDir = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="With --server: start the runs at the estimated price without asking"
        ),
    ] = False,
) -> None:
    """Translate documents: on a Polydoc server with --server, else on this machine.

    With --server the price of every run is shown first and asked for (--yes: don't ask); each run
    is then refused by the server if it would cost more than shown. Here there are no credits."""
    from polydoc.cli.paths import output_path

    targets = _languages(to)
    many = len(files) * len(targets) > 1
    outputs = [output_path(f, t, output, many=many) for f in files for t in targets]
    clash = next((p for p in outputs if outputs.count(p) > 1), None)
    if clash is not None:
        raise typer.BadParameter(f"two translations would both be written to {clash}; rename an input")
    if server:
        _translate_remote(
            files,
            targets,
            source=source,
            engine=engine,
            output=output,
            server=server,
            api_key=api_key,
            yes=yes,
        )
    else:
        from polydoc.engines import close_all

        configure(data_dir=data_dir.resolve() if data_dir else None)
        failed: list[str] = []
        try:
            for file in files:
                for target in targets:  # one failure must not cost the other languages theirs
                    ok = _translate_local(
                        file,
                        target,
                        source=source,
                        engine=engine or "apertium",
                        output=output_path(file, target, output, many=many),
                    )
                    if not ok:
                        failed.append(f"{file.name} → {target}")
        finally:
            close_all()  # Apertium's processes end with us, not after
        if failed:
            done = len(files) * len(targets) - len(failed)
            err.print(
                f"[red]{len(failed)} of {len(files) * len(targets)} translations failed:[/] "
                f"{escape(', '.join(failed))} ({done} done)"
            )
            raise typer.Exit(1)


class _LocalProgress(ProgressColumn):
    """Segments read so far while the document is still being read, then the share done and the
    time left (the total is known once extraction has finished)."""

    def render(self, task: Task) -> Text:
        if task.total is None:
            return Text(f"{task.completed:,.0f} segments so far")
        left = task.time_remaining
        eta = f" · {_duration(left)} left" if left is not None and task.completed < task.total else ""
        return Text(f"{task.percentage:.0f}% · {task.completed:,.0f}/{task.total:,.0f} segments{eta}")


def _translate_local(file: Path, target: str, *, source: str | None, engine: str, output: Path) -> bool:
    """Translate one file into one language here; False (and the reason printed) when it failed."""
    from polydoc.errors import PolydocError
    from polydoc.pipeline.local import translate_file

    with Progress(TextColumn("{task.description}"), BarColumn(), _LocalProgress(), console=err) as bar:
        task = bar.add_task(f"Translating {escape(file.name)} → {escape(target)}", total=None)
        try:
            result = translate_file(
                file,
                target=target,
                source=source,
                output=output,
                engine=engine,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except PolydocError as exc:
            err.print(
                f"[red]Error ({exc.code}):[/] {escape(file.name)} → {escape(target)}: {escape(exc.message)}"
            )
            return False
    for warning in result.warnings[:20]:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    err.print(
        f"{result.segments:,} segments ({result.unique_segments:,} unique) via {escape(result.route)}; "
        f"{result.input_tokens:,} input / {result.output_tokens:,} output tokens"
    )
    print(result.output)
    return True


def _job_state(job: Job) -> str:
    if job.error is not None:
        return f"[red]✗ {escape(job.error.code)}[/]"
    if job.output is not None:
        return "[green]✓ saved[/]"
    run = job.run
    if run is None:
        return "uploading"
    if run["status"] == "Succeeded":
        return "downloading"
    eta = run.get("eta_seconds")
    return escape(run.get("stage") or "") + (f" · {_duration(eta)} left" if eta else "")


def _translate_remote(
    files: list[Path],
    targets: list[str],
    *,
    source: str | None,
    engine: str | None,
    output: Path | None,
    server: str,
    api_key: str | None,
    yes: bool,
) -> None:
    from polydoc.cli._jobs import discard_jobs, prepare_jobs

    with _connect(server, api_key) as remote:
        try:
            with err.status("Uploading and pricing…"):
                prepared = prepare_jobs(remote, files, targets, source=source, engine=engine)
        except KeyboardInterrupt:
            err.print("[yellow]Interrupted:[/] nothing was started.")
            raise typer.Exit(130) from None
        _show_estimates(prepared)
        if prepared.priced and not _agreed(prepared, yes):
            discard_jobs(remote, prepared)
            raise typer.Exit(1)
        _run_remote(remote, prepared, source=source, engine=engine, output=output)


def _show_estimates(prepared: JobsOutcome) -> None:
    """One line per file × language: its price, pages, what memory serves, its route; then the total."""
    for job in prepared.jobs:
        e = job.estimate
        if e is None:
            continue
        cached = f"{e['segments_cached']:,} of {e['segments']:,} segments from memory or repeated"
        err.print(
            f"{escape(job.label)}: [bold]{_credits(e['credits'])}[/] · {_count(e['pages'], 'page')} · {cached} · "
            f"{escape(e['route'])}"
        )
        for warning in e.get("warnings") or ():
            err.print(f"  [yellow]warning:[/] {escape(warning)}")
    priced = prepared.priced
    if priced:
        balance = priced[0].estimate["balance"]  # type: ignore[index]
        err.print(
            f"Total: [bold]{_credits(prepared.credits)}[/] for {_count(len(priced), 'translation')}; "
            f"balance {balance:,} → {balance - prepared.credits:,}"
        )


def _agreed(prepared: JobsOutcome, yes: bool) -> bool:
    """--yes, or a yes at the prompt; without a terminal to ask on, no (and say how to go on)."""
    if yes:
        return True
    if not sys.stdin.isatty():
        err.print(
            f"[red]Not started:[/] confirm the price of {_credits(prepared.credits)} with --yes "
            "(stdin is not a terminal, so there is no one to ask)."
        )
        return False
    try:
        if typer.confirm(
            f"Start {_count(len(prepared.priced), 'run')} for {_credits(prepared.credits)}?", err=True
        ):
            return True
    except (typer.Abort, KeyboardInterrupt):
        err.print()
    err.print("Nothing was started; the uploads were removed.")
    return False


def _run_remote(
    remote: Remote,
    prepared: JobsOutcome,
    *,
    source: str | None,
    engine: str | None,
    output: Path | None,
) -> None:
    from polydoc.cli._jobs import run_jobs
    from polydoc.client import RemoteError

    lock = threading.Lock()
    with _run_bar() as bar:
        tasks = {
            (j.path, j.target): bar.add_task(escape(j.label), total=100, state="waiting")
            for j in prepared.jobs
        }
        for job in prepared.failed:
            bar.update(tasks[(job.path, job.target)], state=_job_state(job))

        def show(job: Job) -> None:
            progress = 100 if job.output else 100 * float((job.run or {}).get("progress") or 0)
            with lock:
                bar.update(tasks[(job.path, job.target)], completed=progress, state=_job_state(job))

        try:
            result = run_jobs(remote, prepared, source=source, engine=engine, output=output, on_job=show)
        except KeyboardInterrupt:
            bar.stop()
            err.print("[yellow]Interrupted:[/] the runs still going were cancelled.")
            raise typer.Exit(130) from None
        except RemoteError as exc:
            bar.stop()
            _fail(exc)
    for job in result.jobs:
        if job.output is not None:
            print(job.output)
    for job in result.failed:
        assert job.error is not None
        err.print(f"[red]Failed:[/] {escape(job.label)}: {_why(job.error)}")
    runs = [j.run for j in result.jobs if j.run]
    credits = sum(r.get("credits") or 0 for r in runs)
    tokens_in = sum(r.get("input_tokens") or 0 for r in runs)
    tokens_out = sum(r.get("output_tokens") or 0 for r in runs)
    done = len(result.jobs) - len(result.failed)
    err.print(
        f"{done} of {len(result.jobs)} translations done; {_credits(credits)}; "
        f"{tokens_in:,} input / {tokens_out:,} output tokens"
    )
    if result.failed:
        raise typer.Exit(1)

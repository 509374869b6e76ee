"""`polydoc runs` and `polydoc files`: objects on a Polydoc server."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from polydoc.cli._shared import (
    DEFAULT_SERVER,
    ApiKey,
    AsJson,
    RemoteServer,
    _connect,
    _print_json,
    _run_bar,
    _short,
    _size,
    _status,
    _when,
    _why,
    app,
    err,
    out,
)

# -- runs ----------------------------------------------------------------------------------------

runs_app = typer.Typer(help="Runs on a Polydoc server: list, show, cancel.", no_args_is_help=True)
files_app = typer.Typer(help="Files on a Polydoc server: list, download, delete.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")
app.add_typer(files_app, name="files")


class RunStatus(StrEnum):
    running = "Running"
    succeeded = "Succeeded"
    failed = "Failed"


@runs_app.command("list")
def runs_list(
    status: Annotated[RunStatus | None, typer.Option(case_sensitive=False, help="Only these runs")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first")] = 20,
    as_json: AsJson = False,
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """Your runs, newest first."""
    with _connect(server, api_key) as remote:
        runs = remote.list_runs(limit, status.value if status else None)
        names = {f["id"]: f["filename"] for f in remote.list_files(200)} if runs and not as_json else {}
    if as_json:
        return _print_json(runs)
    if not runs:
        err.print("No runs yet.")
        return
    table = Table("ID", "File", "To", "Status", "Credits", "Created", box=box.SIMPLE)
    for r in runs:
        table.add_row(
            _short(r["id"]),
            Text(names.get(r["input_file_id"], "?")),
            Text(r["target_language"]),
            _status(r),
            "" if r.get("credits") is None else str(r["credits"]),
            _when(r["created_at"]),
        )
    out.print(table)
    if err.is_terminal:
        err.print("Commands take an id or its first characters: polydoc runs show ID")


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or its first characters)")],
    wait: Annotated[bool, typer.Option("--wait", help="Follow the run until it ends")] = False,
    as_json: AsJson = False,
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """One run in detail (with --wait: follow it live until it ends); exits 1 if the run failed."""
    with _connect(server, api_key) as remote:
        run_id = remote.resolve("runs", run_id)
        if wait:
            with _run_bar(transient=True) as bar:
                task = bar.add_task(escape(run_id[:8]), total=100, state="")
                run = remote.follow(
                    run_id,
                    lambda r: bar.update(
                        task, completed=100 * (r.get("progress") or 0), state=escape(r.get("stage") or "")
                    ),
                )
        else:
            run = remote.get_run(run_id)
    if as_json:
        _print_json(run)
    else:
        table = Table("Field", "Value", show_header=False)
        for key, value in run.items():
            if value is None or value == []:
                continue
            if key == "error":
                value = f"{value['message']} ({value['code']})"
            elif key == "progress":
                value = f"{100 * value:.0f}%"
            elif key == "status":
                table.add_row(key, _status(run))
                continue
            elif key == "flag_counts":
                if not value:
                    continue
                from polydoc.quality import describe  # here: the CLI starts without the checks loaded

                value = describe(value)
            elif isinstance(value, list):
                value = "; ".join(map(str, value))
            table.add_row(key, Text("" if value is None else str(value)))
        out.print(table)
        if run.get("segments_flagged"):
            err.print(f"Flagged segments: polydoc runs segments {_short(run['id'])} --flagged")
    if run["status"] == "Failed":
        raise typer.Exit(1)


@runs_app.command("segments")
def runs_segments(
    run_id: Annotated[str, typer.Argument(help="Run id (or its first characters)")],
    flagged: Annotated[bool, typer.Option("--flagged", help="Only the segments the checks flagged")] = False,
    flag: Annotated[
        str | None, typer.Option(help="Only the segments with this flag (number_changed…)")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, in document order")] = 200,
    as_json: AsJson = False,
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """A run's segments: source, translation and quality flags, in document order."""
    with _connect(server, api_key) as remote:
        segments = remote.run_segments(remote.resolve("runs", run_id), limit, flagged=flagged, flag=flag)
    if as_json:
        return _print_json(segments)
    if not segments:
        err.print("No segments flagged." if flagged or flag else "No segments.")
        return
    for seg in segments:  # a list, not a table: segments are long and terminals narrow
        why = "; ".join(f"{d['flag']}: {d['detail']}" for d in seg["flag_details"])
        out.print(Text(f"#{seg['index']}  {why}" if why else f"#{seg['index']}", style="bold"))
        out.print(Text(f"    {seg['source']}"))
        out.print(Text(f"  → {seg['target']}"))


@runs_app.command("xliff")
def runs_xliff(
    run_id: Annotated[str, typer.Argument(help="Run id (or its first characters)")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write it")] = None,
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """Download the run as XLIFF 2.1, to review it in any CAT tool."""
    with _connect(server, api_key) as remote:
        saved = remote.run_xliff(remote.resolve("runs", run_id), output or (lambda name: Path(name)))
    err.print(f"Saved {escape(str(saved))}; edit the targets, then: polydoc runs apply-xliff {run_id} FILE")


@runs_app.command("apply-xliff")
def runs_apply_xliff(
    run_id: Annotated[str, typer.Argument(help="Run id (or its first characters)")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The edited XLIFF file")],
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """Apply an edited XLIFF's targets to the run and rebuild its output (no credits)."""
    with _connect(server, api_key) as remote:
        answer = remote.apply_xliff(remote.resolve("runs", run_id), file)
    run = answer["run"]
    err.print(
        f"{answer['segments_changed']} segment(s) changed; the reviewed output is file {run['output_file_id']}"
    )
    out.print(run["output_file_id"])


@runs_app.command("cancel")
def runs_cancel(
    run_ids: Annotated[list[str], typer.Argument(help="Run id(s), or their first characters")],
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """Cancel runs that have not ended (their credit hold is released)."""
    with _connect(server, api_key) as remote:

        def cancel(run_id: str) -> str:
            remote.cancel_run(remote.resolve("runs", run_id))
            return f"Cancelled {escape(run_id)}"

        _each(run_ids, cancel, "Not cancelled")


# -- files -----------------------------------------------------------------------------------------


@files_app.command("list")
def files_list(
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first")] = 20,
    as_json: AsJson = False,
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """Your uploaded and translated files, newest first."""
    with _connect(server, api_key) as remote:
        files = remote.list_files(limit)
    if as_json:
        return _print_json(files)
    if not files:
        err.print("No files yet.")
        return
    table = Table("ID", "Name", "Size", "Pages", "Lang", "Created", "Expires", box=box.SIMPLE)
    for f in files:
        table.add_row(
            _short(f["id"]),
            Text(f["filename"]),
            _size(f["size"]),
            str(f["num_pages"] or ""),
            Text(f.get("language") or ""),
            _when(f["created_at"]),
            Text("expired", style="red") if f.get("expired") else _when(f["expires_at"], date_only=True),
        )
    out.print(table)
    if err.is_terminal:
        err.print("Commands take an id or its first characters: polydoc files download ID")


@files_app.command("download")
def files_download(
    file_id: Annotated[str, typer.Argument(help="File id (or its first characters)")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File or folder (default: .)")] = None,
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """Download a file; saved under its own name unless -o says otherwise."""

    def where(name: str) -> Path:
        if output is None:
            return Path.cwd() / name
        return output / name if output.is_dir() else output

    with _connect(server, api_key) as remote:
        path = remote.download(remote.resolve("files", file_id), where)
    print(path)


@files_app.command("delete")
def files_delete(
    file_ids: Annotated[list[str], typer.Argument(help="File id(s), or their first characters")],
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """Delete files (their content is removed from storage)."""
    with _connect(server, api_key) as remote:

        def delete(file_id: str) -> str:
            row = remote.delete_file(remote.resolve("files", file_id))
            return f"Deleted {escape(row['filename'])} ({escape(file_id)})"

        _each(file_ids, delete, "Not deleted")


def _each(ids: list[str], act: Callable[[str], str], refused: str) -> None:
    """Apply `act` to every id, report each outcome; exit 1 if any was refused.

    A bad key or an unreachable server stops at once: no later id could succeed.
    """
    from polydoc.client import RemoteError

    failed = False
    for ident in ids:
        try:
            out.print(act(ident))
        except RemoteError as exc:
            if exc.code in ("unauthorized", "connection_failed"):
                raise
            err.print(f"[red]{refused} {escape(ident)}:[/] {_why(exc)}")
            failed = True
    if failed:
        raise typer.Exit(1)

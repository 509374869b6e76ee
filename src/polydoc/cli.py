"""`polydoc serve | api | worker | migrate | accounts | languages | translate | runs | files`.

`translate` works on this machine, or with `--server` through a Polydoc server (`polydoc.remote`);
`runs` and `files` always talk to a server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from polydoc.config import configure, get_settings

if TYPE_CHECKING:
    from polydoc.remote import Job, Remote, RemoteError

app = typer.Typer(help="Polydoc: self-hosted document translation.", no_args_is_help=True)
accounts_app = typer.Typer(help="Manage accounts and credits.", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
err = Console(stderr=True)
out = Console()

DEFAULT_SERVER = "http://localhost:30000"
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data folder (POLYDOC_DATA_DIR)")]


def _setup(data_dir: Path | None) -> None:
    settings = configure(data_dir=data_dir.resolve() if data_dir else None)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    from polydoc.db.migrate import upgrade

    upgrade()


def _demo_key() -> str:
    """The demo account's key, created on first start and kept in the data folder (mode 600)."""
    from polydoc.db.session import session_scope
    from polydoc.services import accounts

    key_file = get_settings().data_dir / "demo_api_key"
    if key_file.exists():
        return key_file.read_text().strip()
    with session_scope() as s:
        _account, key = accounts.create_account(s, name="demo", credits=get_settings().demo_credits)
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    return key


def _run_api(host: str, port: int) -> None:
    import uvicorn

    from polydoc.api import create_app

    uvicorn.run(create_app(), host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 30000,
    data_dir: DataDir = None,
) -> None:
    """API, worker and periodic tasks together on this machine (the embedded default)."""
    _setup(data_dir)
    key = _demo_key()
    worker = subprocess.Popen([sys.executable, "-m", "polydoc", "worker", "--beat"], env=os.environ.copy())
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    # plain print: a wrapped key or address could not be copied
    print(f"Polydoc is running at http://{shown}:{port}  (web page: http://{shown}:{port}/)")
    print(f"Data folder: {get_settings().data_dir.resolve()}  worker pid: {worker.pid}")
    print(f"Demo API key: {key}")
    print(f"Try: curl -H 'Authorization: Bearer {key}' http://{shown}:{port}/v1/account")
    sys.stdout.flush()
    try:
        _run_api(host, port)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


@app.command()
def api(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 30000,
    data_dir: DataDir = None,
) -> None:
    """Only the HTTP API (run workers separately)."""
    _setup(data_dir)
    _run_api(host, port)


@app.command()
def worker(
    data_dir: DataDir = None,
    beat: Annotated[bool, typer.Option(help="Also run the periodic tasks (one process only)")] = False,
    concurrency: Annotated[int | None, typer.Option(help="Runs in parallel")] = None,
) -> None:
    """A Celery worker executing runs."""
    _setup(data_dir)
    import warnings

    from polydoc.worker import celery_app

    warnings.filterwarnings("ignore", message=".*superuser privileges.*")

    celery_app.Worker(
        pool="threads",
        concurrency=concurrency or get_settings().worker_concurrency,
        beat=beat,
        loglevel="WARNING",
        schedule_filename=str(get_settings().data_dir / "celerybeat-schedule"),
        quiet=True,
    ).start()


@app.command()
def migrate(data_dir: DataDir = None) -> None:
    """Apply the database migrations."""
    _setup(data_dir)
    out.print("Database is up to date.")


@accounts_app.command("create")
def accounts_create(
    name: str,
    credits: Annotated[int, typer.Option(help="Initial credits")] = 0,
    data_dir: DataDir = None,
) -> None:
    """Create an account; its API key is printed alone on the last line."""
    _setup(data_dir)
    from polydoc.db.session import session_scope
    from polydoc.services import accounts

    with session_scope() as s:
        account, key = accounts.create_account(s, name=name, credits=credits)
        account_id = account.id
    err.print(f"Created account {name} ({account_id}) with {credits} credits. Its API key:")
    print(key)


@accounts_app.command("credit")
def accounts_credit(account_id: str, amount: int, data_dir: DataDir = None) -> None:
    """Add (or with a negative amount, remove) credits."""
    _setup(data_dir)
    from polydoc import billing
    from polydoc.db.session import session_scope
    from polydoc.errors import PolydocError
    from polydoc.services import accounts

    try:
        with session_scope() as s:
            account = accounts.get_account(s, account_id=account_id)
            billing.grant(s, account_id=account.id, amount=amount, note="cli")
            balance = billing.balance(s, account.id)
    except PolydocError as exc:
        err.print(f"[red]{exc.message}[/]")
        raise typer.Exit(1) from None
    out.print(f"Balance of {account_id}: {balance}")


@app.command()
def languages() -> None:
    """The language pairs this machine can translate."""
    from polydoc.services.languages import language_pairs

    listing = language_pairs()
    table = Table("source", "target", "engine", "via")
    for p in listing.pairs:
        table.add_row(p.source, p.target, p.engine, "→".join(p.via))
    out.print(table)


# -- translate: on this machine, or on a server ------------------------------------------------

Server = Annotated[
    str | None,
    typer.Option("--server", envvar="POLYDOC_SERVER", show_envvar=True,
                 help="Polydoc server URL, e.g. http://localhost:30000 (without it: translate here)"),
]
RemoteServer = Annotated[
    str, typer.Option("--server", envvar="POLYDOC_SERVER", show_envvar=True, help="Polydoc server URL"),
]
ApiKey = Annotated[
    str | None,
    typer.Option("--api-key", envvar="POLYDOC_API_KEY", show_envvar=True, show_default=False,
                 help="API key for the server (`polydoc serve` prints a demo key)"),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the JSON the server answered")]


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
        typer.Option("-o", "--output",
                     help="Output file (one file, one language) or folder (default: beside the input)"),
    ] = None,
    engine: Annotated[
        str | None, typer.Option(help="Engine (default: apertium here, the server's default with --server)")
    ] = None,
    server: Server = None,
    api_key: ApiKey = None,
    data_dir: DataDir = None,
) -> None:
    """Translate documents: on a Polydoc server with --server, else on this machine."""
    from polydoc.remote import output_path

    targets = _languages(to)
    many = len(files) * len(targets) > 1
    outputs = [output_path(f, t, output, many=many) for f in files for t in targets]
    clash = next((p for p in outputs if outputs.count(p) > 1), None)
    if clash is not None:
        raise typer.BadParameter(f"two translations would both be written to {clash}; rename an input")
    if server:
        _translate_remote(files, targets, source=source, engine=engine, output=output,
                          server=server, api_key=api_key)
    else:
        configure(data_dir=data_dir.resolve() if data_dir else None)
        for file in files:
            for target in targets:
                _translate_local(file, target, source=source, engine=engine or "apertium",
                                 output=output_path(file, target, output, many=many))


def _translate_local(file: Path, target: str, *, source: str | None, engine: str, output: Path) -> None:
    from polydoc.errors import PolydocError
    from polydoc.local import translate_file

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(f"Translating {escape(file.name)} → {escape(target)}", total=None)
        try:
            result = translate_file(
                file, target=target, source=source, output=output, engine=engine,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except PolydocError as exc:
            err.print(f"[red]Error ({exc.code}):[/] {escape(exc.message)}")
            raise typer.Exit(1) from None
    for warning in result.warnings[:20]:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    err.print(
        f"{result.segments} segments ({result.unique_segments} unique) via {escape(result.route)}; "
        f"{result.input_tokens} input / {result.output_tokens} output tokens"
    )
    print(result.output)


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


def _translate_remote(files: list[Path], targets: list[str], *, source: str | None, engine: str | None,
                      output: Path | None, server: str, api_key: str | None) -> None:
    from polydoc.remote import RemoteError, translate_batch

    lock = threading.Lock()
    with _connect(server, api_key) as remote, _run_bar() as bar:
        tasks = {(f, t): bar.add_task(escape(f"{f.name} → {t}"), total=100, state="waiting")
                 for f in files for t in targets}

        def show(job: Job) -> None:
            progress = 100 if job.output else 100 * float((job.run or {}).get("progress") or 0)
            with lock:
                bar.update(tasks[(job.path, job.target)], completed=progress, state=_job_state(job))

        try:
            result = translate_batch(remote, files, targets, source=source, engine=engine, output=output,
                                     on_job=show)
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
    err.print(f"{done} of {len(result.jobs)} translations done; {credits} credits; "
              f"{tokens_in} input / {tokens_out} output tokens")
    if result.failed:
        raise typer.Exit(1)


# -- remote helpers ---------------------------------------------------------------------------------

_HINTS = {
    "unauthorized": "Check the API key (--api-key or POLYDOC_API_KEY).",
    "connection_failed": "Is the server running? Check --server or POLYDOC_SERVER.",
    "not_found": "Check the id: `polydoc runs list` and `polydoc files list` show yours.",
    "insufficient_credits": "Ask an administrator for credits: `polydoc accounts credit`.",
}


def _run_bar(transient: bool = False) -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TextColumn("{task.fields[state]}"))
    return Progress(*columns, console=err, transient=transient)


def _why(exc: RemoteError) -> str:
    return f"{escape(exc.message)} ({escape(exc.code)})"


def _fail(exc: RemoteError) -> NoReturn:
    err.print(f"[red]Error ({escape(exc.code)}):[/] {escape(exc.message)}")
    if exc.code in _HINTS:
        err.print(escape(_HINTS[exc.code]))
    raise typer.Exit(1)


@contextmanager
def _connect(server: str, api_key: str | None) -> Iterator[Remote]:
    from polydoc.remote import Remote, RemoteError

    if not api_key:
        err.print("[red]Error:[/] an API key is needed: give --api-key KEY or set POLYDOC_API_KEY "
                  "(`polydoc serve` prints a demo key; `polydoc accounts create NAME` makes one).")
        raise typer.Exit(2)
    try:
        with Remote(server, api_key) as remote:
            yield remote
    except RemoteError as exc:
        _fail(exc)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def _when(value: str | None, *, date_only: bool = False) -> str:
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d" if date_only else "%b %d %H:%M")
    except ValueError:
        return value


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _status(run: dict) -> Text:
    colour = {"Running": "cyan", "Succeeded": "green", "Failed": "red"}.get(run["status"], "")
    label = run["status"]
    if label == "Running":
        label += f" {run.get('stage') or ''} {100 * (run.get('progress') or 0):.0f}%"
    elif (run.get("error") or {}).get("code") == "cancelled":
        label = "Cancelled"
    return Text(label, style=colour)


def _short(ident: str) -> Text:
    return Text(ident[:8], style="bold")


def _print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


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
            _short(r["id"]), Text(names.get(r["input_file_id"], "?")), Text(r["target_language"]), _status(r),
            "" if r.get("credits") is None else str(r["credits"]), _when(r["created_at"]),
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
                run = remote.follow(run_id, lambda r: bar.update(
                    task, completed=100 * (r.get("progress") or 0), state=escape(r.get("stage") or "")))
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
            elif isinstance(value, list):
                value = "; ".join(map(str, value))
            table.add_row(key, Text("" if value is None else str(value)))
        out.print(table)
    if run["status"] == "Failed":
        raise typer.Exit(1)


@runs_app.command("cancel")
def runs_cancel(
    run_ids: Annotated[list[str], typer.Argument(help="Run id(s), or their first characters")],
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """Cancel runs that have not ended (their credit hold is released)."""
    from polydoc.remote import RemoteError

    failed = False
    with _connect(server, api_key) as remote:
        for run_id in run_ids:
            try:
                remote.cancel_run(remote.resolve("runs", run_id))
                out.print(f"Cancelled {escape(run_id)}")
            except RemoteError as exc:
                if exc.code in ("unauthorized", "connection_failed"):
                    raise
                err.print(f"[red]Not cancelled {escape(run_id)}:[/] {_why(exc)}")
                failed = True
    if failed:
        raise typer.Exit(1)


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
            _short(f["id"]), Text(f["filename"]), _size(f["size"]), str(f["num_pages"] or ""),
            Text(f.get("language") or ""), _when(f["created_at"]),
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
    from polydoc.remote import RemoteError

    failed = False
    with _connect(server, api_key) as remote:
        for file_id in file_ids:
            try:
                row = remote.delete_file(remote.resolve("files", file_id))
                out.print(f"Deleted {escape(row['filename'])} ({escape(file_id)})")
            except RemoteError as exc:
                if exc.code in ("unauthorized", "connection_failed"):
                    raise
                err.print(f"[red]Not deleted {escape(file_id)}:[/] {_why(exc)}")
                failed = True
    if failed:
        raise typer.Exit(1)

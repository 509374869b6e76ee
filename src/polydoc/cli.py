"""`polydoc serve | api | worker | migrate | accounts | languages | translate`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from polydoc.config import configure, get_settings

app = typer.Typer(help="Polydoc: self-hosted document translation.", no_args_is_help=True)
accounts_app = typer.Typer(help="Manage accounts and credits.", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
err = Console(stderr=True)
out = Console()

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


@app.command()
def translate(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Document to translate")],
    to: Annotated[str, typer.Option("--to", help="Target language")],
    source: Annotated[str | None, typer.Option("--from", help="Source language (detected if omitted)")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output file")] = None,
    engine: Annotated[str, typer.Option(help="Engine")] = "apertium",
    data_dir: DataDir = None,
) -> None:
    """Translate a document on this machine, without a server."""
    configure(data_dir=data_dir.resolve() if data_dir else None)
    from polydoc.errors import PolydocError
    from polydoc.local import translate_file

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(f"Translating {file.name}", total=None)
        try:
            result = translate_file(
                file, target=to, source=source, output=output, engine=engine,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except PolydocError as exc:
            err.print(f"[red]Error ({exc.code}):[/] {exc.message}")
            raise typer.Exit(1) from None
    for warning in result.warnings[:20]:
        err.print(f"[yellow]warning:[/] {warning}")
    err.print(
        f"{result.segments} segments ({result.unique_segments} unique) via {result.route}; "
        f"{result.input_tokens} input / {result.output_tokens} output tokens"
    )
    print(result.output)

"""Commands that run Polydoc on this machine: serve, api, worker, migrate, accounts, languages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from polydoc.cli._shared import DataDir, accounts_app, app, err, out
from polydoc.config import configure, get_settings


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

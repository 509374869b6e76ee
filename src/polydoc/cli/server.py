"""Commands that run Polydoc on this machine: serve, api, worker, migrate, languages."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from polydoc.cli._shared import DataDir, app, err, out
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
    from polydoc.api._connections import uvicorn_options  # header/body deadlines, connection cap

    options = {"log_level": "warning", "timeout_graceful_shutdown": 5, **uvicorn_options()}
    uvicorn.run(create_app(), host=host, port=port, **options)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 30000,
    data_dir: DataDir = None,
) -> None:
    """API, worker and periodic tasks together on this machine (the embedded default)."""
    _check_port(host, port)  # before anything is created or printed
    _raise_open_files()
    _setup(data_dir)
    key = _demo_key()
    # SIGTERM (kill, systemd, docker stop) unwinds like Ctrl-C, so the finally below stops the worker;
    # uvicorn re-raises the signal it caught once it has shut down, which lands here too
    signal.signal(signal.SIGTERM, _exit_on_signal)
    worker = subprocess.Popen(
        [sys.executable, "-m", "polydoc", "worker", "--beat"],
        env=os.environ.copy(),
        preexec_fn=_die_with_parent,
    )
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    # plain print: a wrapped key or address could not be copied
    print(f"Polydoc is running at http://{shown}:{port}  (web page: http://{shown}:{port}/)")
    print(f"Data folder: {get_settings().data_dir.resolve()}  worker pid: {worker.pid}")
    print(f"Demo API key: {key}")
    print(f"Try: curl -H 'Authorization: Bearer {key}' http://{shown}:{port}/v1/account")
    sys.stdout.flush()
    try:
        _run_api(host, port)
    except (SystemExit, KeyboardInterrupt):  # TERM or Ctrl-C, re-raised by uvicorn once it has stopped
        pass
    finally:
        _stop(worker)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _stop(worker: subprocess.Popen) -> None:
    """Ask the worker to hand its runs back and stop; kill it if it has not within 20 s."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not cut this short
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=5)


def _die_with_parent() -> None:
    """In the worker, before exec: Linux sends it SIGTERM if `serve` dies without cleaning up (SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the finally in serve is all there is


def _check_port(host: str, port: int) -> None:
    """Fail with a clear message when the address is taken (uvicorn would only say so after start-up)."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is fine
            probe.bind(address)
    except OSError as exc:
        reason = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
        err.print(
            f"[red]Error:[/] port {port} on {host} {reason}. Is Polydoc (or something else) already running "
            f"there? Stop it, or choose another port: --port {port + 1}"
        )
        raise typer.Exit(1) from None


def _raise_open_files() -> None:
    """Lift the soft open-file limit to the hard one: each connection and run holds descriptors, and
    the usual soft limit of 1,024 is reached long before the machine's."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = 1_048_576 if hard == resource.RLIM_INFINITY else hard
        if soft != resource.RLIM_INFINITY and soft < target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ImportError, ValueError, OSError):
        pass  # not allowed here: keep the limit we were given


@app.command()
def api(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 30000,
    data_dir: DataDir = None,
) -> None:
    """Only the HTTP API (run workers separately)."""
    _check_port(host, port)
    _raise_open_files()
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


@app.command()
def languages() -> None:
    """The language pairs this machine can translate."""
    from polydoc.services.languages import language_pairs

    listing = language_pairs()
    table = Table("source", "target", "engine", "via", "quality")
    for p in listing.pairs:
        table.add_row(p.source, p.target, p.engine, "→".join(p.via), p.quality)
    out.print(table)
    out.print(
        f"Pivot routes go through at most {listing.max_pivots} other language(s) (POLYDOC_MAX_PIVOTS); "
        "their quality may be lower than a direct pair's."
    )

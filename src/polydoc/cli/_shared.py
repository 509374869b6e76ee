"""What every `polydoc` command shares: the Typer app, consoles, options and remote helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
)
from rich.text import Text

if TYPE_CHECKING:
    from polydoc.client import Remote, RemoteError

app = typer.Typer(help="Polydoc: self-hosted document translation.", no_args_is_help=True)
accounts_app = typer.Typer(help="Manage accounts and credits.", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
err = Console(stderr=True)
out = Console()

DEFAULT_SERVER = "http://localhost:30000"
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data folder (POLYDOC_DATA_DIR)")]


Server = Annotated[
    str | None,
    typer.Option(
        "--server",
        envvar="POLYDOC_SERVER",
        show_envvar=True,
        help="Polydoc server URL, e.g. http://localhost:30000 (without it: translate here)",
    ),
]
RemoteServer = Annotated[
    str,
    typer.Option("--server", envvar="POLYDOC_SERVER", show_envvar=True, help="Polydoc server URL"),
]
ApiKey = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        envvar="POLYDOC_API_KEY",
        show_envvar=True,
        show_default=False,
        help="API key for the server (`polydoc serve` prints a demo key)",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the JSON the server answered")]


# -- remote helpers ---------------------------------------------------------------------------------

_HINTS = {
    "unauthorized": "Check the API key (--api-key or POLYDOC_API_KEY).",
    "connection_failed": "Is the server running? Check --server or POLYDOC_SERVER.",
    "not_found": "Check the id: `polydoc runs list` and `polydoc files list` show yours.",
    "insufficient_credits": "Ask an administrator for credits: `polydoc accounts credit`.",
}


def _run_bar(transient: bool = False) -> Progress:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[state]}"),
    )
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
    from polydoc.client import Remote, RemoteError

    if not api_key:
        err.print(
            "[red]Error:[/] an API key is needed: give --api-key KEY or set POLYDOC_API_KEY "
            "(`polydoc serve` prints a demo key; `polydoc accounts create NAME` makes one)."
        )
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


def _count(n: int | float, word: str) -> str:
    """`1 page`, `2 pages`, `12,400 segments`: thousands separated, the plural only when it is one."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _credits(n: int) -> str:
    return _count(n, "credit")


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

"""`polydoc accounts create | credit`: in this machine's data folder, or through a server's admin API.

A key made in a database the server does not use is rejected by that server, which is why `create`
says which data folder it used and never starts a new database unless told to (`--init`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from polydoc.cli._shared import DataDir, accounts_app, err, out
from polydoc.config import configure, get_settings

AdminToken = Annotated[
    str | None,
    typer.Option(
        "--admin-token",
        envvar="POLYDOC_ADMIN_TOKEN",
        show_envvar=True,
        show_default=False,
        help="With --server: the server's POLYDOC_ADMIN_TOKEN",
    ),
]


def _open_database(data_dir: Path | None, *, init: bool) -> None:
    """Migrate the database this command is pointed at; refuse to start a new one unless `init`."""
    from polydoc.cli.server import _setup

    settings = configure(data_dir=data_dir.resolve() if data_dir else None)
    where = f"data folder {settings.data_dir.resolve()}"
    if settings.database_url:
        where += f", database {settings.database_url.split('@')[-1]}"  # never the password
    if not init and not _database_exists(settings.resolved_database_url):
        err.print(
            f"[red]Error:[/] there is no Polydoc database in the {escape(where)}.\n"
            "Give the data folder `polydoc serve` uses (--data-dir DIR or POLYDOC_DATA_DIR), create the "
            "account through the running server (--server URL --admin-token TOKEN), or start a new "
            "database here with --init."
        )
        raise typer.Exit(2)
    err.print(f"Using the {escape(where)}")
    _setup(data_dir)


def _database_exists(url: str) -> bool:
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    if url.startswith("sqlite"):
        path = Path(url.split(":///", 1)[-1])
        if not path.is_file():  # create_engine would make the file: look first
            return False
    engine = create_engine(url, poolclass=NullPool)
    try:
        return inspect(engine).has_table("alembic_version")
    except Exception:  # noqa: BLE001 - unreachable or unreadable: the migration says why
        return True
    finally:
        engine.dispose()


@accounts_app.command("create")
def accounts_create(
    name: str,
    credits: Annotated[int, typer.Option(help="Initial credits")] = 0,
    data_dir: DataDir = None,
    init: Annotated[bool, typer.Option("--init", help="Start a new database if there is none")] = False,
    server: Annotated[
        str | None, typer.Option("--server", help="Create it on this server instead (admin API)")
    ] = None,
    admin_token: AdminToken = None,
) -> None:
    """Create an account; its API key is printed alone on the last line."""
    if server:
        account_id, key = _create_remote(server, admin_token, name=name, credits=credits)
        where = server
    else:
        _open_database(data_dir, init=init)
        from polydoc.db.session import session_scope
        from polydoc.services import accounts

        with session_scope() as s:
            account, key = accounts.create_account(s, name=name, credits=credits)
            account_id = account.id
        where = str(get_settings().data_dir.resolve())
    err.print(
        f"Created account {escape(name)} ({account_id}) with {credits:,} credit{'' if credits == 1 else 's'} "
        f"in {escape(where)}. Its API key:"
    )
    print(key)


def _create_remote(server: str, admin_token: str | None, *, name: str, credits: int) -> tuple[str, str]:
    from polydoc.client import Remote, RemoteError

    if not admin_token:
        err.print(
            "[red]Error:[/] --server needs --admin-token (or POLYDOC_ADMIN_TOKEN), the server's admin token."
        )
        raise typer.Exit(2)
    try:
        with Remote(server, admin_token) as remote:
            created = remote.create_account(name, credits)
    except RemoteError as exc:
        hint = (
            " Check --admin-token: it must equal the server's POLYDOC_ADMIN_TOKEN."
            if exc.status in (401, 403)
            else ""
        )
        err.print(f"[red]Error ({escape(exc.code)}):[/] {escape(exc.message)}{hint}")
        raise typer.Exit(1) from None
    return created["id"], created["api_key"]


@accounts_app.command("credit")
def accounts_credit(account_id: str, amount: int, data_dir: DataDir = None) -> None:
    """Add (or with a negative amount, remove) credits."""
    _open_database(data_dir, init=False)
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
    out.print(f"Balance of {account_id}: {balance:,}")

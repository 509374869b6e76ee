"""`polydoc memory export|import`: the account's translation memory as TMX, on a Polydoc server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from polydoc.cli._shared import DEFAULT_SERVER, ApiKey, AsJson, RemoteServer, _connect, _print_json, app, out

memory_app = typer.Typer(help="Your translation memory as TMX 1.4b: export, import.", no_args_is_help=True)
app.add_typer(memory_app, name="memory")


@memory_app.command("export")
def memory_export(
    output: Annotated[Path, typer.Option("-o", "--output", help="TMX file to write")] = Path("memory.tmx"),
    source: Annotated[str | None, typer.Option("--from", help="Only this source language")] = None,
    target: Annotated[str | None, typer.Option("--to", help="Only this target language")] = None,
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """Download the memory (streamed) as a TMX file."""
    with _connect(server, api_key) as remote:
        path = remote.export_memory(output, source, target)
    out.print(f"Memory written to {path}")


@memory_app.command("import")
def memory_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A TMX file")],
    engine: Annotated[
        str | None, typer.Option(help="Memory for every unit (default: as the file says)")
    ] = None,
    as_json: AsJson = False,
    server: RemoteServer = DEFAULT_SERVER,
    api_key: ApiKey = None,
) -> None:
    """Add a TMX file to the memory: its units replace machine translations, never a person's."""
    with _connect(server, api_key) as remote:
        result = remote.import_memory(file, engine)
    if as_json:
        _print_json(result)
        return
    out.print(f"Imported {result['imported']}, skipped {result['skipped']}")
    for reason, n in sorted(result["skipped_reasons"].items()):
        out.print(f"  skipped {n}: {reason}")

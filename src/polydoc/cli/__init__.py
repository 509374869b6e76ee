"""`polydoc serve | api | worker | migrate | accounts | languages | translate | runs | files`.

`translate` works on this machine, or with `--server` through a Polydoc server (`polydoc.client`);
`runs` and `files` always talk to a server. Each command family lives in its own module and
registers itself on the one Typer app.
"""

from polydoc.cli import accounts, memory, objects, server, translate  # noqa: F401 - importing registers the commands
from polydoc.cli._shared import app

__all__ = ["app"]

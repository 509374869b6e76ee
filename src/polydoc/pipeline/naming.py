"""What a translation is called: `name.<lang>.ext`, for a run's output file and the CLI's alike.

Kept apart (no imports beyond the standard library) so the remote CLI can use it without loading
the pipeline.
"""

from __future__ import annotations

from pathlib import PurePosixPath


def output_name(filename: str, target: str, *, suffix: str | None = None) -> str:
    """`filename` translated into `target`: `report.docx` → `report.es.docx`, `README` → `README.es`.
    `suffix` replaces the extension (the remote CLI names an output by the server's format)."""
    path = PurePosixPath(filename)
    return f"{path.stem}.{target}{path.suffix if suffix is None else suffix}"

"""Where a translated file goes, for the local and the remote CLI alike (no heavy imports)."""

from __future__ import annotations

from pathlib import Path

from polydoc.pipeline.naming import output_name


def output_path(
    src: Path, target: str, output: Path | None, *, many: bool, suffix: str | None = None
) -> Path:
    """Where the translation of `src` into `target` goes.

    Beside the input as `name.<lang>.ext`; `-o` is the file itself for one file into one language,
    otherwise (or when it is an existing folder) the folder that receives `name.<lang>.ext`.
    """
    name = output_name(src.name, target, suffix=suffix)
    if output is None:
        return src.with_name(name)
    if many or output.is_dir():
        return output / name
    return output

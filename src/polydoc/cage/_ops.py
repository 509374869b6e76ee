"""What a parser process does with a document; runs only inside the cage (`_child`).

Each op takes paths and plain values and returns plain values, so the request and the answer
pickle small: the document itself never crosses the pipe.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from polydoc.errors import PolydocError
from polydoc.segments import Segment

SAMPLE_CHARS = 20_000  # text read at upload for the language and the sample


def warm() -> None:
    """Import the parsers before the first document, so a document's latency is its own."""
    from polydoc.formats.registry import handlers

    handlers()
    try:
        from polydoc.formats.pdf import _document  # noqa: F401 - pdfminer, pikepdf, reportlab
    except ImportError:
        pass


def inspect(path: str, filename: str) -> tuple[str, int, list[str]]:
    """(format, pages, up to ~20,000 characters of prose). Flowing formats count standard pages
    from the same pass that gives the sample, so a large document is parsed once at upload."""
    from polydoc.formats import detect, handler_for
    from polydoc.formats.base import standard_pages
    from polydoc.segments import prose, strip_tags

    src = Path(path)
    fmt = detect(src, filename)
    handler = handler_for(fmt)
    sample: list[str] = []
    size = 0
    for seg in handler.extract(src):
        if size <= SAMPLE_CHARS:  # cut: one 50 MB line must not cross the pipe to the API whole
            sample.append(prose(seg.text)[: SAMPLE_CHARS + 1 - size])
        size += len(strip_tags(seg.text))
        if size > SAMPLE_CHARS and handler.paged:  # real pages are counted apart
            break
    pages = handler.count_pages(src) if handler.paged else standard_pages(size)
    return fmt, pages, sample


def extract(fmt: str, path: str) -> list[Segment]:
    from polydoc.formats import handler_for

    return list(handler_for(fmt).extract(Path(path)))


def rebuild(
    fmt: str, src: str, dst: str, target_language: str, output_mode: str, *, table: Mapping[str, str]
) -> list[str]:
    from polydoc.formats import handler_for

    report = handler_for(fmt).rebuild(
        Path(src), Path(dst), table, target_language=target_language, output_mode=output_mode
    )
    return list(report.warnings)


OPS = {"inspect": inspect, "extract": extract, "rebuild": rebuild}


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    while exc is not None and len(chain) < 16:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def failure(exc: BaseException) -> tuple[str, str, str]:
    """(error class, code, message) for a failure inside the cage. A parser that wrapped a MemoryError or
    RecursionError in its own error still hit a limit: that is what the user is told."""
    chain = _causes(exc)
    if any(isinstance(e, MemoryError) for e in chain):
        return "FormatError", "too_complex", "The document needs more memory to read than the limit allows"
    if any(isinstance(e, RecursionError) for e in chain):
        return "HostileDocument", "hostile_document", "The document is nested too deeply to be read safely"
    if isinstance(exc, PolydocError):
        from polydoc import errors

        named = next(c.__name__ for c in type(exc).__mro__ if getattr(errors, c.__name__, None) is c)
        return named, exc.code, exc.message
    return "MalformedDocument", "malformed", "The document could not be read"

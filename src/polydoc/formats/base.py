"""The contract every format handler fulfils.

A handler turns a document into translatable segments in reading order and writes
translations back by walking the original again (Translate Toolkit's po2html idea):
there is no separate output model, so everything a handler does not touch stays as it was.

Segment text carries inline formatting as XLIFF-style tags: `<gN>…</gN>` wraps a span
(a bold run, a link) and `<xN/>` stands for something that is not text (a line break, an
image, a field). The handler remembers what N means; engines only have to keep the tags.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from polydoc.segments import Segment, strip_tags

CHARS_PER_PAGE = 1800  # a "standard page" of flowing text (DESIGN §4)


@dataclass(slots=True)
class RebuildReport:
    """What a rebuild could not do; the pipeline copies it into the run's warnings."""

    warnings: list[str]


class FormatHandler(ABC):
    """One family of files. The class attributes are all the registry and detection know of it."""

    name: ClassVar[str]  # registry name, e.g. "docx"
    extensions: ClassVar[tuple[str, ...]]  # without dot, lower case; the first is the usual one
    media_type: ClassVar[str] = "application/octet-stream"  # also the `mimetype` member of ODF/EPUB
    container: ClassVar[str] = "text"  # how detection recognises it: "text", "zip" or "pdf"
    zip_main_part: ClassVar[str] = ""  # a zip member only this format has (OOXML); else `mimetype`
    paged: ClassVar[bool] = False  # True when num_pages is a real page count (pdf, pptx)
    output_modes: ClassVar[tuple[str, ...]] = ("translated",)  # what `rebuild(output_mode=…)` accepts

    @abstractmethod
    def extract(self, src: Path) -> Iterator[Segment]:
        """Yield the translatable segments in reading order. Raise FormatError subclasses."""

    @abstractmethod
    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        """Write `src` to `dst` with each segment id found in `translations` replaced.

        Segments missing from `translations` keep their source text. `output_mode` is one of
        `output_modes` ("bilingual" keeps the source beside its translation).
        """

    def count_pages(self, src: Path) -> int:
        """Real pages for paged formats; standard pages of 1,800 characters otherwise."""
        return standard_pages(sum(len(strip_tags(seg.text)) for seg in self.extract(src)))


def standard_pages(chars: int) -> int:
    """Standard pages of 1,800 characters, at least one."""
    return max(1, math.ceil(chars / CHARS_PER_PAGE))

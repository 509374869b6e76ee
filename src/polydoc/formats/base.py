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

from polydoc.formats._tags import strip_tags

CHARS_PER_PAGE = 1800  # a "standard page" of flowing text (DESIGN §4)


@dataclass(frozen=True, slots=True)
class Segment:
    id: str  # structural path, e.g. "word/document.xml#p14"; unique within the document
    text: str  # "Press <g1>Save</g1><x2/>now"
    context: str = ""  # optional hint for engines: "title", "heading", "cell", "alt"…


@dataclass(slots=True)
class RebuildReport:
    """What a rebuild could not do; the pipeline copies it into the run's warnings."""

    warnings: list[str]


class FormatHandler(ABC):
    name: ClassVar[str]  # registry name, e.g. "docx"
    extensions: ClassVar[tuple[str, ...]]  # without dot, lower case
    media_type: ClassVar[str] = "application/octet-stream"
    paged: ClassVar[bool] = False  # True when num_pages is a real page count (pdf, pptx)

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
    ) -> RebuildReport | None:
        """Write `src` to `dst` with each segment id found in `translations` replaced.

        Segments missing from `translations` keep their source text.
        """

    def count_pages(self, src: Path) -> int:
        """Real pages for paged formats; standard pages of 1,800 characters otherwise."""
        return standard_pages(sum(len(strip_tags(seg.text)) for seg in self.extract(src)))


def standard_pages(chars: int) -> int:
    """Standard pages of 1,800 characters, at least one."""
    return max(1, math.ceil(chars / CHARS_PER_PAGE))

"""The contract every translation engine fulfils (after Weblate's machinery base)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from polydoc.quality import Finding


@dataclass(frozen=True, slots=True)
class LangPair:
    source: str  # normalised BCP-47 tag, e.g. "en", "pt-BR"
    target: str

    def __str__(self) -> str:
        return f"{self.source}→{self.target}"


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What an engine may use beyond the texts: LLMs put it in the prompt, Apertium ignores it."""

    title: str = ""
    before: tuple[str, ...] = ()  # segments just before the batch, already in source language
    glossary: tuple[tuple[str, str], ...] = ()  # (source term, target term)
    # the memory's closest earlier translations of the batch's texts (source, target): LLMs show them
    examples: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class BatchResult:
    texts: list[str]
    input_tokens: int = 0
    output_tokens: int = 0
    failed: list[int] = field(default_factory=list)  # indexes whose translation is the source kept
    why: dict[int, Finding] = field(default_factory=dict)  # failed index → the reason, as a quality flag


class Engine(ABC):
    name: ClassVar[str]
    batch_size: ClassVar[int] = 50  # segments per translate_batch call
    any_pair: ClassVar[bool] = False  # True: asked for any pair, supported_pairs() is not a limit (LLMs)
    handles_glossary: ClassVar[bool] = False  # False: the terms are protected and substituted around it
    ahead: ClassVar[int] = 0  # batches worth sending while the caller still handles the previous one
    free: ClassVar[bool] = False  # True: runs with it hold and cost no credits (pseudo)

    @abstractmethod
    def supported_pairs(self) -> set[tuple[str, str]]:
        """Direct pairs as (source, target) normalised codes."""

    @abstractmethod
    def translate_batch(
        self, pair: LangPair, texts: Sequence[str], *, context: BatchContext | None = None
    ) -> BatchResult:
        """Translate `texts` (tagged segment text) and report tokens used."""

    def warm(self, pair: LangPair) -> None:  # noqa: B027 - optional hook
        """Start what the first batch of `pair` would otherwise wait for (a process, a connection)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release processes or connections."""

"""What a run would cost, before it starts, computed the way the run is billed.

`plan_run` is the validation a run's creation and its estimate share (file, expiry, languages,
engine, output mode, page limit): the same request gets the same error from both. `estimate_run`
then reads the stored document the way the worker does (`handler.extract`), de-duplicates its
segments as the pipeline does, looks them up in the account's translation memory under the key the
pipeline uses (`memory_name`: engine and glossary, language pair) and prices what is left with
`billing.Basis`, the function the run's final charge uses. It holds nothing.

`estimate_run` opens its own short sessions rather than taking one: the document is read between
them, and no transaction may stay open while it is (on SQLite a transaction holds the write lock
from its first statement, so every writer would wait for the parse of a large PDF).
"""

from __future__ import annotations

import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from polydoc import billing, cage
from polydoc.config import get_settings
from polydoc.db.models import File
from polydoc.db.session import session_scope
from polydoc.engines import Route, find_route, get_engine, glossary
from polydoc.engines.memory import SegmentCache, memory_name, served_without_engine
from polydoc.errors import (
    BadRequest,
    InsufficientCredits,
    TooLarge,
    UnsupportedLanguage,
)
from polydoc.formats import handler_for
from polydoc.languages import normalise
from polydoc.services import files as files_service
from polydoc.storage import get_store


@dataclass(frozen=True, slots=True)
class RunPlan:
    """A validated run request: everything a run (or its estimate) needs to know before it starts."""

    file: File
    source: str
    target: str
    engine: str
    route: Route
    options: dict

    @property
    def glossary(self) -> tuple[tuple[str, str], ...]:
        return glossary.of_options(self.options)

    @property
    def free(self) -> bool:
        """The engine costs nothing (pseudo): nothing is held or charged."""
        return get_engine(self.route.engine_name).free


def plan_run(
    session: Session,
    *,
    account_id: uuid.UUID,
    input_file_id: str,
    target_language: str,
    source_language: str | None = None,
    engine: str | None = None,
    options: dict | None = None,
) -> RunPlan:
    """Validate a run request (404 file, 410 expired, 422 language, 400 option, 413 pages)."""
    src_file = files_service.get_file(session, account_id=account_id, file_id=input_file_id)
    files_service.ensure_available(src_file)
    target = normalise(target_language)
    source = normalise(source_language) if source_language else src_file.language
    if source is None:
        raise UnsupportedLanguage("The source language could not be detected; give source_language")
    if source == target:
        raise UnsupportedLanguage(f"The document is already in {target}; choose another target_language")
    settings = get_settings()
    engine_name = engine or settings.default_engine
    route = find_route(engine_name, source, target)
    options = dict(options or {})
    mode = options.get("output_mode", "translated")
    modes = handler_for(src_file.format).output_modes
    if mode not in modes:
        raise BadRequest(
            f"output_mode {mode!r} is not available for {src_file.format} files; choose {', '.join(modes)}",
            code="invalid_option",
        )
    if src_file.num_pages > settings.max_pages_per_run:
        raise TooLarge(
            f"The document has {src_file.num_pages} pages; a run may have at most {settings.max_pages_per_run}",
            code="too_many_pages",
        )
    return RunPlan(src_file, source, target, engine_name, route, options)


@dataclass(slots=True)
class Estimate:
    """The price of a run and what it rests on; `credits` is what the run will be charged."""

    input_file_id: uuid.UUID
    target_language: str
    source_language: str
    engine: str
    route: str
    pages: int  # the document's pages (real pages for PDF/PPTX/ODP, else standard pages)
    segments: int  # every segment, repeats included (the run's segments_total)
    segments_cached: int  # served without the engine: from memory, or a repeat inside the run
    characters: int  # untagged characters of the unique segments
    characters_cached: int  # of those, from memory
    pages_cached: float  # billed pages the memory serves
    credits: int
    hold: int  # what creating the run reserves: the upper bound, or `credits` with max_credits
    balance: int  # credits available now
    warnings: list[str] = field(default_factory=list)

    @property
    def balance_after(self) -> int:
        return self.balance - self.credits


def check_max_credits(estimate: Estimate, max_credits: int | None) -> None:
    """Refuse (402 `over_max_credits`) a run whose estimate is above the caller's limit."""
    if max_credits is not None and estimate.credits > max_credits:
        raise InsufficientCredits(
            f"This run would cost {estimate.credits} credits, more than max_credits {max_credits}",
            code="over_max_credits",
        )


def _segment_texts(plan: RunPlan) -> list[str]:
    """The stored document's segments, extracted as the worker extracts them."""
    with tempfile.TemporaryDirectory(prefix="polydoc-estimate-") as tmp:
        src = Path(tmp) / f"input.{plan.file.format}"
        get_store().get_file(plan.file.s3_key, src)
        return [seg.text for seg in cage.extract(plan.file.format, src)]  # limited process


def estimate_run(
    *,
    account_id: uuid.UUID,
    input_file_id: str,
    target_language: str,
    source_language: str | None = None,
    engine: str | None = None,
    options: dict | None = None,
    max_credits: int | None = None,
) -> Estimate:
    """Price a run request without holding anything (see the module docstring for the sessions)."""
    with session_scope() as s:
        plan = plan_run(
            s,
            account_id=account_id,
            input_file_id=input_file_id,
            target_language=target_language,
            source_language=source_language,
            engine=engine,
            options=options,
        )
    texts = _segment_texts(plan)
    counts = Counter(texts)
    unique = list(counts)
    memory = SegmentCache(
        account_id, memory_name(plan.route.engine_name, plan.glossary), plan.source, plan.target
    )
    with session_scope() as s:
        known = memory.lookup(s, unique)
        balance = billing.balance(s, account_id)
    paged = handler_for(plan.file.format).paged
    basis = billing.Basis.of(unique, known, paged=paged, pages=plan.file.num_pages)
    credits = 0 if plan.free else basis.credits()
    upper = 0 if plan.free else billing.upper_bound(plan.file.num_pages)
    estimate = Estimate(
        input_file_id=plan.file.id,
        target_language=plan.target,
        source_language=plan.source,
        engine=plan.engine,
        route=plan.route.label,
        pages=plan.file.num_pages,
        segments=len(texts),
        segments_cached=served_without_engine(counts, known),
        characters=basis.characters,
        characters_cached=basis.characters_cached,
        pages_cached=round(float(basis.pages(basis.characters_cached)), 2),
        credits=credits,
        hold=min(upper, credits) if max_credits is not None else upper,
        balance=balance,
        warnings=[plan.route.warning] if plan.route.warning else [],  # the run says the same
    )
    if basis.by_text:
        estimate.warnings.append(
            f"Priced by its text: {basis.characters} characters are more than its {plan.file.num_pages} "
            f"page(s) hold, so it is billed as {float(basis.pages(basis.characters)):.2f} standard pages "
            f"of {billing.CHARS_PER_PAGE} characters"
        )
    if max_credits is not None and credits > max_credits:
        estimate.warnings.append(
            f"The estimate of {credits} credits is above max_credits {max_credits}: the run would be refused"
        )
    if estimate.hold > balance:
        estimate.warnings.append(
            f"Starting this run reserves {estimate.hold} credits and the account has {balance}"
        )
    return estimate

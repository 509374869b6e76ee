"""Short texts translated while the caller waits (`POST /v1/translate`), billed as runs are.

Each text goes through the format handler a document of its kind would (`txt`: a paragraph is a
segment, its line breaks kept as tags; `html`: the web family's inline handling, so tags and
attributes survive), then the run's path: the account's translation memory under the same key a
run uses, the engine's route (`translate_route`: pivots, protected URLs and ids, glossary terms),
and `billing.Basis` for the price — the characters the engine had to translate in standard pages,
rounded up, at least one credit when anything was sent, memory free or at its share. The charge is
one ledger entry. No transaction stays open while the engine works (SQLite: one writer at a time).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from polydoc import billing
from polydoc.config import get_settings
from polydoc.db.session import session_scope
from polydoc.engines import BatchContext, Route, find_route, get_engine, translate_route
from polydoc.engines.memory import SegmentCache, memory_name
from polydoc.errors import (
    BadRequest,
    InsufficientCredits,
    MalformedDocument,
    PolydocError,
    TooLarge,
    UnsupportedLanguage,
)
from polydoc.formats import FormatHandler, Segment, handler_for
from polydoc.languages import detect, normalise
from polydoc.segments import strip_tags
from polydoc.services import glossaries, idempotency

HANDLERS = {"text": "txt", "html": "html"}
SCOPE = "POST /v1/translate"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TextTranslation:
    translations: list[str]
    source_language: str
    target_language: str
    engine: str
    route: str
    input_tokens: int
    output_tokens: int
    credits: int
    characters: int
    characters_cached: int


def _terms(
    account_id: uuid.UUID, glossary: str | Sequence[tuple[str, str]] | None
) -> tuple[tuple[str, str], ...]:
    if isinstance(glossary, str):
        with session_scope() as s:
            return tuple(
                (str(a), str(b))
                for a, b in glossaries.get(s, account_id=account_id, glossary_id=glossary).terms
            )
    if glossary and len(glossary) > 5000:
        raise BadRequest("A glossary may have at most 5000 terms", code="invalid_glossary")
    return tuple(glossary or ())


def _check_size(texts: Sequence[str]) -> None:
    limit = get_settings().max_text_chars
    size = sum(len(t) for t in texts)
    if size > limit:
        raise TooLarge(
            f"The texts hold {size:,} characters; one request may send at most {limit:,} "
            "(upload a document for more)",
            code="text_too_large",
        )
    if not texts:
        raise BadRequest("Send `text` or a non-empty `texts`", code="invalid_request")
    for text in texts:
        # NUL delimits Apertium's stream, and a lone surrogate is no character: neither is text
        if "\x00" in text or _unencodable(text):
            raise BadRequest("The text holds a NUL or an invalid character", code="invalid_text")


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def translate(
    *,
    account_id: uuid.UUID,
    texts: Sequence[str],
    target_language: str,
    source_language: str | None = None,
    engine: str | None = None,
    glossary: str | Sequence[tuple[str, str]] | None = None,
    fmt: str = "text",
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> TextTranslation:
    """Translate `texts` (413 `text_too_large`, 422 languages, 402 when the balance is short).

    With an `idempotency_key` a repeat of the request (same `fingerprint`) gets the first answer and
    is not charged again; the answer is remembered in the transaction of the charge."""
    once = Once(account_id, idempotency_key, fingerprint) if idempotency_key else None
    if once is not None and (prior := once.replay()) is not None:
        return prior
    _check_size(texts)
    handler = handler_for(HANDLERS[fmt])
    target = normalise(target_language)
    terms = _terms(account_id, glossary)
    with tempfile.TemporaryDirectory(prefix="polydoc-text-") as tmp:
        paths = [Path(tmp) / f"{i}.{handler.name}" for i in range(len(texts))]
        for path, text in zip(paths, texts, strict=True):
            path.write_text(text, encoding="utf-8", newline="")
        docs = [_guarded(lambda path=path: list(handler.extract(path)), fmt) for path in paths]
        source = normalise(source_language) if source_language else _detect(docs)
        engine_name = engine or get_settings().default_engine
        route = find_route(engine_name, source, target)  # 422 for a pair it lacks or the same language
        unique = list(dict.fromkeys(seg.text for doc in docs for seg in doc))
        memory = SegmentCache(account_id, memory_name(route.engine_name, terms), source, target)
        with session_scope() as s:
            known = memory.lookup(s, unique)
            balance = billing.balance(s, account_id)
        basis = billing.Basis.of(unique, known, paged=False, pages=0)
        if basis.credits() > balance:  # refused before the engine works for nothing
            raise InsufficientCredits(
                f"This text needs {basis.credits()} credits but the account has {balance}"
            )
        done, tokens, failed_chars = _through_engine(route, [t for t in unique if t not in known], terms)
        sent = max(0, basis.characters_sent - failed_chars)
        credits = basis.credits(sent=sent)
        table = known | done
        translations = [
            _guarded(lambda p=p, doc=doc: _rebuild(handler, p, doc, table, target), fmt)
            for p, doc in zip(paths, docs, strict=True)
        ]
    answer = TextTranslation(
        translations=translations,
        source_language=source,
        target_language=target,
        engine=engine_name,
        route=route.label,
        input_tokens=tokens[0],
        output_tokens=tokens[1],
        credits=credits,
        characters=basis.characters,
        characters_cached=basis.characters_cached,
    )
    try:
        with session_scope() as s:
            _charge(s, account_id=account_id, credits=credits, note=basis.note(sent=sent))
            memory.store(s, list(done.items()))
            if once is not None:
                once.remember(s, answer)
    except IntegrityError:
        prior = once.replay() if once is not None else None
        if prior is None:
            raise
        return prior  # the same request, answered meanwhile by another call: charged there
    return answer


@dataclass(frozen=True, slots=True)
class Once:
    """A request's `Idempotency-Key`, as `deps.Idempotent` keeps it for runs (its own sessions here:
    no transaction may stay open while the engine works)."""

    account_id: uuid.UUID
    key: str
    fingerprint: str

    def replay(self) -> TextTranslation | None:
        with session_scope() as s:
            prior = idempotency.replay(
                s, account_id=self.account_id, scope=SCOPE, key=self.key, print_=self.fingerprint
            )
        return TextTranslation(**prior) if prior is not None else None

    def remember(self, session: Session, answer: TextTranslation) -> None:
        idempotency.remember(
            session,
            account_id=self.account_id,
            scope=SCOPE,
            key=self.key,
            print_=self.fingerprint,
            response=asdict(answer),
        )


def _guarded(step: Callable[[], T], fmt: str) -> T:
    """A handler's step on the caller's text: a parser bug is a clear 422, not a 500."""
    try:
        return step()
    except PolydocError:
        raise
    except Exception as exc:
        kind = "HTML" if fmt == "html" else "plain text"
        raise MalformedDocument(f"The text could not be read as {kind}") from exc


def _detect(docs: list[list[Segment]]) -> str:
    found = detect(" ".join(strip_tags(seg.text) for doc in docs for seg in doc))
    if found is None:
        raise UnsupportedLanguage("The source language could not be detected; give source_language")
    return found


def _through_engine(
    route: Route, todo: list[str], terms: tuple[tuple[str, str], ...]
) -> tuple[dict[str, str], tuple[int, int], int]:
    """(source → translation of those the engine translated, (input, output) tokens, characters it
    could not translate: they keep their source text and are not billed)."""
    done: dict[str, str] = {}
    tokens_in = tokens_out = failed_chars = 0
    size = max(1, get_engine(route.engine_name).batch_size)
    for start in range(0, len(todo), size):
        batch = todo[start : start + size]
        result = translate_route(route, batch, context=BatchContext(glossary=terms))
        tokens_in += result.input_tokens
        tokens_out += result.output_tokens
        failed = set(result.failed)
        for i, (src, out) in enumerate(zip(batch, result.texts, strict=True)):
            if i in failed:
                failed_chars += billing.billed_characters(src)
            else:
                done[src] = out
    return done, (tokens_in, tokens_out), failed_chars


def _charge(session: Session, *, account_id: uuid.UUID, credits: int, note: str) -> None:
    """One ledger charge, under the account lock (402 if the balance went meanwhile)."""
    if credits <= 0:
        return
    billing.lock_account(session, account_id)
    available = billing.balance(session, account_id)
    if available < credits:
        raise InsufficientCredits(f"This text needs {credits} credits but the account has {available}")
    billing.add_entry(
        session,
        account_id=account_id,
        amount=-credits,
        kind="charge",
        idem_key=f"text:{uuid.uuid4()}",
        note=f"text translation: {note}"[:200],
    )


def _rebuild(
    handler: FormatHandler, path: Path, segments: list[Segment], table: dict[str, str], target: str
) -> str:
    """The text with its translated segments put back by its format handler."""
    if not segments:
        return path.read_text(encoding="utf-8")
    out = path.with_suffix(".out" + path.suffix)
    translations = {seg.id: table.get(seg.text, seg.text) for seg in segments}
    handler.rebuild(path, out, translations, target_language=target)
    return out.read_bytes().decode("utf-8-sig")

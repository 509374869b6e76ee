"""Text translation: short texts translated while the caller waits (the box on the web page)."""

from __future__ import annotations

from fastapi import APIRouter

from polydoc.api.deps import CurrentAccount, IdempotencyKey, one_thread
from polydoc.api.schemas.integrations import TranslateRead, TranslateRequest
from polydoc.services import idempotency, text

router = APIRouter(prefix="/v1/translate", tags=["translate"])


@router.post("", response_model=TranslateRead, operation_id="translate_text")
@one_thread
def translate_text(body: TranslateRequest, account: CurrentAccount, key: IdempotencyKey) -> TranslateRead:
    """Translate `text` or `texts` (at most POLYDOC_MAX_TEXT_CHARS characters, else 413), through
    the translation memory, billed like a run (402 when the balance is short). A repeat with the same
    `Idempotency-Key` gets the first answer and is not charged again."""
    glossary = (
        body.glossary
        if isinstance(body.glossary, str)
        else [(t.source, t.target) for t in body.glossary or ()]
    )
    done = text.translate(
        account_id=account.id,
        texts=[body.text] if body.text is not None else list(body.texts or ()),
        target_language=body.target_language,
        source_language=body.source_language,
        engine=body.engine,
        glossary=glossary,
        fmt=body.format,
        idempotency_key=key,
        fingerprint=idempotency.fingerprint(body.model_dump(mode="json")),
    )
    return TranslateRead(
        translations=done.translations,
        source_language=done.source_language,
        route=done.route,
        input_tokens=done.input_tokens,
        output_tokens=done.output_tokens,
        credits=done.credits,
        target_language=done.target_language,
        engine=done.engine,
        characters=done.characters,
        characters_cached=done.characters_cached,
    )

"""Which languages and pairs each engine serves."""

from __future__ import annotations

from fastapi import APIRouter

from polydoc.api.schemas import LanguageInfo, LanguagePair, LanguagesRead
from polydoc.config import get_settings
from polydoc.services.languages import language_pairs

router = APIRouter(prefix="/v1/languages", tags=["languages"])


@router.get("", response_model=LanguagesRead, operation_id="languages_list")
def list_languages() -> LanguagesRead:
    listing = language_pairs()
    return LanguagesRead(
        languages=[LanguageInfo(code=c, name=n) for c, n in listing.languages],
        pairs=[
            LanguagePair(source=p.source, target=p.target, engine=p.engine, via=p.via) for p in listing.pairs
        ],
        engines=listing.engines,
        default_engine=get_settings().default_engine,
    )

"""Which languages and pairs each engine serves."""

from __future__ import annotations

from fastapi import APIRouter

from polydoc.api.schemas import EngineRoutes, FormatInfo, LanguageInfo, LanguagePair, LanguagesRead, RouteInfo
from polydoc.config import get_settings
from polydoc.formats.registry import handlers
from polydoc.services.languages import language_pairs

router = APIRouter(prefix="/v1/languages", tags=["languages"])


@router.get("", response_model=LanguagesRead, operation_id="languages_list")
def list_languages() -> LanguagesRead:
    listing = language_pairs()
    routes = {
        name: EngineRoutes(engine=name, any_pair=name in listing.any_pair, direct=[], pivot=[])
        for name in dict.fromkeys(p.engine for p in listing.pairs)
    }
    for p in listing.pairs:
        info = RouteInfo(source=p.source, target=p.target, via=p.via, quality=p.quality, route=p.route)
        (routes[p.engine].pivot if p.via else routes[p.engine].direct).append(info)
    return LanguagesRead(
        languages=[LanguageInfo(code=c, name=n) for c, n in listing.languages],
        pairs=[
            LanguagePair(source=p.source, target=p.target, engine=p.engine, via=p.via) for p in listing.pairs
        ],
        engines=listing.engines,
        default_engine=get_settings().default_engine,
        routes=list(routes.values()),
        max_pivots=listing.max_pivots,
        formats=[
            FormatInfo(name=h.name, extensions=list(h.extensions), output_modes=list(h.output_modes))
            for h in handlers().values()
        ],
    )

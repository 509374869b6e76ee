"""Offline language detection reads labels in capitals and ignores ids and URLs; routes between
languages stay within POLYDOC_MAX_PIVOTS and never detour between variants of one language."""

from __future__ import annotations

import pytest

from polydoc.engines import find_route, reachable_targets, register_engine
from polydoc.errors import UnsupportedLanguage
from polydoc.languages import detect
from polydoc.segments import prose
from polydoc.services.languages import language_pairs
from tests.fakes import FakeEngine


def test_labels_in_capitals_are_detected_as_their_language() -> None:
    assert (
        detect("Sheet MARRIED ONE INCOME 2 CHILDREN MARRIED 2 INCOMES** 2 CHILDREN SINGLE HEAD OF HOUSEHOLD")
        == "en"
    )


def test_detection_reads_the_prose_not_the_tokens() -> None:
    text = "<g1>Read</g1> http://www.rgu.ac.uk/policies and write to corporate@oreilly.com, id 3OQX89CUTAV1X."
    assert prose(text).split() == ["Read", "and", "write", "to", ",", "id", "."]


# -- routes: how find_route and the listing choose (an engine with known pairs) ----------------------

CHAIN = {("en", "es"), ("es", "pt"), ("pt", "gl"), ("en", "ca"), ("ca", "en-US"), ("es", "en-US")}


def _engine(name: str, pairs: set[tuple[str, str]]) -> str:
    register_engine(name, FakeEngine(pairs=pairs))
    return name


def test_a_route_goes_through_at_most_max_pivots_languages() -> None:
    name = _engine("routes-chain", CHAIN)
    assert find_route(name, "en", "es").quality == "direct"
    assert find_route(name, "en", "pt").label == "routes-chain (en→es→pt)"
    with pytest.raises(UnsupportedLanguage, match="POLYDOC_MAX_PIVOTS is 1") as refused:
        find_route(name, "en", "gl")  # en→es→pt→gl: two pivots
    assert "en→es→pt→gl" in refused.value.message
    assert find_route(name, "en", "gl", max_pivots=2).via == ["es", "pt"]
    with pytest.raises(UnsupportedLanguage, match="POLYDOC_MAX_PIVOTS is 0"):
        find_route(name, "en", "pt", max_pivots=0)
    assert reachable_targets(name, "en", max_pivots=0) == {"es", "ca"}


def test_a_variant_of_the_source_is_direct_or_refused() -> None:
    name = _engine("routes-variants", CHAIN)
    with pytest.raises(UnsupportedLanguage) as refused:
        find_route(name, "en", "en-US")  # en→ca→en-US would be a detour and back
    assert refused.value.code == "same_language" and refused.value.http_status == 422
    assert "only in region or script" in refused.value.message
    assert "en-US" not in reachable_targets(name, "en")
    assert find_route(name, "es", "en-US").quality == "direct"  # another language into a region
    direct = _engine("routes-variants-direct", CHAIN | {("en", "en-US")})
    assert find_route(direct, "en", "en-US").label == "routes-variants-direct"
    assert "en-US" in reachable_targets(direct, "en")


def test_equally_short_routes_go_through_the_language_with_most_pairs() -> None:
    hub = {("en", "ca"), ("en", "es"), ("ca", "pt"), ("es", "pt"), ("es", "fr"), ("es", "it")}
    name = _engine("routes-hub", hub)
    route = find_route(name, "en", "pt")
    assert route.label == "routes-hub (en→es→pt)"  # not Catalan, first in the alphabet
    assert (
        route.warning is not None and "Spanish" in route.warning and "quality may be lower" in route.warning
    )


def test_the_listing_offers_exactly_what_find_route_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    name = _engine("routes-listing", CHAIN)
    monkeypatch.setattr("polydoc.services.languages.engine_names", lambda: [name])
    listing = language_pairs()
    offered = {(p.source, p.target): p for p in listing.pairs}
    assert offered[("en", "pt")].via == ["es"] and offered[("en", "pt")].quality == "pivot"
    assert offered[("en", "es")].quality == "direct" and ("en", "en-US") not in offered
    for source in ("en", "es", "pt", "ca"):
        for target in ("en", "es", "pt", "gl", "ca", "en-US"):
            try:
                route = find_route(name, source, target)
            except UnsupportedLanguage:
                assert (source, target) not in offered
            else:
                assert offered[(source, target)].route == route.label

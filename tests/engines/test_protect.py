"""URLs, e-mail addresses, paths, file names and ids go through every engine as placeholders."""

from __future__ import annotations

import pytest

from polydoc.engines import Route, find_route, register_engine, translate_route
from polydoc.engines.base import LangPair
from polydoc.engines.protect import protect, restore
from polydoc.segments import protected_spans, translatable
from tests.fakes import FakeEngine, mark_words


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Visit www.amazon.com today.", ["www.amazon.com"]),
        ("Write to ray@oreilly.com or corporate@oreilly.com.", ["ray@oreilly.com", "corporate@oreilly.com"]),
        ("See /forums/forums.cfm and index.cfm.", ["/forums/forums.cfm", "index.cfm"]),
        ("Read http://www.rgu.ac.uk/policies, then amazon.com.", ["http://www.rgu.ac.uk/policies", "amazon.com"]),
        ("Ask ~jkorpela about /TR/SVG-access/ now", ["~jkorpela", "/TR/SVG-access/"]),
        ("Code 3OQX89CUTAV1X and MP3.", ["3OQX89CUTAV1X", "MP3"]),
        ("Call getElementById or ERR_TIMEOUT in C:\\Windows\\system32", ["getElementById", "ERR_TIMEOUT", "C:\\Windows\\system32"]),
        # prose, numbers, dates and words in capitals stay the engine's
        ("and/or on 12/05/2024, 1/2 of 10km in the 1990s, the 3rd", []),
        ("MARRIED ONE INCOME 2 CHILDREN", []),
        ("e.g. the U.S. mail", []),
    ],
)  # fmt: skip
def test_protected_tokens(text: str, kept: list[str]) -> None:
    assert [text[a:b] for a, b in protected_spans(text)] == kept


def test_a_text_of_only_protected_tokens_is_not_translatable() -> None:
    assert not translatable("<g1>http://mi.safaribooksonline.com</g1>")
    assert not translatable("index.cfm ray@oreilly.com 3OQX89CUTAV1X")
    assert translatable("Visit www.amazon.com") and translatable("MARRIED ONE INCOME")


def test_a_token_across_formatting_is_masked_piece_by_piece_and_restored_exactly() -> None:
    text = "Visit www.ama<g1>zon</g1>.com or <g2>ray@oreilly.com</g2>, id 3OQX89CUTAV1X."
    (masked,), tables = protect([text])
    assert "amazon" not in masked and "oreilly" not in masked and "3OQX" not in masked
    assert "<g1>" in masked and "</g1>" in masked and "<g2>" in masked  # the formatting stays
    assert restore([masked], tables) == ([text], [])


def test_a_translation_that_loses_a_placeholder_keeps_its_source() -> None:
    """An engine that drops a placeholder would lose the URL: that segment keeps its source text
    and is reported as not translated."""
    dropper = FakeEngine(lambda t: mark_words(t.replace("<x70000/>", "")))
    register_engine("dropper", dropper)
    route = Route("dropper", (LangPair("en", "es"),))
    texts = ["Visit www.amazon.com today.", "The red house."]
    result = translate_route(route, texts)
    assert dropper.calls[0][0] == "Visit <x70000/> today."  # the engine never saw the address
    assert result.texts[0] == texts[0] and result.failed == [0]
    assert result.texts[1] == mark_words(texts[1])


def test_apertium_keeps_every_token_and_capitals_stay_capitals() -> None:
    route = find_route("apertium", "en", "es")
    texts = [
        "Visit www.ama<g1>zon</g1>.com for the best prices.",
        "Write to ray@oreilly.com or corporate@oreilly.com today.",
        "See /forums/forums.cfm and index.cfm for the policies at http://www.rgu.ac.uk/policies.",
        "Ask ~jkorpela about /TR/SVG-access/ now.",
        "The registry id 3OQX89CUTAV1X is new.",
        "Read <g1>http://mi.safaribooksonline.com</g1> first.",
        "MARRIED ONE INCOME 2 CHILDREN www.irs.gov",
    ]
    out = translate_route(route, texts).texts
    for token in (
        "www.ama<g1>zon</g1>.com", "ray@oreilly.com", "corporate@oreilly.com", "/forums/forums.cfm",
        "index.cfm", "http://www.rgu.ac.uk/policies", "~jkorpela", "/TR/SVG-access/", "3OQX89CUTAV1X",
        "<g1>http://mi.safaribooksonline.com</g1>", "www.irs.gov",
    ):  # fmt: skip
        assert sum(token in o for o in out) == 1, (token, out)
    assert "precios" in out[0] and "Escribe" in out[1] and "pólizas" in out[2]
    assert out[6].startswith("CASADO") and "NIÑOS" in out[6]  # translated, and still in capitals

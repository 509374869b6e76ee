"""The `pseudo` engine on every format's test document: tags and placeholders kept, text longer by
the configured share, and the output a real document that says it was pseudo-translated."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from polydoc.engines import Route, find_route
from polydoc.engines.base import LangPair
from polydoc.engines.protect import protect
from polydoc.engines.pseudo import PseudoEngine, pseudo
from polydoc.engines.routing import translate_route
from polydoc.formats import detect, handler_for
from polydoc.pipeline.local import translate_file
from polydoc.segments import TAG, protected_spans, same_tags, strip_tags
from tests.builders import csv as csv_builders
from tests.builders import docx as docx_builders
from tests.builders import epub as epub_builders
from tests.builders import localisation, odf, pdf, pptx, subtitles, web
from tests.builders import xlsx as xlsx_builders
from tests.helpers import Service, translate


def _txt(folder: Path) -> Path:
    path = folder / "notes.txt"
    path.write_text("Visit www.example.com/help or write to help@example.com.\n\nThe red house is old.\n")
    return path


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "txt": _txt,
    "md": web.build_markdown_doc,
    "html": web.build_html_page,
    "docx": docx_builders.build_docx,
    "pptx": pptx.build_pptx,
    "xlsx": xlsx_builders.build_sales_workbook,
    "odt": odf.build_odt,
    "ods": odf.build_ods,
    "odp": odf.build_odp,
    "epub": epub_builders.build_epub3,
    "srt": subtitles.build_srt,
    "vtt": subtitles.build_vtt,
    "xliff": localisation.build_xliff12,
    "po": localisation.build_po,
    "json": localisation.build_json,
    "yaml": localisation.build_yaml,
    "csv": csv_builders.build_products_csv,
    "pdf": pdf.build_report,
}


def test_text_is_accented_bracketed_and_longer_by_the_share() -> None:
    assert pseudo("Save <g1>the file</g1> now", 0.4) == "[Šåṽé <g1>ţĥé ƒîļé</g1> ñöŵ ~~~~]"
    assert pseudo("Hello {name}, %d files &amp; more", 0.0) == "[Ĥéļļö {name}, %d ƒîļéš &amp; ɱöŕé]"
    assert pseudo("  Open  ", 0.4) == "  [Öþéñ]  "  # the brackets are the growth of a short label
    for share in (0.0, 0.3, 0.4, 1.0):
        text = "The red house is very old and the dog is black."
        assert len(pseudo(text, share)) == len(text) + max(2, math.ceil(len(text) * share))
    assert pseudo("", 0.4) == "" and pseudo(" \n", 0.4) == " \n"


def test_the_share_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from polydoc.config import get_settings

    monkeypatch.setenv("POLYDOC_PSEUDO_EXPANSION", "0.3")
    get_settings.cache_clear()
    try:
        engine = PseudoEngine()
    finally:
        get_settings.cache_clear()
    text = "A sentence of exactly fifty characters, give or ta"
    out = engine.translate_batch(LangPair("en", "fi"), [text]).texts[0]
    assert len(out) == 50 + 15
    assert out == engine.translate_batch(LangPair("en", "fi"), [text]).texts[0]  # deterministic


@pytest.mark.parametrize("fmt", sorted(BUILDERS))
def test_every_tag_and_placeholder_survives_and_text_grows(fmt: str, tmp_path: Path) -> None:
    src = BUILDERS[fmt](tmp_path)
    handler = handler_for(detect(src, src.name))
    texts = list(dict.fromkeys(s.text for s in handler.extract(src)))
    route = find_route("pseudo", "en", "de")
    assert route == Route("pseudo", (LangPair("en", "de"),))
    result = translate_route(route, texts)
    assert result.failed == []  # nothing fell back to the source text
    tagged = protected = 0
    for source, out in zip(texts, result.texts, strict=True):
        assert same_tags(source, out), (source, out)
        assert [t.group(0) for t in TAG.finditer(source)] == [t.group(0) for t in TAG.finditer(out)]
        plain = strip_tags(source)
        for start, end in protected_spans(plain):  # URLs, addresses, ids: byte for byte
            assert plain[start:end] in strip_tags(out), (plain[start:end], out)
            protected += 1
        tagged += bool(TAG.search(source))
        # the characters the engine saw (placeholders aside) grow by the share; brackets included
        masked = strip_tags(protect([source])[0][0]).strip()
        grown = len(strip_tags(out)) - len(plain)
        assert grown == max(2, math.ceil(len(masked) * 0.4)) or not masked, (source, out)
        assert strip_tags(out).strip().startswith("[") and strip_tags(out).rstrip().endswith("]")
    assert tagged or protected or fmt in ("csv", "yaml", "pdf", "ods"), "the test document has no tag to keep"


@pytest.mark.parametrize("fmt", ["docx", "html", "po", "json", "srt", "xlsx", "pdf"])
def test_the_translated_document_is_rebuilt_with_pseudo_text(fmt: str, tmp_path: Path) -> None:
    src = BUILDERS[fmt](tmp_path)
    out = tmp_path / f"out.{src.suffix.lstrip('.')}"
    result = translate_file(src, target="de", source="en", engine="pseudo", output=out)
    assert result.route == "pseudo" and result.warnings == []
    if fmt == "po":  # bilingual: the translations are the msgstr, the source stays
        import polib

        texts = [e.msgstr for e in polib.pofile(str(out)) if e.msgstr]
    else:
        texts = [strip_tags(s.text) for s in handler_for(detect(out, out.name)).extract(out)]
    assert any("[" in t and "~" in t for t in texts), texts[:5]


def test_a_pseudo_run_costs_nothing(service: Service) -> None:
    client = service.client()
    before = client.get("/v1/account").json()["balance"]
    body = b"The red house is very old.\n\nThe dog is black and the cat is white.\n"
    file = client.post("/v1/files", files={"data": ("story.txt", body)}).json()
    estimate = client.post(
        "/v1/estimates", json={"input_file_id": file["id"], "target_language": "de", "engine": "pseudo"}
    ).json()
    assert estimate["credits"] == 0 and estimate["hold"] == 0
    run, output = translate(client, "story.txt", body, target="de", engine="pseudo", source_language="en")
    assert run["credits"] == 0 and run["route"] == "pseudo"
    assert output.decode().startswith("[Ţĥé ŕéð ĥöûšé îš ṽéŕý öļð.")
    assert client.get("/v1/account").json()["balance"] == before

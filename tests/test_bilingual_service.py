"""Bilingual output end to end: `polydoc serve`, real Apertium, a DOCX and an SRT run with
`output_mode: "bilingual"`; the formats listing says which formats offer it."""

from __future__ import annotations

import io

import docx

from tests.helpers import Service, translate

SRT = (
    b"1\r\n00:00:01,000 --> 00:00:03,000\r\nThe house is very big.\r\n\r\n"
    b"2\r\n00:00:04,000 --> 00:00:06,000\r\nThe dog is red\r\nand the cat is black.\r\n"
)


def _docx() -> bytes:
    doc = docx.Document()
    doc.add_heading("The red house", level=1)
    p = doc.add_paragraph("The ")
    p.add_run("big").bold = True
    p.add_run(" dog eats the food.")
    doc.add_paragraph("2024")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_bilingual_docx_run_puts_each_translation_under_its_paragraph(service: Service) -> None:
    with service.client(service.new_account("bilingual", 100)) as c:
        run, out = translate(c, "house.docx", _docx(), output_mode="bilingual")
    assert run["output_mode"] == "bilingual"
    paragraphs = docx.Document(io.BytesIO(out)).paragraphs
    texts = [p.text for p in paragraphs]
    assert texts[0] == "The red house" and "casa" in texts[1]
    assert texts[2] == "The big dog eats the food." and "perro" in texts[3]
    assert [r.text for r in paragraphs[2].runs if r.bold] == ["big"]
    assert any(r.bold and "grande" in r.text for r in paragraphs[3].runs)  # bold follows the word
    assert all(r.italic for r in paragraphs[3].runs)
    assert texts[4:] == ["2024"]


def test_a_bilingual_srt_run_gives_each_cue_a_source_and_a_translation_line(service: Service) -> None:
    with service.client(service.new_account("bilingual", 100)) as c:
        run, out = translate(c, "film.srt", SRT, output_mode="bilingual")
    blocks = [b.split("\r\n") for b in out.decode().strip().split("\r\n\r\n")]
    assert [b[:2] for b in blocks] == [
        ["1", "00:00:01,000 --> 00:00:03,000"],
        ["2", "00:00:04,000 --> 00:00:06,000"],
    ]
    assert blocks[0][2] == "The house is very big." and "casa" in blocks[0][3]
    assert blocks[1][2] == "The dog is red and the cat is black."
    assert "perro" in blocks[1][3] and "gato" in blocks[1][3] and len(blocks[1]) == 4


def test_the_formats_listing_says_which_formats_offer_bilingual_output(service: Service) -> None:
    with service.client(service.new_account("bilingual", 100)) as c:
        formats = {f["name"]: f for f in c.get("/v1/languages").json()["formats"]}
    for name in ("docx", "html", "srt", "vtt", "xlsx", "pdf"):
        assert "bilingual" in formats[name]["output_modes"], name
    assert formats["txt"]["output_modes"] == ["translated"]
    assert "docx" in formats["docx"]["extensions"]

"""PDFs translated into Arabic, Hebrew, Hindi, Chinese and Japanese: real glyphs (no .notdef),
Arabic letters joined, right-to-left lines flush right, CJK wrapped without spaces, and
text that pdftotext reads back in logical order. Translations come from fixed tables, first
straight through the handler, then in one service run against the fake LLM peer."""

from __future__ import annotations

import re
import struct
import subprocess
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from pdfminer.high_level import extract_pages, extract_text
from pdfminer.layout import LTChar
from reportlab.lib.pagesizes import letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from polydoc.formats import handler_for
from tests.helpers import Service, start_serve, translate
from tests.llm_peer import FakeLLMPeer, PeerBehaviour

HANDLER = handler_for("pdf")
HEADING = "Annual report"
BODY_LINES = (
    "Our market grew steadily during the year, and the",
    "northern region led the way with strong demand",
    "for the new product line. Customers asked for",
    "faster delivery and clearer prices.",
)
BODY = " ".join(BODY_LINES)
# (heading, body) per target; the Arabic has a lam-alef ligature (خلال) and a number
TABLES = {
    "ar": (
        "التقرير السنوي",
        "نما سوقنا بثبات خلال العام، وقادت المنطقة الشمالية الطريق بطلب قوي على خط المنتجات "
        "الجديد. طلب العملاء توصيلا أسرع وأسعارا أوضح في عام 2024.",
    ),
    "he": (
        "דוח שנתי",
        "השוק שלנו צמח בהתמדה במהלך השנה, והאזור הצפוני הוביל עם ביקוש חזק לקו המוצרים החדש. "
        "הלקוחות ביקשו משלוח מהיר יותר ומחירים ברורים יותר.",
    ),
    # Devanagari: conjuncts and a vowel sign drawn before its consonant (कि)
    "hi": (
        "वार्षिक रिपोर्ट",
        "हमारे बाज़ार ने पूरे साल लगातार वृद्धि की, और उत्तरी क्षेत्र ने नई उत्पाद श्रृंखला की मज़बूत माँग के साथ नेतृत्व किया।",
    ),
    "zh": (
        "年度报告",
        "我们的市场在这一年中稳步增长，北部地区以对新产品线的强劲需求领先。客户要求更快的交付和更清晰的价格。",
    ),
    "ja": (
        "年次報告書",
        "当社の市場は一年を通じて着実に成長し、北部地域が新製品ラインへの強い需要で先頭に立ちました。"
        "お客様はより速い配送とより明確な価格を求めました。",
    ),
}
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # poppler marks runs with these
URL = "https://example.com/ar"
_NO_LINE_START = "、。，．）」』】！？"


def _source(folder: Path) -> Path:
    path = folder / "letter.pdf"
    canvas = Canvas(str(path), pagesize=letter)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(72, 700, HEADING)
    canvas.setFont("Helvetica", 11)
    for i, line in enumerate(BODY_LINES):
        canvas.drawString(72, 670 - 14 * i, line)
    canvas.save()
    return path


def _pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return _BIDI_MARKS.sub("", out)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _chars(path: Path) -> list[LTChar]:
    out: list[LTChar] = []

    def walk(obj: object) -> None:
        if isinstance(obj, LTChar):
            out.append(obj)
        elif hasattr(obj, "__iter__"):
            for child in obj:
                walk(child)

    walk(next(iter(extract_pages(str(path)))))
    return out


def _drawn_codes(pdf: pikepdf.Pdf) -> Iterator[tuple[pikepdf.Dictionary, int]]:
    """(font dictionary, code) for every character code shown on the first page, in forms too."""

    def walk(
        holder: pikepdf.Object, resources: pikepdf.Dictionary
    ) -> Iterator[tuple[pikepdf.Dictionary, int]]:
        fonts = resources.get("/Font", {})
        font = None
        for operands, op in pikepdf.parse_content_stream(holder):
            name = str(op)
            if name == "Tf":
                font = fonts[operands[0]]
            elif name in ("Tj", "'", '"'):
                yield from ((font, b) for b in bytes(operands[-1]))
            elif name == "TJ":
                for part in operands[0]:
                    if isinstance(part, pikepdf.String):
                        yield from ((font, b) for b in bytes(part))
            elif name == "Do":
                xobject = resources["/XObject"][operands[0]]
                if xobject.get("/Subtype") == "/Form":
                    yield from walk(xobject, xobject.get("/Resources", resources))

    page = pdf.pages[0]
    yield from walk(page, page.obj.get("/Resources", pikepdf.Dictionary()))


def _embedded_glyphs(font: pikepdf.Dictionary) -> dict[int, int] | None:
    """Code -> glyph id in the embedded TrueType subset's cmap (reportlab writes one
    format 6 subtable); None when the font is not an embedded TrueType font."""
    descriptor = font.get("/FontDescriptor")
    if descriptor is None or "/FontFile2" not in descriptor:
        return None
    data = descriptor.FontFile2.read_bytes()
    (tables,) = struct.unpack_from(">H", data, 4)
    records = (struct.unpack_from(">4sIII", data, 12 + 16 * i) for i in range(tables))
    cmap = next(offset for tag, _sum, offset, _len in records if tag == b"cmap")
    _platform, _encoding, sub = struct.unpack_from(">HHI", data, cmap + 4)
    fmt, _length, _lang, first, count = struct.unpack_from(">5H", data, cmap + sub)
    assert fmt == 6
    glyphs = struct.unpack_from(f">{count}H", data, cmap + sub + 10)
    return {first + i: g for i, g in enumerate(glyphs)}


def _to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    text = font.ToUnicode.read_bytes().decode("latin-1")
    pairs = re.findall(r"<([0-9A-Fa-f]{2})> <((?:[0-9A-Fa-f]{4})+)>", text)
    return {int(code, 16): bytes.fromhex(uni).decode("utf-16-be") for code, uni in pairs}


def _words(text: str) -> list[str]:
    """The words in reading order without punctuation: poppler, like for LibreOffice's PDFs,
    moves a comma or full stop next to a space in right-to-left text to the other word."""
    return "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text).split()


@pytest.fixture(scope="module")
def translated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scripts")
    src = _source(folder)
    segments = [s for s in HANDLER.extract(src) if s.text in (HEADING, BODY)]  # not the metadata
    assert [s.text for s in segments] == [HEADING, BODY]
    out = {}
    for lang, texts in TABLES.items():
        dst = folder / f"letter-{lang}.pdf"
        report = HANDLER.rebuild(
            src, dst, {s.id: t for s, t in zip(segments, texts, strict=True)}, target_language=lang
        )
        assert not report.warnings, report.warnings
        out[lang] = dst
    return out


@pytest.mark.parametrize("lang", list(TABLES))
def test_extracted_text_reads_in_logical_order(translated: dict[str, Path], lang: str) -> None:
    heading, body = TABLES[lang]
    text = _pdftotext(translated[lang])
    if lang in ("zh", "ja"):  # wrapped without spaces: pdftotext puts a line break in the middle
        flat = re.sub(r"\s+", "", text)
        assert heading in flat and body in flat
    else:
        assert " ".join(_words(heading)) in " ".join(_words(text))
        assert " ".join(_words(body)) in " ".join(_words(text))
    if lang == "he":  # pdfminer reads runs of one direction in logical order, punctuation too
        assert body in _flat(extract_text(str(translated[lang])))
    assert "Annual" not in text and "market" not in text


@pytest.mark.parametrize("lang", list(TABLES))
def test_every_drawn_glyph_exists_in_its_font(translated: dict[str, Path], lang: str) -> None:
    with pikepdf.open(translated[lang]) as pdf:
        drawn = list(_drawn_codes(pdf))
        cmaps = {}
        for font, code in drawn:
            key = font.objgen
            if key not in cmaps:
                cmaps[key] = _embedded_glyphs(font)
            cmap = cmaps[key]
            assert cmap is not None, f"{font.get('/BaseFont')} is not an embedded TrueType font"
            # reportlab draws a character its font lacks as code 0
            assert code != 0 and cmap.get(code, 0) != 0, f"code {code} of {font.BaseFont} draws .notdef"
        names = {str(font.BaseFont) for font, _code in drawn}
    script_face = {
        "ar": "Arabic",
        "he": "Hebrew",
        "hi": "Devanagari",
        "zh": "DroidSansFallback",
        "ja": "DroidSansFallback",
    }[lang]
    assert any(script_face in name for name in names), names


def test_arabic_letters_take_their_joined_forms(translated: dict[str, Path]) -> None:
    forms: dict[str, set[tuple[tuple[int, int], int]]] = defaultdict(set)
    with pikepdf.open(translated["ar"]) as pdf:
        for font, code in _drawn_codes(pdf):
            if "Arabic" in str(font.BaseFont):
                letter = _to_unicode(font).get(code, "")
                if len(letter) == 1 and unicodedata.bidirectional(letter) == "AL":
                    forms[letter].add((font.objgen, code))
    # a letter drawn as isolated, initial, medial or final uses a different glyph for each
    assert forms and sum(len(cids) for cids in forms.values()) > len(forms) + 5
    assert len(forms["ب"]) >= 2 and len(forms["ل"]) >= 2


@pytest.mark.parametrize("lang", ["ar", "he"])
def test_right_to_left_paragraph_is_flush_right(translated: dict[str, Path], lang: str) -> None:
    lines: dict[int, list[LTChar]] = defaultdict(list)
    for c in _chars(translated[lang]):
        if c.get_text().strip() and c.size < 13:  # the body, not the heading
            lines[round(c.matrix[5])].append(c)  # by baseline
    assert len(lines) >= 3, "the translation wraps over several lines"
    rights = [max(c.x1 for c in line) for line in lines.values()]
    lefts = [min(c.x0 for c in line) for line in lines.values()]
    assert max(rights) - min(rights) < 1.0
    assert max(lefts) - min(lefts) > 5.0  # ragged on the left: the last line is shorter


@pytest.mark.parametrize("lang", ["zh", "ja"])
def test_cjk_wraps_between_characters_and_not_before_closing_marks(
    translated: dict[str, Path], lang: str
) -> None:
    lines = [line.strip() for line in _pdftotext(translated[lang]).splitlines() if line.strip()]
    body_lines = lines[1:]
    assert len(body_lines) >= 3
    assert not any(line[0] in _NO_LINE_START for line in body_lines)


def test_link_follows_its_words_into_a_right_to_left_line(tmp_path: Path) -> None:
    src = tmp_path / "link.pdf"
    canvas = Canvas(str(src), pagesize=letter)
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, 700, "Visit our website for the full tables and read")
    canvas.drawString(72, 686, "the guide before you start with the tool.")
    x0 = 72 + stringWidth("Visit ", "Helvetica", 11)
    canvas.linkURL(URL, (x0, 697, x0 + stringWidth("our website", "Helvetica", 11), 710), relative=0)
    canvas.save()
    (segment,) = HANDLER.extract(src)
    assert segment.text.startswith("Visit <g1>our website</g1> for")
    linked = "موقعنا"
    translation = (
        f"زوروا <g1>{linked}</g1> للاطلاع على الجداول الكاملة واقرؤوا الدليل قبل أن تبدأ العمل بالأداة."
    )
    dst = tmp_path / "link-ar.pdf"
    HANDLER.rebuild(src, dst, {segment.id: translation}, target_language="ar")
    with pikepdf.open(dst) as pdf:
        (link,) = [a for a in pdf.pages[0].Annots if a.Subtype == "/Link"]
        x0, y0, x1, y1 = (float(v) for v in link.Rect)
    under = "".join(
        c.get_text()
        for c in sorted(_chars(dst), key=lambda c: -c.x0)  # right to left: reading order
        if x0 <= (c.x0 + c.x1) / 2 <= x1 and y0 <= (c.y0 + c.y1) / 2 <= y1
    )
    assert under.strip() == linked


@pytest.fixture(scope="module")
def peer() -> Iterator[FakeLLMPeer]:
    table = {HEADING: TABLES["ar"][0], BODY: TABLES["ar"][1]}
    with FakeLLMPeer(PeerBehaviour(phrasebook=table)) as p:
        yield p


@pytest.fixture(scope="module")
def llm_service(peer: FakeLLMPeer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_serve(tmp_path_factory.mktemp("llm-scripts"), peer.service_env())
    svc.key = svc.new_account("scripts-user", 1000)
    yield svc
    svc.stop()


def test_llm_run_into_arabic_gives_a_readable_pdf(llm_service: Service, tmp_path: Path) -> None:
    data = _source(tmp_path).read_bytes()
    with llm_service.client() as c:
        run, out = translate(c, "letter.pdf", data, target="ar", engine="openai")
    assert run["engine"] == "openai" and run["segments_failed"] == 0
    dst = tmp_path / "out.pdf"
    dst.write_bytes(out)
    words = " ".join(_words(_pdftotext(dst)))
    assert " ".join(_words(TABLES["ar"][0] + " " + TABLES["ar"][1])) in words
    with pikepdf.open(dst) as pdf:
        assert all(code and _embedded_glyphs(font).get(code, 0) for font, code in _drawn_codes(pdf))

"""PDF paragraphs on a real LibreOffice export: one segment per paragraph, list item and table
cell; each paragraph set at its own size; links and underlines that follow their text;
bookmarks and the document title translated.

The report is a Word document built with python-docx and exported by LibreOffice: a heading,
two paragraphs with a bold phrase and a link, a bullet list, a 3×3 ruled table whose cells wrap.
LibreOffice's headless export leaves out external hyperlinks, so the /Link annotation a
desktop export writes is added over the link text with pikepdf. Translations come from the
real Apertium engine and from the deterministic `mark_words`.
"""

from __future__ import annotations

import io
import re
import shutil
import statistics
import subprocess
from collections.abc import Callable
from pathlib import Path

import docx
import pikepdf
import pytest
from docx.shared import Pt
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTCurve, LTTextLine

from polydoc.engines import LangPair, get_engine
from polydoc.formats import handler_for
from polydoc.segments import TAG, strip_tags
from tests.builders.docx import add_hyperlink
from tests.builders.office_pdf import docx_to_pdf
from tests.fakes import mark_words

HANDLER = handler_for("pdf")
URL = "https://example.com/garden"
LINK_TEXT = "our web page"
PARAGRAPHS = [
    "Quarterly report of the garden club",
    "The members of the garden club met every week during the spring to plant new trees in the old "
    "park, and the city council gave them water and tools for the work. More details about the "
    "project can be found on our web page which also lists the names of all the volunteers who "
    "helped with the planting of the trees.",
    "In the summer the club will build a small house for the birds near the lake, and the children "
    "of the school will paint it with bright colours. Everybody is welcome to join the next meeting.",
    "The first item of the list is short.",
    "The second item of the list tells the whole story of the old tree that fell in the storm last "
    "winter and of the new one.",
    "The third item is here.",
]
CELLS = [
    ["Name of the tree in the garden", "Number planted", "Place in the park"],
    ["Old oak tree from the north side of the hill", "12", "Near the big lake behind the house"],
    ["Young apple tree", "30", "Along the main road to the school"],
]
WORDS = [c for row in CELLS for c in row if not c.isdigit()]  # the cells with text to translate


def _report_docx() -> bytes:
    doc = docx.Document()
    doc.core_properties.title = "Quarterly report"
    doc.styles["Normal"].font.size = Pt(11)
    doc.styles["Normal"].font.name = "Liberation Serif"
    doc.add_heading(PARAGRAPHS[0], level=1)
    first, rest = PARAGRAPHS[1].split("city council")
    before, after = rest.split(LINK_TEXT)
    p = doc.add_paragraph(first)
    p.add_run("city council").bold = True
    p.add_run(before)
    add_hyperlink(p, LINK_TEXT, URL)
    p.add_run(after)
    doc.add_paragraph(PARAGRAPHS[2])
    for item in PARAGRAPHS[3:6]:
        doc.add_paragraph(item, style="List Bullet")
    table = doc.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for i, row in enumerate(CELLS):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _layout_items(path: Path, kind: type) -> list:
    """Every pdfminer layout object of `kind` (chars, text lines) on every page, in order."""
    out: list = []

    def walk(obj) -> None:
        if isinstance(obj, kind):
            out.append(obj)
        elif hasattr(obj, "__iter__"):
            for child in obj:
                walk(child)

    for page in extract_pages(str(path)):
        walk(page)
    return out


def _chars(path: Path) -> list[LTChar]:
    return _layout_items(path, LTChar)


def _lines(path: Path) -> list[LTTextLine]:
    return _layout_items(path, LTTextLine)


def _add_link(pdf_path: Path) -> None:
    """The /Link a desktop export writes, over the link text's characters."""
    chars = [c for c in _chars(pdf_path) if c.get_text().strip()]
    joined = "".join(c.get_text() for c in chars)
    start = joined.index(LINK_TEXT.replace(" ", ""))
    span = chars[start : start + len(LINK_TEXT.replace(" ", ""))]
    rect = [
        min(c.x0 for c in span),
        min(c.y0 for c in span),
        max(c.x1 for c in span),
        max(c.y1 for c in span),
    ]
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        annot = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=rect,
                Border=[0, 0, 0],
                A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String(URL)),
            )
        )
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([annot]))
        pdf.save(pdf_path)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("office-pdf")
    path = folder / "report.pdf"
    path.write_bytes(docx_to_pdf(_report_docx(), folder))
    _add_link(path)
    return path


def _apertium(texts: list[str]) -> list[str]:
    if shutil.which("apertium") is None:
        pytest.skip("apertium is not installed")
    return get_engine("apertium").translate_batch(LangPair("en", "es"), texts).texts


def _translate(src: Path, dst: Path, fn: Callable[[list[str]], list[str]], **kwargs) -> dict[str, str]:
    segments = list(HANDLER.extract(src))
    translations = dict(zip((s.id for s in segments), fn([s.text for s in segments]), strict=True))
    HANDLER.rebuild(src, dst, translations, target_language="es", **kwargs)
    return translations


@pytest.fixture(scope="module")
def apertium(source: Path) -> tuple[Path, dict[str, str]]:
    dst = source.with_name("report-apertium.pdf")
    return dst, _translate(source, dst, _apertium)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _pdftotext(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed")
    return _flat(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    )


def _page_segments(path: Path) -> dict[str, str]:
    return {s.id: s.text for s in HANDLER.extract(path) if s.id.startswith("p")}


def test_one_segment_per_paragraph_list_item_and_table_cell(source: Path) -> None:
    texts = [_flat(strip_tags(t)) for t in _page_segments(source).values()]
    assert texts == [*PARAGRAPHS, *WORDS]  # nothing split, nothing merged, rows read in order
    segments = {s.id: s for s in HANDLER.extract(source)}
    paragraph = next(s.text for s in segments.values() if "city council" in s.text)
    assert re.search(r"<g\d+>city council</g\d+>", paragraph)  # the bold phrase is a span
    assert re.search(rf"<g\d+>{LINK_TEXT}</g\d+>", paragraph)  # so is the link text
    assert segments["title"].text == "Quarterly report"
    assert segments["outline#1"].text == PARAGRAPHS[0]


@pytest.mark.parametrize("engine", ["apertium", "mark_words"])
def test_each_whole_paragraph_translation_is_in_the_output(source: Path, apertium, engine: str) -> None:
    if engine == "apertium":
        dst, translations = apertium
    else:
        dst = source.with_name("report-marked.pdf")
        translations = _translate(source, dst, lambda texts: [mark_words(t) for t in texts])
    text = _pdftotext(dst)
    page = {k: v for k, v in translations.items() if k.startswith("p")}
    assert len(page) == len(PARAGRAPHS) + len(WORDS)
    missing = [t for t in page.values() if _flat(strip_tags(t)) not in text]
    assert missing == []
    with pikepdf.open(dst) as pdf:
        assert str(pdf.docinfo.Title) == strip_tags(translations["title"])
        assert str(pdf.Root.Outlines.First.Title) == strip_tags(translations["outline#1"])


def test_each_paragraph_keeps_its_size_unless_it_must_shrink(source: Path, apertium) -> None:
    dst, _translations = apertium
    before = {round(c.size) for c in _chars(source) if c.get_text().strip()}
    assert before == {11, 14}  # body text and the heading
    ratios = []
    for line in _lines(dst):
        sizes = [c.size for c in line if isinstance(c, LTChar) and c.get_text().strip()]
        if sizes:
            size = statistics.median(sizes)
            ratios.append(size / (14 if size > 12.5 else 11))
            assert max(sizes) - min(sizes) < 0.05, line.get_text()  # one size per paragraph line
    assert statistics.median(ratios) >= 0.9
    assert min(ratios) >= 0.7
    # the table's numbers and its translated cells share one size when both fit
    table = [c.size for c in _chars(dst) if c.get_text() in "1230" and c.get_text().strip()]
    assert table and all(abs(s - 11) < 0.05 for s in table)


def _link_chars(dst: Path, translation: str) -> list[LTChar]:
    spans = dict(re.findall(r"<g(\d+)>(.*?)</g\1>", translation))
    word = None
    for text in spans.values():
        if "web" in text.lower() or "página" in text.lower() or "esOUR" in text:
            word = strip_tags(text).replace(" ", "")
    assert word, translation
    chars = [c for c in _chars(dst) if c.get_text().strip()]
    joined = "".join(c.get_text() for c in chars)
    start = joined.index(word)
    return chars[start : start + len(word)]


def test_links_and_underlines_follow_the_translated_text(source: Path, apertium) -> None:
    dst, translations = apertium
    paragraph = next(t for k, t in translations.items() if k.startswith("p") and TAG.search(t))
    span = _link_chars(dst, paragraph)
    with pikepdf.open(dst) as pdf:
        (annot,) = [a for a in pdf.pages[0].Annots if a.Subtype == "/Link"]
        assert str(annot.A.URI) == URL
        rect = [float(v) for v in annot.Rect]
        quads = [float(v) for v in annot.QuadPoints]
    boxes = [
        (min(q[0::2]), min(q[1::2]), max(q[0::2]), max(q[1::2])) for q in zip(*[iter(quads)] * 8, strict=True)
    ]
    for c in span:
        mid = ((c.x0 + c.x1) / 2, (c.y0 + c.y1) / 2)
        assert rect[0] <= mid[0] <= rect[2] and rect[1] <= mid[1] <= rect[3]
        assert any(b[0] <= mid[0] <= b[2] and b[1] <= mid[1] <= b[3] for b in boxes)

    # the underline runs under the translated link text, and no longer under the old place
    def underlines(path: Path) -> set[tuple[int, int, int]]:
        return {
            (round(o.x0), round(o.x1), round(o.y0))
            for page in extract_pages(str(path))
            for o in page
            if isinstance(o, LTCurve) and o.height < 2.5 and o.width < 300  # table borders are wider
        }

    (old,) = underlines(source)
    (new,) = underlines(dst)
    assert new != old
    assert new[0] <= span[0].x0 + 1 and new[1] >= span[-1].x1 - 1 and abs(new[2] - span[0].y0) < 4


def test_no_glyph_outside_the_page_or_over_another_line(apertium) -> None:
    dst, _translations = apertium
    with pikepdf.open(dst) as pdf:
        width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
    chars = [c for c in _chars(dst) if c.get_text().strip()]
    assert all(0 <= c.x0 and c.x1 <= width and 0 <= c.y0 and c.y1 <= height for c in chars)
    boxes = []
    for line in _lines(dst):
        inked = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
        if inked:  # the glyphs' cores: accents and descenders may touch the next line
            size = statistics.median(c.size for c in inked)
            y = statistics.median(c.y0 for c in inked)
            boxes.append(
                (min(c.x0 for c in inked), y + 0.25 * size, max(c.x1 for c in inked), y + 0.7 * size)
            )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1]), (a, b)


def test_bilingual_output_follows_each_page_with_its_paragraphs(source: Path) -> None:
    dst = source.with_name("report-bilingual.pdf")
    translations = _translate(
        source, dst, lambda texts: [mark_words(t) for t in texts], output_mode="bilingual"
    )
    with pikepdf.open(dst) as pdf:
        assert len(pdf.pages) == 2
        assert str(pdf.docinfo.Title) == "Quarterly report"  # the original's title and bookmarks stay
    text = _flat(subprocess.run(["pdftotext", "-f", "2", str(dst), "-"], capture_output=True).stdout.decode())
    assert all(_flat(strip_tags(t)) in text for k, t in translations.items() if k.startswith("p"))


def _two_columns(path: Path) -> None:
    """Two columns set line by line, as a typesetter writes them: a word hyphenated at a full
    line's end, and paragraphs told apart only by a first-line indent (no space between)."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=(842, 595), invariant=1)
    canvas.setFont("Helvetica", 10)
    columns = [
        [
            (0, "The garden club planted many trees in the old park and the"),
            (0, "volunteers watered them every morning before the transla-"),
            (0, "tion of the guide was ready for the new members of the club."),
            (12, "A second paragraph starts with an indent and keeps going"),
            (0, "over two lines without any space between the paragraphs."),
        ],
        [
            (0, "The right column has its own paragraph that runs over three"),
            (0, "lines, and it must never be joined with the lines that stand"),
            (0, "at the same height in the left column of the page."),
        ],
    ]
    from reportlab.pdfbase.pdfmetrics import stringWidth

    gutter = 72 + max(stringWidth(t, "Helvetica", 10) + i for i, t in columns[0]) + 24
    for left, lines in zip((72, gutter), columns, strict=True):
        y = 500.0
        for indent, text in lines:
            canvas.drawString(left + indent, y, text)
            y -= 12
    canvas.save()


def test_columns_indents_and_hyphenation_make_paragraphs(tmp_path: Path) -> None:
    src = tmp_path / "columns.pdf"
    _two_columns(src)
    texts = [_flat(strip_tags(t)) for t in _page_segments(src).values()]
    assert texts == [
        "The garden club planted many trees in the old park and the volunteers watered them every "
        "morning before the translation of the guide was ready for the new members of the club.",
        "A second paragraph starts with an indent and keeps going over two lines without any space "
        "between the paragraphs.",
        "The right column has its own paragraph that runs over three lines, and it must never be "
        "joined with the lines that stand at the same height in the left column of the page.",
    ]


# A paragraph cut by a page or column break is one segment, split back over its two boxes.

RUN_ON = (
    "The volunteers of the garden club carried water from the old well to the young trees every "
    "morning of the dry summer, and the children of the village school helped them with small "
    "buckets while their teachers wrote down how much each tree had grown since the spring and "
    "which of the trees needed more shade from the strong afternoon sun."
)
PAGE_END = "The city council paid for the new fence around the park and for the benches near the lake."
NEXT_PAGE = "Another group of members painted the old house of the gardener in bright colours."
OPEN_END = (
    "The last meeting of the year will decide which trees the club plants next and who looks after "
    "the garden during the long winter months when nobody wants to work outside in the cold rain"
)
HEADING = "Plans for the next season"
AFTER_HEADING = "The members will vote on the plans at the first meeting of the new year."


def _wrap(text: str, width: float, size: float = 11) -> list[str]:
    from reportlab.lib.utils import simpleSplit

    return simpleSplit(text, "Helvetica", size, width)


def _lines_at(canvas, lines: list[str], left: float, top: float, pitch: float = 14) -> float:
    for k, line in enumerate(lines):
        canvas.drawString(left, top - k * pitch, line)
    return top - len(lines) * pitch


def _page_breaks(path: Path) -> None:
    """Four A4 pages, greedy line breaking: RUN_ON runs from the bottom of page 1 onto page 2;
    PAGE_END ends page 2 with a full stop; page 3 ends in the middle of OPEN_END's sentence
    (its first three lines) and page 4 starts with a heading."""
    from reportlab.pdfgen.canvas import Canvas

    width = 451
    canvas = Canvas(str(path), pagesize=(595, 842), invariant=1)
    run_on = _wrap(RUN_ON, width)
    assert len(run_on) >= 4
    cut = len(run_on) // 2

    def body(lines: list[str], top: float) -> None:
        canvas.setFont("Helvetica", 11)
        _lines_at(canvas, lines, 72, top)

    body(_wrap(NEXT_PAGE.replace("Another", "One"), width), 740)
    body(run_on[:cut], 130 + 14 * (cut - 1))
    canvas.showPage()
    body(run_on[cut:], 740)
    page_end = _wrap(PAGE_END, width)
    body(page_end, 130 + 14 * (len(page_end) - 1))
    canvas.showPage()
    body(_wrap(NEXT_PAGE, width), 740)
    body(_wrap(OPEN_END, width)[:3], 158)
    canvas.showPage()
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(72, 740, HEADING)
    body(_wrap(AFTER_HEADING, width), 710)
    canvas.showPage()
    canvas.save()


def _column_break(path: Path) -> list[str]:
    """A landscape page in two full columns: RUN_ON runs from the bottom of the left column
    to the top of the right one. Returns the paragraphs in reading order."""
    from reportlab.pdfgen.canvas import Canvas

    width = 330
    canvas = Canvas(str(path), pagesize=(842, 595), invariant=1)
    canvas.setFont("Helvetica", 11)
    run_on = _wrap(RUN_ON, width)
    cut = len(run_on) // 2
    top, paragraphs = 500.0, []
    while top - 14 * (len(_wrap(PAGE_END, width)) + cut) > 90:
        top = _lines_at(canvas, _wrap(PAGE_END, width), 72, top) - 6
        paragraphs.append(PAGE_END)
    _lines_at(canvas, run_on[:cut], 72, top)
    after = _lines_at(canvas, run_on[cut:], 440, 500)
    _lines_at(canvas, _wrap(NEXT_PAGE, width), 440, after - 6)
    canvas.save()
    return [*paragraphs, RUN_ON, NEXT_PAGE]


def _page_text(path: Path, number: int, crop: tuple[int, int] | None = None) -> str:
    """pdftotext of one page, or of the band from x = crop[0] to crop[1] of it."""
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed")
    args = ["pdftotext", "-f", str(number), "-l", str(number), str(path), "-"]
    if crop is not None:
        args[1:1] = ["-x", str(crop[0]), "-y", "0", "-W", str(crop[1] - crop[0]), "-H", "2000"]
    return _flat(subprocess.run(args, capture_output=True, check=True).stdout.decode())


def _split_between(whole: str, before: str, after: str) -> None:
    """`whole` is cut between words: its head ends `before`, its tail starts `after`."""
    words = whole.split()
    cuts = [
        k
        for k in range(1, len(words))
        if before.endswith(" ".join(words[:k])) and after.startswith(" ".join(words[k:]))
    ]
    assert cuts, (whole, before, after)
    assert 0.25 < cuts[0] / len(words) < 0.75  # about the share of the source in each part


@pytest.fixture(scope="module")
def page_breaks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("breaks") / "pages.pdf"
    _page_breaks(path)
    return path


def _engine(name: str) -> Callable[[list[str]], list[str]]:
    return _apertium if name == "apertium" else (lambda texts: [mark_words(t) for t in texts])


def test_a_sentence_cut_by_a_page_break_is_one_segment(page_breaks: Path) -> None:
    segments = _page_segments(page_breaks)
    assert (
        {k: _flat(strip_tags(v)) for k, v in segments.items()}
        == {
            "p1#b1": NEXT_PAGE.replace("Another", "One"),
            "p1#b2+p2#b1": RUN_ON,
            "p2#b2": PAGE_END,  # ends with a full stop: page 3's first paragraph stays apart
            "p3#b1": NEXT_PAGE,
            "p3#b2": " ".join(_wrap(OPEN_END, 451)[:3]),  # page 4 starts with a heading
            "p4#b1": HEADING,
            "p4#b2": AFTER_HEADING,
        }
    )
    assert HANDLER.count_pages(page_breaks) == 4


@pytest.mark.parametrize("engine", ["apertium", "mark_words"])
def test_a_sentence_cut_by_a_page_break_is_split_back_over_both_pages(
    page_breaks: Path, tmp_path: Path, engine: str
) -> None:
    dst = tmp_path / "pages-es.pdf"
    translations = _translate(page_breaks, dst, _engine(engine))
    whole = _flat(strip_tags(translations["p1#b2+p2#b1"]))
    one, two = _page_text(dst, 1), _page_text(dst, 2)
    assert whole in f"{one} {two}"
    _split_between(whole, one, two)
    for sid in ("p2#b2", "p3#b1", "p3#b2", "p4#b1", "p4#b2"):
        page = _page_text(dst, int(sid[1]))
        assert _flat(strip_tags(translations[sid])) in page
    with pikepdf.open(dst) as pdf:
        assert len(pdf.pages) == 4


def test_a_sentence_cut_by_a_page_break_in_bilingual_output(page_breaks: Path, tmp_path: Path) -> None:
    dst = tmp_path / "pages-bilingual.pdf"
    translations = _translate(page_breaks, dst, _engine("mark_words"), output_mode="bilingual")
    whole = _flat(strip_tags(translations["p1#b2+p2#b1"]))
    assert whole in f"{_page_text(dst, 2)} {_page_text(dst, 4)}"  # each original, then its translation
    assert RUN_ON in f"{_page_text(dst, 1)} {_page_text(dst, 3)}"


@pytest.mark.parametrize("engine", ["apertium", "mark_words"])
def test_a_sentence_cut_by_a_column_break_is_one_segment(tmp_path: Path, engine: str) -> None:
    src = tmp_path / "column-break.pdf"
    paragraphs = _column_break(src)
    segments = _page_segments(src)
    assert [_flat(strip_tags(t)) for t in segments.values()] == paragraphs
    run_on = len(paragraphs) - 1  # the block number of its first part
    assert list(segments)[-2:] == [f"p1#b{run_on}+p1#b{run_on + 1}", f"p1#b{run_on + 2}"]
    dst = tmp_path / "column-break-es.pdf"
    translations = _translate(src, dst, _engine(engine))
    text = _page_text(dst, 1)
    assert all(_flat(strip_tags(t)) in text for k, t in translations.items() if k.startswith("p"))
    whole = _flat(strip_tags(translations[list(segments)[-2]]))
    _split_between(whole, _page_text(dst, 1, crop=(0, 421)), _page_text(dst, 1, crop=(421, 842)))


def test_a_translation_is_split_at_a_word_with_spans_closed_and_reopened() -> None:
    from polydoc.formats.pdf._flow import ends_sentence, split
    from polydoc.segments import well_formed

    first, second = split("uno dos <g1>tres cuatro</g1> cinco <x2/> seis", 0.4)
    assert (first, second) == ("uno dos <g1>tres</g1>", "<g1>cuatro</g1> cinco <x2/> seis")
    first, second = split("<g1>a <g2>b c</g2> d</g1> e f g h", 0.3)
    assert well_formed(first) and well_formed(second)
    assert strip_tags(f"{first} {second}") == "a b c d e f g h"
    first, second = split("园丁俱乐部的志愿者每天早上给小树浇水", 0.25)  # no spaces: at a character
    assert first + second == "园丁俱乐部的志愿者每天早上给小树浇水" and len(first) == 4
    assert split("园丁俱乐部。志愿者", 0.56) == ("园丁俱乐部。", "志愿者")  # punctuation stays before the cut
    assert split("Gartenvereinsmitglieder", 0.5) == ("Gartenverein", "smitglieder")  # one word
    assert not ends_sentence("the trees in the <g1>old</g1> park and")
    assert all(ends_sentence(t) for t in ("It rained.", "Why?", "as follows:", 'he said "no."', "(done.)"))


def _page_break_docx() -> bytes:
    """Paragraphs that fill page 1, the last running on to page 2 with a bold phrase in it,
    then a paragraph and a heading."""
    doc = docx.Document()
    doc.styles["Normal"].font.size = Pt(11)
    doc.styles["Normal"].font.name = "Liberation Serif"
    for _ in range(9):
        doc.add_paragraph(" ".join([PAGE_END] * 4))
    p = doc.add_paragraph(RUN_ON.replace(" sun.", " sun, ") + "and the ")
    p.add_run("city council").bold = True
    p.add_run(" " + RUN_ON[0].lower() + RUN_ON[1:])
    doc.add_heading(HEADING, level=1)
    doc.add_paragraph(AFTER_HEADING)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize("engine", ["apertium", "mark_words"])
def test_a_libreoffice_paragraph_across_pages_is_one_segment(tmp_path: Path, engine: str) -> None:
    src = tmp_path / "office-break.pdf"
    src.write_bytes(docx_to_pdf(_page_break_docx(), tmp_path))
    assert HANDLER.count_pages(src) == 2
    segments = _page_segments(src)
    joined = [k for k in segments if "+" in k]
    assert len(joined) == 1 and joined[0].startswith("p1#") and "+p2#b1" in joined[0]
    assert _flat(strip_tags(segments[joined[0]])).endswith(RUN_ON[1:])
    assert re.search(r"<g\d+>city council</g\d+>", segments[joined[0]])
    assert [_flat(strip_tags(v)) for v in segments.values()][-2:] == [HEADING, AFTER_HEADING]
    dst = tmp_path / "office-break-es.pdf"
    translations = _translate(src, dst, _engine(engine))
    whole = _flat(strip_tags(translations[joined[0]]))
    _split_between(whole, _page_text(dst, 1), _page_text(dst, 2))


# A default python-docx document as LibreOffice sets it (17 pt between the lines of a body
# paragraph, 15 pt in the table cells): ragged-right paragraphs of four lines, one justified,
# bullet items whose second line hangs under the text after the tab, and a table.
RAGGED = [
    "In period one the northern region of brave harbour led the group. Customers in the northern "
    "towns asked for shorter delivery times and clearer prices. Our warehouse staff moved the heavy "
    "stock to the new building without a single accident. Read the methodology notes before "
    "comparing the figures.",
    "The board approved a modest budget for training every new employee in the first month. The "
    "support desk now answers most questions within one working day. A small group studied how "
    "other firms plan their seasonal hiring. The regional teams finished the spring survey ahead.",
]
JUSTIFIED = (
    "Period one at brave harbour: Shipping costs rose during the second half because fuel became more "
    "expensive. Several partners offered to share their data so that forecasts improve next year. "
    "The support desk now answers most questions within one working day."
)
ITEMS = [
    "The support desk now answers most questions within one working day in period one at brave harbour",
    "A small group studied how other firms plan their seasonal hiring in period one at brave harbour",
    "The regional teams finished the spring survey ahead of the planned date in period one at brave harbour",
]
TABLE = [[f"Cell {r}{c} of the table, short enough to fit" for c in "abc"] for r in (1, 2)]


def _ragged_docx() -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = docx.Document()
    doc.add_paragraph(RAGGED[0])
    doc.add_paragraph(JUSTIFIED).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    doc.add_paragraph(RAGGED[1])
    for item in ITEMS:
        doc.add_paragraph(item, style="List Bullet")
    table = doc.add_table(rows=len(TABLE), cols=3)
    table.style = "Table Grid"
    for i, row in enumerate(TABLE):
        for j, text in enumerate(row):
            table.cell(i, j).text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _page_blocks(path: Path) -> list:
    from pdfminer.pdfinterp import PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    from polydoc.formats.pdf._chars import read_page
    from polydoc.formats.pdf._layout import page_blocks

    with path.open("rb") as f:
        return page_blocks(read_page(PDFResourceManager(), next(PDFPage.get_pages(f))))


def _word_gaps(line) -> list[float]:
    """Spaces between the words of a line, in font sizes."""
    words = [c for c in line.chars if c.text.strip()]
    return [
        (b.x0 - a.x1) / line.size
        for a, b in zip(words, words[1:], strict=False)
        if b.x0 - a.x1 > 0.15 * line.size
    ]


def test_ragged_right_paragraphs_and_hanging_list_items_are_whole_and_stay_left(tmp_path: Path) -> None:
    src = tmp_path / "ragged.pdf"
    src.write_bytes(docx_to_pdf(_ragged_docx(), tmp_path))
    blocks = {_flat(" ".join(ln.text for ln in b.lines)): b for b in _page_blocks(src)}
    assert all(len(blocks[p].lines) >= 3 for p in (*RAGGED, JUSTIFIED))  # they do wrap
    assert len(blocks[ITEMS[1]].lines) == 2  # the first line ends by chance close to the edge
    texts = [_flat(strip_tags(t)) for t in _page_segments(src).values()]
    texts = [t for t in texts if t not in {"\uf0b7", "•"}]
    assert texts == [RAGGED[0], JUSTIFIED, RAGGED[1], *ITEMS, *[c for row in TABLE for c in row]]
    assert [blocks[p].align for p in (*RAGGED, *ITEMS)] == ["left"] * 5
    assert blocks[JUSTIFIED].align == "justify"

    dst = tmp_path / "ragged-es.pdf"
    translations = _translate(src, dst, lambda texts: [mark_words(t) for t in texts])
    rebuilt = {_flat(" ".join(ln.text for ln in b.lines)): b for b in _page_blocks(dst)}
    by_source = {
        _flat(strip_tags(v)): _flat(strip_tags(translations[k])) for k, v in _page_segments(src).items()
    }
    for text in (*RAGGED, *ITEMS):
        lines = rebuilt[by_source[text]].lines
        assert len(lines) >= 2
        gaps = [g for line in lines for g in _word_gaps(line)]
        assert max(gaps) < 0.45, text  # a normal space (about 0.25 em), not stretched to the edge
    # the justified paragraph still is (its widened spaces may cut its rebuilt lines apart)
    justified = next(b for text, b in rebuilt.items() if text.startswith(by_source[JUSTIFIED][:30]))
    assert justified.align == "justify"
    assert max(g for line in justified.lines[:-1] for g in _word_gaps(line)) > 0.35

from __future__ import annotations

import re
import time
from pathlib import Path

import lxml.html
import pytest

from polydoc.errors import MalformedDocument
from polydoc.formats import detect, handler_for
from polydoc.formats.base import RebuildReport
from polydoc.segments import strip_tags
from tests.builders import hostile
from tests.builders.web import build_html_cp1252, build_html_fragment, build_html_page
from tests.fakes import mark_words

H = handler_for("html")
_WORD = re.compile(r"[A-Za-z]+")
_KEPT = {"script", "style", "pre", "code"}


def _translate(src: Path, dst: Path, fn=mark_words, lang: str = "es") -> RebuildReport:
    segments = list(H.extract(src))
    report = H.rebuild(src, dst, {s.id: fn(s.text) for s in segments}, target_language=lang)
    assert isinstance(report, RebuildReport)
    return report


def _visible_text(path: Path) -> list[str]:
    """Text nodes a reader sees, outside code, scripts and elements marked not to translate."""
    root = lxml.html.fromstring(path.read_bytes())
    texts: list[str] = []

    def skipped(el: lxml.html.HtmlElement) -> bool:
        return (
            el.tag in _KEPT or el.get("translate") == "no" or "notranslate" in (el.get("class") or "").split()
        )

    def walk(el: lxml.html.HtmlElement) -> None:
        if not isinstance(el.tag, str):
            return
        if not skipped(el):
            texts.append(el.text or "")
            for child in el:
                walk(child)
        texts.append(el.tail or "")

    walk(root)
    return texts


def _untranslated(texts: list[str]) -> list[str]:
    words = [w for t in texts for w in _WORD.findall(re.sub(r"https?://\S+", "", t))]
    return [w for w in words if not re.fullmatch(r"es[A-Z]+", w)]


def test_builder_is_detected_as_html(tmp_path: Path) -> None:
    assert detect(build_html_page(tmp_path), "blob") == "html"


def test_every_visible_word_is_translated(tmp_path: Path) -> None:
    src, dst = build_html_page(tmp_path), tmp_path / "out.html"
    report = _translate(src, dst)
    assert report.warnings == []
    assert _untranslated(_visible_text(dst)) == []
    root = lxml.html.fromstring(dst.read_bytes())
    assert root.get("lang") == "es"
    assert root.findtext(".//title") == "esPOLYDOC & esTHE esTRANSLATED esWEB"
    assert root.xpath("//meta[@name='description']/@content") == [
        "esTRANSLATE esWHOLE esDOCUMENTS esAND esKEEP esTHEIR esLAYOUT"
    ]
    assert root.xpath("//img/@alt") == ["esA esSLEEPY esORANGE esCAT"]
    assert root.xpath("//input[@type='email']/@placeholder") == ["esENTER esYOUR esEMAIL"]
    assert root.xpath("//input[@type='submit']/@value") == ["esSUBSCRIBE esNOW"]
    assert root.xpath("//a[@href='/docs/guide.html?lang=en&v=2']/@title") == ["esREAD esTHE esGUIDE"]


def test_inline_tags_land_on_the_translated_words(tmp_path: Path) -> None:
    src, dst = build_html_page(tmp_path), tmp_path / "out.html"
    _translate(src, dst)
    out = dst.read_text(encoding="utf-8")
    assert "esPRESS <b>esRED</b> esTO esSTOP" in out
    assert '<a href="https://example.com/manual#safety">esSAFETY esMANUAL</a>' in out
    assert "<em>esTRANSLATION</em>" in out
    assert "<strong>esBOLD esTEXT</strong>" in out
    # The sentence with a bold word is one segment, not three.
    texts = [s.text for s in H.extract(src)]
    assert any(t.startswith("Press <g1>red</g1> to stop the machine") for t in texts)


def test_untouched_parts_keep_their_bytes(tmp_path: Path) -> None:
    src, dst = build_html_page(tmp_path), tmp_path / "out.html"
    _translate(src, dst)
    source, out = src.read_text(encoding="utf-8"), dst.read_text(encoding="utf-8")
    for kept in (
        "<!DOCTYPE html>",
        source[source.index("<style>") : source.index("</script>") + 9],
        "<!-- Navigation comment: keep this markup -->",
        source[source.index("<pre>") : source.index("</pre>") + 6],
        '<span translate="no">WidgetCorp Ultra</span>',
        '<div class="notranslate">Internal build number stays</div>',
        "<code>polydoc serve --port 30000</code>",
        "https://example.com/status",
        '<a href="/docs/guide.html?lang=en&amp;v=2" title="',
        '<img src="/img/cat.png" alt="',
        '" width="320">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ):
        assert kept in out, kept
    # Entities the source spelled out are written the same way in the translated sentence.
    assert "&nbsp;esCOPYRIGHT &copy; 2024 esEXAMPLE." in out
    assert "10 esDOLLARS" in out


def test_identity_rebuild_is_byte_exact(tmp_path: Path) -> None:
    for src in (build_html_page(tmp_path), build_html_fragment(tmp_path), build_html_cp1252(tmp_path)):
        dst = tmp_path / f"same-{src.name}"
        report = _translate(src, dst, fn=lambda t: t, lang="en")
        assert report.warnings == []
        assert dst.read_bytes() == src.read_bytes()


def test_dropped_tags_keep_all_text_and_warn(tmp_path: Path) -> None:
    src, dst = build_html_page(tmp_path), tmp_path / "out.html"
    report = _translate(src, dst, fn=lambda t: strip_tags(mark_words(t)))
    assert report.warnings, "a translation without its tags must be reported"
    assert _untranslated(_visible_text(dst)) == []
    out = dst.read_text(encoding="utf-8")
    assert "esPRESS esRED esTO esSTOP" in out
    # Opaque pieces the engine lost (inline code) are put back, not dropped.
    assert "<code>polydoc serve --port 30000</code>" in out
    lxml.html.fromstring(dst.read_bytes())  # still parses


def test_reordered_tags_keep_all_text(tmp_path: Path) -> None:
    src, dst = build_html_fragment(tmp_path), tmp_path / "out.html"
    segments = {s.id: s.text for s in H.extract(src)}
    broken = {sid: re.sub(r"<g1>(.*)</g1>", r"</g1>\1<g1>", mark_words(t)) for sid, t in segments.items()}
    report = H.rebuild(src, dst, broken, target_language="es")
    assert report.warnings
    text = lxml.html.fromstring(dst.read_bytes()).text_content()
    assert "esHELLO esBOLD esWORLD." in text
    assert "esSECOND esPARAGRAPH esWITH esA esLINK." in text


def test_fragment_without_html_element(tmp_path: Path) -> None:
    src, dst = build_html_fragment(tmp_path), tmp_path / "out.html"
    assert [s.text for s in H.extract(src)] == [
        "Hello <g1>bold</g1> world.",
        "Second paragraph with <g1>a link</g1>.",
        "Company logo",
    ]
    _translate(src, dst)
    out = dst.read_text(encoding="utf-8")
    assert out.startswith("<p>esHELLO <b>esBOLD</b> esWORLD.</p>\n")
    assert '<a href="/x">esA esLINK</a>' in out and 'alt="esCOMPANY esLOGO"' in out
    assert "lang=" not in out


def test_text_is_decoded_in_segments_and_escaped_on_rebuild(tmp_path: Path) -> None:
    src, dst = tmp_path / "amp.html", tmp_path / "out.html"
    src.write_text('<p title="Fish &amp; chips">Salt &amp; pepper &lt;3</p>', encoding="utf-8")
    segs = {s.id: s.text for s in H.extract(src)}
    assert sorted(segs.values()) == ["Fish & chips", "Salt & pepper <3"]
    H.rebuild(src, dst, {k: v + ' & "more" <b>' for k, v in segs.items()}, target_language="es")
    root = lxml.html.fromstring(dst.read_bytes())
    assert root.text_content() == 'Salt & pepper <3 & "more" <b>'
    assert root.get("title") == 'Fish & chips & "more" <b>'


def test_legacy_encoding_is_kept(tmp_path: Path) -> None:
    src, dst = build_html_cp1252(tmp_path), tmp_path / "out.html"
    assert [s.text for s in H.extract(src)] == ["Café menu", "The café serves crème brûlée – every day."]
    segs = {s.id: s.text for s in H.extract(src)}
    H.rebuild(src, dst, {k: v.replace("café", "café ☕") for k, v in segs.items()}, target_language="fr")
    out = dst.read_bytes().decode("cp1252")  # still Windows-1252 throughout
    assert "The café ☕ serves crème brûlée – every day." in lxml.html.fromstring(out).text_content()
    assert '<html lang="fr">' in out


def test_utf8_bom_is_kept(tmp_path: Path) -> None:
    src, dst = tmp_path / "bom.html", tmp_path / "out.html"
    src.write_bytes(b"\xef\xbb\xbf<p>Good morning</p>")
    assert [s.text for s in H.extract(src)] == ["Good morning"]
    _translate(src, dst)
    assert dst.read_bytes() == "\ufeff<p>esGOOD esMORNING</p>".encode()


def test_entity_declarations_are_never_expanded(tmp_path: Path) -> None:
    src, dst = tmp_path / "lol.html", tmp_path / "out.html"
    laughs, xxe = hostile.REFS["laughs"], hostile.REFS["file"]
    src.write_text(
        f"<!DOCTYPE html [{hostile.declarations('laughs')}{hostile.declarations('file')}]>\n"
        f"<html><body><p>Laugh {laughs} and read {xxe} now</p></body></html>",
        encoding="utf-8",
    )
    started = time.monotonic()
    _translate(src, dst)
    assert time.monotonic() - started < 2
    out = dst.read_text(encoding="utf-8")
    assert len(out) < 2 * len(src.read_text(encoding="utf-8"))
    assert "root:" not in out
    assert "esLAUGH" in out


def test_binary_data_is_malformed(tmp_path: Path) -> None:
    src = tmp_path / "junk.html"
    src.write_bytes(b"<p>\x00\x01\x02\xff</p>")
    with pytest.raises(MalformedDocument):
        list(H.extract(src))


MESSY = """<HTML><BODY>
<P>First paragraph without close
<P>Second <B>bold</b> paragraph
<ul><li>One<li>Two <a href=/x title=Tip>link</a></ul>
<textarea placeholder="Type your message">Default text here</textarea>
<p>Icon <i class="fa fa-star"></i> rating<br/>next line</p>
<select><option value=1>First choice<option label="Second label">Second</select>
<p>Broken <b>nest <i>deep</b> text</i> end</p>
<p>Lone < sign and 3 > 2
"""


def test_messy_markup(tmp_path: Path) -> None:
    src, dst = tmp_path / "messy.html", tmp_path / "out.html"
    src.write_text(MESSY, encoding="utf-8")
    _translate(src, dst)
    visible = [t for t in _visible_text(dst) if "Default text here" not in t]  # textarea content kept
    assert _untranslated(visible) == []
    out = dst.read_text(encoding="utf-8")
    assert '<HTML lang="es">' in out and "<B>esBOLD</b>" in out
    assert 'placeholder="esTYPE esYOUR esMESSAGE">Default text here</textarea>' in out
    assert '<a href=/x title="esTIP">esLINK</a>' in out and 'label="esSECOND esLABEL"' in out
    assert '<i class="fa fa-star"></i>' in out
    same = tmp_path / "same.html"
    H.rebuild(src, same, {s.id: s.text for s in H.extract(src)}, target_language="")
    assert same.read_bytes() == src.read_bytes()


def test_page_count(tmp_path: Path) -> None:
    assert H.count_pages(build_html_page(tmp_path)) == 1
    big = tmp_path / "big.html"
    big.write_text("<html><body>" + ("<p>" + "A long sentence about pages. " * 30 + "</p>") * 10)
    assert H.count_pages(big) == 5  # 10 × ~870 characters of text, 1,800 per page

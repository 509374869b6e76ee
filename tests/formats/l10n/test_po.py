from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import polib
import pytest

from polydoc.errors import MalformedDocument
from polydoc.formats import detect, handler_for
from tests.builders.localisation import build_po
from tests.fakes import mark_words

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%\d\$s|%[sd%]|\{\w+\}|<[^<>]+>")


def translate(src: Path, dst: Path, fn=mark_words, target: str = "es"):
    handler = handler_for("po")
    segments = list(handler.extract(src))
    report = handler.rebuild(src, dst, {s.id: fn(s.text) for s in segments}, target_language=target)
    return segments, report


def english_words(text: str) -> list[str]:
    bare = _PLACEHOLDER.sub(" ", text)
    return [w for w in re.findall(r"[A-Za-z]+", bare) if not re.fullmatch(r"es[A-Z]+", w)]


def test_builders_are_detected(tmp_path: Path) -> None:
    assert detect(build_po(tmp_path), "blob") == "po"
    assert detect(build_po(tmp_path, template=True), "messages.pot") == "po"


def test_segments_mask_placeholders_and_skip_obsolete(tmp_path: Path) -> None:
    segments = {s.id: s for s in handler_for("po").extract(build_po(tmp_path, template=True))}
    assert segments["e1"].text == "Hello, <x1/>!"
    assert segments["e2"].text == "You have <x1/> new message"
    assert segments["e2/plural"].text == "You have <x1/> new messages"
    assert (segments["e4"].text, segments["e4"].context) == ("Open", "menu")
    assert segments["e5"].context == "verb"
    assert segments["e8"].text == "Read the <g1>documentation</g1> first."
    assert segments["e9"].text == "Total: <x1/> items"  # outer newlines stay out of the segment
    assert "e10" not in segments  # "%s" has nothing to translate
    assert not any("Obsolete" in s.text for s in segments.values())


def test_pot_translated_with_headers_comments_and_placeholders_kept(tmp_path: Path) -> None:
    src = build_po(tmp_path, template=True)
    out = tmp_path / "es.po"
    _, report = translate(src, out)
    assert report.warnings == []
    before, after = polib.pofile(str(src)), polib.pofile(str(out))
    assert after.metadata["Language"] == "es"
    assert after.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert after.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert after.metadata["Last-Translator"] == before.metadata["Last-Translator"]
    assert after.header == before.header and after.metadata_is_fuzzy  # header flags are the header's own
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert (new.msgid, new.msgctxt, new.msgid_plural) == (old.msgid, old.msgctxt, old.msgid_plural)
        assert (new.comment, new.tcomment, new.occurrences) == (old.comment, old.tcomment, old.occurrences)
        if old.obsolete:
            assert (new.msgstr, new.flags, new.obsolete) == (old.msgstr, old.flags, True)
            continue
        if old.msgid == "%s":
            assert new.msgstr == ""  # nothing to translate: left for gettext's fallback
            continue
        assert new.flags == [f for f in old.flags if f != "fuzzy"]  # re-translated: no longer fuzzy
        if old.msgid_plural:
            assert sorted(new.msgstr_plural) == [0, 1]
            pairs = [(new.msgstr_plural[0], old.msgid), (new.msgstr_plural[1], old.msgid_plural)]
        else:
            pairs = [(new.msgstr, old.msgid)]
        for translated, source in pairs:
            assert translated and english_words(translated) == []
            assert Counter(_PLACEHOLDER.findall(translated)) == Counter(_PLACEHOLDER.findall(source))
            assert translated.startswith("\n") == source.startswith("\n")
            assert translated.endswith("\n") == source.endswith("\n")
    assert after.find("Hello, %(name)s!").msgstr == "esHELLO, %(name)s!"
    html = after.find('Read the <a href="https://example.com/docs">documentation</a> first.')
    assert html.msgstr == 'esREAD esTHE <a href="https://example.com/docs">esDOCUMENTATION</a> esFIRST.'


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_output_passes_msgfmt_check(tmp_path: Path) -> None:
    out = tmp_path / "es.po"
    translate(build_po(tmp_path, template=True), out)
    done = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_only_msgstr_flag_and_header_lines_change(tmp_path: Path) -> None:
    src = build_po(tmp_path, template=True)
    out = tmp_path / "es.po"
    translate(src, out)

    def layout(path: Path) -> list[str]:
        return [ln for ln in path.read_text().splitlines() if not ln.startswith(("msgstr", '"', "#,"))]

    assert layout(out) == layout(src)


def test_identity_round_trip_is_byte_exact(tmp_path: Path) -> None:
    src = build_po(tmp_path)  # Language es, Plural-Forms and charset already set
    out = tmp_path / "same.po"
    handler_for("po").rebuild(src, out, {}, target_language="es")
    assert out.read_bytes() == src.read_bytes()
    once, twice = tmp_path / "once.po", tmp_path / "twice.po"
    translate(src, once, fn=lambda t: t)
    translate(once, twice, fn=lambda t: t)
    assert twice.read_bytes() == once.read_bytes()
    assert polib.pofile(str(once)).find("Hello, %(name)s!").msgstr == "Hello, %(name)s!"


def test_existing_plural_forms_are_kept_and_crlf_survives(tmp_path: Path) -> None:
    src = build_po(tmp_path)
    src.write_bytes(src.read_bytes().replace(b"\n", b"\r\n"))
    out = tmp_path / "fr.po"
    translate(src, out, target="fr")
    data = out.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    po = polib.pofile(data.decode())
    assert po.metadata["Language"] == "fr"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"  # the file had its own


@pytest.mark.parametrize(
    ("target", "language", "forms"),
    [("ja", "ja", [0]), ("pt-BR", "pt_BR", [0, 1]), ("ru", "ru", [0, 1, 2])],
)
def test_plural_forms_follow_the_target_language(
    tmp_path: Path, target: str, language: str, forms: list[int]
) -> None:
    out = tmp_path / "out.po"
    translate(build_po(tmp_path, template=True), out, target=target)
    po = polib.pofile(str(out))
    assert po.metadata["Language"] == language
    assert po.metadata["Plural-Forms"].startswith(f"nplurals={len(forms)};")
    entry = po.find("You have %d new message")
    assert sorted(entry.msgstr_plural) == forms
    plural = "esYOU esHAVE %d esNEW esMESSAGES"
    assert entry.msgstr_plural[0] == (plural if len(forms) == 1 else "esYOU esHAVE %d esNEW esMESSAGE")
    assert all(entry.msgstr_plural[n] == plural for n in forms[1:])


def test_lost_placeholders_are_put_back_with_a_warning(tmp_path: Path) -> None:
    out = tmp_path / "es.po"
    _, report = translate(
        build_po(tmp_path, template=True), out, fn=lambda t: "Hola " + re.sub(r"<[^>]+>", "", t)
    )
    assert any(w.startswith("e1:") for w in report.warnings)
    po = polib.pofile(str(out))
    for entry in po:
        if not entry.obsolete and entry.msgstr:
            assert Counter(_PLACEHOLDER.findall(entry.msgstr)) >= Counter(
                p for p in _PLACEHOLDER.findall(entry.msgid) if not p.startswith("<")
            )


def test_latin1_catalogue_becomes_utf8_when_the_translation_needs_it(tmp_path: Path) -> None:
    src = tmp_path / "latin.po"
    src.write_bytes(
        b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n\n'
        b'msgid "Caf\xe9 menu"\nmsgstr ""\n'
    )
    out = tmp_path / "out.po"
    assert translate(src, out, fn=lambda t: "Men\u00fa del caf\u00e9")[1].warnings == []
    assert b"Men\xfa del caf\xe9" in out.read_bytes()  # still Latin-1
    _, report = translate(src, out, fn=lambda t: "\u041c\u0435\u043d\u044e", target="ru")
    assert "UTF-8" in report.warnings[0]
    po = polib.pofile(out.read_bytes().decode("utf-8"))
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.find("Caf\u00e9 menu").msgstr == "\u041c\u0435\u043d\u044e"


def test_catalogue_without_header_gets_one(tmp_path: Path) -> None:
    src = tmp_path / "bare.po"
    src.write_text('msgid "Good morning"\nmsgstr ""\n')
    out = tmp_path / "out.po"
    translate(src, out)
    po = polib.pofile(str(out))
    assert po.metadata["Language"] == "es" and "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.find("Good morning").msgstr == "esGOOD esMORNING"


@pytest.mark.parametrize(
    "data",
    [
        b'msgid "Hello\nmsgstr "Hola"\n',
        b'msgid "Say "hi""\nmsgstr ""\n',
        b"this is not a catalogue\n",
        b'msgid "Hello"\nmsgstr "Hola"\n\nmsgid "Cut in the mid',
    ],
)
def test_malformed_catalogues_are_refused(tmp_path: Path, data: bytes) -> None:
    src = tmp_path / "bad.po"
    src.write_bytes(data)
    with pytest.raises(MalformedDocument, match="PO file"):
        list(handler_for("po").extract(src))


def test_page_count(tmp_path: Path) -> None:
    assert handler_for("po").count_pages(build_po(tmp_path)) == 1

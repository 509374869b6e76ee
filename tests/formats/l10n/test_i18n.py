from __future__ import annotations

import io
import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from polydoc.errors import MalformedDocument
from polydoc.formats import detect, handler_for
from polydoc.segments import TAG
from tests.builders.localisation import JSON_DATA, build_json, build_yaml
from tests.fakes import mark_words

_PLACEHOLDER = re.compile(
    r"\{\{\w+\}\}|%\{\w+\}|\$t\([\w.]+\)|</?\d+>|<br/>|</?[bi]>|&amp;|(?<!\w):\w+|%\d\$s|%d|%%|\{\w+\}|https?://\S+"
)
_ICU_STRUCTURE = re.compile(
    r"\{\s*\w+\s*,\s*(?:plural|select|selectordinal)\s*,"
    r"|(?:^|(?<=[\s}]))(?:=\d+|zero|one|two|few|many|other|female|male)\s*\{|#|\}|\{\w+\}"
)
_STRING_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"')


def translate(fmt: str, src: Path, dst: Path, fn=mark_words, target: str = "es"):
    handler = handler_for(fmt)
    segments = list(handler.extract(src))
    report = handler.rebuild(src, dst, {s.id: fn(s.text) for s in segments}, target_language=target)
    return segments, report


def english_words(text: str) -> list[str]:
    bare = _ICU_STRUCTURE.sub(" ", _PLACEHOLDER.sub(" ", text))
    return [w for w in re.findall(r"[A-Za-z]+", bare) if not re.fullmatch(r"es[A-Z]+", w)]


def pairs(before: object, after: object, path: str = "") -> list[tuple[str, object, object]]:
    """Leaves of two documents walked together; fails when their structure differs."""
    if isinstance(before, dict):
        assert isinstance(after, dict) and list(after) == list(before), path
        return [p for key in before for p in pairs(before[key], after[key], f"{path}/{key}")]
    if isinstance(before, list):
        assert isinstance(after, list) and len(after) == len(before), path
        return [
            p for i, (b, a) in enumerate(zip(before, after, strict=True)) for p in pairs(b, a, f"{path}/{i}")
        ]
    return [(path, before, after)]


def icu_skeleton(message: str) -> list[str]:
    """The structure of an ICU message: argument headers, selectors, #, braces (texts left out)."""
    return _ICU_STRUCTURE.findall(message)


# ---------------------------------------------------------------- JSON


def test_builders_are_detected(tmp_path: Path) -> None:
    assert detect(build_json(tmp_path), "blob") == "json"
    assert detect(build_yaml(tmp_path), "en.yml") == "yaml"


def test_json_segments(tmp_path: Path) -> None:
    segments = {s.id: s for s in handler_for("json").extract(build_json(tmp_path))}
    for skipped in (
        "#/app/version",
        "#/app/beta",
        "#/app/logo",
        "#/app/homepage",
        "#/app/colour",
        "#/empty",
        "#/tours/2",
    ):
        assert skipped not in segments
    assert segments["#/home/greeting"].text == "Hello <x1/>, welcome back!"
    assert segments["#/home/greeting"].context == "greeting"
    assert segments["#/home/rich"].text == "Read the <g1>guide</g1> or <g2>ask us</g2>.<x3/>"
    assert segments["#/home/laravel"].text == "Welcome, <x1/>! Your order <x2/> is ready."
    assert segments["#/home/printf"].text == "<x1/> of <x2/> tickets left (<x3/><x4/>)"
    assert segments["#/cart/items"].text == "You have <x1/> in your basket."
    assert segments["#/cart/items|count==0"].text == "no tickets"
    assert segments["#/cart/items|count=one"].text == "<x1/> ticket"
    assert segments["#/cart/owner|gender=female|n=other"].text == "<x1/> tours"
    assert segments["#/tours/3"].text == "Night tour"  # outer spaces are kept out of the segment


@pytest.mark.parametrize(("indent", "ensure_ascii"), [(2, False), (4, True), ("\t", False)])
def test_json_values_translated_everything_else_identical(tmp_path: Path, indent, ensure_ascii: bool) -> None:
    src = build_json(tmp_path, indent=indent, ensure_ascii=ensure_ascii)
    out = tmp_path / "es.json"
    _, report = translate("json", src, out)
    assert report.warnings == []
    text = out.read_text(encoding="utf-8")
    assert _STRING_TOKEN.sub('""', text) == _STRING_TOKEN.sub('""', src.read_text())  # keys, layout, values
    assert text.isascii() == ensure_ascii  # non-ASCII written the way the source writes it
    for path, old, new in pairs(JSON_DATA, json.loads(text)):
        if (
            not isinstance(old, str)
            or not re.search(r"[A-Za-z]", _PLACEHOLDER.sub("", old))
            or old.startswith("#")
        ):
            assert new == old, path
            continue
        assert english_words(new) == [], path
        assert Counter(_PLACEHOLDER.findall(new)) == Counter(_PLACEHOLDER.findall(old)), path
        assert icu_skeleton(new) == icu_skeleton(old), path
    result = json.loads(text)
    assert result["cart"]["items"] == (
        "esYOU esHAVE {count, plural, =0 {esNO esTICKETS} one {# esTICKET} other {# esTICKETS}} esIN esYOUR esBASKET."
    )
    assert result["home"]["rich"] == "esREAD esTHE <0>esGUIDE</0> esOR <1>esASK esUS</1>.<br/>"
    assert result["tours"][3] == "  esNIGHT esTOUR  "
    assert result["app"]["cafe"] == "esTHE esCAF\u00e9 esOPENS esAT esNINE"


@pytest.mark.parametrize(("indent", "ensure_ascii"), [(2, False), (4, True), (None, False)])
def test_json_identity_is_byte_exact(tmp_path: Path, indent, ensure_ascii: bool) -> None:
    src = build_json(tmp_path, indent=indent, ensure_ascii=ensure_ascii)
    out = tmp_path / "same.json"
    translate("json", src, out, fn=lambda t: t)
    assert out.read_bytes() == src.read_bytes()


def test_json_escaped_slashes_bom_duplicate_keys_and_nan(tmp_path: Path) -> None:
    src = tmp_path / "laravel.json"
    src.write_bytes(
        b'\xef\xbb\xbf{"a": "Go to http:\\/\\/example.com\\/help now", "b": "One", "b": "Two", "n": NaN}'
    )
    out = tmp_path / "es.json"
    segments, _ = translate("json", src, out)
    assert [s.id for s in segments] == ["#/a", "#/b", "#/b@2"]
    assert out.read_bytes() == (
        b'\xef\xbb\xbf{"a": "esGO esTO http:\\/\\/example.com\\/help esNOW", "b": "esONE", "b": "esTWO", "n": NaN}'
    )


def test_json_lost_placeholders_are_put_back_with_a_warning(tmp_path: Path) -> None:
    src = build_json(tmp_path)
    out = tmp_path / "es.json"
    _, report = translate("json", src, out, fn=lambda t: mark_words(TAG.sub("", t)))
    assert any(w.startswith("#/home/greeting:") for w in report.warnings)
    result = json.loads(out.read_text())
    for path, old, new in pairs(JSON_DATA, result):
        if isinstance(old, str):
            standalone = [p for p in _PLACEHOLDER.findall(old) if not re.fullmatch(r"</?(\d+|[bi])>", p)]
            assert Counter(_PLACEHOLDER.findall(new)) >= Counter(standalone), path
    assert result["home"]["greeting"] == "esHELLO , esWELCOME esBACK! {{name}}"
    assert (
        result["home"]["printf"] == "%1$s esOF  esTICKETS esLEFT () %2$s %d %%"
    )  # a leading one stays first


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"a": "Hello",}', "line 1"),
        ('{"a": "Hello", "b": "Wor', "not valid"),
        ("[" * 100_000 + "]" * 100_000, "JSON"),
        ("\xff\xfe{}", "JSON"),
    ],
)
def test_json_malformed_is_refused(tmp_path: Path, data: str, message: str) -> None:
    src = tmp_path / "bad.json"
    src.write_bytes(data.encode("latin-1"))
    started = time.monotonic()
    with pytest.raises(MalformedDocument, match=message):
        list(handler_for("json").extract(src))
    assert time.monotonic() - started < 2


def test_json_page_count(tmp_path: Path) -> None:
    assert handler_for("json").count_pages(build_json(tmp_path)) == 1
    src = tmp_path / "big.json"
    src.write_text(json.dumps({f"k{i}": "Forty characters of text in this value." for i in range(100)}))
    assert handler_for("json").count_pages(src) == 3  # 4,000 characters


# ---------------------------------------------------------------- YAML


def load_yaml(path: Path) -> object:
    return YAML(typ="safe").load(path.read_text())


def test_yaml_segments(tmp_path: Path) -> None:
    segments = {s.id: s for s in handler_for("yaml").extract(build_yaml(tmp_path))}
    assert segments["#/en/home/title"].text == "Harbour Museum"
    assert segments["#/en/home/greeting"].text == "Hello <x1/>, welcome back!"
    assert segments["#/en/home/intro"].text == "It's a museum of ships and maps, open daily."
    assert segments["#/en/home/notice"].text == "Tickets are sold at the gate.\nChildren under 12 enter free."
    assert segments["#/en/home/icu|count=other"].text == "<x1/> visitors"
    assert segments["#/en/checkout/pay"].text == "Pay now: <x1/>"
    assert "#/en/defaults/button" in segments and not any(k.startswith("#/en/checkout/<<") for k in segments)
    assert not any(k.startswith("#/en/settings") for k in segments)  # yes, numbers, date, ~, URL


def test_yaml_values_translated_comments_anchors_and_styles_kept(tmp_path: Path) -> None:
    src = build_yaml(tmp_path)
    out = tmp_path / "es.yml"
    _, report = translate("yaml", src, out)
    assert report.warnings == []
    before, after = load_yaml(src), load_yaml(out)
    assert list(after) == ["es"]  # the Rails language key follows the target
    for path, old, new in pairs(before["en"], after["es"]):
        if not isinstance(old, str) or old.startswith("http") or old == "yes":  # yes: a YAML 1.1 boolean
            assert new == old, path
            continue
        assert english_words(new) == [], path
        assert Counter(_PLACEHOLDER.findall(new)) == Counter(_PLACEHOLDER.findall(old)), path
        assert icu_skeleton(new) == icu_skeleton(old), path
        assert new.endswith("\n") == old.endswith("\n"), path
    old_lines, new_lines = src.read_text().splitlines(), out.read_text().splitlines()
    assert len(new_lines) == len(old_lines) - 2  # the two-line plain and folded scalars: one line each
    assert [ln for ln in new_lines if ln.lstrip().startswith("#")] == [
        ln for ln in old_lines if ln.lstrip().startswith("#")
    ]
    text = out.read_text()
    for kept in (
        "defaults: &defaults",
        "<<: *defaults",
        "  # shared defaults",
        "enabled: yes",
        "started: 2024-05-01",
    ):
        assert kept in text
    assert "title: esHARBOUR esMUSEUM  # shown in the browser tab" in text
    assert "cancel: 'esCANCEL'" in text and "pay: 'esPAY esNOW: %{amount}'" in text
    assert 'greeting: "esHELLO %{name}, esWELCOME esBACK!"' in text
    assert "notice: |\n      esTICKETS esARE esSOLD esAT esTHE esGATE.\n      esCHILDREN" in text
    assert "summary: >-\n      esTHE esMUSEUM" in text
    assert after["es"]["checkout"]["button"] == "esCONTINUE"  # merged from the anchor


def test_yaml_identity_is_byte_exact(tmp_path: Path) -> None:
    src = build_yaml(tmp_path)
    out = tmp_path / "same.yml"
    translate("yaml", src, out, fn=lambda t: t, target="en")
    assert out.read_bytes() == src.read_bytes()


def test_yaml_values_that_need_quoting_round_trip(tmp_path: Path) -> None:
    src = build_yaml(tmp_path)
    out = tmp_path / "es.yml"
    tricky = "Nota: #1 - 'sí' {x}\nsegunda línea"
    translate("yaml", src, out, fn=lambda t: tricky, target="pt-BR")
    result = load_yaml(out)
    assert list(result) == ["pt-BR"]
    home = result["pt-BR"]["home"]
    for key in ("title", "greeting", "intro", "summary"):
        assert home[key].startswith(tricky), key
    assert home["notice"] == tricky + "\n"  # literal block, clip chomping: one final newline
    assert result["pt-BR"]["menu"][2].startswith(tricky)


def test_yaml_second_document_and_plain_key(tmp_path: Path) -> None:
    src = tmp_path / "multi.yaml"
    src.write_text("title: First page\n---\n- Second page\n- 3\n")
    out = tmp_path / "es.yaml"
    segments, _ = translate("yaml", src, out)
    assert [s.id for s in segments] == ["#/title", "#2/0"]
    assert out.read_text() == "title: esFIRST esPAGE\n---\n- esSECOND esPAGE\n- 3\n"  # no language key: kept


def test_yaml_alias_bomb_is_cheap(tmp_path: Path) -> None:
    lines = ['a: &a ["Laugh", "Laugh", "Laugh", "Laugh", "Laugh", "Laugh", "Laugh", "Laugh", "Laugh"]']
    for n in range(ord("b"), ord("k")):
        prev = chr(n - 1)
        lines.append(f"{chr(n)}: &{chr(n)} [{', '.join(['*' + prev] * 9)}]")
    src = tmp_path / "bomb.yaml"
    src.write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    segments = list(handler_for("yaml").extract(src))
    handler_for("yaml").rebuild(
        src, tmp_path / "out.yaml", {s.id: "Risa" for s in segments}, target_language="es"
    )
    assert time.monotonic() - started < 2
    assert len(segments) == 9
    assert (tmp_path / "out.yaml").read_text().startswith('a: &a ["Risa", "Risa"')


def test_yaml_lost_placeholders_are_put_back_with_a_warning(tmp_path: Path) -> None:
    out = tmp_path / "es.yml"
    _, report = translate("yaml", build_yaml(tmp_path), out, fn=lambda t: mark_words(TAG.sub("", t)))
    assert any(w.startswith("#/en/home/greeting:") for w in report.warnings)
    home = load_yaml(out)["es"]["home"]
    assert home["greeting"] == "esHELLO , esWELCOME esBACK! %{name}"
    assert home["count"]["other"] == "%{count} esTICKETS"


@pytest.mark.parametrize("data", ["a: [unclosed\n", "a: b\n  c: d\n", "key: 'open\n", "\tindented: tab\n"])
def test_yaml_malformed_is_refused(tmp_path: Path, data: str) -> None:
    src = tmp_path / "bad.yaml"
    src.write_text(data)
    with pytest.raises(MalformedDocument, match="YAML"):
        list(handler_for("yaml").extract(src))


def test_yaml_output_loads_with_the_round_trip_loader(tmp_path: Path) -> None:
    out = tmp_path / "es.yml"
    translate("yaml", build_yaml(tmp_path), out)
    data = YAML(typ="rt").load(out.read_text())
    stream = io.StringIO()
    YAML(typ="rt").dump(data, stream)
    assert "# Harbour museum, English texts" in stream.getvalue()

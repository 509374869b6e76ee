"""The per-segment quality checks, on the texts engines exchange (tags as <gN>…</gN>, <xN/>)."""

from __future__ import annotations

import pytest

from polydoc.quality import Pair, check_translations, summarise

EN_ES = Pair("en", "es")


def flags(source: str, target: str, pair: Pair = EN_ES) -> list[str]:
    return [f.flag for f in check_translations({source: target}, pair).get(source, [])]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("It costs 1,234.56 euros.", "Cuesta 1.234,56 euros."),  # locale grouping and decimals
        ("It costs 1,234.56 euros.", "Cuesta 1 234,56 euros."),
        ("Growth was 12.5% in 2024.", "El crecimiento fue del 12,5 % en 2024."),
        ("On 15 March 2024 at 10:30.", "El 15 de marzo de 2024 a las 10:30."),
        ("Chapter 03 of 12.", "Capítulo 3 de 12."),  # a leading zero is no other number
        ("See https://example.com/a1 now.", "Mira https://example.com/a1 ahora."),
        ("Press <g1>Save</g1> now.", "Pulsa <g1>Guardar</g1> ahora."),
    ],
)
def test_what_a_good_translation_keeps_is_not_flagged(source: str, target: str) -> None:
    assert flags(source, target) == []


@pytest.mark.parametrize(
    ("source", "target", "flag"),
    [
        ("It costs 1,234.56 euros.", "Cuesta 1.234,65 euros.", "number_changed"),
        ("We sold 3 houses.", "Vendimos casas.", "number_changed"),
        ("Press <g1>Save</g1> now.", "Pulsa Guardar ahora.", "tags_changed"),
        ("Press <g1>Save</g1><x2/> now.", "Pulsa <x2/></g1>Guardar<g1> ahora.", "tags_changed"),
        ("Hello {name}, welcome.", "Hola, bienvenido.", "placeholders_changed"),
        ("Write to ana@example.com today.", "Escribe a ana@ejemplo.com hoy.", "protected_changed"),
        ("Read the report before the meeting.", "Read the report before the meeting.", "untranslated"),
        ("What is your name?", "Cuál es tu nombre.", "punctuation_changed"),
        ("The end.", "El fin", "punctuation_changed"),
        ("  Indented text ", "Texto sangrado", "whitespace_changed"),
        (
            "This sentence is long enough to have a length that can be judged fairly.",
            "Corta.",
            "length_ratio",
        ),
    ],
)
def test_each_doubt_is_its_flag(source: str, target: str, flag: str) -> None:
    assert flag in flags(source, target)


def test_the_details_name_what_changed() -> None:
    found = check_translations({"It costs 1,234.56 or 7 euros.": "Cuesta 1.234,65 euros."}, EN_ES)
    (finding,) = found["It costs 1,234.56 or 7 euros."]
    assert finding.detail == "missing 1,234.56, 7; new 1.234,65"


def test_spanish_question_marks_and_full_width_stops_end_alike() -> None:
    assert flags("What is your name?", "¿Cuál es tu nombre?") == []
    assert flags("It is done.", "完成了。", Pair("en", "zh")) == []


def test_names_and_single_words_may_stay_as_they_are() -> None:
    assert flags("Ada Lovelace", "Ada Lovelace") == []
    assert flags("Polydoc", "Polydoc") == []
    assert flags("Introduction", "Introduction") == []


def test_a_glossary_term_rendered_another_way_is_flagged() -> None:
    pair = Pair("en", "es", glossary=(("house", "vivienda"),))
    assert flags("The house is big.", "La vivienda es grande.", pair) == []
    assert flags("The house is big.", "La casa es grande.", pair) == ["glossary_term_missing"]


def test_the_same_text_translated_two_ways_in_one_run_is_flagged_on_both() -> None:
    translations = {
        "Save the file.": "Guarda el archivo.",
        "Save the <g1>file</g1>.": "Guarda el <g1>fichero</g1>.",
    }
    found = check_translations(translations, EN_ES)
    assert {s: [f.flag for f in fs] for s, fs in found.items()} == {s: ["inconsistent"] for s in translations}


def test_a_third_language_is_flagged_only_for_engines_that_can_write_one() -> None:
    source = "The weather will be sunny and warm in the north tomorrow."
    catalan = "El temps serà assolellat i càlid al nord demà."
    assert flags(source, catalan, Pair("en", "es", any_language=True)) == ["wrong_language"]
    assert flags(source, catalan, EN_ES) == []  # Apertium writes only its target language


def test_a_translation_that_kept_the_source_words_reads_as_the_source_language() -> None:
    source = "Please remember to water the plants every morning."
    kept = "Please remember to water the plants every morning!"  # not identical, still English
    assert "untranslated" in flags(source, kept)


def test_the_summary_counts_the_documents_segments_repeats_included() -> None:
    translations = {"The cat sleeps.": "The cat sleeps.", "The dog runs away.": "El perro huye."}
    found = check_translations(translations, EN_ES)
    texts = ["The cat sleeps.", "The cat sleeps.", "The dog runs away."]
    summary = summarise(texts, translations, found)
    assert (summary.segments_flagged, dict(summary.counts), summary.translated) == (2, {"untranslated": 2}, 1)
    assert not summary.nothing_translated
    assert summarise(texts[:2], translations, found).nothing_translated

"""Offline language detection reads labels in capitals and ignores ids and URLs."""

from __future__ import annotations

from polydoc.languages import detect
from polydoc.segments import prose


def test_labels_in_capitals_are_detected_as_their_language() -> None:
    assert detect("Sheet MARRIED ONE INCOME 2 CHILDREN MARRIED 2 INCOMES** 2 CHILDREN SINGLE HEAD OF HOUSEHOLD") == "en"


def test_detection_reads_the_prose_not_the_tokens() -> None:
    text = "<g1>Read</g1> http://www.rgu.ac.uk/policies and write to corporate@oreilly.com, id 3OQX89CUTAV1X."
    assert prose(text).split() == ["Read", "and", "write", "to", ",", "id", "."]

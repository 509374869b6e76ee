"""Deterministic English text for benchmarks.

`prose(n)`: n unique paragraphs of real English prose, the docstrings of the Python standard
library (then of the installed, pinned packages when more are needed), each paragraph once, so
neither a translation memory nor in-document de-duplication can shortcut anything. `sentences` and
`text` are generated from a small vocabulary: every sentence differs by a number, but the words
repeat, which is kinder to any cache than real prose.
"""

from __future__ import annotations

import ast
import hashlib
import random
import re
import sys
import sysconfig
import tempfile
from pathlib import Path

_SKIP_DIRS = {"test", "tests", "idlelib", "site-packages", "__pycache__", "lib2to3", "turtledemo"}
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

SUBJECTS = [
    "The old man",
    "A young woman",
    "The teacher",
    "My neighbour",
    "The small dog",
    "The company",
    "Our team",
    "The children",
    "The doctor",
    "A farmer",
    "The government",
    "The new student",
]
VERBS = [
    "reads",
    "writes",
    "buys",
    "sells",
    "finds",
    "opens",
    "closes",
    "paints",
    "repairs",
    "visits",
    "describes",
    "builds",
    "carries",
    "watches",
    "explains",
]
OBJECTS = [
    "a long letter",
    "the red house",
    "a big book",
    "the green door",
    "an old car",
    "the city map",
    "a new bridge",
    "the blue window",
    "a small garden",
    "the history lesson",
    "a fresh bread",
    "the wooden table",
    "a difficult problem",
    "the morning newspaper",
]
TAILS = [
    "every morning",
    "in the evening",
    "near the river",
    "before the meeting",
    "after lunch",
    "with great care",
    "during the summer",
    "at the market",
    "on Sunday",
    "in the village",
]


def sentences(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    return [
        f"{rnd.choice(SUBJECTS)} {rnd.choice(VERBS)} {rnd.choice(OBJECTS)} {rnd.choice(TAILS)} "
        f"and {rnd.choice(SUBJECTS).lower()} {rnd.choice(VERBS)} {rnd.choice(OBJECTS)} number {i}."
        for i in range(n)
    ]


def text(words: int, seed: int = 7) -> str:
    """About `words` words, five sentences to a paragraph."""
    sents = sentences(max(1, words // 17), seed)
    paras = [" ".join(sents[i : i + 5]) for i in range(0, len(sents), 5)]
    return "\n\n".join(paras) + "\n"


def _docstring_paragraphs(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            for block in _PARAGRAPH_BREAK.split(ast.get_docstring(node) or ""):
                line = " ".join(block.split())
                # prose only: a sentence-like paragraph, no doctest, no reST directive, no table
                if not 40 <= len(line) <= 700 or ">>>" in line or "::" in line or not line[0].isupper():
                    continue
                if not line.isprintable():  # a control character is no prose (and no valid XML)
                    continue
                if sum(c.isalpha() or c == " " for c in line) / len(line) >= 0.85:
                    found.append(line)
    return found


def _sources() -> list[Path]:
    """The standard library's modules, then the virtualenv's packages, in a fixed order."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    site = Path(sysconfig.get_paths()["purelib"])
    files = sorted(p for p in stdlib.rglob("*.py") if not _SKIP_DIRS & set(p.relative_to(stdlib).parts))
    files += sorted(p for p in site.rglob("*.py") if not _SKIP_DIRS & set(p.relative_to(site).parts[1:]))
    return files


def prose(n: int) -> list[str]:
    """n unique English paragraphs (about 20 words each), the same ones on every call.

    Reading ~10,000 source files takes a minute on a busy machine, so the paragraphs are kept in
    the temporary folder, keyed by the Python version, and read from there afterwards."""
    tag = hashlib.sha256(f"{sys.version}|{sysconfig.get_paths()['purelib']}".encode()).hexdigest()[:12]
    cache = Path(tempfile.gettempdir()) / f"polydoc-prose-v2-{tag}.txt"
    if cache.exists():
        known = cache.read_text(encoding="utf-8").split("\n")
        if len(known) >= n:
            return known[:n]
    seen: dict[str, None] = {}
    for path in _sources():
        for paragraph in _docstring_paragraphs(path):
            seen.setdefault(paragraph, None)
        if len(seen) >= max(n, 25_000):
            break
    paragraphs = list(seen)
    if len(paragraphs) < n:
        raise SystemExit(f"only {len(paragraphs)} unique paragraphs of prose found; asked for {n}")
    cache.write_text("\n".join(paragraphs), encoding="utf-8")
    return paragraphs[:n]

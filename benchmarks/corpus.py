"""Deterministic English text for benchmarks: varied sentences so no cache can shortcut them."""

from __future__ import annotations

import random

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

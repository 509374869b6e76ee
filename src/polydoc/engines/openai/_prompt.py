"""Prompt building and reply parsing for the openai engine.

The request's user message is a JSON object (languages, context, glossary, the translation memory's
similar earlier translations with their `match`, numbered segments); the
model answers `{"translations": [{"id": 1, "text": "..."}, ...]}`. Replies are parsed tolerantly:
code fences and prose around the JSON are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import langcodes

from polydoc.engines.base import BatchContext, LangPair
from polydoc.engines.similarity import score
from polydoc.segments import term_in

CONTEXT_SEGMENTS = 3  # neighbouring segments before the batch put in the prompt
MAX_EXAMPLES = 8  # similar earlier translations in one request: the closest to its segments
_EXAMPLE_BAR = 0.5  # an example less alike than this to every segment of the request is left out
_EXAMPLES_RULE = (
    "\n- Similar earlier translations come from the translation memory: reuse their wording and terms "
    "where a segment says the same thing, but translate what differs; do not translate them."
)

_SYSTEM = """\
You are a professional translator. Translate each segment from {source} to {target}.
Rules:
- Inline tags such as <g1>...</g1> and <x2/> mark formatting: keep every tag exactly as written, \
around the translated words they belong to, and never add or remove tags.
- Keep placeholders exactly as written: {{name}}, {{0}}, %s, %d, %(name)s, ${{var}}.
- Use the glossary: where a glossary source term occurs, use its target term exactly.
- The title and preceding text are context only: do not translate them.
- Translate every segment; keep names, code and numbers that need no translation.
Answer with JSON only, in this form:
{{"translations": [{{"id": 1, "text": "..."}}, {{"id": 2, "text": "..."}}]}}
with one entry per input segment, the same ids, and the translated text of that segment."""


def language_name(code: str) -> str:
    try:
        name = langcodes.Language.get(code).display_name()
    except (ValueError, LookupError):
        return code
    return code if name.startswith("Unknown language") else f"{name} ({code})"


def glossary_for(texts: Sequence[str], glossary: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The glossary entries whose source term occurs in any of `texts`."""
    return [(src, tgt) for src, tgt in glossary if any(term_in(src, t) for t in texts)]


def examples_for(texts: Sequence[str], examples: Sequence[tuple[str, str]]) -> list[tuple[str, str, float]]:
    """The examples that belong to this request's segments (a batch is split into several
    requests), each with its similarity to the closest segment, best first."""
    scored = [(src, tgt, max((score(src, t) for t in texts), default=0.0)) for src, tgt in examples]
    kept = sorted((e for e in scored if e[2] >= _EXAMPLE_BAR), key=lambda e: -e[2])
    return [(src, tgt, round(m, 2)) for src, tgt, m in kept[:MAX_EXAMPLES]]


def build_messages(
    pair: LangPair, texts: Sequence[str], context: BatchContext, glossary: Sequence[tuple[str, str]]
) -> list[dict[str, str]]:
    request: dict[str, Any] = {"source_language": pair.source, "target_language": pair.target}
    if context.title:
        request["title"] = context.title
    if context.before:
        request["preceding_text"] = list(context.before[-CONTEXT_SEGMENTS:])
    if glossary:
        request["glossary"] = [{"source": s, "target": t} for s, t in glossary]
    examples = examples_for(texts, context.examples)
    if examples:
        request["similar_earlier_translations"] = [
            {"source": s, "target": t, "match": m} for s, t, m in examples
        ]
    request["segments"] = [{"id": i, "text": t} for i, t in enumerate(texts, 1)]
    system = _SYSTEM.format(source=language_name(pair.source), target=language_name(pair.target))
    if examples:  # the rule only when it applies: prompts without examples stay as they were
        head, answer = system.split("\nAnswer with JSON only", 1)
        system = f"{head}{_EXAMPLES_RULE}\nAnswer with JSON only{answer}"
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": json.dumps(request, ensure_ascii=False)},
    ]


def reply_content(body: dict[str, Any]) -> str | None:
    """`choices[0].message.content` of a chat completion, or None when it has none."""
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, str) else None


def parse_reply(content: str, count: int) -> list[str] | None:
    """The `count` translations in id order, or None when the reply is not a complete answer."""
    data = _first_json(content)
    items = _translations(data)
    if items is None or len(items) != count:
        return None
    by_id: dict[int, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            return None
        try:
            ident = int(item.get("id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if ident in by_id:
            return None
        by_id[ident] = item["text"]
    if set(by_id) != set(range(1, count + 1)):
        return None
    return [by_id[i] for i in range(1, count + 1)]


def _translations(data: object) -> list[object] | None:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("translations"), list):
        return data["translations"]
    lists = [v for v in data.values() if isinstance(v, list)]
    return lists[0] if len(lists) == 1 else None


def _first_json(content: str) -> object:
    """The first JSON object or array in `content`, skipping code fences and prose; None if none."""
    decoder = json.JSONDecoder()
    for m in re.finditer(r"[{\[]", content):
        try:
            value, _ = decoder.raw_decode(content, m.start())
        except ValueError:
            continue
        if isinstance(value, dict) or (isinstance(value, list) and value):
            return value
    return None

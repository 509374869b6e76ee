"""Glossaries with Apertium: terms are protected, substituted and kept out of other runs' memory."""

from __future__ import annotations

from tests.helpers import Service, translate, upload, wait_run

DOC = b"The house of Acme Widget is very big.\n\nThe dog sleeps in the house.\n"


def test_inline_glossary_is_enforced(service: Service) -> None:
    key = service.new_account("glossary-inline", 20)
    with service.client(key) as c:
        plain, out_plain = translate(c, "g.txt", DOC)
        terms = [{"source": "house", "target": "hogar"}, {"source": "Acme Widget", "target": "Acme Widget"}]
        run, out = translate(c, "g.txt", DOC, glossary=terms)
    assert "casa" in out_plain.decode() and "hogar" not in out_plain.decode()
    text = out.decode()
    assert text.count("hogar") == 2 and "casa" not in text and "Acme Widget" in text
    assert run["glossary_terms"] == 2
    assert run["segments_cached"] == 0  # the plain run's memory does not answer a glossary run


def test_stored_glossary_by_id(service: Service) -> None:
    key = service.new_account("glossary-stored", 20)
    other = service.new_account("glossary-other", 20)
    with service.client(key) as c:
        made = c.post(
            "/v1/glossaries", json={"name": "pets", "terms": [{"source": "dog", "target": "chucho"}]}
        ).json()
        assert c.get(f"/v1/glossaries/{made['id']}").json()["terms"] == [{"source": "dog", "target": "chucho"}]
        _run, out = translate(c, "g.txt", DOC, glossary=made["id"])
        assert "chucho" in out.decode()
    with service.client(other) as o:
        f = upload(o, "g.txt", DOC)
        resp = o.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es", "glossary": made["id"]})
        assert resp.status_code == 404  # another account's glossary is not found
        assert o.get(f"/v1/glossaries/{made['id']}").status_code == 404
    with service.client(key) as c:
        assert c.delete(f"/v1/glossaries/{made['id']}").status_code == 200
        assert c.get("/v1/glossaries").json() == []
        f = upload(c, "g.txt", DOC)
        resp = c.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"})
        assert wait_run(c, resp.json()["id"])["status"] == "Succeeded"

"""End to end over real HTTP: `polydoc serve`, real Apertium, real SQLite, real Celery."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select

from polydoc.db.models import CreditEntry, File
from tests.helpers import Service, translate, upload, wait_run

TXT = b"The house is very big.\n\nThe dog is red and the cat is black.\nThe cat eats fish.\n"

MD = b"""---
title: An English title in front matter
tags: [house, dog]
---
# The red house

The **big** dog eats the food. Read [the guide](https://example.com/guide?id=5&lang=en) today.

```python
print("hello world")  # the house is big
```

Use `make serve` to start the house.

<!-- an English comment about the dog -->
- The cat is black.
- The dog is white.
"""

HTML = b"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>The red house</title>
<style>p.big { color: red; } /* the house */</style>
<script>var house = "the dog";</script></head>
<body>
<p>The <b>red</b> house is very big.</p>
<p>Read <a href="https://example.com/a?b=1&amp;c=2">the guide</a> today.</p>
<img src="dog.png" alt="The black dog">
<pre>the house is big</pre>
</body></html>
"""

SPANISH = ("casa", "perro", "gato", "grande", "negro")


def test_txt_round_trip(service: Service) -> None:
    with service.client() as c:
        run, out = translate(c, "story.txt", TXT)
    text = out.decode()
    assert "casa" in text and "perro" in text and "gato" in text
    assert "house" not in text and "dog" not in text
    assert text.count("\n\n") == 1  # paragraph structure kept
    assert run["input_tokens"] == 18 and run["output_tokens"] > 0
    assert run["credits"] == 1 and run["source_language"] == "en" and run["target_language"] == "es"


def test_markdown_keeps_code_links_front_matter(service: Service) -> None:
    with service.client() as c:
        _run, out = translate(c, "guide.md", MD)
    text = out.decode()
    head = MD.split(b"# The red house")[0].decode()
    assert text.startswith(head)  # front matter byte-identical
    assert '```python\nprint("hello world")  # the house is big\n```' in text
    assert "(https://example.com/guide?id=5&lang=en)" in text
    assert "`make serve`" in text
    assert "<!-- an English comment about the dog -->" in text
    assert "casa" in text and "perro" in text and "gato" in text
    assert text.count("**") == 2  # the bold span survived translation


def test_html_keeps_markup_and_translates_attributes(service: Service) -> None:
    with service.client() as c:
        _run, out = translate(c, "page.html", HTML)
    text = out.decode()
    assert "<style>p.big { color: red; } /* the house */</style>" in text
    assert '<script>var house = "the dog";</script>' in text
    assert 'href="https://example.com/a?b=1&amp;c=2"' in text
    assert "<pre>the house is big</pre>" in text
    assert "<b>roja</b>" in text  # the bold word is the translated word
    assert "perro" in text.split("alt=")[1].split(">")[0]  # alt translated
    assert "house is very big" not in text


def test_blob_filename_detected_from_content(service: Service) -> None:
    with service.client() as c:
        f = upload(c, "blob", HTML)
        assert f["format"] == "html" and f["filename"] == "blob"
    with service.db() as db:  # the digest taken while streaming is the content's
        assert db.get(File, uuid.UUID(f["id"])).sha256 == hashlib.sha256(HTML).hexdigest()


def test_usage_and_balance_agree_with_ledger(service: Service) -> None:
    key = service.new_account("ledger-check", credits=50)
    with service.client(key) as c:
        runs = [
            translate(c, name, data)[0] for name, data in (("a.txt", TXT), ("b.md", MD), ("c.html", HTML))
        ]
        account = c.get("/v1/account").json()
    spent = sum(r["credits"] for r in runs)
    assert account["balance"] == 50 - spent and account["spent"] == spent and account["held"] == 0
    assert account["input_tokens"] == sum(r["input_tokens"] for r in runs)
    with service.db() as db:
        account_id = uuid.UUID(account["id"])
        ledger = db.scalar(select(func.sum(CreditEntry.amount)).where(CreditEntry.account_id == account_id))
        kinds = db.execute(
            select(CreditEntry.kind, func.count())
            .where(CreditEntry.account_id == account_id)
            .group_by(CreditEntry.kind)
        ).all()
    assert ledger == account["balance"]
    assert dict(kinds) == {"grant": 1, "hold": 3, "release": 3, "charge": 3}


def test_repeated_segments_are_translated_once(service: Service) -> None:
    body = b"The red car is fast.\n\nThe red car is fast.\n\nThe blue house is small.\n"
    key = service.new_account("cache-check", credits=50)
    other = service.new_account("cache-other", credits=50)
    with service.client(key) as c:
        first, out = translate(c, "r.txt", body)
        second, _ = translate(c, "r2.txt", body)
    assert first["segments_total"] == 3 and first["segments_cached"] == 1
    assert second["segments_cached"] == 3 and second["input_tokens"] == 0  # nothing paid twice
    assert out.decode().count("coche") == 2
    with service.client(other) as c:
        third, _ = translate(c, "r3.txt", body)
    assert third["segments_cached"] == 1  # another account's memory never answers


def test_pivot_route_is_reported(service: Service) -> None:
    with service.client() as c:
        run, out = translate(c, "p.txt", b"The house is very big and the dog is small.\n", target="pt")
    assert run["route"] == "apertium (en→es→pt)"
    assert "casa" in out.decode() and "cão" in out.decode()


@pytest.mark.parametrize("target", ["ES", "spanish", "es"])
def test_language_codes_and_names(service: Service, target: str) -> None:
    with service.client() as c:
        f = upload(c, "t.txt", TXT)
        run = c.post("/v1/runs", json={"input_file_id": f["id"], "target_language": target}).json()
        assert run["target_language"] == "es"
        assert wait_run(c, run["id"])["status"] == "Succeeded"


def test_file_list_pages_follow_the_link_and_refuse_a_foreign_cursor(service: Service) -> None:
    key = service.new_account("pager", credits=100)
    with service.client(key) as c:
        made = [upload(c, f"p{n}.txt", f"Page test file number {n}.".encode())["id"] for n in range(5)]
        first = c.get("/v1/files", params={"limit": 2})
        second = c.get(first.links["next"]["url"])
        third = c.get(second.links["next"]["url"])
        listed = [f["id"] for r in (first, second, third) for f in r.json()]
        assert listed == made[::-1] and "next" not in third.links  # newest first, each once
    with service.client() as other:
        foreign = other.get("/v1/files", params={"after": made[0]})
        unknown = other.get("/v1/runs", params={"after": str(uuid.uuid4())})
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "invalid_cursor"
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "invalid_cursor"

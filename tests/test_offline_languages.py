"""The Apertium pairs `scripts/install.sh` installs are offered by `GET /v1/languages` and translate."""

from __future__ import annotations

from tests.helpers import Service, translate

# one direct pair from each newly installed package family, as (source, target)
NEW_PAIRS = {
    ("en", "eo"),
    ("eu", "es"),
    ("es", "ast"),
    ("ca", "it"),
    ("es", "gl"),
    ("ro", "es"),
    ("oc", "fr"),
    ("is", "en"),
    ("mk", "en"),
    ("fr", "frp"),
    ("an", "ca"),
    ("pt", "gl"),
}


def test_new_pairs_are_listed_with_their_route(service: Service) -> None:
    with service.client() as c:
        listing = c.get("/v1/languages").json()
    pairs = {(p["source"], p["target"]) for p in listing["pairs"] if p["engine"] == "apertium"}
    assert NEW_PAIRS <= pairs, NEW_PAIRS - pairs
    codes = {lang["code"] for lang in listing["languages"]}
    assert {"eo", "eu", "ast", "oc", "is", "mk", "an", "sc", "br", "ro", "frp"} <= codes


def test_a_new_pair_translates_a_sentence(service: Service) -> None:
    with service.client() as c:
        run, out = translate(c, "house.txt", b"The house is very big.\n", target="eo", source_language="en")
    assert "domo" in out.decode().lower() and run["status"] == "Succeeded"

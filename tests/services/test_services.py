"""Services against a real SQLite database and blob folder, without HTTP."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from polydoc import billing
from polydoc.db.models import File, utcnow
from polydoc.db.session import session_scope
from polydoc.errors import Gone, InsufficientCredits, UnsupportedLanguage
from polydoc.languages import normalise
from polydoc.services import accounts, files
from polydoc.storage import get_store


def test_ledger_entries_are_idempotent(local_db: Path) -> None:
    with session_scope() as s:
        account, _key = accounts.create_account(s, name="a", credits=10)
        run_id = account.id  # any uuid will do as a run id here
        billing.reserve(s, account_id=account.id, run_id=run_id, amount=4)
        assert billing.balance(s, account.id) == 6 and billing.held(s, account.id) == 4
        for _ in range(3):  # a retried settlement changes nothing
            billing.settle(s, account_id=account.id, run_id=run_id, held_amount=4, cost=4)
        assert billing.balance(s, account.id) == 6 and billing.held(s, account.id) == 0
        assert billing.spent(s, account.id) == 4
        with pytest.raises(InsufficientCredits):
            billing.reserve(s, account_id=account.id, run_id=account.id.__class__(int=1), amount=7)
        assert billing.balance(s, account.id) == 6


def test_keys_are_stored_hashed(local_db: Path) -> None:
    import sqlite3

    with session_scope() as s:
        _account, key = accounts.create_account(s, name="hashing")
    raw = sqlite3.connect(local_db / "polydoc.sqlite").execute("SELECT key_hash FROM api_keys").fetchall()
    assert key not in str(raw) and accounts.hash_key(key) in str(raw)
    with session_scope() as s:
        accounts.revoke_key(s, key=key)
    with session_scope() as s, pytest.raises(Exception, match="not valid"):
        accounts.authenticate(s, key=key)


def test_expired_files_answer_gone_and_their_blobs_are_purged(local_db: Path, tmp_path: Path) -> None:
    doc = tmp_path / "in.txt"
    doc.write_text("The house is big.\n")
    with session_scope() as s:
        account, _ = accounts.create_account(s, name="expiry")
        row = files.create_file(s, account_id=account.id, upload=doc, filename="in.txt")
        key, file_id = row.s3_key, row.id
    assert get_store().exists(key)
    with session_scope() as s:
        s.get(File, file_id).expires_at = utcnow() - timedelta(seconds=1)
    with session_scope() as s:
        assert files.purge_expired(s) == 1
        assert files.purge_expired(s) == 0
    assert not get_store().exists(key)
    with session_scope() as s, pytest.raises(Gone):
        files.ensure_available(files.get_file(s, account_id=account.id, file_id=file_id))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("es", "es"), ("ES", "es"), ("pt-br", "pt-BR"), ("pt_BR", "pt-BR"), ("Spanish", "es"), ("spa", "es")],
)
def test_language_normalisation(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize("raw", ["xx", "", "not a language at all", "zz-ZZ"])
def test_bad_language_codes(raw: str) -> None:
    with pytest.raises(UnsupportedLanguage):
        normalise(raw)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("blob", b"<!DOCTYPE html><html><body><p>Hi there</p></body></html>", "html"),
        ("blob", b"1\n00:00:01,000 --> 00:00:02,000\nHello there\n", "srt"),
        ("blob", b"WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n", "vtt"),
        ("blob", b'{"greeting": "Hello there"}', "json"),
        ("notes.md", b"# Title\n\nSome text here.\n", "md"),
        ("blob", b"Just some plain words here.\n", "txt"),
        ("x.po", b'msgid ""\nmsgstr ""\n\nmsgid "Hello"\nmsgstr ""\n', "po"),
    ],
)
def test_detection_by_content(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    from polydoc.formats import detect

    path = tmp_path / "upload"
    path.write_bytes(content)
    assert detect(path, name) == expected


def test_filenames_are_cleaned() -> None:
    assert files.clean_filename("../../etc/passwd") == "passwd"
    assert files.clean_filename("a\x00b\nc.txt") == "a_b_c.txt"
    assert files.clean_filename("") == "document"
    long = "x" * 300 + ".docx"
    assert len(files.clean_filename(long)) <= 200 and files.clean_filename(long).endswith(".docx")


def test_a_rolled_back_upload_leaves_no_blob(local_db: Path, tmp_path: Path) -> None:
    doc = tmp_path / "in.txt"
    doc.write_text("The house is big.\n")
    with session_scope() as s:
        account, _ = accounts.create_account(s, name="rollback")
    keys: list[str] = []
    with pytest.raises(RuntimeError), session_scope() as s:
        keys.append(files.create_file(s, account_id=account.id, upload=doc, filename="in.txt").s3_key)
        raise RuntimeError("the request failed before its commit")
    assert keys and not get_store().exists(keys[0])


def test_every_endpoint_using_the_session_runs_on_one_thread() -> None:
    """A sync endpoint holding SQLite's write lock would wait for a second pool thread
    (deps.one_thread): every endpoint that takes the session must be wrapped, i.e. async."""
    import inspect

    from fastapi.routing import APIRoute

    from polydoc.api.deps import get_session
    from polydoc.api.routes import account, admin, files, glossaries, keys, languages, metrics, runs

    def uses_session(dependant) -> bool:  # noqa: ANN001
        return any(d.call is get_session or uses_session(d) for d in dependant.dependencies)

    routes = [
        r
        for module in (account, admin, files, glossaries, keys, languages, metrics, runs)
        for r in module.router.routes
        if isinstance(r, APIRoute) and uses_session(r.dependant)
    ]
    assert len(routes) >= 15  # the check found the endpoints it is about
    assert [r.path for r in routes if not inspect.iscoroutinefunction(r.endpoint)] == []

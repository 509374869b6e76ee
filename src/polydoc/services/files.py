"""Uploaded and produced files: detection, page count, storage, expiry."""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from polydoc import cage
from polydoc.config import get_settings
from polydoc.db.models import File, Run, RunSegment, utcnow
from polydoc.db.session import after_commit, after_rollback
from polydoc.errors import FormatError, Gone, NotFound, PolydocError
from polydoc.languages import detect as detect_language
from polydoc.services._paging import page
from polydoc.storage import get_store

_UNSAFE = "".join(chr(c) for c in range(32)) + '/\\:*?"<>|\x7f'
# bidirectional embeddings, overrides and isolates: "\u202etxt.exe" shows as "exe.txt"
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe(ch: str) -> bool:
    # Cc: C0 and C1 controls (U+0080-U+009F too), Zl/Zp: line and paragraph separators
    return ch in _UNSAFE or ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")


def clean_filename(name: str | None) -> str:
    """A display name safe for storage and Content-Disposition: no paths, no control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join("_" if _unsafe(ch) else ch for ch in name).strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:200]
    return name or "document"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def inspect_document(path: Path, filename: str) -> tuple[str, int, str | None]:
    """(format, pages, detected language) — reads the document once, in the cage (a limited
    process: a hostile document costs its deadline and memory ceiling, not the API), and fails
    with a clear error."""
    try:
        fmt, pages, sample = cage.inspect(path, filename)
    except PolydocError as exc:
        # parsers name the file they failed on: never show the server's temporary path
        exc.message = exc.message.replace(str(path), "the upload").replace(str(path.parent), "")
        raise
    if not sample:
        raise FormatError("The document contains no text to translate", code="no_text")
    return fmt, pages, detect_language(" ".join(sample))


def create_file(
    session: Session,
    *,
    account_id: uuid.UUID,
    upload: Path,
    filename: str | None,
    inspected: tuple[str, int, str | None] | None = None,
    sha256: str | None = None,
) -> File:
    """Store an upload. `inspected` is `inspect_document`'s answer when the caller already has it
    (the API reads the document before it opens a transaction)."""
    name = clean_filename(filename)
    fmt, pages, language = inspected or inspect_document(upload, name)
    file_id = uuid.uuid4()
    key = f"files/{file_id}"
    get_store().put_file(key, upload)
    after_rollback(session, lambda: get_store().delete(key))  # no orphan if the row is never committed
    now = utcnow()
    row = File(
        id=file_id,
        account_id=account_id,
        filename=name,
        size=upload.stat().st_size,
        num_pages=pages,
        format=fmt,
        language=language,
        s3_key=key,
        sha256=sha256 or sha256_of(upload),
        created_at=now,
        expires_at=now + timedelta(seconds=get_settings().file_ttl),
    )
    session.add(row)
    session.flush()
    return row


def get_file(session: Session, *, account_id: uuid.UUID, file_id: uuid.UUID | str) -> File:
    try:
        fid = uuid.UUID(str(file_id))
    except ValueError:
        raise NotFound(f"No file {file_id}") from None
    row = session.get(File, fid)
    if row is None or row.account_id != account_id or row.deleted_at is not None:
        raise NotFound(f"No file {file_id}")
    return row


def ensure_available(row: File) -> None:
    if row.purged_at is not None or row.expires_at <= utcnow():
        raise Gone(f"The file {row.id} expired at {row.expires_at.isoformat()}")


def list_files(session: Session, *, account_id: uuid.UUID, limit: int, after: uuid.UUID | None) -> list[File]:
    query = select(File).where(File.account_id == account_id, File.deleted_at.is_(None))
    return page(session, File, query, account_id=account_id, limit=limit, after=after)


def delete_file(session: Session, *, account_id: uuid.UUID, file_id: str) -> File:
    row = get_file(session, account_id=account_id, file_id=file_id)
    row.deleted_at = utcnow()
    row.purged_at = row.purged_at or utcnow()
    key = row.s3_key
    after_commit(session, lambda: get_store().delete(key))
    _forget_segments(session, [row.id])
    session.flush()
    return row


def purge_expired(session: Session, *, limit: int = 500) -> int:
    """Delete the blobs of expired files; the rows stay so downloads can answer 410."""
    rows = session.scalars(
        select(File).where(File.expires_at <= utcnow(), File.purged_at.is_(None)).limit(limit)
    ).all()
    store = get_store()
    for row in rows:
        store.delete(row.s3_key)
        row.purged_at = utcnow()
    _forget_segments(session, [row.id for row in rows])
    session.flush()
    return len(rows)


def _forget_segments(session: Session, file_ids: list[uuid.UUID]) -> None:
    """A document's text goes with it: the segments of the runs that translated it are deleted too."""
    if file_ids:
        runs = select(Run.id).where(Run.input_file_id.in_(file_ids))
        session.execute(delete(RunSegment).where(RunSegment.run_id.in_(runs)))

"""The credit ledger (append-only entries, balance = SUM(amount)) and the price of a run.

A run reserves an upper bound with a `hold` entry (topped up once when a paged document's text
proves to be worth more than its pages); success adds a `release` of the hold and a `charge` of
the final cost (never more than the hold); failure or cancel adds only the `release`.
Every entry carries an idempotency key (`run:<id>:charge`), so a retried run can never be charged
twice.

The price (`Basis`, `credits_for`): a run pays for the characters the engine has to translate —
the untagged text of its unique segments that the account's translation memory does not already
hold — in standard pages of 1,800 characters, times `credits_per_page`, rounded up once, at least
one credit when anything is sent. Text served from memory costs `memory_price_share` of that
(0 by default). A paged document (PDF, PPTX, ODP) is priced by its real pages: each character is
worth its share of them (its pages over its characters), so a document translated afresh costs its
pages and what the memory serves is deducted pro rata. The estimate and the final charge are both
this one function of the same numbers, so for a deterministic engine they are equal.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from polydoc.config import get_settings
from polydoc.db.models import Account, CreditEntry
from polydoc.errors import InsufficientCredits
from polydoc.formats.base import CHARS_PER_PAGE
from polydoc.segments import strip_tags


def billed_characters(text: str) -> int:
    """The characters of a segment that count: its text without the inline tags."""
    return len(strip_tags(text))


@dataclass(frozen=True, slots=True)
class Basis:
    """What a run is priced on: its unique segments' characters and how many of them memory serves."""

    characters: int  # untagged characters of the run's unique segments
    characters_cached: int  # of those, already in the account's translation memory
    chars_per_page: Fraction  # characters in one billed page
    by_text: bool = False  # a paged document billed by its text's standard pages, more than its pages

    @classmethod
    def of(cls, unique: Iterable[str], cached: Iterable[str], *, paged: bool, pages: int) -> Basis:
        """`unique`: the run's distinct segment texts; `cached`: those the memory holds;
        `paged`/`pages`: the format's real page count, when it has one."""
        characters = sum(billed_characters(t) for t in unique)
        known = sum(billed_characters(t) for t in cached)
        per_page = Fraction(CHARS_PER_PAGE)
        if paged and pages > 0 and characters > 0:
            # the larger of its pages and its text's standard pages: one slide of 100,000 words
            # is billed as the words it holds, not as one page
            by_text = characters > pages * per_page
            return cls(characters, known, min(Fraction(characters, pages), per_page), by_text)
        return cls(characters, known, per_page)

    @property
    def characters_sent(self) -> int:
        return self.characters - self.characters_cached

    def pages(self, characters: int) -> Fraction:
        return Fraction(characters) / self.chars_per_page

    def credits(self, *, sent: int | None = None) -> int:
        """The price when `sent` characters were translated by the engine (default: every one not
        in memory; a run passes fewer when the engine could not translate some segments, which
        keep their source text and are not billed)."""
        sent = self.characters_sent if sent is None else sent
        return credits_for(self.pages(sent), self.pages(self.characters_cached), anything_sent=sent > 0)

    def note(self, *, sent: int | None = None) -> str:
        """The ledger's account of the price, e.g. "2.31 pages translated, 1.00 page from memory (not billed)"."""
        sent = self.characters_sent if sent is None else sent
        memory = self.characters_cached
        share = Fraction(str(get_settings().memory_price_share))
        billed = "not billed" if share == 0 else f"billed at {float(share) * 100:g}%"
        return (
            f"{_pages_text(self.pages(sent))} translated, {_pages_text(self.pages(memory))} "
            f"from memory ({billed}); {get_settings().credits_per_page} credits per page of "
            f"{float(self.chars_per_page):g} characters"
        )[:200]


def _pages_text(pages: Fraction) -> str:
    return f"{float(pages):.2f} page" + ("" if pages == 1 else "s")


def credits_for(sent_pages: Fraction, memory_pages: Fraction, *, anything_sent: bool) -> int:
    """credits_per_page × (pages sent + memory_price_share × pages from memory), rounded up once;
    at least one credit when anything was sent to the engine."""
    settings = get_settings()
    share = Fraction(str(settings.memory_price_share))
    credits = math.ceil((sent_pages + share * memory_pages) * settings.credits_per_page)
    if anything_sent and settings.credits_per_page > 0:
        credits = max(credits, 1)
    return credits


def upper_bound(num_pages: int) -> int:
    """The most a run of a `num_pages` document can cost (nothing from memory): what create holds."""
    return max(1, num_pages) * get_settings().credits_per_page


def pricing() -> dict[str, object]:
    """The rule as `GET /v1/account` explains it."""
    settings = get_settings()
    return {
        "credits_per_page": settings.credits_per_page,
        "chars_per_page": CHARS_PER_PAGE,
        "memory_price_share": settings.memory_price_share,
        "rule": (
            "credits = credits_per_page × (pages sent to the engine + memory_price_share × pages from "
            "memory), rounded up, at least 1 when anything is sent; a page is 1,800 characters of "
            "untagged text of the unique segments, or for PDF, PPTX and ODP a real page pro rata to "
            "its characters, holding at most 1,800 (more text than its pages hold is billed by the text)"
        ),
    }


def balance(session: Session, account_id: uuid.UUID) -> int:
    """Credits available now (holds already subtracted)."""
    total = session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(CreditEntry.account_id == account_id)
    )
    return int(total or 0)


def held(session: Session, account_id: uuid.UUID) -> int:
    """Credits reserved by runs that have not finished."""
    total = session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
            CreditEntry.account_id == account_id, CreditEntry.kind.in_(("hold", "release"))
        )
    )
    return -int(total or 0)


def spent(session: Session, account_id: uuid.UUID) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
            CreditEntry.account_id == account_id, CreditEntry.kind == "charge"
        )
    )
    return -int(total or 0)


def add_entry(
    session: Session,
    *,
    account_id: uuid.UUID,
    amount: int,
    kind: str,
    idem_key: str,
    run_id: uuid.UUID | None = None,
    note: str = "",
) -> bool:
    """Append an entry unless one with the same idempotency key exists. True if appended."""
    exists = session.scalar(
        select(CreditEntry.id).where(CreditEntry.account_id == account_id, CreditEntry.idem_key == idem_key)
    )
    if exists is not None:
        return False
    session.add(
        CreditEntry(
            account_id=account_id, amount=amount, kind=kind, idem_key=idem_key, run_id=run_id, note=note
        )
    )
    session.flush()
    return True


def lock_account(session: Session, account_id: uuid.UUID) -> None:
    """Hold the account until the transaction ends, so concurrent ledger changes take turns.

    PostgreSQL: row lock serialises concurrent reservations; SQLite: BEGIN IMMEDIATE already does."""
    session.execute(select(Account.id).where(Account.id == account_id).with_for_update())


def grant(
    session: Session, *, account_id: uuid.UUID, amount: int, note: str = "", idem_key: str | None = None
) -> None:
    lock_account(session, account_id)
    add_entry(
        session,
        account_id=account_id,
        amount=amount,
        kind="grant",
        idem_key=idem_key or f"grant:{uuid.uuid4()}",
        note=note,
    )


def reserve(session: Session, *, account_id: uuid.UUID, run_id: uuid.UUID, amount: int) -> None:
    lock_account(session, account_id)
    available = balance(session, account_id)
    if available < amount:
        raise InsufficientCredits(f"This run needs {amount} credits but the account has {available}")
    add_entry(
        session,
        account_id=account_id,
        amount=-amount,
        kind="hold",
        idem_key=f"run:{run_id}:hold",
        run_id=run_id,
    )


def top_up(session: Session, *, account_id: uuid.UUID, run_id: uuid.UUID, amount: int) -> None:
    """Hold `amount` more for a run whose text proved larger than its pages (a one-slide deck of
    100,000 words): once per run, refused like the first hold when the balance cannot cover it."""
    lock_account(session, account_id)
    available = balance(session, account_id)
    if available < amount:
        raise InsufficientCredits(
            f"The document holds more text than its pages: the run needs {amount} more credits "
            f"but the account has {available}"
        )
    add_entry(
        session,
        account_id=account_id,
        amount=-amount,
        kind="hold",
        idem_key=f"run:{run_id}:hold-top-up",
        run_id=run_id,
        note="the document's text is billed by its standard pages, more than its real pages",
    )


def release(session: Session, *, account_id: uuid.UUID, run_id: uuid.UUID, amount: int) -> None:
    add_entry(
        session,
        account_id=account_id,
        amount=amount,
        kind="release",
        idem_key=f"run:{run_id}:release",
        run_id=run_id,
    )


def settle(
    session: Session,
    *,
    account_id: uuid.UUID,
    run_id: uuid.UUID,
    held_amount: int,
    cost: int,
    note: str = "",
) -> None:
    """Release the hold and charge the cost (at most the hold); `note` says how it was priced."""
    lock_account(session, account_id)
    release(session, account_id=account_id, run_id=run_id, amount=held_amount)
    add_entry(
        session,
        account_id=account_id,
        amount=-min(cost, held_amount),
        kind="charge",
        idem_key=f"run:{run_id}:charge",
        run_id=run_id,
        note=note,
    )


def entries(
    session: Session, account_id: uuid.UUID, *, run_id: uuid.UUID | None = None, limit: int = 100
) -> list[CreditEntry]:
    """The account's ledger entries, newest first (only `run_id`'s when given)."""
    query = select(CreditEntry).where(CreditEntry.account_id == account_id)
    if run_id is not None:
        query = query.where(CreditEntry.run_id == run_id)
    return list(session.scalars(query.order_by(CreditEntry.id.desc()).limit(limit)))

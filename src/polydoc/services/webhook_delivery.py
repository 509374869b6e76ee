"""The webhook sender: a background thread in each worker that sends the outbox's due deliveries.

Each delivery is leased with a conditional UPDATE (so two workers never send it at once), its
body frozen at the first attempt (a retry sends the same bytes under the same `Polydoc-Delivery`),
signed like Stripe's (`Polydoc-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, keyed by
the endpoint's secret) and posted outside any transaction, to the address `webhook_urls.check`
resolved and checked (Host header and TLS SNI carry the name), following no redirect. Anything
but a 2xx in `POLYDOC_WEBHOOK_TIMEOUT_SECONDS` is retried after `backoff(attempts)`, up to
`POLYDOC_WEBHOOK_MAX_ATTEMPTS`. The run never waits for any of this: it only inserted a row.

The body is the Run as `GET /v1/runs/{id}` answers it (`RunRead`, the wire schema), so this module
reads the API's schemas, as the API does; nothing in the API imports it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from polydoc import __version__
from polydoc.api.schemas import RunRead
from polydoc.config import get_settings
from polydoc.db.models import Run, WebhookDelivery, utcnow
from polydoc.db.session import session_scope
from polydoc.errors import PolydocError
from polydoc.services import webhook_urls
from polydoc.services.webhooks import WAKE

log = logging.getLogger("polydoc.webhooks")
BATCH = 8  # deliveries claimed per round
SENDERS = 4  # sent at once: one slow receiver does not hold up the others


@dataclass(frozen=True, slots=True)
class Outgoing:
    id: uuid.UUID
    event: str
    url: str
    secret: str
    body: bytes


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff(attempts: int) -> float:
    """Seconds before the next attempt after `attempts` failed ones."""
    settings = get_settings()
    return min(settings.webhook_backoff_max_seconds, settings.webhook_backoff_seconds * 2 ** (attempts - 1))


def post(delivery: Outgoing) -> tuple[int | None, str | None]:
    """Send one delivery: (HTTP status, error) — error None only for a 2xx."""
    try:
        target = webhook_urls.check(delivery.url)
    except PolydocError as exc:
        return None, exc.message[:500]
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": f"Polydoc-Webhooks/{__version__}",
        "Polydoc-Delivery": str(delivery.id),
        "Polydoc-Event": delivery.event,
        "Polydoc-Signature": signature(delivery.secret, delivery.body, int(time.time())),
    }
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    timeout = get_settings().webhook_timeout_seconds
    # no proxies from the environment, no redirects: the checked address is the only one reached
    try:
        with httpx.Client(follow_redirects=False, trust_env=False, timeout=timeout) as client:
            resp = client.post(
                target.pinned_url, content=delivery.body, headers=headers, extensions=extensions
            )
    except httpx.TimeoutException:
        return None, f"no answer within {timeout:g} s"
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= resp.status_code < 300:
        return resp.status_code, None
    if resp.is_redirect:
        return resp.status_code, f"HTTP {resp.status_code} redirect (redirects are not followed)"
    return resp.status_code, f"HTTP {resp.status_code}"


def _payload(session: Session, row: WebhookDelivery) -> dict:
    run = session.get(Run, row.run_id)
    return {
        "id": str(row.id),
        "type": row.event,
        "created_at": row.created_at.isoformat(),
        "data": RunRead.of(run).model_dump(mode="json"),
    }


def claim(session: Session, *, limit: int = BATCH) -> list[Outgoing]:
    """Lease up to `limit` due deliveries and freeze the bodies of first attempts."""
    now = utcnow()
    lease = now + timedelta(seconds=get_settings().webhook_timeout_seconds + 30)
    free = or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now)
    due = session.scalars(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now, free)
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    ).all()
    out: list[Outgoing] = []
    for did in due:
        won = session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == did, WebhookDelivery.status == "pending", free)
            .values(lease_until=lease)
            .execution_options(synchronize_session=False)
        )
        if won.rowcount != 1:
            continue  # another worker's
        row = session.get(WebhookDelivery, did)
        if row.payload is None:
            row.payload = _payload(session, row)
        body = json.dumps(row.payload, separators=(",", ":"), sort_keys=True).encode()
        out.append(Outgoing(row.id, row.event, row.url, row.secret, body))
    session.flush()
    return out


def record(session: Session, *, delivery_id: uuid.UUID, status_code: int | None, error: str | None) -> None:
    """The attempt's outcome: delivered, retried after the backoff, or failed for good."""
    row = session.get(WebhookDelivery, delivery_id)
    if row is None or row.status != "pending":
        return  # its webhook was deleted meanwhile
    now = utcnow()
    row.attempts += 1
    row.lease_until = None
    row.last_status_code, row.last_error = status_code, error
    if error is None:
        row.status, row.delivered_at = "succeeded", now
    elif row.attempts >= get_settings().webhook_max_attempts:
        row.status = "failed"
        log.warning("webhook delivery %s to %s failed for good: %s", row.id, row.url, error)
    else:
        row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts))
    session.flush()


def send_due(pool: ThreadPoolExecutor) -> int:
    """One round: claim, send (no transaction open), record. Returns how many were sent."""
    with session_scope() as s:
        batch = claim(s)
    for delivery, (code, error) in zip(batch, pool.map(post, batch), strict=True):
        with session_scope() as s:
            record(s, delivery_id=delivery.id, status_code=code, error=error)
    return len(batch)


def _loop(stop: threading.Event) -> None:
    poll = get_settings().webhook_poll_seconds
    with ThreadPoolExecutor(SENDERS, thread_name_prefix="webhook-send") as pool:
        while not stop.is_set():
            WAKE.clear()
            sent = 0
            try:
                sent = send_due(pool)
            except Exception:  # a database hiccup must not end the loop; the next round retries
                log.exception("webhook round failed")
            if sent < BATCH:
                WAKE.wait(poll)  # a commit that recorded deliveries in this process wakes it early


def start(stop: threading.Event) -> threading.Thread:
    """The sender thread of this worker, until `stop` is set."""
    thread = threading.Thread(target=_loop, args=(stop,), name="polydoc-webhooks", daemon=True)
    thread.start()
    return thread

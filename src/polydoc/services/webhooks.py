"""Webhooks: an account's endpoints for run events, and the outbox of deliveries to them.

`record_run_event` is called by `lifecycle` inside the transaction that ends a run, so a delivery
row exists exactly when the run's end is committed (a transactional outbox); the sender
(`webhook_delivery`) sends it after the commit. A delivery's id is derived from the run, the
event and the endpoint, so ending a run twice (a repeated `fail`) records one delivery, and the
receiver sees the same `Polydoc-Delivery` on every retry.

Like every service these flush but never commit.
"""

from __future__ import annotations

import secrets
import threading
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from polydoc.db.models import Run, Webhook, WebhookDelivery
from polydoc.db.session import after_commit
from polydoc.errors import BadRequest, NotFound
from polydoc.services import webhook_urls
from polydoc.services._paging import page

EVENTS = ("run.succeeded", "run.failed")


class UnsupportedEvent(BadRequest):
    code = "invalid_events"
    http_status = 422


MAX_PER_ACCOUNT = 20
WAKE = threading.Event()  # set after a commit that recorded deliveries: this process's sender goes at once


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def create(session: Session, *, account_id: uuid.UUID, url: str, events: list[str]) -> Webhook:
    """Register an endpoint (422 for a URL into a private network; see `webhook_urls`)."""
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise UnsupportedEvent(
            f"Unknown webhook events {', '.join(unknown)}; choose from {', '.join(EVENTS)}",
            code="invalid_events",
        )
    webhook_urls.check(url)  # before the first statement: a slow DNS answer holds no database lock
    count = len(session.scalars(select(Webhook.id).where(Webhook.account_id == account_id)).all())
    if count >= MAX_PER_ACCOUNT:
        raise BadRequest(f"An account may have at most {MAX_PER_ACCOUNT} webhooks", code="too_many_webhooks")
    row = Webhook(account_id=account_id, url=url.strip(), events=sorted(set(events)), secret=new_secret())
    session.add(row)
    session.flush()
    return row


def get(session: Session, *, account_id: uuid.UUID, webhook_id: uuid.UUID | str) -> Webhook:
    try:
        wid = uuid.UUID(str(webhook_id))
    except ValueError:
        raise NotFound(f"No webhook {webhook_id}") from None
    row = session.get(Webhook, wid)
    if row is None or row.account_id != account_id:
        raise NotFound(f"No webhook {webhook_id}")
    return row


def list_(session: Session, *, account_id: uuid.UUID, limit: int, after: uuid.UUID | None) -> list[Webhook]:
    query = select(Webhook).where(Webhook.account_id == account_id)
    return page(session, Webhook, query, account_id=account_id, limit=limit, after=after)


def delete(session: Session, *, account_id: uuid.UUID, webhook_id: str) -> Webhook:
    """Remove the endpoint; its deliveries, sent or pending, go with it."""
    row = get(session, account_id=account_id, webhook_id=webhook_id)
    session.delete(row)
    session.flush()
    return row


def deliveries(
    session: Session, *, account_id: uuid.UUID, webhook_id: str, limit: int, after: uuid.UUID | None
) -> list[WebhookDelivery]:
    hook = get(session, account_id=account_id, webhook_id=webhook_id)
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
    return page(session, WebhookDelivery, query, account_id=account_id, limit=limit, after=after)


def run_hook(url: str | None) -> dict:
    """A run's own `webhook_url`, checked, with the secret that signs its deliveries (run options)."""
    if url is None:
        return {}
    webhook_urls.check(url)
    return {"webhook_url": url.strip(), "webhook_secret": new_secret()}


def delivery_id(run_id: uuid.UUID, event: str, webhook_id: uuid.UUID | None) -> uuid.UUID:
    return uuid.uuid5(run_id, f"{event}:{webhook_id or 'run'}")


def record_run_event(session: Session, *, run_id: uuid.UUID, event: str) -> int:
    """Queue `event` of the run for every endpoint that wants it (in the caller's transaction)."""
    account_id, options = session.execute(select(Run.account_id, Run.options).where(Run.id == run_id)).one()
    targets: list[tuple[uuid.UUID | None, str, str]] = []
    if (options or {}).get("webhook_url"):
        targets.append((None, options["webhook_url"], options["webhook_secret"]))
    hooks = session.scalars(select(Webhook).where(Webhook.account_id == account_id))
    targets += [(h.id, h.url, h.secret) for h in hooks if event in h.events]
    added = 0
    for webhook_id, url, secret in targets:
        did = delivery_id(run_id, event, webhook_id)
        if session.get(WebhookDelivery, did) is None:
            session.add(
                WebhookDelivery(
                    id=did,
                    account_id=account_id,
                    webhook_id=webhook_id,
                    run_id=run_id,
                    event=event,
                    url=url,
                    secret=secret,
                )
            )
            added += 1
    if added:
        session.flush()
        after_commit(session, WAKE.set)
    return added

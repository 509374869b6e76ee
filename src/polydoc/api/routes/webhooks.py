"""Webhooks: endpoints told when a run ends (`run.succeeded`, `run.failed`), and their deliveries."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from polydoc.api.deps import CurrentAccount, SessionDep, one_thread
from polydoc.api.routes._links import set_next_link
from polydoc.api.schemas.integrations import WebhookCreate, WebhookCreated, WebhookDeliveryRead, WebhookRead
from polydoc.services import webhooks

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
Limit = Annotated[int, Query(ge=1, le=200)]


@router.post("", response_model=WebhookCreated, operation_id="webhooks_create")
@one_thread
def create_webhook(body: WebhookCreate, session: SessionDep, account: CurrentAccount) -> WebhookCreated:
    """Register an endpoint; the answer holds its signing `secret`, shown this once."""
    row = webhooks.create(session, account_id=account.id, url=body.url, events=list(body.events))
    return WebhookCreated(**WebhookRead.of(row).model_dump(), secret=row.secret)


@router.get("", response_model=list[WebhookRead], operation_id="webhooks_list")
@one_thread
def list_webhooks(
    request: Request,
    response: Response,
    session: SessionDep,
    account: CurrentAccount,
    limit: Limit = 50,
    after: UUID | None = None,
) -> list[WebhookRead]:
    rows = webhooks.list_(session, account_id=account.id, limit=limit, after=after)
    set_next_link(request, response, rows, limit)
    return [WebhookRead.of(r) for r in rows]


@router.get("/{webhook_id}", response_model=WebhookRead, operation_id="webhooks_get")
@one_thread
def get_webhook(webhook_id: str, session: SessionDep, account: CurrentAccount) -> WebhookRead:
    return WebhookRead.of(webhooks.get(session, account_id=account.id, webhook_id=webhook_id))


@router.delete("/{webhook_id}", response_model=WebhookRead, operation_id="webhooks_delete")
@one_thread
def delete_webhook(webhook_id: str, session: SessionDep, account: CurrentAccount) -> WebhookRead:
    return WebhookRead.of(webhooks.delete(session, account_id=account.id, webhook_id=webhook_id))


@router.get(
    "/{webhook_id}/deliveries", response_model=list[WebhookDeliveryRead], operation_id="webhooks_deliveries"
)
@one_thread
def list_deliveries(
    webhook_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
    account: CurrentAccount,
    limit: Limit = 50,
    after: UUID | None = None,
) -> list[WebhookDeliveryRead]:
    """Newest first: each with its status, attempts, and the last answer or error."""
    rows = webhooks.deliveries(
        session, account_id=account.id, webhook_id=webhook_id, limit=limit, after=after
    )
    set_next_link(request, response, rows, limit)
    return [WebhookDeliveryRead.of(r) for r in rows]

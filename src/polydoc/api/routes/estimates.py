"""Estimates: what a run would cost, before it starts, with the body of `POST /v1/runs`."""

from __future__ import annotations

from fastapi import APIRouter

from polydoc.api.deps import CurrentAccount, one_thread
from polydoc.api.routes.runs import estimate_run
from polydoc.api.schemas import EstimateRead, RunCreate

router = APIRouter(prefix="/v1/estimates", tags=["runs"])


@router.post("", response_model=EstimateRead, operation_id="estimates_create")
@one_thread
def create_estimate(body: RunCreate, account: CurrentAccount) -> EstimateRead:
    """The run's price, computed as it will be billed (the document is read, the translation memory
    consulted); nothing is held. Same validation and errors as `POST /v1/runs`."""
    return EstimateRead.of(estimate_run(account.id, body))

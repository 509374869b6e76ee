"""Paged lists: the `Link: <…>; rel="next"` header."""

from __future__ import annotations

from fastapi import Request, Response


def set_next_link(request: Request, response: Response, items: list, limit: int) -> None:
    if len(items) < limit:
        return
    url = request.url.include_query_params(limit=limit, after=str(items[-1].id))
    response.headers["Link"] = f'<{url}>; rel="next"'

"""Paged lists: the `Link: <…>; rel="next"` header.

The link is built from `public_url` (where clients reach the API, e.g. behind a proxy), or is a
relative reference (RFC 8288 allows one) when it is not set: never from the request's `Host`
header, which the client chooses.
"""

from __future__ import annotations

from fastapi import Request, Response

from polydoc.config import get_settings


def set_next_link(request: Request, response: Response, items: list, limit: int) -> None:
    if len(items) < limit:
        return
    url = request.url.include_query_params(limit=limit, after=str(items[-1].id))
    target = f"{url.path}?{url.query}"
    response.headers["Link"] = f'<{get_settings().public_url.rstrip("/")}{target}>; rel="next"'

"""Where a webhook may point: no SSRF into the server's own network.

A URL is resolved once (`resolve`); every address it resolves to must be a public one — not
loopback, private, link-local (169.254.169.254, the cloud metadata address, is one), shared,
multicast, reserved or unspecified, IPv4-mapped forms included — unless its host is listed in
`POLYDOC_WEBHOOK_ALLOW_HOSTS`. The sender then connects to the address checked here, never to a
second resolution of the name (DNS rebinding), and follows no redirect.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from polydoc.config import get_settings
from polydoc.errors import BadRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# metadata services outside the link-local range (Alibaba Cloud; AWS's IPv6 one is private anyway)
_METADATA = frozenset({ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")})


class WebhookUrlError(BadRequest):
    code = "webhook_url_invalid"
    http_status = 422


class ForbiddenUrl(WebhookUrlError):
    code = "webhook_url_forbidden"


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: where to connect (`address`) and what to call the host (Host header, SNI)."""

    scheme: str
    host: str  # as written, lower case, IPv6 without brackets
    port: int
    target: str  # path and query
    address: IPAddress

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = {"http": 80, "https": 443}[self.scheme]
        return name if self.port == default else f"{name}:{self.port}"

    @property
    def pinned_url(self) -> str:
        """The URL with the checked address in place of the name."""
        ip = f"[{self.address}]" if self.address.version == 6 else str(self.address)
        return f"{self.scheme}://{ip}:{self.port}{self.target}"


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path and query) of an http(s) URL, or 422 `webhook_url_invalid`."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise WebhookUrlError("The webhook URL is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise WebhookUrlError("A webhook URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise WebhookUrlError("A webhook URL may not carry a user name or password")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80), target


def public(address: IPAddress) -> bool:
    """An address anyone on the internet could reach: not ours, not our network's."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast and address not in _METADATA


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an address literal is itself): the one DNS look-up."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise WebhookUrlError(
            f"The webhook host {host} does not resolve", code="webhook_url_unresolvable"
        ) from None
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def check(url: str) -> Target:
    """Resolve and check `url` (422 `webhook_url_forbidden` for a non-public address)."""
    scheme, host, port, target = parse(url)
    addresses = resolve(host, port)
    if not addresses:
        raise WebhookUrlError(f"The webhook host {host} does not resolve", code="webhook_url_unresolvable")
    if host not in get_settings().webhook_allowed:
        refused = [a for a in addresses if not public(a)]
        if refused:
            raise ForbiddenUrl(
                f"The webhook URL's host {host} resolves to {refused[0]}, a loopback, private, link-local or "
                "metadata address; list the host in POLYDOC_WEBHOOK_ALLOW_HOSTS to allow it"
            )
    return Target(scheme, host, port, target, addresses[0])

"""A socket guard for the webhook tests: any connect to a non-loopback address is refused and logged.

`install(log)` patches Python's socket layer in this process; `sitecustomize(folder, log)` writes a
`sitecustomize.py` that installs it in every Python process started with that folder on PYTHONPATH
(the test service's API and worker), so a test can never send a packet off this machine, even when
the code under test is wrong. A test then asserts the log is empty: nothing even tried.
"""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

from tests.helpers import ROOT

_REAL_CONNECT = socket.socket.connect
_REAL_CONNECT_EX = socket.socket.connect_ex


def loopback(address: object) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths never leave the machine
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False  # a name the socket would resolve itself: refused
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def install(log: Path | str) -> None:
    log = Path(log)

    def refuse(sock: socket.socket, address: object) -> bool:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not loopback(address):
            with log.open("a") as fh:
                fh.write(f"{address!r}\n")
            return True
        return False

    def connect(self: socket.socket, address: object) -> None:
        if refuse(self, address):
            raise ConnectionRefusedError(f"netguard: connect to non-loopback {address!r} refused")
        _REAL_CONNECT(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if refuse(self, address):
            return 111  # ECONNREFUSED
        return _REAL_CONNECT_EX(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]


def uninstall() -> None:
    socket.socket.connect = _REAL_CONNECT  # type: ignore[method-assign]
    socket.socket.connect_ex = _REAL_CONNECT_EX  # type: ignore[method-assign]


def sitecustomize(folder: Path, log: Path) -> str:
    """Write the start-up hook into `folder`; returns the PYTHONPATH that loads it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        f"import sys\nsys.path.append({str(ROOT)!r})\nfrom tests.netguard import install\ninstall({str(log)!r})\n"
    )
    return str(folder)

"""The address a request really came from.

Behind the TLS proxy every request arrives from the proxy's address. The
client's own address is then the last entry of ``X-Forwarded-For`` that is not
one of our proxies, but only when the request came from a configured trusted
proxy (``TRUSTED_PROXIES``): anyone else can write that header. The login
lockout (django-axes, through ``AXES_CLIENT_IP_CALLABLE``), the audit log and
the read-access log all use this one function.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in configured)


def _valid(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, read from ``X-Forwarded-For`` only when the
    request came from a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR") or ""
    peer = _valid(remote)
    if peer is None:
        return None
    if not _trusted(peer):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # Each proxy appends the address it received the request from; read from
    # the right and skip our own proxies.
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _valid(hop)
        if address is None:
            break  # a malformed entry: trust nothing to the left of it
        if not _trusted(address):
            return str(address)
    return str(peer)

"""The address a request really came from, for every per-address limit (django-axes'
lock-out, the API throttles, the login form's limit).

X-Forwarded-For is written by the client unless a proxy of ours wrote it: read as
it comes, a new made-up value per request escapes any per-address limit. So the
socket's address (REMOTE_ADDR) counts, unless it is one of the proxies named in
KPIHUB_TRUSTED_PROXIES; then the header is read from the right, skipping our own
proxies, and the first address they did not write themselves is the client's
(everything left of it may be forged). django-ipware is not used: without proxies
configured it believes the header's left-most entry, and its trusted proxies are
string prefixes matched against the header's entries, not the socket's address."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"KPIHUB_TRUSTED_PROXIES: {error}") from error


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the same client.
    return getattr(address, "ipv4_mapped", None) or address


def client_address(request: HttpRequest) -> str:
    """The client's address as text (also django-axes' AXES_CLIENT_IP_CALLABLE)."""
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return "0.0.0.0"  # no socket address (a test client, a unix socket): one shared bucket
    networks = trusted_networks(tuple(settings.KPIHUB_TRUSTED_PROXIES))

    def trusted(address) -> bool:
        return any(address in network for network in networks if network.version == address.version)

    client = remote
    if trusted(remote):
        for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = parse_address(entry)
            if address is None:
                break  # our proxy wrote no address here: stop at the last one we trust
            client = address
            if not trusted(address):
                break
    return str(client)

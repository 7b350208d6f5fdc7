"""Two request rules for running behind a proxy, and the no-store rule for every page.

``TrustedProxyMiddleware`` decides, once and first, who the client is and whether the
request came over HTTPS. The proxy's forwarded headers are believed only when the TCP peer
is one of ``DJANGO_TRUSTED_PROXIES``; from anyone else they are removed before Django (the
security middleware with ``SECURE_PROXY_SSL_HEADER``) or django-axes reads them. A request
that a trusted proxy forwarded gets the client's address as ``REMOTE_ADDR``: the right-most
address in ``X-Forwarded-For`` that is not itself a trusted proxy (the entries left of it
were written by the client and prove nothing). So the lockout counts the person at the
keyboard, not the proxy that every person shares.

No library does this for Django: django-ipware (which django-axes can use) reads
``X-Forwarded-For`` from whoever sent it and matches trusted proxies inside that header,
never against the peer that actually connected, and it prefers any public address over a
private one, which picks the proxy over an intranet client.
"""

import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_FORWARDED")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> list[Network]:
    """``["10.0.0.0/8", "127.0.0.1"]`` -> networks; an address is a network of one."""
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry]


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_trusted(address: str, networks: list[Network]) -> bool:
    parsed = _address(address)
    return parsed is not None and any(parsed in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str, networks: list[Network]) -> str:
    """The right-most hop of ``X-Forwarded-For`` that is not a trusted proxy.

    Only called for a request whose peer is a trusted proxy. An unparsable hop ends the
    walk: whatever stands left of it cannot be trusted, so the peer's address is kept.
    """
    for hop in reversed([h for h in forwarded_for.split(",") if h.strip()]):
        parsed = _address(hop)
        if parsed is None:
            return remote_addr
        if not any(parsed in network for network in networks):
            return str(parsed)
    return remote_addr


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.networks = parse_networks(settings.ACCOUNTABILITY_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        if self.networks and is_trusted(peer, self.networks):
            forwarded_for = meta.get("HTTP_X_FORWARDED_FOR", "")
            if forwarded_for:
                meta["REMOTE_ADDR"] = client_address(peer, forwarded_for, self.networks)
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)


class NoStoreMiddleware:
    """Every response Django itself makes is kept out of browser and proxy caches.

    Case pages, PDFs, bundles, evidence and the API all carry personal data; the login page
    carries a CSRF token. Static files never reach this middleware: whitenoise, above it,
    serves them with their own long-lived, immutable cache headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response

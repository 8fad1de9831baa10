"""Fetching an article for ``/draft URL``: short timeouts, a size cap, text only, and never an
address inside our own network, checked after DNS resolution and again on the connection
itself, so the bot cannot be used to probe the machines around it."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Final

import httpx

ALLOWED_TYPES: Final = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
MAX_REDIRECTS: Final = 3
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_USER_AGENT: Final = "casualty-figures-bot (drafts claims for human review)"


class FetchError(Exception):
    """The page could not be fetched; the message is safe to show to whoever asked."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet (not private, loopback, link-local,
    multicast, reserved or unspecified; an IPv4 address mapped into IPv6 counts as itself)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _checked_url(text: str) -> httpx.URL:
    try:
        url = httpx.URL(text.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError("that is not a link I can read") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchError("only http and https links can be fetched")
    return url


async def _resolve(url: httpx.URL, *, allow_private: bool) -> None:
    """Refuse a host that resolves to any address outside the public internet."""
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            url.host, port, type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError):
        raise FetchError(f"cannot find the host {url.host}") from None
    addresses = {str(info[4][0]) for info in found}
    if not allow_private and not all(is_public(address) for address in addresses):
        raise FetchError("that link points into a private or local network; it is not fetched")


def _check_peer(response: httpx.Response, *, allow_private: bool) -> None:
    """The address actually connected to must be public too: DNS may answer differently the
    second time ("rebinding")."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not allow_private and peer and not is_public(str(peer[0])):
        raise FetchError("that link points into a private or local network; it is not fetched")


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"the page is larger than {max_bytes // 1_000} kB")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchError(f"the page is larger than {max_bytes // 1_000} kB")
    return bytes(body)


def _content_type(response: httpx.Response) -> str:
    kind = str(response.headers.get("content-type", "")).split(";")[0].strip().lower()
    if kind not in ALLOWED_TYPES:
        raise FetchError(f"the link is not a web page or text ({kind or 'no type given'})")
    return kind


async def fetch_page(
    text: str, *, time_limit: float, max_bytes: int, allow_private: bool = False
) -> Fetched:
    """The page at a link, following at most ``MAX_REDIRECTS`` redirects (each checked)."""
    url = _checked_url(text)
    limits = httpx.Timeout(time_limit, connect=min(time_limit, 5.0))
    headers = {"User-Agent": _USER_AGENT, "Accept": "text/html, text/plain;q=0.9"}
    async with httpx.AsyncClient(timeout=limits, headers=headers, trust_env=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            await _resolve(url, allow_private=allow_private)
            try:
                async with client.stream("GET", url) as response:
                    _check_peer(response, allow_private=allow_private)
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        url = _checked_url(str(url.join(response.headers["location"])))
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"the page answered HTTP {response.status_code}")
                    kind = _content_type(response)
                    return Fetched(str(url), kind, await _read_capped(response, max_bytes))
            except httpx.TimeoutException:
                raise FetchError(f"the page did not answer within {time_limit:g} s") from None
            except httpx.HTTPError as exc:
                raise FetchError(f"the page could not be fetched ({type(exc).__name__})") from None
    raise FetchError(f"the link redirects more than {MAX_REDIRECTS} times")

"""Fetching articles for /draft URL: public pages only, small, text, and quick."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.fetch import FetchError, fetch_page, is_public

ARTICLE = "<html><head><title>Losses</title></head><body><p>9,861 died.</p></body></html>"


async def _article(_request: web.Request) -> web.Response:
    return web.Response(text=ARTICLE, content_type="text/html")


async def _image(_request: web.Request) -> web.Response:
    return web.Response(body=b"\x89PNG", content_type="image/png")


async def _huge(_request: web.Request) -> web.Response:
    return web.Response(text="x" * 50_000, content_type="text/plain")


async def _to_article(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/article")


async def _to_file(_request: web.Request) -> web.Response:
    raise web.HTTPFound("file:///etc/passwd")


async def _loop(_request: web.Request) -> web.Response:
    raise web.HTTPFound("/loop")


async def _missing(_request: web.Request) -> web.Response:
    raise web.HTTPNotFound()


@pytest.fixture
async def site() -> AsyncIterator[str]:
    app = web.Application()
    routes = {"/article": _article, "/image": _image, "/huge": _huge, "/redirect": _to_article}
    routes |= {"/to-file": _to_file, "/loop": _loop, "/missing": _missing}
    for path, handler in routes.items():
        app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def fetch(url: str, *, allow_private: bool = True, max_bytes: int = 10_000) -> bytes:
    found = await fetch_page(url, time_limit=5, max_bytes=max_bytes, allow_private=allow_private)
    return found.body


async def test_a_link_to_a_loopback_address_is_refused(site: str) -> None:
    with pytest.raises(FetchError, match="private or local network"):
        await fetch(f"{site}/article", allow_private=False)


@pytest.mark.parametrize(
    "url",
    ["http://localhost/", "http://[::1]/", "http://10.0.0.7/", "http://169.254.169.254/latest"],
)
async def test_links_into_private_networks_are_refused_after_resolution(url: str) -> None:
    with pytest.raises(FetchError, match="private or local network"):
        await fetch(url, allow_private=False)


async def test_a_local_test_server_is_fetched_when_the_test_setting_allows_it(site: str) -> None:
    assert b"9,861 died" in await fetch(f"{site}/article")


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "not a link", ""])
async def test_only_http_and_https_links_are_fetched(url: str) -> None:
    with pytest.raises(FetchError):
        await fetch(url)


async def test_a_redirect_is_followed_and_checked_again(site: str) -> None:
    assert b"9,861" in await fetch(f"{site}/redirect")
    with pytest.raises(FetchError, match="only http and https"):
        await fetch(f"{site}/to-file")
    with pytest.raises(FetchError, match="redirects more than"):
        await fetch(f"{site}/loop")


async def test_a_page_that_is_not_text_is_refused(site: str) -> None:
    with pytest.raises(FetchError, match="image/png"):
        await fetch(f"{site}/image")


async def test_a_page_over_the_size_cap_is_refused(site: str) -> None:
    with pytest.raises(FetchError, match="larger than"):
        await fetch(f"{site}/huge", max_bytes=10_000)


async def test_an_error_page_is_named_by_its_status(site: str) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        await fetch(f"{site}/missing")


async def test_a_host_that_does_not_exist_is_named() -> None:
    with pytest.raises(FetchError, match="cannot find the host"):
        await fetch("http://no-such-host.invalid/")


@pytest.mark.parametrize(
    ("address", "public"),
    [("8.8.8.8", True), ("127.0.0.1", False), ("192.168.1.1", False), ("::ffff:10.0.0.1", False),
     ("fe80::1", False), ("224.0.0.1", False), ("0.0.0.0", False), ("2606:4700::1111", True)],
)  # fmt: skip
def test_only_public_addresses_count_as_public(address: str, public: bool) -> None:
    assert is_public(address) is public

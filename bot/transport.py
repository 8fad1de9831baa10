"""The HTTP transport the bot talks to Telegram with: aiohttp behind PTB's ``BaseRequest``.

PTB's default transport (httpx over httpcore) spent about 1 ms of CPU on each request, half
of an answer's cost; aiohttp does the same request in under 0.5 ms (tests/bench/run.py,
issue 16). PTB documents ``BaseRequest`` for exactly this swap; the bot's behaviour, errors
and timeouts stay PTB's: a timeout is ``TimedOut``, anything else on the wire ``NetworkError``.
"""

from __future__ import annotations

import base64
from typing import Final, NamedTuple
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp

# A timeout a call left at PTB's default is a DefaultValue, as PTB's own HTTPXRequest tests:
# PTB gives the class no public name.
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

# What PTB's own transport allows an upload by default: sending a file takes longer.
MEDIA_WRITE_TIMEOUT: Final = 20.0
_PROXY_SCHEMES: Final = frozenset({"http", "https"})  # what aiohttp can talk through


class AiohttpRequest(BaseRequest):
    """One pool of ``connections`` to the Bot API, with PTB's four timeouts.

    aiohttp has no write timeout of its own, so the whole request is also bounded by the sum
    of its phases (pool, connect, write, read) whenever all four are set.
    """

    def __init__(
        self,
        *,
        connections: int,
        timeout: float | None,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._connections = connections
        self._timeout = timeout
        self._media_write_timeout = media_write_timeout
        self._proxies: dict[tuple[str, str], _Proxy | None] = {}  # by scheme and host
        self._session: aiohttp.ClientSession | None = None  # closed once shut down

    @property
    def read_timeout(self) -> float | None:
        """The read timeout PTB adds a long poll's own timeout to."""
        return self._timeout

    async def initialize(self) -> None:
        """Open the session (inside the running loop, as aiohttp requires)."""
        if self._session is None or self._session.closed:
            self._session = self._new_session()

    async def shutdown(self) -> None:
        """Close the session and its connections; ``initialize`` opens a new one."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _new_session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(limit=self._connections)
        return aiohttp.ClientSession(connector=connector)

    def _proxy_for(self, url: str) -> _Proxy | None:
        """The proxy the environment names for ``url`` (HTTPS_PROXY, NO_PROXY...), as PTB's
        httpx transport honours them; looked up once per host, not on every request as
        aiohttp's ``trust_env`` does (that doubled a request's CPU)."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            bypass = proxy_bypass(key[1]) if key[1] else True
            named = None if bypass else getproxies().get(parts.scheme)
            self._proxies[key] = None if named is None else _Proxy.of(named)
        return self._proxies[key]

    def _client_timeout(
        self,
        *,
        has_files: bool,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
    ) -> aiohttp.ClientTimeout:
        """PTB's per-call timeouts, each falling back to ours, in aiohttp's terms."""
        write_default = self._media_write_timeout if has_files else self._timeout
        read_s, connect_s, pool_s = (
            _given(value, self._timeout) for value in (read, connect, pool)
        )
        write_s = _given(write, write_default)
        total = _sum_or_none(pool_s, connect_s, write_s, read_s)
        waiting = _sum_or_none(pool_s, connect_s)  # aiohttp's "connect" includes the pool wait
        return aiohttp.ClientTimeout(
            total=total, connect=waiting, sock_connect=connect_s, sock_read=read_s
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; the status and the body, or PTB's ``TimedOut``/``NetworkError``."""
        if self._session is None:
            self._session = self._new_session()
        elif self._session.closed:
            raise RuntimeError("This AiohttpRequest is shut down; initialize it again first.")
        has_files = bool(request_data and request_data.contains_files)
        timeout = self._client_timeout(
            has_files=has_files,
            read=read_timeout,
            write=write_timeout,
            connect=connect_timeout,
            pool=pool_timeout,
        )
        headers = {"User-Agent": self.USER_AGENT}
        body: bytes | aiohttp.FormData | None = None
        if request_data is not None and has_files:
            body = _multipart(request_data)
        elif request_data is not None:
            body = request_data.json_payload
            headers["Content-Type"] = "application/json"
        proxy = self._proxy_for(url)
        if proxy is not None and proxy.headers and not url.startswith("https:"):
            # aiohttp sends a proxy's own headers with the CONNECT that tunnels https only;
            # a plain-http request goes to the proxy whole, so it carries them itself.
            headers.update(proxy.headers)
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=proxy.url if proxy else None,
                proxy_headers=proxy.headers if proxy else None,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # The class name says what failed when the message is empty.
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


class _Proxy(NamedTuple):
    url: URL  # without the user and password, which go in a header
    headers: dict[str, str] | None

    @classmethod
    def of(cls, named: str) -> _Proxy:
        """The proxy a URL names; a ``NetworkError`` for one aiohttp cannot talk through,
        since going around a proxy the operator set could leak what it was meant to carry."""
        url = URL(named)
        if url.scheme not in _PROXY_SCHEMES:
            where = url.with_user(None).with_path("")  # a proxy URL may hold a password
            raise NetworkError(
                f"the proxy {where} from the environment is not supported: "
                "only http:// and https:// proxies are"
            )
        if url.user is None:
            return cls(url, None)
        login = base64.b64encode(f"{url.user}:{url.password or ''}".encode()).decode()
        return cls(url.with_user(None), {"Proxy-Authorization": f"Basic {login}"})


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """A call's own timeout, or ours when the call left it at PTB's default."""
    return default if isinstance(value, DefaultValue) else value


def _sum_or_none(*seconds: float | None) -> float | None:
    """The phases' total; no bound at all when any phase is unbounded."""
    return None if any(part is None for part in seconds) else sum(s for s in seconds if s)


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """The parameters as form fields and each file as its own part, the way Telegram takes
    uploads."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form

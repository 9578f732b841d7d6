"""`CAMClient`: one async method per API method, one request path underneath.

The request path (`_call`) owns the transport rules that matter most:
- reads are retried on connect failures, timeouts, resets, 503 and 491 (with back-off, within a time budget);
- writes are retried only when the request certainly did not reach the server (connect failure) or the
  server explicitly refused it (503, 491). Once a write may have reached the server and no answer came back,
  `OutcomeUnknown` is raised and the write is never resent: a message must not go out twice.

Reads travel on the client's own keep-alive connections (`http1.ReadPool`: a fifth of httpx's CPU per request,
which matters at 200 polls a second); writes, uploads and anything through a proxy take httpx's full path.
"""

from __future__ import annotations

import asyncio
import codecs
import ipaddress
import logging
import ssl
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from camtui.api import wire
from camtui.api.answers import Answer, direct_answer, interpret
from camtui.api.errors import CAMAPIError, MalformedResponse, OutcomeUnknown, TransportError
from camtui.api.failures import GATEWAY_STATUSES, NOT_SENT, describe_failure, is_tls_failure, short_text
from camtui.api.http1 import ReadPool, request_prefix, serialise_request
from camtui.api.limits import AnswerTooLarge, cap_for
from camtui.api.models import (
    BatchItem,
    BatchSendResult,
    CallStats,
    ChatRoom,
    ConferenceRoom,
    QuickCall,
    RoomStatus,
    SendResult,
    UsersExport,
    UsersUpdateResult,
)
from camtui.api.retry import RetryPolicy
from camtui.api.route import goes_through_proxy, tls_context
from camtui.api.same_answer import SameAnswerCall, SameAnswers

log = logging.getLogger("camtui.api")

TOKEN_HEADER = "x-cam-apiToken"
KEEPALIVE_EXPIRY = 4.0
"""Seconds an idle connection is kept: below common server idle timeouts (uvicorn: 5 s), to avoid stale reuse."""


class InsecureTokenWarning(UserWarning):
    """The API token would travel unencrypted (plain http) to a host that is not this machine."""


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """One row of the method table: the wire name, whether it changes server state, what it answers."""

    name: str
    write: bool
    csv: bool = False


METHODS: dict[str, MethodSpec] = {
    m.name: m
    for m in (
        MethodSpec("sendMessage", write=True),
        MethodSpec("sendMessages", write=True),
        MethodSpec("createQuickCall", write=True),
        MethodSpec("getCallStats", write=False),
        MethodSpec("exportUsers", write=False, csv=True),
        MethodSpec("updateUsersCSV", write=True),
        MethodSpec("updateChatRoom", write=True),
        MethodSpec("getConferenceMaster", write=False),
        MethodSpec("getConferenceRooms", write=False),
        MethodSpec("getConferenceRoomStatus", write=False),
    )
}


class _Secret:
    """Holds the token so that `repr`, `vars` and tracebacks with locals show `***`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class CAMClient:
    """Async client of the Chat&Messenger API. Use as `async with CAMClient(url, token) as client: …`."""

    def __init__(
        self,
        server_url: str,
        api_token: str,
        *,
        timeout: float = 10.0,
        read_budget: float = 30.0,
        ca_bundle: str | None = None,
        verify: bool = True,
        max_connections: int = 8,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._token = _Secret(api_token)
        del api_token  # keep the raw token out of this frame's locals (tracebacks with locals)
        if not self._token.get().isascii() or not self._token.get().isprintable():
            raise ValueError("the API token must be printable ASCII (check for stray spaces or line breaks)")
        parts = urlsplit(server_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"server URL must be http(s)://host[:port][/path], got {server_url!r}")
        self._server_url = server_url.strip().rstrip("/")
        self._timeout = float(timeout)
        self._read_budget = float(read_budget)
        self._retry = retry or RetryPolicy()
        loopback = is_loopback_host(parts.hostname)
        if parts.scheme == "http" and not loopback:
            warnings.warn(
                InsecureTokenWarning(
                    f"the API token will be sent unencrypted over plain http to {parts.hostname}; use https"
                ),
                stacklevel=2,
            )
        if not max_connections or max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._routes: dict[str, bytes | None] = {}
        """Per read method: the request line and headers the direct path sends (None: the method takes
        httpx's full path, e.g. through a proxy)."""
        self._reads: ReadPool | None = None
        """The keep-alive connections reads go through (made with the first read)."""
        self._same = SameAnswers()
        self._max_connections = max_connections
        limits = httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=KEEPALIVE_EXPIRY,
        )
        self._trust_env = not loopback  # proxies from the environment, but never for this machine
        self._tls = tls_context(self._server_url, verify, ca_bundle, self._trust_env)
        transport = httpx.AsyncHTTPTransport(verify=self._tls, limits=limits, trust_env=self._trust_env)
        self._http = httpx.AsyncClient(
            headers={TOKEN_HEADER: self._token.get(), "User-Agent": "camtui"},
            timeout=httpx.Timeout(self._timeout),
            limits=limits,
            verify=self._tls,
            trust_env=self._trust_env,
            follow_redirects=False,
            transport=transport,
        )

    # ------------------------------------------------------------------------------------ lifecycle

    @property
    def server_url(self) -> str:
        return self._server_url

    def __repr__(self) -> str:
        return f"CAMClient({self._server_url!r}, api_token='***')"

    async def __aenter__(self) -> CAMClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._reads is not None:
            await self._reads.aclose()
        await self._http.aclose()

    # ------------------------------------------------------------------------------- the methods

    async def send_message(
        self, send: str, message: str, seal: bool = False, users: Sequence[str] = ()
    ) -> SendResult:
        """Send `message` to `send` ("messenger" or a chat room name); `users`: recipients or mentions."""
        body = await self._call("sendMessage", wire.encode_send_message(send, message, seal, users))
        return self._parse("sendMessage", wire.parse_send_result, body, send)

    async def send_messages(self, items: Sequence[BatchItem]) -> BatchSendResult:
        body = await self._call("sendMessages", wire.encode_send_messages(items))
        return self._parse("sendMessages", wire.parse_batch_result, body, len(items))

    async def create_quick_call(
        self, expired_date: datetime | int, password: str = "", title: str = ""
    ) -> QuickCall:
        """Create a quick web conference that expires at `expired_date` (aware datetime or Unix ms)."""
        expired_ms = wire.to_unix_ms(expired_date)
        body = await self._call("createQuickCall", wire.encode_create_quick_call(expired_ms, password, title))
        return self._parse(
            "createQuickCall",
            lambda b: wire.parse_quick_call(
                b,
                server_url=self._server_url,
                title=title or "",
                password=password or "",
                expired_ms=expired_ms,
            ),
            body,
        )

    async def get_call_stats(self, room_name: str) -> CallStats:
        body = await self._call("getCallStats", {"roomName": room_name})
        return self._parse("getCallStats", wire.parse_call_stats, body, room_name)

    async def export_users(self, path: str = "exportUsers.csv") -> UsersExport:
        """The users CSV (admin token). `path` is the file name the server suggests for the download."""
        text = await self._call("exportUsers", {"path": path})
        return self._parse("exportUsers", wire.parse_users_export, text)

    async def export_users_csv(self, path: str = "exportUsers.csv", *, check_utf8: bool = True) -> bytes:
        """The users CSV as the server sent it (bytes, byte-order mark included), checked to be UTF-8 text unless
        `check_utf8=False`: held once, never also as text and 100,000 `User` objects (see `export_users`)."""
        raw = await self._call("exportUsers", {"path": path}, raw_csv=True)
        if not isinstance(raw, bytes):
            raise MalformedResponse("expected the users CSV, got JSON", method="exportUsers")
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for start in range(0, len(raw) if check_utf8 else 0, 1 << 20):  # a megabyte at a time: no copy
                decoder.decode(raw[start : start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise MalformedResponse(
                f"the users CSV is not UTF-8 ({exc.reason})", method="exportUsers"
            ) from None
        return raw

    async def update_users_csv(
        self, file: bytes | str | Path, filename: str = "updateUsers.csv"
    ) -> UsersUpdateResult:
        """Create or update users from a CSV: `bytes` or `str` are the CSV itself, a `Path` is read."""
        if isinstance(file, Path):
            content = file.read_bytes()
        elif isinstance(file, str):
            content = file.encode("utf-8")
        elif isinstance(file, bytes | bytearray):
            content = bytes(file)
        else:
            raise TypeError("file must be bytes, str (the CSV text) or a Path")
        body = await self._call("updateUsersCSV", files={"file": (filename, content, "text/csv")})
        return self._parse("updateUsersCSV", wire.parse_users_update, body)

    async def update_chat_room(self, chat_room: ChatRoom | Mapping[str, Any]) -> ChatRoom:
        body = await self._call("updateChatRoom", wire.encode_update_chat_room(chat_room))
        return self._parse("updateChatRoom", wire.parse_update_chat_room, body)

    async def get_conference_master(self) -> list[ConferenceRoom]:
        body = await self._call("getConferenceMaster")
        return self._parse("getConferenceMaster", wire.parse_rooms, body)

    async def get_conference_rooms(self) -> list[ConferenceRoom]:
        body = await self._call("getConferenceRooms")
        return self._parse("getConferenceRooms", wire.parse_rooms, body)

    async def get_conference_room_status(self, yyyymm_or_yyyymmdd: str | date | None = None) -> RoomStatus:
        """Rooms with reservations of a month (`"201908"`) or a day (`"20190801"`, a `date`); None: master list.
        An answer byte for byte the last one for that period gives the same `RoomStatus` object again."""
        data = wire.encode_period(yyyymm_or_yyyymmdd)
        same = self._same.call(tuple(sorted(data.items())) if data else ())
        body = await self._call("getConferenceRoomStatus", data, same=same)
        if same.reused:
            return body  # type: ignore[no-any-return]
        return same.keep(self._parse("getConferenceRoomStatus", wire.parse_room_status, body))

    # ------------------------------------------------------------------------- the request path

    def _parse(self, method: str, parser: Any, body: Any, *args: Any) -> Any:
        try:
            return parser(body, *args)
        except wire.MalformedBody as exc:
            detail = f"unexpected response body: {exc}"
            if METHODS[method].write:
                raise OutcomeUnknown(method, f"the server answered, but {detail}") from None
            raise MalformedResponse(detail, method=method) from None

    async def _call(
        self,
        method: str,
        data: Mapping[str, str] | None = None,
        *,
        files: Mapping[str, Any] | None = None,
        raw_csv: bool = False,
        same: SameAnswerCall | None = None,
    ) -> Any:
        """POST one method with retries as the module docstring describes; the decoded body on success (or, with
        `same`, the value parsed from an identical earlier answer: `same.reused` is then set)."""
        spec = METHODS[method]
        url = f"{self._server_url}/{method}"
        policy = self._retry
        loop = asyncio.get_running_loop()
        started = loop.time()
        attempt = 0
        while True:
            attempt += 1
            remaining = self._read_budget - (loop.time() - started)
            retry_after: float | None = None
            try:
                response = await self._send(spec, url, data, files, remaining)
            except NOT_SENT as exc:
                failure: CAMAPIError | TransportError = TransportError(
                    describe_failure(exc), method=method, url=url
                )
                if is_tls_failure(exc):
                    raise failure from None
            except (httpx.TransportError, TimeoutError) as exc:
                if spec.write:
                    raise OutcomeUnknown(
                        method, f"no answer after the request was sent ({describe_failure(exc)})", url=url
                    ) from None
                failure = TransportError(describe_failure(exc), method=method, url=url)
            else:
                if same is not None and (previous := same.previous(response)) is not None:
                    return previous
                try:
                    return interpret(spec.name, spec.csv, response, self._redact, raw_csv)
                except MalformedResponse as err:
                    if spec.write:
                        raise OutcomeUnknown(
                            method, f"the server answered, but {err.message}", url=url
                        ) from None
                    raise
                except CAMAPIError as err:
                    if spec.write and response.status_code in GATEWAY_STATUSES:
                        raise OutcomeUnknown(
                            method, f"gateway answered HTTP {response.status_code}", url=url
                        ) from None
                    if not (err.retryable or (not spec.write and response.status_code in GATEWAY_STATUSES)):
                        raise
                    failure = err
                    retry_after = err.retry_after
            elapsed = loop.time() - started
            if attempt >= policy.max_attempts:
                raise failure
            if retry_after is not None and retry_after > policy.max_retry_after:
                raise failure
            delay = policy.delay(attempt, retry_after)
            if elapsed + delay >= self._read_budget:
                raise failure
            log.info("%s failed (%s); attempt %d in %.2fs", method, short_text(failure), attempt + 1, delay)
            await policy.sleep(delay)

    async def _send(
        self,
        spec: MethodSpec,
        url: str,
        data: Mapping[str, str] | None,
        files: Mapping[str, Any] | None,
        remaining: float,
    ) -> Answer:
        cap = cap_for(spec.name)
        if spec.write:
            # A write is never cut short by the budget: that would only turn an answer into "outcome unknown".
            return await self._post_capped(spec, url, data, files, cap, None)
        limit = max(0.05, remaining)
        if files is None and not self._http.cookies:
            route = self._routes.get(spec.name, False)
            if route is False:
                route = self._routes[spec.name] = self._direct_route(spec.name, url)
            if route is not None:
                return await self._send_direct(spec, route, data, min(self._timeout, limit), limit, cap)
        async with asyncio.timeout(limit):
            return await self._post_capped(
                spec, url, data, files, cap, httpx.Timeout(min(self._timeout, limit))
            )

    async def _post_capped(
        self,
        spec: MethodSpec,
        url: str,
        data: Mapping[str, str] | None,
        files: Mapping[str, Any] | None,
        cap: int,
        timeout: httpx.Timeout | None,
    ) -> Answer:
        """httpx's full path, reading the answer a piece at a time and never past `cap` (decompressed)."""
        options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        request = self._http.build_request("POST", url, data=data, files=files, **options)
        response = await self._http.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap and not response.headers.get("content-encoding"):
                raise AnswerTooLarge(cap)
            parts: list[bytes] = []
            size = 0
            async for part in response.aiter_bytes():
                size += len(part)
                if size > cap:
                    raise AnswerTooLarge(cap)
                parts.append(part)
        except AnswerTooLarge as exc:
            raise self._too_large(spec, exc) from None
        finally:
            await response.aclose()
        return Answer(
            response.status_code,
            b"".join(parts),
            response.headers.get("content-type", ""),
            response.headers.get("retry-after"),
            response.reason_phrase,
        )

    def _too_large(self, spec: MethodSpec, exc: AnswerTooLarge) -> Exception:
        """The typed error for an answer past its cap (a write went out: its outcome is unknown)."""
        if spec.write:
            return OutcomeUnknown(spec.name, f"the server answered, but the {exc}")
        return MalformedResponse(f"the server's {exc}; not read further", method=spec.name)

    def _direct_route(self, method: str, url: str) -> bytes | None:
        """The request line and headers a read sends, built once: the same URL and headers httpx would send,
        minus the body's length. None (take httpx's full path) when the URL goes through a proxy."""
        request = self._http.build_request("POST", url, data={"x": "y"})
        if goes_through_proxy(request.url, self._trust_env):
            return None
        if self._reads is None:
            secure = request.url.scheme == "https"
            ssl_context = self._tls if secure and isinstance(self._tls, ssl.SSLContext) else None
            if secure and ssl_context is None:
                return None
            self._reads = ReadPool(
                request.url.host,
                request.url.port or (443 if secure else 80),
                ssl_context=ssl_context,
                max_connections=self._max_connections,
                keepalive_expiry=KEEPALIVE_EXPIRY,
            )
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"content-length"]
        log.debug("%s: direct request path", method)
        return request_prefix(b"POST", request.url.raw_path, headers)

    async def _send_direct(
        self,
        spec: MethodSpec,
        prefix: bytes,
        data: Mapping[str, str] | None,
        timeout: float,
        budget: float,
        cap: int,
    ) -> Answer:
        """A read on the client's own keep-alive connections (`http1.ReadPool`): same headers, limits and
        exception types as `httpx.AsyncClient.post`, a fraction of its CPU — a poll of 2,000 calls every
        10 s spends most of its CPU in the HTTP layer."""
        body = urlencode(data).encode() if data else b""
        assert self._reads is not None
        try:
            response = await self._reads.request(serialise_request(prefix, body), timeout, budget, cap)
        except AnswerTooLarge as exc:
            raise self._too_large(spec, exc) from None
        try:
            return direct_answer(response, cap)
        except AnswerTooLarge as exc:
            raise self._too_large(spec, exc) from None

    def _redact(self, text: str) -> str:
        token = self._token.get()
        return text.replace(token, "***") if len(token) >= 4 else text

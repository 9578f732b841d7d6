"""A small HTTP/1.1 keep-alive client for the reads a dashboard repeats all day.

Why it exists: through httpx → httpcore → h11, one small read (getCallStats) costs 0.8–0.9 ms of CPU on a
2-core office machine, so the calls pane watching 2,000 calls every 10 s (200 reads a second) would spend
~18 % of a core on HTTP framing and pool bookkeeping alone. A read needs only a small subset of HTTP/1.1: one
request at a time per connection, an answer framed by Content-Length or chunked (or, from an old server, by
closing), keep-alive. This module speaks exactly that on asyncio protocols and raises the same exception types
httpx raises (`httpx.ConnectError`, `httpx.ReadTimeout`, `httpx.RemoteProtocolError`…), so the client's retry
rules apply unchanged.

Only reads come here (`CAMClient` decides): a read may be repeated, so a keep-alive connection the server
closed just as a request went out is retried once on a new connection, as browsers do. Writes — messages, new
calls, uploads — keep httpx's full path and its rules about never sending twice.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque

import httpx

from camtui.api.http1_parse import AnswerTooLarge, ProtocolError, RawResponse, ResponseParser

HAPPY_EYEBALLS_DELAY = 0.25
"""Seconds before the next address of the host is tried alongside (RFC 8305): a host whose IPv6 silently drops
packets still connects over IPv4 within the timeout, as httpx's writes do."""

__all__ = [
    "AnswerTooLarge",
    "ProtocolError",
    "RawResponse",
    "ReadPool",
    "request_prefix",
    "serialise_request",
]


class _StaleConnection(Exception):
    """A reused connection closed before any byte of the answer: the request can go again on a new one."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection; carries one request at a time."""

    def __init__(self, pool: ReadPool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.parser: ResponseParser | None = None
        self.waiter: asyncio.Future[RawResponse] | None = None
        self.closed = False
        self.served = 0
        self.idle_since = 0.0
        self.last_data = 0.0
        self.timer: asyncio.TimerHandle | None = None
        """The read-timeout check of the request in flight."""

    # asyncio callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        parser = self.parser
        if parser is None:  # bytes while idle: this connection is out of step with the server
            self.close()
            return
        self.last_data = self.pool.loop_time()
        try:
            done = parser.feed(data)
        except AnswerTooLarge as exc:
            self._fail(exc)  # not a transport failure: the client says so once, never retries it
            self.close()
            return
        except ProtocolError as exc:
            self._fail(httpx.RemoteProtocolError(str(exc)))
            self.close()
            return
        if done:
            self._complete()

    def eof_received(self) -> bool:
        parser = self.parser
        self.closed = True
        if parser is not None:
            try:
                done = parser.feed_eof()
            except ProtocolError as exc:
                self._fail(self._lost_error(httpx.RemoteProtocolError(str(exc))))
            else:
                if done:
                    parser.keep_alive = False
                    self._complete()
        return False  # let the transport close

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.parser is not None:
            text = str(exc) if exc else "Server disconnected without sending a response."
            error: Exception = httpx.ReadError(text) if exc else httpx.RemoteProtocolError(text)
            self._fail(self._lost_error(error))
        self.pool._forget(self)

    # the pool's side
    def send(self, data: bytes, waiter: asyncio.Future[RawResponse], limit: int | None = None) -> None:
        transport = self.transport
        if self.closed or transport is None or transport.is_closing():
            raise _StaleConnection
        self.parser = ResponseParser(limit)
        self.waiter = waiter
        self.last_data = self.pool.loop_time()
        transport.write(data)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def _complete(self) -> None:
        parser = self.parser
        waiter = self.waiter
        assert parser is not None and parser.response is not None
        if waiter is not None and not waiter.done():
            waiter.set_result(parser.response)

    def _fail(self, exc: Exception) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def _lost_error(self, exc: Exception) -> Exception:
        parser = self.parser
        if self.served and parser is not None and not parser.received:
            return _StaleConnection()
        return exc


class ReadPool:
    """Keep-alive HTTP/1.1 connections to one origin, at most `max_connections` open, requests served FIFO."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 8,
        keepalive_expiry: float = 4.0,
    ) -> None:
        self._host = host
        self._port = port
        self._ssl = ssl_context
        self._max = max_connections
        self._expiry = keepalive_expiry
        self._idle: list[_Connection] = []
        self._busy = 0
        """Slots held by requests (each owns or is opening one connection)."""
        self._waiters: deque[asyncio.Future[_Connection | None]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False
        self.opened = 0
        """Connections opened so far (tests and benchmarks read it)."""

    def loop_time(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    @property
    def connections(self) -> int:
        """Connections open or opening now."""
        return self._busy + len(self._idle)

    async def request(
        self, data: bytes, timeout: float, budget: float | None = None, limit: int | None = None
    ) -> RawResponse:
        """Send one serialised request and return the answer.

        `timeout`: longest wait for a free connection, for connecting, and between bytes of the answer;
        `budget`: the longest the whole request may take (default: no limit beyond `timeout`);
        `limit`: the largest body accepted (`AnswerTooLarge` past it, and the connection is closed).
        """
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._adopt(loop)
        if self._closed:
            raise httpx.ConnectError("the client is closed")
        now = loop.time()
        deadline = now + budget if budget is not None else float("inf")
        conn = await self._acquire(
            loop, min(deadline, now + timeout)
        )  # from here on, this request holds a slot
        try:
            if conn is None:
                conn = await self._connect(loop, min(deadline, loop.time() + timeout))
            try:
                response = await self._exchange(loop, conn, data, timeout, deadline, limit)
            except _StaleConnection:
                conn.close()
                conn = None
                conn = await self._connect(loop, min(deadline, loop.time() + timeout))
                try:
                    response = await self._exchange(loop, conn, data, timeout, deadline, limit)
                except _StaleConnection:
                    raise httpx.RemoteProtocolError(
                        "Server disconnected without sending a response."
                    ) from None
        except BaseException:
            if conn is not None:
                conn.close()
            self._release(None)
            raise
        parser = conn.parser
        keep = parser is not None and parser.keep_alive and not conn.closed and not self._closed
        conn.parser = None
        conn.waiter = None
        if keep:
            conn.served += 1
            conn.idle_since = loop.time()
            self._release(conn)
        else:
            conn.close()
            self._release(None)
        return response

    async def aclose(self) -> None:
        """Close idle connections now and busy ones when their answer is in; further requests fail."""
        self._closed = True
        for conn in self._idle:
            conn.close()
        self._idle.clear()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(httpx.ConnectError("the client is closed"))

    # ------------------------------------------------------------------------------------------ slots

    def _adopt(self, loop: asyncio.AbstractEventLoop) -> None:
        """First use, or use from another event loop: connections of the old loop cannot be used here."""
        for conn in self._idle:
            if conn.transport is not None and self._loop is not None and not self._loop.is_closed():
                conn.close()
        self._idle.clear()
        self._waiters.clear()
        self._busy = 0
        self._loop = loop

    async def _acquire(self, loop: asyncio.AbstractEventLoop, deadline: float) -> _Connection | None:
        """Take a slot: an idle connection that is still good, or None (the caller opens one)."""
        if self._busy < self._max and not self._waiters:
            self._busy += 1
            return self._take_idle(loop)
        waiter: asyncio.Future[_Connection | None] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_at(deadline, _expire, waiter, httpx.PoolTimeout("no free connection in time"))
        try:
            conn = await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._release(waiter.result())  # the slot was handed over just as we gave up: pass it on
            else:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
            raise
        finally:
            timer.cancel()
        if conn is not None and (conn.closed or loop.time() - conn.idle_since > self._expiry):
            conn.close()
            conn = self._take_idle(loop)
        return conn

    def _take_idle(self, loop: asyncio.AbstractEventLoop) -> _Connection | None:
        idle = self._idle
        while idle:
            conn = idle.pop()  # the most recently used: warm, least likely closed by the server
            if conn.closed or loop.time() - conn.idle_since > self._expiry:
                conn.close()
                continue
            return conn
        return None

    def _release(self, conn: _Connection | None) -> None:
        """Give a slot back (with its connection, if it can be reused): to the first waiter, else to the pool."""
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                if conn is None:
                    conn = self._take_idle(self._loop) if self._loop is not None else None
                waiter.set_result(conn)
                return
        self._busy = max(0, self._busy - 1)
        if conn is not None:
            self._idle.append(conn)

    def _forget(self, conn: _Connection) -> None:
        """A connection closed: if it was idle, drop it (its slot was already free)."""
        if conn in self._idle:
            self._idle.remove(conn)

    # ------------------------------------------------------------------------------------ one request

    async def _connect(self, loop: asyncio.AbstractEventLoop, deadline: float) -> _Connection:
        if self._closed:
            raise httpx.ConnectError("the client is closed")
        try:
            async with asyncio.timeout_at(deadline):
                _, conn = await loop.create_connection(
                    lambda: _Connection(self),
                    self._host,
                    self._port,
                    ssl=self._ssl,
                    server_hostname=self._host if self._ssl is not None else None,
                    happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY,
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {self._host}:{self._port} in time") from None
        except OSError as exc:  # refused, unreachable, DNS, TLS verification (ssl.SSLError is an OSError)
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from None
        self.opened += 1
        return conn

    async def _exchange(
        self,
        loop: asyncio.AbstractEventLoop,
        conn: _Connection,
        data: bytes,
        timeout: float,
        deadline: float,
        limit: int | None = None,
    ) -> RawResponse:
        waiter: asyncio.Future[RawResponse] = loop.create_future()
        conn.send(data, waiter, limit)
        conn.timer = loop.call_at(
            min(deadline, loop.time() + timeout), self._check_time, conn, waiter, timeout, deadline
        )
        try:
            return await waiter
        finally:
            if conn.timer is not None:  # the one armed now: `_check_time` re-arms it while bytes keep coming
                conn.timer.cancel()
            if not waiter.done():
                waiter.cancel()

    def _check_time(
        self, conn: _Connection, waiter: asyncio.Future[RawResponse], timeout: float, deadline: float
    ) -> None:
        """Timer: the answer is late (nothing for `timeout` seconds, or past the budget) → ReadTimeout."""
        if waiter.done():
            return
        loop = self._loop
        assert loop is not None
        now = loop.time()
        quiet_until = conn.last_data + timeout
        if now < deadline and now < quiet_until:
            conn.timer = loop.call_at(
                min(deadline, quiet_until), self._check_time, conn, waiter, timeout, deadline
            )
            return
        waiter.set_exception(httpx.ReadTimeout("no answer in time"))
        conn.close()


def _expire(waiter: asyncio.Future[object], exc: Exception) -> None:
    if not waiter.done():
        waiter.set_exception(exc)


def serialise_request(prefix: bytes, body: bytes) -> bytes:
    """`prefix` is the request line and headers (each ending CRLF); the body's length and the body follow."""
    return b"%sContent-Length: %d\r\n\r\n%s" % (prefix, len(body), body)


def request_prefix(method: bytes, target: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    """The request line and header block a read sends, built once per method."""
    lines = [b"%s %s HTTP/1.1\r\n" % (method, target)]
    for name, value in headers:
        if b"\r" in name or b"\n" in name or b"\r" in value or b"\n" in value:
            raise ValueError("a header contains a line break")
        lines.append(b"%s: %s\r\n" % (name, value))
    return b"".join(lines)

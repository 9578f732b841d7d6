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
from dataclasses import dataclass

import httpx

MAX_HEAD = 64 * 1024
"""Largest status line + headers accepted: a bigger head is not an answer from an API server."""
MAX_CHUNK_LINE = 4096


class ProtocolError(Exception):
    """The bytes received are not an HTTP/1.1 answer this client can read."""


@dataclass(slots=True)
class RawResponse:
    """One answer: status, reason phrase, headers as received (names as sent), the whole body."""

    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes


class ResponseParser:
    """Incremental parser of one HTTP/1.1 response: `feed` bytes as they arrive, `feed_eof` when the peer closed.

    Interim answers (100 Continue) are skipped. The body is framed by chunked transfer coding, Content-Length,
    or — when neither is given — by the connection closing. `keep_alive` tells whether the connection can carry
    another request afterwards.
    """

    __slots__ = (
        "_buf",
        "_chunk_left",
        "_length",
        "_parts",
        "_scan",
        "_state",
        "keep_alive",
        "received",
        "response",
    )

    # states
    _HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _TRAILERS, _UNTIL_CLOSE, _DONE = range(7)

    def __init__(self) -> None:
        self._buf = bytearray()
        self._state = self._HEAD
        self._scan = 0
        self._length = 0
        self._chunk_left = 0
        self._parts: list[bytes] = []
        self.received = 0
        """Bytes received so far: 0 after a close means the server never started an answer."""
        self.keep_alive = False
        self.response: RawResponse | None = None

    @property
    def done(self) -> bool:
        return self._state == self._DONE

    def feed(self, data: bytes) -> bool:
        """Take more bytes; True once the whole response has arrived. Raises ProtocolError on nonsense."""
        self.received += len(data)
        if self._state == self._DONE:
            self.keep_alive = False  # bytes after the answer: the connection is out of step, do not reuse
            return True
        buf = self._buf
        buf += data
        while True:
            state = self._state
            if state == self._HEAD:
                end = buf.find(b"\r\n\r\n", self._scan)
                if end < 0:
                    if len(buf) > MAX_HEAD:
                        raise ProtocolError(f"the answer's headers exceed {MAX_HEAD // 1024} KB")
                    self._scan = max(0, len(buf) - 3)
                    return False
                head = bytes(buf[:end])
                del buf[: end + 4]
                self._scan = 0
                self._start(head)
            elif state == self._LENGTH:
                if len(buf) < self._length:
                    return False
                if len(buf) > self._length:
                    self.keep_alive = False
                self._finish(bytes(buf[: self._length]))
                del buf[:]
                return True
            elif state == self._CHUNK_SIZE or state == self._TRAILERS:
                end = buf.find(b"\r\n")
                if end < 0:
                    if len(buf) > MAX_CHUNK_LINE:
                        raise ProtocolError("a chunk header line is too long")
                    return False
                line = bytes(buf[:end])
                del buf[: end + 2]
                if state == self._TRAILERS:
                    if not line:
                        if buf:
                            self.keep_alive = False
                        self._finish(b"".join(self._parts))
                        del buf[:]
                        return True
                    continue  # a trailer field: not needed
                size_text = line.split(b";", 1)[0].strip()
                try:
                    if not size_text or size_text[:1] in b"+-":
                        raise ValueError
                    size = int(size_text, 16)
                except ValueError:
                    raise ProtocolError(f"bad chunk size {size_text[:20]!r}") from None
                if size == 0:
                    self._state = self._TRAILERS
                else:
                    self._chunk_left = size
                    self._state = self._CHUNK_DATA
            elif state == self._CHUNK_DATA:
                need = self._chunk_left
                if len(buf) < need + 2:
                    return False
                if buf[need : need + 2] != b"\r\n":
                    raise ProtocolError("a chunk is not followed by CRLF")
                self._parts.append(bytes(buf[:need]))
                del buf[: need + 2]
                self._state = self._CHUNK_SIZE
            elif state == self._UNTIL_CLOSE:
                if buf:
                    self._parts.append(bytes(buf))
                    del buf[:]
                return False
            else:  # pragma: no cover - _DONE is handled above
                return True

    def feed_eof(self) -> bool:
        """The peer closed. True when that completes the response (body read until close); else ProtocolError."""
        if self._state == self._DONE:
            return True
        if self._state == self._UNTIL_CLOSE:
            self._finish(b"".join(self._parts))
            return True
        if self._state == self._HEAD and not self.received:
            raise ProtocolError("Server disconnected without sending a response.")
        raise ProtocolError("Server disconnected before the whole response arrived.")

    def _start(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        status_line = lines[0]
        parts = status_line.split(b" ", 2)
        version = parts[0]
        if len(parts) < 2 or version[:7] != b"HTTP/1." or len(version) != 8:
            raise ProtocolError(f"not an HTTP/1.x status line: {status_line[:40]!r}")
        code = parts[1]
        if len(code) != 3 or not code.isdigit():
            raise ProtocolError(f"bad status code {code[:10]!r}")
        status = int(code)
        reason = parts[2] if len(parts) == 3 else b""
        headers: list[tuple[bytes, bytes]] = []
        length: bytes | None = None
        chunked = False
        coded = False
        close = False
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or name != name.strip() or line[:1] in b" \t":
                raise ProtocolError(f"bad header line {line[:40]!r}")
            value = value.strip(b" \t")
            headers.append((name, value))
            low = name.lower()
            if low == b"content-length":
                if length is not None and value != length:
                    raise ProtocolError("conflicting Content-Length headers")
                length = value
            elif low == b"transfer-encoding":
                coded = True
                chunked = value.rsplit(b",", 1)[-1].strip().lower() == b"chunked"
            elif low == b"connection":
                close = close or b"close" in value.lower()
        if 100 <= status < 200:
            if status == 101:
                raise ProtocolError("the server switched protocols")
            return  # an interim answer: the real one follows
        self.keep_alive = version == b"HTTP/1.1" and not close
        self.response = RawResponse(status, reason, headers, b"")
        if status in (204, 304):
            self._finish(b"")
        elif coded:
            if chunked:
                self._state = self._CHUNK_SIZE
            else:
                self.keep_alive = False
                self._state = self._UNTIL_CLOSE
        elif length is not None:
            if not length.isdigit():
                raise ProtocolError(f"bad Content-Length {length[:20]!r}")
            self._length = int(length)
            self._state = self._LENGTH
            if self._length == 0:
                self._finish(b"")
        else:
            self.keep_alive = False
            self._state = self._UNTIL_CLOSE

    def _finish(self, body: bytes) -> None:
        assert self.response is not None
        self.response.body = body
        self._state = self._DONE


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
    def send(self, data: bytes, waiter: asyncio.Future[RawResponse]) -> None:
        transport = self.transport
        if self.closed or transport is None or transport.is_closing():
            raise _StaleConnection
        self.parser = ResponseParser()
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

    async def request(self, data: bytes, timeout: float, budget: float | None = None) -> RawResponse:
        """Send one serialised request and return the answer.

        `timeout`: longest wait for a free connection, for connecting, and between bytes of the answer;
        `budget`: the longest the whole request may take (default: no limit beyond `timeout`).
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
                response = await self._exchange(loop, conn, data, timeout, deadline)
            except _StaleConnection:
                conn.close()
                conn = None
                conn = await self._connect(loop, min(deadline, loop.time() + timeout))
                try:
                    response = await self._exchange(loop, conn, data, timeout, deadline)
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
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(f"no connection to {self._host}:{self._port} in time") from None
        except OSError as exc:  # refused, unreachable, DNS, TLS verification (ssl.SSLError is an OSError)
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from None
        self.opened += 1
        return conn

    async def _exchange(
        self, loop: asyncio.AbstractEventLoop, conn: _Connection, data: bytes, timeout: float, deadline: float
    ) -> RawResponse:
        waiter: asyncio.Future[RawResponse] = loop.create_future()
        conn.send(data, waiter)
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

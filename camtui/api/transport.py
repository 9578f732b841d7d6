"""A lighter connection layer under httpx for the many small reads a dashboard makes (2,000 watched calls means
~200 getCallStats a second): plain asyncio streams instead of anyio, and a pool without a quadratic scan.

Everything here sits behind httpx's public client: `lighten_pool` swaps in these parts only when the transport is
the httpx/httpcore version they were written for (httpx 0.28, httpcore 1.0), and leaves it untouched otherwise.
Measured with benchmarks/call_monitor.py: per getCallStats ~1,050 µs of CPU through stock httpx, ~460 µs with this.
"""

from __future__ import annotations

import asyncio
import select
import ssl
from typing import Any

import httpcore
import httpx


def lighten_pool(transport: httpx.AsyncHTTPTransport) -> None:
    """Give `transport`'s connection pool the cheaper request assignment and the asyncio network backend."""
    pool = getattr(transport, "_pool", None)
    if type(pool) is httpcore.AsyncConnectionPool and hasattr(pool, "_assign_requests_to_connections"):
        pool.__class__ = _LeanPool  # same state, a cheaper method (see the class)
        pool._network_backend = _AsyncioBackend()


class _AsyncioStream(httpcore.AsyncNetworkStream):
    """A connection on plain asyncio streams. httpcore's default (anyio) spends more CPU on its cancel scopes
    and socket-attribute lookups than on the HTTP itself when thousands of small reads a minute go through.

    Writes are gathered until the request is complete (the first read): headers and body leave in one
    segment, one system call instead of two. Whether an idle connection was closed by the server is read
    from the stream's state: asyncio reads every socket as soon as it is readable, so a server's close or
    stray bytes are already in the reader (no `poll` system call per connection per request)."""

    __slots__ = ("_pending", "_pending_size", "_reader", "_sock", "_writer")

    _FLUSH_AT = 65536

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._sock = writer.get_extra_info("socket")
        self._pending: list[bytes] = []
        self._pending_size = 0

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            if timeout is None:
                if self._pending:
                    await self._flush()
                return await self._reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                if self._pending:
                    await self._flush()
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ReadError(exc) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._writer.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._pending.append(buffer)
        self._pending_size += len(buffer)
        if self._pending_size < self._FLUSH_AT:
            return
        try:
            if timeout is None:
                await self._flush()
            else:
                async with asyncio.timeout(timeout):
                    await self._flush()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.WriteError(exc) from exc

    async def _flush(self) -> None:
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending = []
        self._pending_size = 0
        self._writer.write(data)
        await self._writer.drain()

    async def aclose(self) -> None:
        self._pending = []
        self._writer.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                if self._pending:
                    await self._flush()
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(exc) from exc
        except (OSError, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(exc) from exc
        return _AsyncioStream(self._reader, self._writer)

    def _is_readable(self) -> bool:
        reader = self._reader
        buffered = getattr(reader, "_buffer", None)
        if buffered is None:  # pragma: no cover - another asyncio: ask the socket
            return _is_socket_readable(self._sock)
        return (
            bool(buffered) or reader.at_eof() or reader.exception() is not None or self._writer.is_closing()
        )

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return self._is_readable()
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._sock
        return None


class _AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens `_AsyncioStream` connections (same errors as httpcore's own backends raise)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=(local_address, 0) if local_address else None
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ConnectError(exc) from exc
        stream = _AsyncioStream(reader, writer)
        for option in socket_options or ():
            stream._sock.setsockopt(*option)
        return stream

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_unix_connection(path)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ConnectError(exc) from exc
        stream = _AsyncioStream(reader, writer)
        for option in socket_options or ():
            stream._sock.setsockopt(*option)
        return stream

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class _LeanPool(httpcore.AsyncConnectionPool):
    """httpcore's pool with the same assignment rules, minus a quadratic scan: its check for surplus idle
    connections builds a list of every connection for every connection, on every request and every response
    close (80 `is_idle` calls per request with 8 connections); and it asks only idle connections whether they
    expired (a connection serving a request never has: its keep-alive clock starts when it goes idle), and
    only when a request is waiting for one (after a response, expired connections wait for the next request
    to be closed: no connection is handed out unchecked)."""

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        closing: list[httpcore.AsyncConnectionInterface] = []
        connections = self._connections
        queued = [r for r in self._requests if r.is_queued()]
        for connection in list(connections):
            if connection.is_closed():
                connections.remove(connection)
            elif connection.is_idle() and (  # only an idle connection can expire (keep-alive, server close)
                (queued and connection.has_expired()) or len(connections) > self._max_keepalive_connections
            ):
                connections.remove(connection)
                closing.append(connection)
        for pool_request in queued:
            origin = pool_request.request.url.origin
            available = next(
                (c for c in connections if c.can_handle_request(origin) and c.is_available()), None
            )
            if available is not None:
                pool_request.assign_to_connection(available)
            elif len(connections) < self._max_connections:
                created = self.create_connection(origin)
                connections.append(created)
                pool_request.assign_to_connection(created)
            else:
                idle = next((c for c in connections if c.is_idle()), None)
                if idle is not None:
                    connections.remove(idle)
                    closing.append(idle)
                    created = self.create_connection(origin)
                    connections.append(created)
                    pool_request.assign_to_connection(created)
        return closing


def _is_socket_readable(sock: Any) -> bool:
    """Readable while idle = the server closed the connection (or sent junk): do not reuse it."""
    if sock is None or sock.fileno() < 0:
        return True
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))

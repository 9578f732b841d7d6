"""Loopback servers that misbehave one way each, for the client's size and parsing limits."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Hostile:
    url: str
    sent: list[int] = field(default_factory=list)
    """Bytes written per connection before the client hung up (or the answer ended)."""


Answer = Callable[[asyncio.StreamWriter, list[int]], Awaitable[None]]


@contextlib.asynccontextmanager
async def hostile_server(answer: Answer) -> AsyncIterator[Hostile]:
    """Serve `answer(writer, counter)` to every request (the request itself is read and ignored)."""
    result = Hostile("")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        counter = [0]
        result.sent.append(0)
        index = len(result.sent) - 1
        try:
            await reader.readuntil(b"\r\n\r\n")
            await answer(writer, counter)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            pass
        finally:
            result.sent[index] = counter[0]
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    result.url = f"http://127.0.0.1:{port}"
    try:
        yield result
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 2)


async def write(writer: asyncio.StreamWriter, counter: list[int], data: bytes) -> None:
    writer.write(data)
    await writer.drain()
    counter[0] += len(data)


def declared_huge(length: int = 2_000_000_000) -> Answer:
    """Declares `length` bytes, then sends zeros for as long as the client reads."""

    async def answer(writer: asyncio.StreamWriter, counter: list[int]) -> None:
        await write(writer, counter, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        await write(writer, counter, b"Content-Length: %d\r\n\r\n" % length)
        block = b" " * 65536
        while counter[0] < length:
            await write(writer, counter, block)

    return answer


def endless_chunks() -> Answer:
    async def answer(writer: asyncio.StreamWriter, counter: list[int]) -> None:
        await write(writer, counter, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        block = b"10000\r\n" + b" " * 65536 + b"\r\n"
        while True:
            await write(writer, counter, block)

    return answer


def fixed(raw: bytes) -> Answer:
    async def answer(writer: asyncio.StreamWriter, counter: list[int]) -> None:
        await write(writer, counter, raw)

    return answer


class RawServer:
    """Answers every connection with `self.answer` (bytes, then close): one server for many examples."""

    def __init__(self) -> None:
        self.answer = b""
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    head, _, rest = data.partition(b"\r\n\r\n")
                    length = next(
                        (
                            int(line.split(b":")[1])
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length:")
                        ),
                        0,
                    )
                    while len(rest) < length:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        rest += chunk
                    conn.sendall(self.answer)
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()

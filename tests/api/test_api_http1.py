"""The reads' own HTTP/1.1 keep-alive pool (`camtui.api.http1`): the parser on any split of any valid answer,
nonsense rejected as a protocol error, and the pool against real loopback servers that misbehave on purpose.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camtui.api import CAMClient, TransportError
from camtui.api.http1 import ReadPool, request_prefix, serialise_request
from camtui.api.http1_parse import ProtocolError, ResponseParser

# ------------------------------------------------------------------------------------------- the parser

TOKEN = st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12).filter(
    lambda s: s.lower() not in ("content-length", "transfer-encoding", "connection")
)
VALUE = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20)


@st.composite
def answers(draw: st.DrawFn) -> tuple[bytes, int, list[tuple[bytes, bytes]], bytes, str, bool]:
    """(the bytes on the wire, status, extra headers, body, framing, keep-alive expected)."""
    status = draw(st.sampled_from([200, 201, 400, 404, 491, 500, 503]))
    headers = [(k.encode(), v.encode()) for k, v in draw(st.lists(st.tuples(TOKEN, VALUE), max_size=5))]
    body = draw(st.binary(max_size=600))
    framing = draw(st.sampled_from(["length", "chunked", "close"]))
    close_header = draw(st.booleans())
    head = b"HTTP/1.1 %d Reason Phrase\r\n" % status
    head += b"".join(b"%s: %s\r\n" % (k, v) for k, v in headers)
    if close_header:
        head += b"Connection: close\r\n"
    if framing == "length":
        head += b"Content-Length: %d\r\n" % len(body)
        payload = body
    elif framing == "chunked":
        head += b"Transfer-Encoding: chunked\r\n"
        sizes = draw(st.lists(st.integers(1, 97), max_size=20))
        payload, at = b"", 0
        for size in sizes:
            piece = body[at : at + size]
            if not piece:
                break
            ext = draw(st.sampled_from([b"", b";name=value"]))
            payload += b"%x%s\r\n%s\r\n" % (len(piece), ext, piece)
            at += len(piece)
        if at < len(body):
            payload += b"%x\r\n%s\r\n" % (len(body) - at, body[at:])
        trailer = draw(st.sampled_from([b"", b"X-Trailer: 1\r\n"]))
        payload += b"0\r\n" + trailer + b"\r\n"
    else:
        payload = body
    interim = draw(st.sampled_from([b"", b"HTTP/1.1 100 Continue\r\n\r\n"]))
    wire = interim + head + b"\r\n" + payload
    keep = framing != "close" and not close_header
    return wire, status, headers, body, framing, keep


def feed_in_pieces(parser: ResponseParser, wire: bytes, cuts: list[int]) -> bool:
    done = False
    at = 0
    for cut in [*sorted({c % (len(wire) + 1) for c in cuts}), len(wire)]:
        if cut > at:
            done = parser.feed(wire[at:cut])
            at = cut
    return done


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(answers(), st.lists(st.integers(0, 5000), max_size=8))
def test_parser_reads_any_valid_answer_split_anywhere(answer, cuts):
    wire, status, headers, body, framing, keep = answer
    parser = ResponseParser()
    done = feed_in_pieces(parser, wire, cuts)
    if framing == "close":
        assert not done
        assert parser.feed_eof()
    else:
        assert done
    assert parser.response is not None
    assert parser.response.status == status
    assert parser.response.body == body
    assert parser.response.reason == b"Reason Phrase"
    assert [h for h in parser.response.headers if h in headers] == headers
    assert parser.keep_alive is keep


@settings(max_examples=300)
@given(st.binary(max_size=300), st.lists(st.integers(0, 400), max_size=4))
def test_parser_fails_only_with_protocol_error_on_any_bytes(data, cuts):
    parser = ResponseParser()
    try:
        feed_in_pieces(parser, data, cuts)
        parser.feed_eof()
    except ProtocolError:
        pass


@pytest.mark.parametrize(
    "wire",
    [
        b"HTP/1.1 200 OK\r\n\r\n",
        b"HTTP/2 200 OK\r\n\r\n",
        b"HTTP/1.1 2x0 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n folded first\r\n\r\n",  # a continuation line before any header
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXX",
        b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000,
    ],
)
def test_parser_rejects_nonsense(wire):
    with pytest.raises(ProtocolError):
        ResponseParser().feed(wire)


CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize(
    "wire",
    [
        CHUNKED + b"0x5\r\nhello\r\n0\r\n\r\n",  # int(x, 16) takes these three; h11 does not
        CHUNKED + b"0_5\r\nhello\r\n0\r\n\r\n",
        CHUNKED + b" 5\r\nhello\r\n0\r\n\r\n",
        CHUNKED + b"+5\r\nhello\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: a\x00b\r\nContent-Length: 0\r\n\r\n",  # NUL in a value
        b"HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length: 0\r\n\r\n",  # a bare CR in a value
        b"HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000 + b"\r\nContent-Length: 0\r\n\r\n",  # complete, too big
    ],
)
def test_parser_is_as_strict_as_h11(wire):
    with pytest.raises(ProtocolError):
        ResponseParser().feed(wire)


def test_parser_reads_what_h11_reads_the_same_way():
    folded = ResponseParser()
    assert folded.feed(b"HTTP/1.1 200 OK\r\nX: 1\r\n  two\r\nContent-Length: 2\r\n\r\nok")
    assert folded.response is not None and (b"X", b"1 two") in folded.response.headers
    bare_lf = ResponseParser()
    assert bare_lf.feed(b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok")  # parsed at once, not a timeout
    assert bare_lf.response is not None and bare_lf.response.body == b"ok" and bare_lf.keep_alive
    both = ResponseParser()
    assert both.feed(CHUNKED[:-2] + b"Content-Length: 99\r\n\r\n2\r\nok\r\n0\r\n\r\n")
    assert both.response is not None and both.response.body == b"ok"  # Transfer-Encoding wins
    assert not both.keep_alive  # and the connection is never reused


def test_parser_at_close_tells_never_started_from_cut_short():
    empty = ResponseParser()
    with pytest.raises(ProtocolError, match="without sending a response"):
        empty.feed_eof()
    cut = ResponseParser()
    cut.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    with pytest.raises(ProtocolError, match="before the whole response"):
        cut.feed_eof()


def test_parser_no_body_answers_and_old_servers():
    no_content = ResponseParser()
    assert no_content.feed(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert no_content.keep_alive
    old = ResponseParser()
    assert old.feed(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert not old.keep_alive  # HTTP/1.0: the server closes after the answer
    extra = ResponseParser()
    assert extra.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK")
    assert extra.response is not None and extra.response.body == b"ok"
    assert not extra.keep_alive  # out of step: never reused


def test_request_prefix_refuses_header_injection():
    with pytest.raises(ValueError):
        request_prefix(b"POST", b"/x", [(b"X-A", b"1\r\nX-B: 2")])
    prefix = request_prefix(b"POST", b"/getCallStats", [(b"Host", b"h")])
    assert serialise_request(prefix, b"a=1") == (
        b"POST /getCallStats HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na=1"
    )


# -------------------------------------------------------------------------------- a scripted server

Handler = Callable[["Server", asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


class Server:
    """A loopback TCP server whose connections are handled by a test-chosen coroutine."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.open_now = 0
        self.most_open = 0
        self.requests = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> Server:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            await self.handler(self, reader, writer, self.connections)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self.open_now -= 1
            writer.close()

    async def read_request(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = await reader.readexactly(length)
        self.requests += 1
        return body

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()


def ok(body: bytes = b'{"status": 200}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s" % (
        len(body),
        extra,
        body,
    )


async def keep_answering(server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int):
    while True:
        await server.read_request(reader)
        writer.write(ok())


def answering_after(delay: float) -> Handler:
    async def slow(
        server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _n: int
    ) -> None:
        while True:
            await server.read_request(reader)
            await asyncio.sleep(delay)
            writer.write(ok())

    return slow


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], Awaitable[Server]]]:
    servers: list[Server] = []

    async def start(handler: Handler) -> Server:
        server = await Server(handler).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.close()


REQUEST = serialise_request(
    request_prefix(b"POST", b"/getCallStats", [(b"Host", b"127.0.0.1")]), b"roomName=a"
)


async def test_connections_are_reused(serve):
    server = await serve(keep_answering)
    pool = ReadPool("127.0.0.1", server.port, max_connections=4)
    for _ in range(50):
        answer = await pool.request(REQUEST, 2.0)
        assert answer.status == 200 and answer.body == b'{"status": 200}'
    assert server.connections == 1 and pool.opened == 1
    await pool.aclose()


async def test_never_more_connections_than_the_limit(serve):
    server = await serve(answering_after(0.02))
    pool = ReadPool("127.0.0.1", server.port, max_connections=3)
    answers = await asyncio.gather(*(pool.request(REQUEST, 5.0) for _ in range(40)))
    assert len(answers) == 40 and all(a.status == 200 for a in answers)
    assert server.most_open == 3 and server.requests == 40
    assert pool.connections == 3
    await pool.aclose()


async def test_a_keepalive_connection_the_server_closed_is_retried_once_on_a_new_one(serve):
    """The server answers and then closes without saying so (no `Connection: close`): the next request finds
    the connection dead — either already (not reused) or just as it is sent (sent again on a new one)."""

    async def one_answer_then_close(server, reader, writer, _n):
        await server.read_request(reader)
        writer.write(ok())
        await writer.drain()

    server = await serve(one_answer_then_close)
    pool = ReadPool("127.0.0.1", server.port, max_connections=2)
    for _ in range(10):
        assert (await pool.request(REQUEST, 2.0)).status == 200
    assert server.requests == 10 and server.connections == 10


async def test_closing_after_reading_the_request_is_retried_once_then_reported(serve):
    async def swallow(server, reader, writer, n):
        await server.read_request(reader)
        if n == 1:
            writer.write(ok())  # the first connection answers once, then dies silently on the next request
            await writer.drain()
            await server.read_request(reader)

    server = await serve(swallow)
    pool = ReadPool("127.0.0.1", server.port, max_connections=1)
    assert (await pool.request(REQUEST, 2.0)).status == 200
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await pool.request(REQUEST, 2.0)
    assert server.connections == 2  # one retry on a new connection, which failed too: reported, not looped
    assert pool.connections == 0


async def test_connection_close_is_respected(serve):
    async def closing(server, reader, writer, _n):
        await server.read_request(reader)
        writer.write(ok(extra=b"Connection: close\r\n"))
        await writer.drain()
        await asyncio.sleep(0.2)  # the server keeps the socket a moment: the client must not reuse it anyway

    server = await serve(closing)
    pool = ReadPool("127.0.0.1", server.port)
    for _ in range(3):
        await pool.request(REQUEST, 2.0)
    assert server.connections == 3


async def test_silence_is_a_read_timeout_and_the_slot_comes_back(serve):
    async def silent(server, reader, _writer, _n):
        await server.read_request(reader)
        await asyncio.sleep(10)

    server = await serve(silent)
    pool = ReadPool("127.0.0.1", server.port, max_connections=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(httpx.ReadTimeout):
        await pool.request(REQUEST, 0.3)
    assert 0.25 < loop.time() - started < 1.5
    assert pool.connections == 0  # the connection was dropped, its slot is free again


async def test_a_slow_trickle_is_not_a_timeout_but_the_budget_is(serve):
    answer = ok(b"x" * 20)

    async def trickle(server, reader, writer, _n):
        while True:
            await server.read_request(reader)
            for i in range(0, len(answer), 10):
                writer.write(answer[i : i + 10])
                await writer.drain()
                await asyncio.sleep(0.1)

    server = await serve(trickle)
    pool = ReadPool("127.0.0.1", server.port)
    got = await pool.request(REQUEST, 0.3)  # each gap 0.1 s < 0.3 s, the whole ~1 s
    assert got.body == b"x" * 20
    (idle,) = pool._idle
    assert idle.timer is not None and idle.timer.cancelled()  # the re-armed timeout check does not linger
    with pytest.raises(httpx.ReadTimeout):
        await pool.request(REQUEST, 0.3, budget=0.5)
    await pool.aclose()


async def test_waiting_for_a_busy_pool_has_a_limit(serve):
    async def silent(server, reader, _writer, _n):
        await server.read_request(reader)
        await asyncio.sleep(10)

    server = await serve(silent)
    pool = ReadPool("127.0.0.1", server.port, max_connections=1)
    hung = asyncio.create_task(pool.request(REQUEST, 5.0))
    await asyncio.sleep(0.1)
    with pytest.raises(httpx.PoolTimeout):
        await pool.request(REQUEST, 0.2)
    hung.cancel()
    with pytest.raises(asyncio.CancelledError):
        await hung
    assert pool.connections == 0


async def test_cancelled_requests_free_their_slot(serve):
    server = await serve(answering_after(0.3))
    pool = ReadPool("127.0.0.1", server.port, max_connections=2)
    tasks = [asyncio.create_task(pool.request(REQUEST, 5.0)) for _ in range(6)]
    await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert pool.connections == 0
    assert (await pool.request(REQUEST, 5.0)).status == 200  # the pool still works
    await pool.aclose()


async def test_refused_connection_is_a_connect_error():
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    pool = ReadPool("127.0.0.1", port)
    with pytest.raises(httpx.ConnectError):
        await pool.request(REQUEST, 1.0)
    assert pool.connections == 0


async def test_garbage_and_unasked_bytes(serve):
    async def garbage_then_good(server, reader, writer, n):
        await server.read_request(reader)
        if n == 1:
            writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
            return
        writer.write(ok())
        await writer.drain()
        writer.write(b"HTTP/1.1 200 OK\r\n")  # bytes nobody asked for: this connection is out of step
        await asyncio.sleep(0.5)

    server = await serve(garbage_then_good)
    pool = ReadPool("127.0.0.1", server.port, max_connections=1)
    with pytest.raises(httpx.RemoteProtocolError, match="status line"):
        await pool.request(REQUEST, 1.0)
    assert (await pool.request(REQUEST, 1.0)).status == 200
    await asyncio.sleep(0.05)
    assert (await pool.request(REQUEST, 1.0)).status == 200  # on a new connection, not the polluted one
    assert server.connections == 3
    await pool.aclose()


async def test_closed_pool_refuses(serve):
    server = await serve(keep_answering)
    pool = ReadPool("127.0.0.1", server.port)
    await pool.request(REQUEST, 1.0)
    await pool.aclose()
    with pytest.raises(httpx.ConnectError):
        await pool.request(REQUEST, 1.0)
    assert pool.connections == 0


# ------------------------------------------------------------------------------- through CAMClient


async def test_client_reads_gzip_and_chunked_answers(serve):
    payload = b'{"status": 200, "roomName": "abc", "participants": 3, "users": ["a", "b", "c"]}'
    packed = gzip.compress(payload)

    async def encoded(server, reader, writer, _n):
        while True:
            await server.read_request(reader)
            chunks = b"%x\r\n%s\r\n0\r\n\r\n" % (len(packed), packed)
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + chunks
            )

    server = await serve(encoded)
    async with CAMClient(f"http://127.0.0.1:{server.port}", "token") as client:
        stats = await client.get_call_stats("abc")
    assert stats.participants == 3


async def test_client_reports_an_undecodable_answer_as_transport_failure(serve, fast_retry):
    async def bad_gzip(server, reader, writer, _n):
        while True:
            await server.read_request(reader)
            writer.write(ok(b"not gzip at all", extra=b"Content-Encoding: gzip\r\n"))

    server = await serve(bad_gzip)
    async with CAMClient(f"http://127.0.0.1:{server.port}", "token", retry=fast_retry) as client:
        with pytest.raises(TransportError, match="could not be decoded"):
            await client.get_call_stats("abc")


async def test_client_reads_use_at_most_max_connections(sandbox):
    async with CAMClient(sandbox.url, sandbox.admin_token, max_connections=3) as client:
        rooms = await asyncio.gather(*(client.get_conference_rooms() for _ in range(30)))
        assert all(len(r) == 12 for r in rooms)
        assert client._reads is not None and client._reads.opened == 3

"""The read parser against h11 (the parser under httpx) as the reference: for generated answers, valid and
not, split anywhere, both agree on accept or refuse and, when accepted, on status, headers and body."""

from __future__ import annotations

import h11
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from camtui.api.http1_parse import MAX_HEAD, ProtocolError, ResponseParser

TOKEN = st.text(
    alphabet="!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    min_size=1,
    max_size=12,
)
ODD_NAME = st.sampled_from(["Bad Name", "X\x00", "", "Ü", "(x)"])
VALUE_CHARS = st.sampled_from(["a", "Z", "9", " ", "\t", "\x00", "\r", "\x7f", "\x01", ",", ";", "é", "\x0b"])
VALUE = st.lists(VALUE_CHARS, max_size=12).map("".join)
CHUNK_SIZE_TEXT = st.sampled_from(
    ["{:x}", "{:X}", "0x{:x}", " {:x}", "{:x} ", "{:x};ext=1", "+{:x}", "0_{:x}", "{:x}\t"]
)


@st.composite
def answers(draw: st.DrawFn) -> bytes:
    eol = draw(st.sampled_from(["\r\n", "\r\n", "\n"]))
    version = draw(st.sampled_from(["1.1", "1.1", "1.0", "2.0", "1", "1.x"]))
    status = draw(
        st.one_of(st.integers(100, 599).filter(lambda s: s != 101), st.sampled_from([0, 99, 204, 304, 999]))
    )
    status_text = draw(st.sampled_from(["{:03d}", "{:03d}", "{}", "{:04d}"])).format(status)
    reason = draw(st.sampled_from([" OK", "", " ", " Not\tFound", " bad\x00", " x\ry"]))
    lines = [f"HTTP/{version} {status_text}{reason}"]
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.one_of(TOKEN, TOKEN, TOKEN, ODD_NAME))
        lines.append(f"{name}:{draw(st.sampled_from(['', ' ', '  ']))}{draw(VALUE)}")
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from([" folded", "\tfolded more"])))
    body = draw(st.binary(max_size=40))
    framing = draw(st.sampled_from(["length", "length", "chunked", "chunked", "close", "both", "bad-te"]))
    tail = ""
    payload = body
    if framing in ("length", "both"):
        declared = draw(st.sampled_from(["{n}", "{n}", "{n}, {n}", "{m}", " {n}", "0x{n}", "{n},{m}", "-1"]))
        lines.append("Content-Length: " + declared.format(n=len(body), m=len(body) + 1))
    if framing in ("chunked", "both"):
        lines.append(
            "Transfer-Encoding: " + draw(st.sampled_from(["chunked", "Chunked", "chunked", "gzip, chunked"]))
        )
        parts = []
        rest = body
        while rest:
            n = draw(st.integers(1, max(1, len(rest))))
            size = draw(CHUNK_SIZE_TEXT).format(n)
            parts.append(size.encode() + b"\r\n" + rest[:n] + b"\r\n")
            rest = rest[n:]
        parts.append(b"0\r\n")
        if draw(st.booleans()):
            parts.append(b"Trailer-Field: 1\r\n")
        parts.append(b"\r\n")
        payload = b"".join(parts)
    if framing == "bad-te":
        lines.append("Transfer-Encoding: gzip")
    head = eol.join(lines) + eol + eol + tail
    return head.encode("utf-8") + payload


def pieces(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    out, last = [], 0
    for p in points:
        out.append(data[last:p])
        last = p
    out.append(data[last:])
    return [p for p in out if p]


def ours(data: bytes, cuts: list[int]) -> tuple[object, ...]:
    parser = ResponseParser()
    try:
        done = False
        for piece in pieces(data, cuts):
            if parser.feed(piece):
                done = True
                break
        if not done:
            parser.feed_eof()
    except ProtocolError:
        return ("refused",)
    response = parser.response
    assert response is not None
    return ("ok", response.status, as_h11_reports(response.headers), response.body)


def as_h11_reports(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Headers as h11 hands them over: names lowercased, one Content-Length (a list of equal values is one
    value), Transfer-Encoding lowercased. The same meaning; only the spelling differs."""
    out: list[tuple[bytes, bytes]] = []
    seen_length = False
    for name, value in headers:
        low = name.lower()
        if low == b"content-length":
            if seen_length:
                continue
            seen_length = True
            value = value.split(b",")[0].strip()
        elif low == b"transfer-encoding":
            value = value.lower()
        out.append((low, value))
    return out


def reference(data: bytes, cuts: list[int]) -> tuple[object, ...]:
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
    conn.send(h11.Request(method="POST", target="/", headers=[("Host", "x"), ("Content-Length", "0")]))
    conn.send(h11.EndOfMessage())
    status, headers, body = None, None, b""
    try:
        for piece in [*pieces(data, cuts), b""]:  # b"": the server closed
            conn.receive_data(piece)
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    break
                if isinstance(event, h11.InformationalResponse):
                    continue
                if isinstance(event, h11.Response):
                    status, headers = event.status_code, list(event.headers)
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    return ("ok", status, headers, body)
                elif isinstance(event, h11.ConnectionClosed):
                    return ("refused",)
                else:
                    return ("refused",)  # PAUSED and the like: nothing a read can use
    except h11.RemoteProtocolError:
        return ("refused",)
    return ("refused",)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers(), st.lists(st.integers(0, 400), max_size=4))
def test_read_parser_agrees_with_h11(data: bytes, cuts: list[int]) -> None:
    assert ours(data, cuts) == reference(data, cuts)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200), st.lists(st.integers(0, 200), max_size=3))
def test_read_parser_agrees_with_h11_on_any_bytes_after_a_valid_status_line(
    tail: bytes, cuts: list[int]
) -> None:
    data = b"HTTP/1.1 200 OK\r\n" + tail
    assert ours(data, cuts)[0] == reference(data, cuts)[0]

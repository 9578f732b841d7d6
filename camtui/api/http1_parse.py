"""Reading one HTTP/1.1 answer from bytes, as strictly as h11 (the parser under httpx), and within a size cap.

The grammar is h11's, so an answer httpx would refuse is refused here too (and the connection closed): the
status line `HTTP/d.d NNN reason`; header names of token characters and values without NUL, CR, LF or other
line-breaking whitespace; obsolete line folding joined; lines ending in CRLF or a bare LF; one Transfer-Encoding,
and only `chunked`; Content-Length digits only (a list of equal values allowed); chunk sizes of hexadecimal
digits only — `0x5`, `0_5`, ` 5` and `+5` are refused, although Python's `int(x, 16)` takes them. An answer with
both Transfer-Encoding and Content-Length is read by its chunks (Transfer-Encoding wins, as in h11) and its
connection is never reused (RFC 9112 §6.1: a sign of response smuggling). The status line and headers together
may not exceed `MAX_HEAD`, complete or not.

The body may not exceed the `limit` given for the method (see `camtui.api.limits`): a declared Content-Length
over it is refused before a byte of the body is read; a chunked or read-until-close body is refused as soon as
it passes the limit. Either way the caller closes the connection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HEAD = 64 * 1024
"""Largest status line + headers accepted: a bigger head is not an answer from an API server."""
MAX_CHUNK_LINE = 4096

_STATUS_LINE = re.compile(
    rb"HTTP/(?P<version>[0-9]\.[0-9]) (?P<status>[0-9]{3})(?: (?P<reason>(?:[ \t]|[^\x00\s])*))?"
)
_HEADER = re.compile(
    rb"(?P<name>[-!#$%&'*+.^_`|~0-9a-zA-Z]+):[ \t]*(?P<value>(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?)[ \t]*"
)
_FOLD = re.compile(rb"[ \t]+")
_CHUNK_HEADER = re.compile(rb"(?P<size>[0-9A-Fa-f]{1,20})(?:;.*)?[ \t]*\r\n")
_BLANK_LINE = re.compile(rb"\n\r?\n")
_LENGTH = re.compile(rb"[0-9]+")
_MAX_LENGTH_DIGITS = 20


class ProtocolError(Exception):
    """The bytes received are not an HTTP/1.1 answer this client can read."""


class AnswerTooLarge(ProtocolError):
    """The answer's body is larger than the cap for its method."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"answer larger than {describe_size(limit)}")
        self.limit = limit


def describe_size(size: int) -> str:
    """ "64 MB", "512 KB", "300 bytes": how a limit reads in a message."""
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return f"{size >> 20} MB"
    if size >= 1 << 10 and size % (1 << 10) == 0:
        return f"{size >> 10} KB"
    return f"{size} bytes"


@dataclass(slots=True)
class RawResponse:
    """One answer: status, reason phrase, headers as received (names as sent), the whole body."""

    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes


class ResponseParser:
    """Incremental parser of one HTTP/1.1 response: `feed` bytes as they arrive, `feed_eof` when the peer closed.

    Interim answers (1xx but 101) are skipped. The body is framed by chunked transfer coding, Content-Length,
    or — when neither is given — by the connection closing. `keep_alive` tells whether the connection can carry
    another request afterwards. `limit`: the largest body accepted (None: no cap).
    """

    __slots__ = (
        "_body_size",
        "_buf",
        "_chunk_left",
        "_length",
        "_limit",
        "_parts",
        "_scan",
        "_state",
        "keep_alive",
        "received",
        "response",
    )

    # states
    _HEAD, _LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _TRAILERS, _UNTIL_CLOSE, _DONE = range(7)

    def __init__(self, limit: int | None = None) -> None:
        self._buf = bytearray()
        self._state = self._HEAD
        self._scan = 0
        self._length = 0
        self._chunk_left = 0
        self._parts: list[bytes] = []
        self._body_size = 0
        self._limit = limit
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
            if state == self._HEAD or state == self._TRAILERS:
                lines = self._take_lines(buf, trailers=state == self._TRAILERS)
                if lines is None:
                    return False
                if state == self._TRAILERS:
                    _headers(lines)  # validated as h11 does, then not needed
                    if buf:
                        self.keep_alive = False
                    self._finish(b"".join(self._parts))
                    del buf[:]
                    return True
                self._start(lines)
            elif state == self._LENGTH:
                if len(buf) < self._length:
                    return False
                if len(buf) > self._length:
                    self.keep_alive = False
                self._finish(bytes(buf[: self._length]))
                del buf[:]
                return True
            elif state == self._CHUNK_SIZE:
                end = buf.find(b"\r\n")
                if end < 0:
                    if len(buf) > MAX_CHUNK_LINE:
                        raise ProtocolError("a chunk header line is too long")
                    return False
                line = bytes(buf[: end + 2])
                del buf[: end + 2]
                match = _CHUNK_HEADER.fullmatch(line)
                if match is None:
                    raise ProtocolError(f"bad chunk header {line[:20]!r}")
                size = int(match["size"], 16)
                if size == 0:
                    self._state = self._TRAILERS
                else:
                    self._grow(size)
                    self._chunk_left = size
                    self._state = self._CHUNK_DATA
            elif state == self._CHUNK_DATA:
                need = self._chunk_left
                if len(buf) < need + 2:
                    if len(buf) > need and buf[need : need + 1] != b"\r":
                        raise ProtocolError("a chunk is not followed by CRLF")
                    return False
                if buf[need : need + 2] != b"\r\n":
                    raise ProtocolError("a chunk is not followed by CRLF")
                self._parts.append(bytes(buf[:need]))
                del buf[: need + 2]
                self._state = self._CHUNK_SIZE
            elif state == self._UNTIL_CLOSE:
                if buf:
                    self._grow(len(buf))
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

    # ----- the head ------------------------------------------------------------------------------------------

    def _take_lines(self, buf: bytearray, *, trailers: bool) -> list[bytes] | None:
        """The lines up to the first blank line (CRLF or bare LF), removed from `buf`; None while incomplete."""
        if buf[:1] == b"\n" or buf[:2] == b"\r\n":
            del buf[: 1 if buf[:1] == b"\n" else 2]
            if not trailers:
                raise ProtocolError("no status line received")
            return []
        match = _BLANK_LINE.search(buf, self._scan)
        if match is None:
            if len(buf) > MAX_HEAD:
                raise ProtocolError(f"the answer's headers exceed {MAX_HEAD // 1024} KB")
            self._scan = max(0, len(buf) - 2)
            return None
        end = match.end()
        if end > MAX_HEAD:
            raise ProtocolError(f"the answer's headers exceed {MAX_HEAD // 1024} KB")
        lines = bytes(buf[:end]).split(b"\n")
        del buf[:end]
        self._scan = 0
        del lines[-2:]  # the two empty strings around the blank line
        return [line[:-1] if line.endswith(b"\r") else line for line in lines]

    def _start(self, lines: list[bytes]) -> None:
        match = _STATUS_LINE.fullmatch(lines[0])
        if match is None:
            raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:40]!r}")
        status = int(match["status"])
        if status < 100:
            raise ProtocolError(f"bad status code {match['status']!r}")
        version = match["version"]
        reason = match["reason"] or b""
        headers = _headers(lines[1:])
        length: bytes | None = None
        chunked = False
        close = False
        for name, value in headers:
            low = name.lower()
            if low == b"content-length":
                values = {v.strip() for v in value.split(b",")}
                one = values.pop() if len(values) == 1 else b""
                if not _LENGTH.fullmatch(one) or len(one) > _MAX_LENGTH_DIGITS:
                    raise ProtocolError(f"bad Content-Length {value[:20]!r}")
                if length is not None and one != length:
                    raise ProtocolError("conflicting Content-Length headers")
                length = one
            elif low == b"transfer-encoding":
                if chunked:
                    raise ProtocolError("more than one Transfer-Encoding header")
                if value.lower() != b"chunked":
                    raise ProtocolError(f"unsupported Transfer-Encoding {value[:20]!r}")
                chunked = True
            elif low == b"connection":
                close = close or b"close" in [v.strip().lower() for v in value.split(b",")]
        if 100 <= status < 200:
            if status == 101:
                raise ProtocolError("the server switched protocols")
            return  # an interim answer: the real one follows
        self.keep_alive = version >= b"1.1" and not close
        self.response = RawResponse(status, reason, headers, b"")
        if status in (204, 304):
            self._finish(b"")
        elif chunked:
            if length is not None:
                self.keep_alive = False  # both framings: read by chunks, then never reuse the connection
            self._state = self._CHUNK_SIZE
        elif length is not None:
            self._length = int(length)
            self._grow(self._length)
            self._state = self._LENGTH
            if self._length == 0:
                self._finish(b"")
        else:
            self.keep_alive = False
            self._state = self._UNTIL_CLOSE

    def _grow(self, size: int) -> None:
        """`size` more bytes of body are on their way: refuse past the cap."""
        self._body_size += size
        if self._limit is not None and self._body_size > self._limit:
            raise AnswerTooLarge(self._limit)

    def _finish(self, body: bytes) -> None:
        assert self.response is not None
        self.response.body = body
        self._state = self._DONE


def _headers(lines: list[bytes]) -> list[tuple[bytes, bytes]]:
    """(name, value) pairs of header lines, obsolete folding joined, each checked against h11's grammar."""
    folded: list[bytes] = []
    for line in lines:
        fold = _FOLD.match(line)
        if fold:
            if not folded:
                raise ProtocolError("a continuation line before any header")
            folded[-1] += b" " + line[fold.end() :]
        else:
            folded.append(line)
    headers: list[tuple[bytes, bytes]] = []
    for line in folded:
        match = _HEADER.fullmatch(line)
        if match is None:
            raise ProtocolError(f"bad header line {line[:40]!r}")
        headers.append((match["name"], match["value"]))
    return headers

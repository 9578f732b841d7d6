"""How much of an answer camtui reads, per method: a wrong `server.url`, a broken proxy or a hostile server
cannot make it hold gigabytes.

Each cap is sized from the largest plausible answer with room to spare: a month of 1,000 rooms from the
sandbox is 34.5 MB (the rooms are in two places, see the README's API section), an export of 100,000 people
~10 MB, a call's stats a few hundred bytes. Past its cap an answer is not read further: the connection is
closed and `MalformedResponse` (for a write: `OutcomeUnknown`, the request went out) names the limit. A
compressed answer is capped after decompression too, so a small gzip bomb cannot expand past it."""

from __future__ import annotations

import zlib

from camtui.api.http1_parse import AnswerTooLarge, describe_size

MB = 1 << 20

ANSWER_CAPS: dict[str, int] = {
    "sendMessage": 1 * MB,
    "sendMessages": 8 * MB,
    "createQuickCall": 1 * MB,
    "getCallStats": 1 * MB,
    "exportUsers": 256 * MB,
    "updateUsersCSV": 4 * MB,
    "updateChatRoom": 1 * MB,
    "getConferenceMaster": 16 * MB,
    "getConferenceRooms": 16 * MB,
    "getConferenceRoomStatus": 40 * MB,
}
"""Largest answer body read per method (after decompression)."""

__all__ = ["ANSWER_CAPS", "AnswerTooLarge", "cap_for", "decode_capped", "describe_size"]


def cap_for(method: str) -> int:
    return ANSWER_CAPS.get(method, 1 * MB)


def decode_capped(raw: bytes, encoding: bytes, limit: int) -> bytes:
    """`raw` decoded from `encoding` (gzip, deflate; a list is applied right to left), never more than `limit`
    bytes out: `AnswerTooLarge` past it. Other codings: ValueError (httpx did not ask for them)."""
    data = raw
    for coding in reversed([c.strip().lower() for c in encoding.split(b",") if c.strip()]):
        if coding == b"identity":
            continue
        if coding in (b"gzip", b"x-gzip"):
            data = _inflate(data, zlib.MAX_WBITS | 16, limit)
        elif coding == b"deflate":
            try:
                data = _inflate(data, zlib.MAX_WBITS, limit)
            except zlib.error:  # some servers send raw deflate without the zlib header
                data = _inflate(data, -zlib.MAX_WBITS, limit)
        else:
            raise ValueError(f"unsupported Content-Encoding {coding[:20]!r}")
    if len(data) > limit:
        raise AnswerTooLarge(limit)
    return data


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    """Decompress at most `limit` + 1 bytes (one more tells "too large"), however small the input."""
    inflater = zlib.decompressobj(wbits)
    out = bytearray(inflater.decompress(data, limit + 1))
    while len(out) <= limit and not inflater.eof:
        more = inflater.decompress(inflater.unconsumed_tail, limit + 1 - len(out))
        if not more:
            break  # the input is used up (a truncated stream ends here, as httpx would read it)
        out += more
    if len(out) > limit:
        raise AnswerTooLarge(limit)
    return bytes(out)

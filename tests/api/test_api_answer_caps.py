"""Every method reads at most its cap: huge, endless, compressed-bomb and deeply nested answers end in camtui's
own typed errors naming the limit, with the connection closed and little read."""

from __future__ import annotations

import gzip
import json

import pytest

from camtui.api import CAMClient, MalformedResponse, OutcomeUnknown
from camtui.api.http1_parse import AnswerTooLarge
from camtui.api.limits import ANSWER_CAPS, MB, decode_capped
from tests.api.hostile import declared_huge, endless_chunks, fixed, hostile_server

TOKEN = "hostile-test-token"


def _client(url: str) -> CAMClient:
    return CAMClient(url, TOKEN, timeout=5, read_budget=20)


async def test_a_declared_two_gigabytes_is_refused_before_the_body() -> None:
    async with hostile_server(declared_huge()) as server, _client(server.url) as client:
        with pytest.raises(MalformedResponse, match="answer larger than 40 MB"):
            await client.get_conference_room_status("202612")
    assert len(server.sent) == 1  # refused once, not retried
    assert server.sent[0] < 32 * MB  # what the socket buffers took before the client hung up


async def test_an_endless_chunked_body_stops_at_the_cap() -> None:
    async with hostile_server(endless_chunks()) as server, _client(server.url) as client:
        with pytest.raises(MalformedResponse, match="answer larger than 1 MB"):
            await client.get_call_stats("room")
    assert len(server.sent) == 1 and server.sent[0] < ANSWER_CAPS["getCallStats"] + 16 * MB


async def test_a_write_past_its_cap_is_outcome_unknown_not_resent() -> None:
    async with hostile_server(endless_chunks()) as server, _client(server.url) as client:
        with pytest.raises(OutcomeUnknown, match="answer larger than 1 MB"):
            await client.send_message("messenger", "hello", users=["user1@xxx.com"])
    assert len(server.sent) == 1  # the message went out once


async def test_a_gzip_bomb_is_capped_after_decompression() -> None:
    bomb = gzip.compress(b" " * (64 * MB), compresslevel=9)  # ~64 KB on the wire
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
    raw = head + b"Content-Length: %d\r\n\r\n" % len(bomb) + bomb
    async with hostile_server(fixed(raw)) as server, _client(server.url) as client:
        with pytest.raises(MalformedResponse, match="answer larger than 1 MB"):
            await client.get_call_stats("room")


async def test_deeply_nested_json_is_a_typed_error_not_a_recursion_error() -> None:
    body = b"[" * 200_000 + b"]" * 200_000
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )
    async with hostile_server(fixed(raw)) as server, _client(server.url) as client:
        with pytest.raises(MalformedResponse, match="nested too deeply"):
            await client.get_conference_rooms()


async def test_answers_within_the_cap_still_read_compressed_or_not() -> None:
    payload = json.dumps({"status": 200, "conferenceRooms": []}).encode()
    packed = gzip.compress(payload)
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(packed)
        + packed
    )
    async with hostile_server(fixed(raw)) as server, _client(server.url) as client:
        assert await client.get_conference_rooms() == []


def test_decode_capped_limits_every_coding() -> None:
    assert decode_capped(gzip.compress(b"abc"), b"gzip", 10) == b"abc"
    assert decode_capped(b"abc", b"identity", 10) == b"abc"
    with pytest.raises(AnswerTooLarge, match="1 KB"):
        decode_capped(gzip.compress(b"x" * 5000), b"gzip", 1024)
    with pytest.raises(ValueError, match="unsupported"):
        decode_capped(b"abc", b"br", 10)

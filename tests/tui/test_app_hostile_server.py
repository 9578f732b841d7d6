"""The dashboard against a server that answers only nonsense (deep nesting, garbage, wrong shapes): it stays up,
says what is wrong in camtui's own words, and shows no fresh data."""

from __future__ import annotations

import time

import pytest

from camtui.api import CAMClient, RetryPolicy
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp
from tests.api.hostile import RawServer

NONSENSE = [
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % 400_000
    + b"[" * 200_000
    + b"]" * 200_000,
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"status"',
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 47\r\n\r\n"
    b'{"status":200,"conferenceRooms":[{"id":NaN}]}  ',
    b"\x16\x03\x01\x02\x00garbage that is not HTTP at all\r\n\r\n",
]


@pytest.fixture
def raw_server():
    server = RawServer()
    yield server
    server.close()


@pytest.mark.parametrize("answer", NONSENSE, ids=["deep", "truncated", "nan-shapes", "not-http"])
async def test_dashboard_stays_up_on_a_server_that_answers_nonsense(raw_server, tmp_path, answer) -> None:
    raw_server.answer = answer
    client = CAMClient(
        raw_server.url, "token-123456", timeout=2, read_budget=3, retry=RetryPolicy(max_attempts=1)
    )
    settings = Settings.defaults().with_changes(
        server_url=raw_server.url, api_token="token-123456", rooms_poll_seconds=1, calls_poll_seconds=1
    )
    app = CamApp(client, Store.open(tmp_path / "s.db"), settings, close_on_exit=True)
    async with app.run_test(size=(160, 48)) as pilot:
        deadline = time.monotonic() + 10
        while not list(app.error_log) and time.monotonic() < deadline:
            await pilot.pause(0.1)
        await pilot.pause(1.5)  # a few more polls of nonsense
        assert app.is_running
        reports = list(app.error_log)
        assert reports, "the failure is reported"
        words = " ".join(f"{r.title} {r.message}" for r in reports)
        assert "RecursionError" not in words and "Traceback" not in words
        assert all(r.key[1] != "bug" for r in reports), words  # only camtui's own, described errors
        assert "first_rooms_data" not in app.startup_marks  # nothing shown as fresh data

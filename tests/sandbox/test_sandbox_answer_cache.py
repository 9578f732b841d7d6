"""getConferenceRoomStatus answers are kept encoded while the database is unchanged, and never once it changed:
today's is made right after start, before a dashboard asks."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime, timedelta

from camtui.sandbox.answer_cache import EncodedAnswers
from camtui.sandbox.demo import TOKYO
from camtui.sandbox.link_cases import SHARE
from tests.bookings import book_tonight


def today() -> str:
    return datetime.now(TOKYO).strftime("%Y%m%d")


def reused(api) -> int:
    return api.get("_sandbox/stats", token="admin").json()["answersReused"]


def wait_for_warm_answer(api) -> None:
    deadline = time.monotonic() + 10
    first = reused(api)
    while time.monotonic() < deadline:
        api.post("getConferenceRoomStatus", data={"yyyyMMdd": today()})
        if reused(api) > first:
            return
        time.sleep(0.02)
    raise AssertionError("today's answer was never reused")


def test_todays_answer_is_made_at_start_and_the_first_poll_gets_it(sandbox, make_api):
    api = make_api(sandbox)
    deadline = time.monotonic() + 10  # the sandbox makes it on its loop right after it started serving
    while api.get("_sandbox/stats", token="admin").json()["answersKept"] < 1:
        assert time.monotonic() < deadline, "today's answer was never made"
        time.sleep(0.01)
    before = reused(api)
    first = api.post("getConferenceRoomStatus", data={"yyyyMMdd": today()})
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    assert reused(api) == before + 1
    assert first.json()["conferenceRoomStatus"]["period"] == today()


def test_an_unchanged_day_is_the_same_bytes_and_any_change_is_seen_at_once(sandbox, make_api, tmp_path):
    api = make_api(sandbox)
    wait_for_warm_answer(api)
    one = api.post("getConferenceRoomStatus", data={"yyyyMMdd": today()}).content
    two = api.post("getConferenceRoomStatus", data={"yyyyMMdd": today()}).content
    assert one == two

    # A booking written by another process on the same file (SQLite's data_version moves).
    book_tonight(tmp_path / "sandbox.db", "rsv-test-cache", "深夜の保守")
    body = api.ok("getConferenceRoomStatus", data={"yyyyMMdd": today()})
    titles = [r["title"] for r in body["conferenceRooms"][0]["reservedSchedules"]]
    assert "深夜の保守" in titles

    # A booking the sandbox's own simulation makes (this connection's change count moves).
    count = len([r for room in body["conferenceRooms"] for r in room["reservedSchedules"]])
    api.http.post("/_sandbox/simulate", json={"steps": 40}, headers=api.headers("admin"))
    after = api.ok("getConferenceRoomStatus", data={"yyyyMMdd": today()})
    in_db = sqlite3.connect(tmp_path / "sandbox.db")
    day_start = datetime.now(TOKYO).replace(hour=0, minute=0, second=0, microsecond=0)
    low, high = int(day_start.timestamp() * 1000), int((day_start + timedelta(days=1)).timestamp() * 1000)
    expected = in_db.execute(
        "SELECT COUNT(*) FROM reservations WHERE start_ms < ? AND end_ms > ?", (high, low)
    ).fetchone()[0]
    in_db.close()
    assert len([r for room in after["conferenceRooms"] for r in room["reservedSchedules"]]) == expected
    assert expected >= count


def test_a_share_link_is_written_for_the_url_each_client_used(sandbox, make_api, tmp_path):
    """The key holds the base URL: `localhost` and `127.0.0.1` get their own links, not each other's."""
    import httpx

    api = make_api(sandbox)
    book_tonight(tmp_path / "sandbox.db", "rsv-test-link", f"定例 {SHARE}/abc")
    port = sandbox.url.rsplit(":", 1)[1]
    for _ in range(2):
        for host in ("127.0.0.1", "localhost"):
            with httpx.Client(base_url=f"http://{host}:{port}", trust_env=False, timeout=15) as http:
                answer = http.post(
                    "/getConferenceRoomStatus", data={"yyyyMMdd": today()}, headers=api.headers("user")
                )
            assert f"定例 http://{host}:{port}/share/abc" in answer.text


def test_only_the_newest_answers_are_kept():
    answers = EncodedAnswers(keep=2)
    for n in range(3):
        answers.put(("day", n), b"%d" % n)
    assert answers.get(("day", 0)) is None
    assert answers.get(("day", 1)) == b"1" and answers.get(("day", 2)) == b"2"
    answers.get(("day", 1))
    answers.put(("day", 3), b"3")
    assert answers.get(("day", 2)) is None and answers.get(("day", 1)) == b"1"
    assert answers.hits == 4

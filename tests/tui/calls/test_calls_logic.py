"""The calls pane's pure parts: parsing what the admin pastes, row state and events, sparklines, and polling logic."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from camtui.api.errors import CAMAPIError, OutcomeUnknown, TransportError
from camtui.tui.calls import model as m
from camtui.tui.calls import poller as p
from camtui.tui.calls.sparkline import plot, resample, sparkline

NOW = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # 14:00 in Tokyo


# -- what the admin pastes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sid", "url"),
    [
        ("8sQYFO2sPYHb7xSsibpVCKaqrFmTpCureVqKvwKgSZJs", "8sQYFO2sPYHb7xSsibpVCKaqrFmTpCureVqKvwKgSZJs", ""),
        ("  abcd-EF_12 \n", "abcd-EF_12", ""),
        (
            "https://app.chat-messenger.com/share/abc123XYZ",
            "abc123XYZ",
            "https://app.chat-messenger.com/share/abc123XYZ",
        ),
        (
            "http://127.0.0.1:8080/share/abc123XYZ/?userName=太郎&password=000",
            "abc123XYZ",
            "http://127.0.0.1:8080/share/abc123XYZ",
        ),
        ("<https://h.example/x/share/abc123XYZ#frag>", "abc123XYZ", "https://h.example/x/share/abc123XYZ"),
    ],
)
def test_parse_call_ref_accepts_ids_and_share_urls(text, sid, url):
    assert m.parse_call_ref(text) == (sid, url)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "two words",
        "https://h.example/call/abc123",
        "ftp://h/share/abc123",
        "https:///share/abc123",
        "https://h/share/",
        "https://h/share/ab cd",
        "x" * 200,
        "会議ID1234",
    ],
)
def test_parse_call_ref_refuses_anything_else_with_a_message(text):
    with pytest.raises(ValueError) as info:
        m.parse_call_ref(text)
    assert str(info.value) and "\n" not in str(info.value)


def test_auto_login_url_is_url_encoded_and_omits_an_empty_password():
    share = "http://127.0.0.1:9/share/abc123"
    assert m.auto_login_url(share, "太郎", "000") == (
        "http://127.0.0.1:9/share/abc123?userName=%E5%A4%AA%E9%83%8E&password=000"
    )
    assert m.auto_login_url(share, "a b&c", "p&w=?") == (
        "http://127.0.0.1:9/share/abc123?userName=a%20b%26c&password=p%26w%3D%3F"
    )
    assert m.auto_login_url(share, "guest") == "http://127.0.0.1:9/share/abc123?userName=guest"
    assert m.share_url_for("http://h:1/", "abc") == "http://h:1/share/abc"


# -- row state and events ------------------------------------------------------------------------------------


def _stats(row: m.CallRow, at: datetime, n: int, live: bool, expires: datetime | None = None):
    return m.apply_stats(
        row,
        now=at,
        title="定例",
        created=NOW - timedelta(hours=1),
        expires=expires or NOW + timedelta(hours=1),
        participants=n,
        in_progress=live,
    )


def test_events_join_leave_start_empty_and_expire_once():
    row = m.CallRow("sid00001")
    assert m.state_of(row, NOW) is m.CallState.PENDING
    assert _stats(row, NOW, 0, False) == []  # the first poll is a baseline, not a join
    assert m.state_of(row, NOW) is m.CallState.WAITING
    kinds = [e.kind for e in _stats(row, NOW, 2, True)]
    assert kinds == [m.EventKind.JOIN, m.EventKind.START]
    assert [e.kind for e in _stats(row, NOW, 1, True)] == [m.EventKind.LEAVE]
    assert [e.kind for e in _stats(row, NOW, 0, False)] == [m.EventKind.EMPTY]
    assert m.state_text(row, NOW) == "waiting"
    later = NOW + timedelta(hours=2)
    assert [e.kind for e in m.check_expiry(row, later)] == [m.EventKind.EXPIRE]
    assert m.check_expiry(row, later) == []
    assert m.state_of(row, later) is m.CallState.EXPIRED
    assert m.countdown_text(row, later) == "expired"


def test_call_error_state_and_staleness_are_honest():
    row = m.CallRow("sid00001")
    m.apply_call_error(row, now=NOW, code="400", reason="unknown or invalid call ID (400)")
    assert m.state_text(row, NOW) == "error: unknown or invalid call ID (400)"
    assert m.polled_text(row, NOW, 5) == "never · unknown or invalid call ID (400)"

    ok = m.CallRow("sid00002")
    _stats(ok, NOW, 3, True)
    assert m.polled_text(ok, NOW + timedelta(seconds=4), 5) == "4s ago"
    assert not m.is_stale(ok, NOW + timedelta(seconds=4), 5)
    # nothing failed, but no fresh data for a long time: stale all the same
    assert m.polled_text(ok, NOW + timedelta(seconds=60), 5) == "1m ago · not refreshed"
    m.apply_pane_error(ok, now=NOW + timedelta(seconds=6), reason="server busy (503)")
    assert m.is_stale(ok, NOW + timedelta(seconds=6), 5)
    assert m.polled_text(ok, NOW + timedelta(seconds=6), 5) == "6s ago · server busy (503)"
    assert m.state_of(ok, NOW + timedelta(seconds=6)) is m.CallState.IN_PROGRESS  # last known, marked stale
    _stats(ok, NOW + timedelta(seconds=10), 3, True)
    assert not m.is_stale(ok, NOW + timedelta(seconds=10), 5)


def test_formatting():
    tz = ZoneInfo("Asia/Tokyo")
    # one unambiguous form everywhere (issue 11): never `10:53`, which reads as a clock time
    assert m.fmt_duration(5) == "5s"
    assert m.fmt_duration(653) == "10m53s"
    assert m.fmt_duration(65) == "1m05s"
    assert m.fmt_duration(3725) == "1h02m"
    assert m.fmt_duration(2 * 3600 + 29 * 60 + 53) == "2h29m"
    assert m.fmt_duration(-3) == "0s"
    assert m.fmt_duration(2 * 86400 + 3 * 3600) == "2d03h"
    assert m.fmt_time(NOW, NOW, tz) == "14:00"
    assert m.fmt_time(NOW + timedelta(days=1), NOW, tz) == "12-04 14:00"
    assert m.short_id("8sQYFO2sPYHb7xSs") == "8sQYFO2…"
    assert m.short_id("abcd") == "abcd"


def test_expiring_soon_needs_people_and_little_time():
    row = m.CallRow("sid00001")
    _stats(row, NOW, 2, True, expires=NOW + timedelta(minutes=5))
    assert m.expiring_soon(row, NOW, timedelta(minutes=10))
    assert not m.expiring_soon(row, NOW, timedelta(minutes=4))
    _stats(row, NOW, 0, False, expires=NOW + timedelta(minutes=5))
    assert not m.expiring_soon(row, NOW, timedelta(minutes=10))


def test_samples_on_change_or_heartbeat_and_trimmed_in_memory():
    row = m.CallRow("sid00001")
    _stats(row, NOW, 1, True)
    assert m.take_sample(row, NOW)
    assert not m.take_sample(row, NOW + timedelta(seconds=5))  # unchanged
    _stats(row, NOW + timedelta(seconds=10), 2, True)
    assert m.take_sample(row, NOW + timedelta(seconds=10))  # changed
    assert m.take_sample(row, NOW + timedelta(seconds=10 + m.HEARTBEAT_SECONDS))  # heartbeat
    assert [v for _, v in row.history] == [1, 2, 2]
    m.take_sample(row, NOW + timedelta(hours=1), keep_since=NOW + timedelta(seconds=30))
    assert row.history[0][0] == NOW + timedelta(seconds=10)  # the point in force at the window start


# -- sparkline ------------------------------------------------------------------------------------------------


def test_sparkline_shows_gaps_zero_and_peaks():
    pts = [(NOW, 0), (NOW + timedelta(seconds=30), 4), (NOW + timedelta(seconds=45), 8)]
    vals = resample(pts, NOW - timedelta(seconds=30), NOW + timedelta(seconds=60), 6, max_gap=600)
    assert vals == [None, None, 0, 0, 4, 8]
    assert sparkline(vals) == "  ··▄█"
    # a silence longer than max_gap is a gap, not the last value drawn on
    vals = resample([(NOW, 3)], NOW, NOW + timedelta(seconds=600), 6, max_gap=100)
    assert vals == [3, None, None, None, None, None]
    assert sparkline([1, 2, 3, 4], top=4) == "▂▄▆█"
    assert sparkline([]) == ""


def test_plot_is_height_lines_with_eighth_blocks():
    lines = plot([0, 4, 8, None], height=2, top=8)
    assert lines == [" ▄█ ".replace("▄", " "), "·██ "]
    assert len(plot([1, 2], height=5)) == 5


# -- polling logic --------------------------------------------------------------------------------------------


def test_classify_sorts_failures_by_what_the_pane_should_do():
    assert p.classify(CAMAPIError("491", "多すぎ", http_status=491, retry_after=7)).retry_after == 7
    assert p.classify(CAMAPIError("491", http_status=491)).kind is p.FailureKind.OVERLOAD
    assert p.classify(CAMAPIError("503", http_status=503)).kind is p.FailureKind.OVERLOAD
    assert p.classify(CAMAPIError("805")).kind is p.FailureKind.AUTH
    assert p.classify(CAMAPIError("400", "無効")).kind is p.FailureKind.CALL
    assert p.classify(CAMAPIError("400")).reason == "unknown or invalid call ID (400)"
    assert p.classify(CAMAPIError("500", "garbage")).kind is p.FailureKind.SERVER
    assert p.classify(TransportError("refused")).reason == "offline"
    assert p.classify(OutcomeUnknown("getCallStats", "reset")).kind is p.FailureKind.OFFLINE
    assert p.classify(p.PollTimeout(10)).kind is p.FailureKind.OVERLOAD
    assert p.classify(RuntimeError("x")).kind is p.FailureKind.SERVER


def test_backoff_slows_once_per_round_and_recovers_by_halves():
    b = p.Backoff(interval=5)
    busy = p.Failure(p.FailureKind.OVERLOAD, "server busy (503)")
    assert b.trouble(busy)
    assert not b.trouble(busy)  # a burst of 503s in one round counts once
    assert b.effective == 10
    b.round_finished(good=3)  # troubled round: no recovery yet
    b.trouble(busy)
    b.round_finished(good=0)
    assert b.effective == 20 and b.slowed
    b.round_finished(good=5)
    assert b.effective == 10
    b.round_finished(good=5)
    assert b.effective == 5 and not b.slowed
    for _ in range(20):
        b.trouble(busy)
        b.round_finished(good=0)
    assert b.effective == p.MAX_INTERVAL
    b2 = p.Backoff(interval=5)
    b2.trouble(p.Failure(p.FailureKind.OVERLOAD, "rate limited (491)", "491", retry_after=42))
    assert b2.effective == 42
    assert not b2.trouble(p.Failure(p.FailureKind.CALL, "x"))


def test_due_calls_skip_finished_expired_calls_and_calls_in_backoff():
    fresh, done, backing = m.CallRow("a0000001"), m.CallRow("b0000002"), m.CallRow("c0000003")
    done.expires = NOW - timedelta(minutes=1)
    done.last_attempt = NOW - timedelta(seconds=30)
    expired_unseen = m.CallRow(
        "d0000004", expires=NOW - timedelta(minutes=1), last_attempt=NOW - timedelta(hours=1)
    )
    nb = {"c0000003": NOW + timedelta(seconds=20)}
    assert p.due_calls([fresh, done, backing, expired_unseen], NOW, nb) == ["a0000001", "d0000004"]
    assert (
        p.call_error_delay(1, 5) == 5 and p.call_error_delay(3, 5) == 20 and p.call_error_delay(99, 5) == 160
    )
    assert p.next_round_delay(100.0, 104.0, 10.0) == 6.0
    assert p.next_round_delay(100.0, 130.0, 10.0) == p.MIN_GAP


def test_breaker_trips_on_a_run_of_pane_wide_failures_and_at_once_on_auth():
    br = p.Breaker(threshold=3)
    off = p.Failure(p.FailureKind.OFFLINE, "offline")
    br.record(off)
    br.record(off)
    br.record(None)  # a success in between resets the run
    br.record(off)
    br.record(p.Failure(p.FailureKind.CALL, "x"))
    assert br.tripped is None
    for _ in range(3):
        br.record(off)
    assert br.tripped is off
    br2 = p.Breaker()
    br2.record(p.Failure(p.FailureKind.AUTH, "auth failed (805)", "805"))
    assert br2.tripped is not None


class FakeTime:
    def __init__(self) -> None:
        self.t = 0.0

    def clock(self) -> float:
        return self.t

    async def sleep(self, d: float) -> None:
        self.t += d
        await asyncio.sleep(0)


async def test_run_round_spreads_requests_and_bounds_concurrency():
    ft = FakeTime()
    in_flight = 0
    peak = 0
    starts: list[float] = []
    results: list[str] = []

    async def fetch(sid: str) -> str:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        starts.append(ft.t)
        for _ in range(3):
            await asyncio.sleep(0)
        in_flight -= 1
        return sid.upper()

    sids = [f"s{i:04d}" for i in range(200)]
    n = await p.run_round(
        sids,
        fetch,
        lambda s, r: results.append(r),
        lambda s, e: None,
        window=lambda: 10.0,
        clock=ft.clock,
        sleep=ft.sleep,
    )
    assert n == 200 and len(results) == 200
    assert peak <= p.MAX_IN_FLIGHT
    assert starts[-1] > 9.5  # the last one goes out near the end of the interval, not at once
    per_second = [sum(1 for s in starts if k <= s < k + 1) for k in range(10)]
    assert max(per_second) <= 25  # ~20 a second, never a burst of all 200


async def test_run_round_manual_refresh_still_caps_in_flight_and_errors_do_not_stop_others():
    in_flight = 0
    peak = 0
    errors: list[str] = []
    good: list[str] = []

    async def fetch(sid: str) -> int:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        in_flight -= 1
        if sid.endswith("3"):
            raise CAMAPIError("400")
        return 1

    sids = [f"s{i:03d}" for i in range(50)]
    await p.run_round(
        sids, fetch, lambda s, r: good.append(s), lambda s, e: errors.append(s), window=lambda: 0.0
    )
    assert peak == p.MAX_IN_FLIGHT
    assert len(errors) == 5 and len(good) == 45


async def test_run_round_stops_when_told_and_stretches_when_slowed():
    ft = FakeTime()
    seen: list[str] = []
    stop = False
    window = 10.0

    async def fetch(sid: str) -> None:
        nonlocal stop, window
        seen.append(sid)
        if len(seen) == 10:
            window = 40.0  # a 503 mid-round: the rest of the round goes slower
        if len(seen) == 30:
            stop = True

    sids = [f"s{i:03d}" for i in range(100)]
    n = await p.run_round(
        sids,
        fetch,
        lambda s, r: None,
        lambda s, e: None,
        window=lambda: window,
        should_stop=lambda: stop,
        clock=ft.clock,
        sleep=ft.sleep,
    )
    assert n == 30 or n == 31  # the dispatch in progress when the stop came may already have gone out
    assert ft.t > 10 * 0.1 + 19 * 0.4 - 0.5


async def test_run_round_wakes_in_groups_on_a_tick_grid_with_a_fixed_set_of_workers():
    """2,000 calls in 10 s: the workers wait on a 40 ms grid (about 250 wake-ups, not 2,000 timers), no
    request goes out more than one tick before its slot, and never more than 8 are in flight."""
    ft = FakeTime()
    wakes: set[float] = set()
    starts: list[float] = []
    in_flight = peak = 0
    tasks: set[asyncio.Task[object] | None] = set()

    async def sleep(d: float) -> None:
        wakes.add(round(ft.t + d, 6))
        await ft.sleep(d)

    async def fetch(sid: str) -> str:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        starts.append(ft.t)
        tasks.add(asyncio.current_task())
        for _ in range(3):
            await asyncio.sleep(0)
        in_flight -= 1
        return sid

    sids = [f"s{i:04d}" for i in range(2000)]
    done: list[str] = []
    n = await p.run_round(
        sids,
        fetch,
        lambda s, r: done.append(s),
        lambda s, e: None,
        window=lambda: 10.0,
        clock=ft.clock,
        sleep=sleep,
    )
    assert n == 2000 and sorted(done) == sids
    assert peak <= p.MAX_IN_FLIGHT
    assert len(tasks) <= p.MAX_IN_FLIGHT  # the same few workers, not a task per call
    assert len(wakes) <= 10.0 / 0.04 + 2
    slots = [i * 10.0 / 2000 for i in range(2000)]
    assert all(start >= slot - 0.04 - 1e-6 for start, slot in zip(starts, slots, strict=True))
    assert starts[-1] > 9.9


async def test_run_round_sends_nothing_more_once_stopped_even_from_a_waiting_worker():
    ft = FakeTime()
    seen: list[float] = []

    async def fetch(sid: str) -> None:
        seen.append(ft.t)

    n = await p.run_round(
        [f"s{i:03d}" for i in range(100)],
        fetch,
        lambda s, r: None,
        lambda s, e: None,
        window=lambda: 10.0,
        should_stop=lambda: ft.t >= 2.0,
        clock=ft.clock,
        sleep=ft.sleep,
    )
    assert n == len(seen) and n >= 10
    assert all(
        t < 2.0 for t in seen
    )  # a worker that was waiting for its slot when the stop came sends nothing


def test_round_window_spreads_many_calls_over_the_interval_but_not_a_few():
    assert p.round_window(2000, 10.0) == 10.0
    assert p.round_window(5, 60.0) == 5 * p.MAX_SPACING
    assert p.round_window(0, 10.0) == 0.0


def test_the_table_cell_says_why_in_a_few_characters():
    row = m.CallRow("sid00002")
    _stats(row, NOW, 3, True)
    assert m.polled_cell(row, NOW + timedelta(seconds=4), 5) == "live"  # counts no seconds
    assert m.polled_cell(row, NOW + timedelta(seconds=11), 5) == "live"  # up to two intervals + 2 s
    assert m.polled_cell(row, NOW + timedelta(seconds=13), 5) == "13s ⚠ old"
    m.apply_pane_error(row, now=NOW + timedelta(seconds=6), reason="rate limited (491)")
    assert m.polled_cell(row, NOW + timedelta(seconds=125), 5) == "2m ⚠ 491 limited"
    assert m.polled_cell(m.CallRow("x0000001"), NOW, 5) == "not yet"
    assert m.short_reason("something entirely new") == "something…"


def test_a_point_taken_right_now_shows_in_the_last_bucket():
    assert resample([(NOW, 5)], NOW - timedelta(seconds=60), NOW, 3) == [None, None, 5]


def test_failing_polls_end_the_known_stretch_once_and_the_sparkline_shows_a_gap():
    row = m.CallRow("sid00001")
    _stats(row, NOW, 3, True)
    m.take_sample(row, NOW)
    assert m.mark_unknown(row, NOW + timedelta(seconds=10))
    assert not m.mark_unknown(row, NOW + timedelta(seconds=15))  # once per outage
    _stats(row, NOW + timedelta(seconds=40), 3, True)
    assert m.take_sample(row, NOW + timedelta(seconds=40))  # known again
    assert [v for _, v in row.history] == [3, m.UNKNOWN, 3]
    vals = resample(row.history, NOW, NOW + timedelta(seconds=60), 6)
    assert vals == [3, None, None, None, 3, 3]


# -- QA second round: expired calls, words not class names, the sort arrow -----------------------------------


def test_an_expired_call_is_final_not_stale():
    """C3: a call known to be over is no warning, however old its last poll."""
    row = m.CallRow("sid00003")
    _stats(row, NOW, 2, True, expires=NOW + timedelta(minutes=10))
    later = NOW + timedelta(minutes=11)
    assert m.state_of(row, later) is m.CallState.EXPIRED
    assert not m.is_stale(row, later, 5)
    assert m.polled_cell(row, later, 5) == "final"
    assert m.polled_cell(row, NOW + timedelta(days=3), 5) == "final"  # no "⚠ old", ever
    assert m.polled_text(row, later, 5, "paused").startswith("11m ago · final")
    m.apply_pane_error(row, now=later, reason="offline")  # the final poll failed: still nothing to warn about
    assert "⚠" not in m.polled_cell(row, later, 5) and not m.is_stale(row, later, 5)
    never = m.CallRow("sid00004", expires=NOW - timedelta(minutes=1))
    assert m.polled_cell(never, NOW, 5) == "—"
    # before its expiry, the same row goes stale as before
    fresh = m.CallRow("sid00005")
    _stats(fresh, NOW, 2, True)
    assert m.polled_cell(fresh, NOW + timedelta(minutes=2), 5) == "2m ⚠ old"


def test_an_unknown_id_that_has_expired_still_shows_its_error():
    row = m.CallRow("sid00006", expires=NOW - timedelta(minutes=5))
    m.apply_call_error(row, now=NOW, code="400", reason="unknown or invalid call ID (400)")
    assert m.state_of(row, NOW) is m.CallState.ERROR
    assert m.is_stale(row, NOW, 5)  # never answered: that is not "final"


@pytest.mark.parametrize(
    ("exc", "reason", "short", "status"),
    [
        (
            CAMAPIError("503", http_status=503),
            "server unavailable (503)",
            "503 unavail",
            "server unavailable",
        ),
        (
            CAMAPIError("500", http_status=503),
            "server unavailable (503)",
            "503 unavail",
            "server unavailable",
        ),
        (CAMAPIError("491", http_status=491), "rate limited (491)", "491 limited", "rate limited"),
        (p.PollTimeout(10), "no answer within 10 s", "no answer", "no answer within 10 s"),
        (p.PollTimeout(7.5), "no answer within 7.5 s", "no answer", "no answer within 7.5 s"),
        (TransportError("refused"), "offline", "offline", "offline"),
    ],
)
def test_failures_read_as_words_that_say_what_to_do(exc, reason, short, status):
    """W5: 503 (wait for the server) and 491 (poll less) read differently; no Python class names anywhere."""
    from camtui.tui.calls.pane import _status_reason

    failure = p.classify(exc)
    assert failure.reason == reason
    assert m.short_reason(failure.reason) == short
    assert _status_reason(failure) == status
    row = m.CallRow("sid00007")
    _stats(row, NOW, 1, True)
    m.apply_pane_error(row, now=NOW + timedelta(seconds=6), reason=failure.reason)
    cell = m.polled_cell(row, NOW + timedelta(minutes=59), 5)
    assert cell == f"59m ⚠ {short}"
    assert len(cell) <= 17  # fits the Polled column


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyError("participants"), ValueError("bad")])
def test_an_unexpected_failure_is_not_shown_as_a_class_name(exc):
    failure = p.classify(exc)
    assert type(exc).__name__ not in failure.reason
    assert p.PollTimeout.__name__ not in str(p.PollTimeout(10))


def test_the_sort_arrow_is_never_the_part_that_is_cut():
    """K3: `Now ▲`, not `Now…`; a heading too narrow for its label loses letters, never the arrow."""
    from camtui.tui.calls.table import COLUMNS, header_label

    for column in COLUMNS:
        for arrow in ("▲", "▼"):
            text = header_label(column.label, arrow, column.width, column.align)
            assert text.strip() == f"{column.label} {arrow}", column  # every column has room for it
            assert len(text) == column.width
    assert header_label("Now", "▲", 5, "right") == "Now ▲"
    assert header_label("Now", "▲", 4, "right") == "Now▲"
    assert header_label("Expires", "▼", 5) == "Exp…▼"
    assert header_label("Title", None, 12) == "Title       "
    assert header_label("Trend 30m", None, 4) == "Tre…"

"""The calls pane inside the real app, against the real sandbox and its simulation.

The sandbox and the app share one clock that the test moves by hand, so expiry and countdowns are deterministic;
polling itself runs on real time (short intervals, or `r` for a round now).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot

from camtui.api import CAMClient
from camtui.api.retry import RetryPolicy
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.calls.detail import CallDetailScreen
from camtui.tui.calls.dialogs import CallsConfirm, CallsQuestion
from camtui.tui.calls.model import CallState, EventKind, auto_login_url, is_stale, state_of
from camtui.tui.calls.pane import CallsPane
from camtui.tui.calls.table import CallsTable

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


class MovableClock:
    """One "now" for the sandbox and the app; the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def build_app(sb: Any, store_path: Path, clock: MovableClock, **settings: Any) -> CamApp:
    """The real app with a real client; retries kept short so injected faults surface within a test."""
    client = CAMClient(
        sb.url,
        sb.admin_token,
        read_budget=3.0,
        retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.05, max_retry_after=0.2),
    )
    options = {"calls_poll_seconds": 3600.0, **settings}
    config = Settings.defaults().with_changes(server_url=sb.url, api_token=sb.admin_token, **options)
    return CamApp(
        client, Store.open(store_path), config, clock=clock, server_label="sandbox", close_on_exit=True
    )


async def until(
    pilot: Pilot, condition: Callable[[], bool], what: str = "condition", timeout: float = 15.0
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.02)


def on_screen(table: CallsTable, sid: str) -> str:
    """The row's line as drawn."""
    index = [r.sid for r in table.rows].index(sid)
    return table.render_line(index + 1 - int(table.scroll_offset.y)).text


async def next_round(pilot: Pilot, pane: CallsPane, key: str = "r") -> None:
    done = pane.rounds
    await pilot.press(key)
    await until(pilot, lambda: pane.rounds > done, "a polling round")


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(T0)


@pytest.fixture
def sb(sandbox_factory, clock: MovableClock) -> Any:
    """A sandbox on the test's clock (its calls expire relative to the same "now" the app sees)."""
    return sandbox_factory(now=clock)


@pytest.fixture
def long_flash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CallsTable, "FLASH_SECONDS", 120.0)


async def start(pilot: Pilot) -> CallsPane:
    app = pilot.app
    pane = app.query_one("#calls", CallsPane)
    await pilot.press("2")  # the shell's key: focus the calls pane
    await until(pilot, lambda: pane.rounds >= 1, "first round")
    return pane


async def test_participants_change_on_screen_and_a_join_flashes(sandbox_factory, tmp_path, clock, long_flash):
    sb = sandbox_factory(now=clock)
    live = sb.calls()
    assert live, "the demo data has live calls"
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=tuple(c["sid"] for c in live))
    async with app.run_test(size=(170, 50)) as pilot:
        pane = await start(pilot)
        table = pane.table
        for c in live:
            row = pane.row(c["sid"])
            assert row is not None and row.participants == c["participants"] and row.title == c["title"]
            assert f" {c['participants']} " in on_screen(table, c["sid"])
        before = {c["sid"]: c["participants"] for c in live}
        joined: list[str] = []
        for _ in range(60):
            sb.advance_simulation(1)
            server = {c["sid"]: c["participants"] for c in sb.calls()}
            joined = [s for s, n in before.items() if server.get(s, 0) > n]
            if joined:
                break
        assert joined, "the simulation made someone join"
        await next_round(pilot, pane)
        for sid in before:
            row = pane.row(sid)
            assert row is not None
            now_there = server.get(sid, 0)
            assert row.participants == now_there
            assert f" {now_there} " in on_screen(table, sid)
        sid = joined[0]
        assert table.flashing(sid) is EventKind.JOIN
        assert (sid, EventKind.JOIN) in table.flash_log
        assert any(e.sid == sid and e.kind is EventKind.JOIN for e in pane.events)
        assert not app.error_log


async def test_an_expired_call_shows_expired_and_flashes(sandbox_factory, tmp_path, clock, long_flash):
    sb = sandbox_factory(now=clock)
    live = sb.calls()
    first = min(live, key=lambda c: c["expiredDate"])
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=(first["sid"],))
    async with app.run_test(size=(170, 50)) as pilot:
        pane = await start(pilot)
        assert state_of(pane.row(first["sid"]), clock()) is not CallState.EXPIRED  # type: ignore[arg-type]
        clock.now = datetime.fromtimestamp(first["expiredDate"] / 1000, UTC) + timedelta(minutes=1)
        await next_round(pilot, pane)
        row = pane.row(first["sid"])
        assert row is not None
        assert state_of(row, clock()) is CallState.EXPIRED
        assert row.participants == 0  # the server says so too
        text = on_screen(pane.table, first["sid"])
        assert "✕ expired" in text and " expired " in text
        assert (first["sid"], EventKind.EXPIRE) in pane.table.flash_log
        # C3: hours later it is still "final", not "⚠ old": an expired call needs no polling
        clock.advance(hours=3)
        pane.table.tick()
        text = on_screen(pane.table, first["sid"])
        assert text.rstrip().endswith("final") and "⚠" not in text
        assert not is_stale(row, clock(), pane.interval)


async def test_expired_calls_are_removed_in_one_go_after_one_question(sandbox_factory, tmp_path, clock):
    sb = sandbox_factory(now=clock)
    live = sorted(sb.calls(), key=lambda c: c["expiredDate"])
    assert live[0]["expiredDate"] < live[-1]["expiredDate"]
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=tuple(c["sid"] for c in live))
    async with app.run_test(size=(170, 50)) as pilot:
        pane = await start(pilot)
        await pilot.press("X")
        await pilot.pause()
        assert not isinstance(app.screen, CallsConfirm)  # nothing expired yet: nothing to ask
        assert any("No expired calls" in str(n.message) for n in app._notifications)
        clock.now = datetime.fromtimestamp(live[0]["expiredDate"] / 1000, UTC) + timedelta(minutes=1)
        gone = {c["sid"] for c in live if c["expiredDate"] <= live[0]["expiredDate"]}
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, CallsConfirm)
        assert f"{len(gone)} expired call" in str(app.screen.query(".calls-dialog-text").first().render())
        await pilot.press("n")  # no: nothing changes
        await pilot.pause()
        assert len(pane.watched) == len(live)
        await pilot.press("X", "y")
        await pilot.pause()
        assert {r.sid for r in pane.watched} == {c["sid"] for c in live} - gone
        assert not ({r.sid for r in pane.table.rows} & gone)
    store = Store.open(tmp_path / "s.db")  # the store forgot them too: a restart does not bring them back
    try:
        assert not ({w.sid for w in store.calls.list()} & gone)
    finally:
        store.close()


async def test_an_unknown_id_shows_the_error_state_and_one_toast(sb, tmp_path, clock):
    empty = build_app(sb, tmp_path / "e.db", clock)
    async with empty.run_test(size=(170, 50)):
        pane = empty.query_one("#calls", CallsPane)
        assert pane.query_one("#calls-empty").display  # the empty state explains there is no list-calls API
        assert "cannot list calls" in str(pane.query_one("#calls-empty").render())
    # the add dialog refuses an unknown ID (test_calls_newcomer.py); one from the config is watched and marked
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=("doesNotExist42",))
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2")
        await until(
            pilot, lambda: (r := pane.row("doesNotExist42")) is not None and r.error is not None, "error"
        )
        row = pane.row("doesNotExist42")
        assert row is not None and state_of(row, clock()) is CallState.ERROR
        assert "unknown or invalid call ID (400)" in row.error  # type: ignore[operator]
        assert "! unknown ID" in on_screen(pane.table, "doesNotExist42")
        await next_round(pilot, pane)
        await next_round(pilot, pane)
        toasts = [r for r in app.error_log if r.source == "calls"]
        assert len(toasts) == 1 and "400" in toasts[0].title
        assert app.store.calls.get("doesNotExist42").last_error  # remembered for the next start


async def test_add_dialog_refuses_nonsense_and_accepts_a_share_url(sb, tmp_path, clock):
    live = sb.calls()[0]
    app = build_app(sb, tmp_path / "s.db", clock)
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2", "a")
        await pilot.press(*"no spaces please", "enter")
        error = app.screen.query_one("#calls-prompt-error")
        assert "call ID" in str(error.render())
        field = app.screen.query_one("#calls-prompt-input")
        field.value = live["url"] + "?userName=x"
        await pilot.press("enter")
        await until(
            pilot, lambda: (r := pane.row(live["sid"])) is not None and r.last_ok is not None, "polled"
        )
        assert pane.row(live["sid"]).url == live["url"]  # type: ignore[union-attr]


async def test_faults_mid_run_leave_the_pane_honest_and_it_recovers(sandbox_factory, tmp_path, clock):
    sb = sandbox_factory(now=clock)
    live = sb.calls()
    app = build_app(
        sb, tmp_path / "s.db", clock, watch_calls=tuple(c["sid"] for c in live), calls_poll_seconds=1
    )
    plans = [
        ({"error_503": 1.0}, "503", "retrying", "server unavailable"),
        ({"error_491": 1.0}, "491", "retrying", "rate limited"),
        ({"reset_before": 1.0}, "offline", "offline", "offline"),
    ]
    async with app.run_test(size=(170, 50)) as pilot:
        pane = await start(pilot)
        for plan, reason, connection, words in plans:
            sb.set_faults({**plan, "methods": ["getCallStats"]})
            await until(
                pilot, lambda r=reason: pane.pane_reason is not None and r in pane.pane_reason, reason
            )
            await until(
                pilot,
                lambda: all(is_stale(r, clock(), pane.interval) for r in pane.watched),
                f"every row stale ({reason})",
            )
            for row in pane.watched:
                assert reason in (row.stale_reason or "")
                assert reason in on_screen(pane.table, row.sid)  # the table says why, not just "old"
                assert row.participants is not None  # the last known data stays, marked stale
            assert pane.backoff.slowed
            assert app.connection == connection
            assert "⚠" in str(pane.query_one("#calls-status").render())
            assert words in (pane.pane_reason or "")  # W5: 503 and 491 say different things
            await pilot.pause()
            assert f"stale: {words}" in str(app.status_line.query_one("#status-panes").render())
            sb.clear_faults()
            await until(pilot, lambda: pane.pane_reason is None, "recovered")
            await until(
                pilot, lambda: not any(is_stale(r, clock(), pane.interval) for r in pane.watched), "fresh"
            )
            for _ in range(8):
                if not pane.backoff.slowed:
                    break
                await next_round(pilot, pane)
            assert not pane.backoff.slowed  # back to the configured pace
            await pilot.pause()  # let the app handle the pane's last PaneStatus
            assert app.connection == "connected", (reason, [(r.source, r.title) for r in app.error_log])
        # latency: slower answers, but the pane keeps working and stays fresh
        sb.set_faults({"latency_ms": 300, "methods": ["getCallStats"]})
        clock.advance(seconds=1)
        sb.advance_simulation(3)
        await next_round(pilot, pane)
        server = {c["sid"]: c["participants"] for c in sb.calls()}
        assert all(pane.row(s).participants == server.get(s, 0) for s in server if pane.row(s))  # type: ignore[union-attr]
        assert pane.pane_reason is None
        sb.clear_faults()
        assert len([r for r in app.error_log if r.source == "calls"]) <= 12  # de-duplicated: not one per poll


async def test_auth_failure_stops_polling_until_retried(sb, tmp_path, clock):
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=(sb.calls()[0]["sid"],))
    bad = CAMClient(sb.url, "not-the-token", retry=RetryPolicy(max_attempts=1))
    good = app.client
    app.client = bad
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await until(pilot, lambda: pane.pane_reason == "auth failed", "auth failed")
        rounds = pane.rounds
        await pilot.press("2", "r")
        await pilot.pause(0.2)
        assert pane.rounds == rounds  # no polling while the token is bad
        app.client = good
        await pilot.press("ctrl+r")  # the shell's "retry now"
        await until(pilot, lambda: pane.rounds > rounds and pane.pane_reason is None, "polling again")
    await bad.aclose()


async def test_pause_resume_filter_sort_remove_and_detail(sb, tmp_path, clock):
    live = sb.calls()
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=tuple(c["sid"] for c in live))
    async with app.run_test(size=(170, 50)) as pilot:
        pane = await start(pilot)
        table = pane.table
        # pause: no rounds, and the pane says so
        await pilot.press("p")
        assert pane.paused and pane.pane_reason == "paused"
        rounds = pane.rounds
        await pilot.press("r")
        await pilot.pause(0.2)
        assert pane.rounds == rounds
        assert "paused" in str(pane.query_one("#calls-status").render())
        await next_round(pilot, pane, "p")
        assert not pane.paused and pane.pane_reason is None
        # filter
        target = live[0]
        await pilot.press("slash")
        await pilot.press(*target["sid"][:10])
        assert [r.sid for r in table.rows] == [target["sid"]]
        await pilot.press("escape")
        assert len(table.rows) == len(live)
        # sort: by title, then reversed
        await pilot.press("s")
        titles = [r.title.casefold() for r in table.rows]
        assert titles == sorted(titles)
        await pilot.press("S")
        assert [r.title.casefold() for r in table.rows] == sorted(titles, reverse=True)
        # detail: share URL, auto-login URL builder, clipboard
        table.select(target["sid"])
        await pilot.press("enter")
        assert isinstance(app.screen, CallDetailScreen)
        share = target["url"]
        assert str(app.screen.query_one("#calls-detail-share").render()) == share
        await pilot.press("ctrl+y")  # the one copy key (shell/keys.py), the same in the pane and the dialogs
        assert app.clipboard == share
        app.screen.query_one("#calls-detail-user").value = "太郎 山田"
        app.screen.query_one("#calls-detail-password").value = "p&w"
        await pilot.pause()
        expected = auto_login_url(share, "太郎 山田", "p&w")
        assert expected.endswith("?userName=%E5%A4%AA%E9%83%8E%20%E5%B1%B1%E7%94%B0&password=p%26w")
        # the preview masks the password like its field until revealed (issue 11)
        masked = str(app.screen.query_one("#calls-detail-login").render())
        assert "p%26w" not in masked and masked.endswith("&password=••••••")
        await pilot.press("ctrl+o")
        assert str(app.screen.query_one("#calls-detail-login").render()) == expected
        await pilot.press("ctrl+l")
        assert app.clipboard == expected  # what is copied is the real URL
        await pilot.press("escape")  # leaves the input? no: the screen's escape closes it
        assert not isinstance(app.screen, CallDetailScreen)
        # remove, with confirmation
        table.select(target["sid"])
        await pilot.press("d", "n")
        assert pane.row(target["sid"]) is not None
        await pilot.press("d", "y")
        assert pane.row(target["sid"]) is None
        assert not app.store.calls.is_watched(target["sid"])
        assert len(table.rows) == len(live) - 1


async def test_watched_calls_and_history_survive_a_restart(sandbox_factory, tmp_path, clock):
    sb = sandbox_factory(now=clock)
    live = sb.calls()
    store_path = tmp_path / "s.db"
    app = build_app(sb, store_path, clock, watch_calls=(live[0]["sid"],))
    async with app.run_test(size=(170, 50)) as pilot:
        pane = await start(pilot)
        await pilot.press("a")
        await pilot.press(*live[1]["sid"], "enter")
        await until(
            pilot, lambda: (r := pane.row(live[1]["sid"])) is not None and r.last_ok is not None, "added"
        )
        first_points = {r.sid: list(r.history) for r in pane.watched}
    assert all(first_points.values())
    clock.advance(minutes=5)
    again = build_app(sb, store_path, clock)  # no watch list in the config this time
    async with again.run_test(size=(170, 50)) as pilot:
        pane = again.query_one("#calls", CallsPane)
        assert {r.sid for r in pane.watched} == {live[0]["sid"], live[1]["sid"]}
        for row in pane.watched:
            assert (
                row.history[: len(first_points[row.sid])] == first_points[row.sid]
            )  # the sparkline continues
        await until(pilot, lambda: pane.rounds >= 1, "first round")
        for row in pane.watched:
            assert row.last_ok == clock()
            assert len(row.history) > len(first_points[row.sid])  # a new point after the pause in watching


async def test_a_call_about_to_expire_warns_and_one_key_makes_a_successor(sandbox_factory, tmp_path, clock):
    sb = sandbox_factory(now=clock)
    app = build_app(sb, tmp_path / "s.db", clock)
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2", "n")
        screen = app.screen
        screen.query_one("#calls-create-title").value = "障害対応ブリッジ"
        screen.query_one("#calls-create-password").value = "s3cret"
        screen.query_one("#calls-create-expiry").value = "in 30 minutes"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.result is not None, "created")
        sid = screen.result.sid
        await pilot.press("escape")
        for _ in range(100):  # until somebody joins the new call
            if any(c["sid"] == sid and c["participants"] > 0 for c in sb.calls()):
                break
            sb.advance_simulation(1)
        await next_round(pilot, pane)
        row = pane.row(sid)
        assert row is not None and row.participants
        clock.advance(minutes=25)  # 5 minutes left, people still in it
        await until(pilot, lambda: row.warned_expiry, "the expiry warning")
        # The toast is a message to the app: it lands a moment after the row is marked warned.
        await until(
            pilot, lambda: any("successor" in str(n.message) for n in app._notifications), "the toast"
        )
        before = {c["sid"] for c in sb.calls()}
        await pilot.press("N")  # C13: asks first, in one line; "n" (or a second stray N) creates nothing
        assert isinstance(app.screen, CallsQuestion)
        until_local = (clock() + timedelta(hours=1)).astimezone(ZoneInfo("Asia/Tokyo"))  # at least an hour
        assert (
            app.screen.question == f"Create successor call '障害対応ブリッジ' until {until_local:%H:%M}? y/n"
        )
        await pilot.press("N", "enter")
        assert isinstance(app.screen, CallsQuestion)  # neither shift+n nor enter answers yes
        await pilot.press("n")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, CallsQuestion)
        assert {c["sid"] for c in sb.calls()} == before and len(pane.watched) == 1
        await pilot.press("N", "y")
        await until(pilot, lambda: any(r.origin == "successor" for r in pane.watched), "successor watched")
        successor = next(r for r in pane.watched if r.origin == "successor")
        assert successor.sid not in before
        assert (successor.title, successor.password) == ("障害対応ブリッジ", "s3cret")
        assert successor.expires is not None and successor.expires > clock() + timedelta(minutes=29)
        made = next(c for c in sb.calls() if c["sid"] == successor.sid)
        assert made["title"] == "障害対応ブリッジ"


async def test_polling_resumes_by_itself_when_a_call_is_added_to_an_emptied_list(sb, tmp_path, clock):
    first, second = sb.calls()[:2]
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=(first["sid"],), calls_poll_seconds=1)
    async with app.run_test(size=(170, 50)) as pilot:
        pane = await start(pilot)
        pane.unwatch_call(first["sid"])
        assert pane.query_one("#calls-empty").display
        idle_from = pane.rounds
        await until(pilot, lambda: pane._round_timer is None, "polling idle with nothing to poll")
        assert pane.rounds <= idle_from + 1
        pane.watch_call(second["sid"])
        rounds = pane.rounds
        await until(pilot, lambda: pane.rounds >= rounds + 2, "regular rounds again, without a key press")
        assert pane.row(second["sid"]).last_ok is not None  # type: ignore[union-attr]


async def test_garbled_answers_mark_rows_stale_without_a_toast_per_round(sb, tmp_path, clock):
    live = sb.calls()
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=tuple(c["sid"] for c in live))
    async with app.run_test(size=(170, 50)) as pilot:
        pane = await start(pilot)
        sb.set_faults({"garbage": 1.0, "methods": ["getCallStats"]})
        for _ in range(3):
            await next_round(pilot, pane)
        for row in pane.watched:
            assert "500" in (row.stale_reason or "")
            assert "500 err" in on_screen(pane.table, row.sid)
            assert row.participants is not None
        assert not pane.backoff.slowed  # a broken answer is not a busy server
        assert len([r for r in app.error_log if r.source == "calls"]) == 1
        sb.clear_faults()
        await next_round(pilot, pane)
        assert not any(r.stale_reason for r in pane.watched)


async def test_a_dead_server_stops_the_round_early_and_every_row_says_offline(sb, tmp_path, clock):
    async with CAMClient(sb.url, sb.admin_token) as maker:
        made = [await maker.create_quick_call(clock() + timedelta(hours=2), "", f"c{i}") for i in range(24)]
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=tuple(c.sid for c in made))
    async with app.run_test(size=(170, 50)) as pilot:
        pane = await start(pilot)
        assert all(r.last_ok is not None for r in pane.watched)
        sb.set_faults({"reset_before": 1.0, "methods": ["getCallStats"]})
        before = sb.stats()["faults"].get("reset_before", 0)
        await next_round(pilot, pane)
        attempts = sb.stats()["faults"].get("reset_before", 0) - before
        assert 0 < attempts < 2 * len(made)  # the breaker stopped the round: not every call was tried (twice)
        for row in pane.watched:
            assert row.stale_reason == "offline" and "offline" in on_screen(pane.table, row.sid)
            assert row.history[-1][1] == -1  # the history shows a gap from here, not an invented count
        assert pane.pane_reason is not None and "offline" in pane.pane_reason
        sb.clear_faults()
        await next_round(pilot, pane)
        assert not any(r.stale_reason for r in pane.watched)


# -- QA second round ------------------------------------------------------------------------------------------


async def test_a_poll_that_gets_no_answer_is_told_in_words(sb, tmp_path, clock, monkeypatch):
    """W5: the pane's own time limit reads "calls: no answer within … s", never a Python class name."""
    monkeypatch.setattr(CallsPane, "MIN_POLL_TIMEOUT", 0.3)
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=(sb.calls()[0]["sid"],), calls_poll_seconds=0.2)
    async with app.run_test(size=(170, 50)) as pilot:
        pane = await start(pilot)
        sb.set_faults({"latency_ms": 1500, "methods": ["getCallStats"]})
        await until(pilot, lambda: "no answer" in (pane.pane_reason or ""), "the time limit")
        await pilot.pause()
        assert pane.pane_reason is not None and pane.pane_reason.startswith("no answer within 0.3 s")
        titles = [str(n.title) for n in app._notifications]
        assert "calls: no answer within 0.3 s" in titles
        shown = titles + [str(n.message) for n in app._notifications] + [r.title for r in app.error_log]
        assert not any("PollTimeout" in text or "Error" in text for text in shown), shown
        row = pane.watched[0]
        assert "no answer" in on_screen(pane.table, row.sid)
        assert "stale: no answer within 0.3 s" in str(app.status_line.query_one("#status-panes").render())
        sb.clear_faults()


async def test_successor_from_the_detail_view_asks_first(sb, tmp_path, clock):
    """C13: `N` in the call detail asks "Create successor call 'TITLE' until HH:MM? y/n" before any call exists."""
    app = build_app(sb, tmp_path / "s.db", clock)
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2")
        call = await app.client.create_quick_call(clock() + timedelta(hours=2), "pw12", "QA テスト会議")
        pane._created(call)
        await until(pilot, lambda: pane.row(call.sid).last_ok is not None, "first poll")  # type: ignore[union-attr]
        before = {c["sid"] for c in sb.calls()}
        await pilot.press("enter")
        assert isinstance(app.screen, CallDetailScreen)
        await pilot.press("N")
        question = app.screen
        assert isinstance(question, CallsQuestion)
        until_local = (clock() + timedelta(hours=2)).astimezone(ZoneInfo("Asia/Tokyo"))
        assert question.question == f"Create successor call 'QA テスト会議' until {until_local:%H:%M}? y/n"
        assert str(question.query_one("#calls-question-text").render()) == question.question
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert isinstance(app.screen, CallDetailScreen)  # back in the detail; nothing created
        assert {c["sid"] for c in sb.calls()} == before
        await pilot.press("N", "y")
        await until(pilot, lambda: any(r.origin == "successor" for r in pane.watched), "successor")
        made = next(r for r in pane.watched if r.origin == "successor")
        assert made.sid not in before and (made.title, made.password) == ("QA テスト会議", "pw12")
        assert made.expires == clock() + timedelta(hours=2)


@pytest.mark.parametrize("width", [170, 80])
async def test_the_sorted_column_keeps_its_arrow(sb, tmp_path, clock, width):
    """K3: `Now ▲` in the header, not `Now…`, at the default and at an 80-column terminal."""
    app = build_app(sb, tmp_path / "s.db", clock, watch_calls=tuple(c["sid"] for c in sb.calls()))
    async with app.run_test(size=(width, 40)) as pilot:
        pane = await start(pilot)
        table = pane.table
        seen = set()
        for _ in range(len(table._columns_for(table.size.width)) + 3):
            await pilot.press("s")
            if table.sort_key is None:
                continue
            shown = [c.key for c, _w in table._columns_for(table.size.width)]
            if table.sort_key not in shown:
                continue  # a column hidden at this width: nothing to draw
            label = next(c.label for c, _w in table._columns_for(table.size.width) if c.key == table.sort_key)
            header = table.render_line(0).text
            assert "▲" in header, header
            if table.sort_key != "title" or width > 100:
                assert f"{label} ▲" in header, header
            seen.add(table.sort_key)
        assert "now" in seen
        while table.sort_key != "now":
            await pilot.press("s")
        await pilot.press("S")
        assert "Now ▼" in table.render_line(0).text

"""The Alerts view inside the real app, against the real sandbox: rules and their states, snooze and mute, a
firing with what was sent (and sent once), the status line's count, the empty state, a read-only dashboard."""

from __future__ import annotations

from pathlib import Path

from alerts_support import MovableClock, build_app, calls_round, quick_call, set_participants, until
from rich.cells import cell_len
from textual.widgets import DataTable, Static

from camtui.tui.alerts.screen import AlertsScreen


def _rules(sid: str) -> tuple[dict, ...]:
    return (
        {
            "name": "empty call",
            "call": sid,
            "when": "participants == 0",
            "for": "0s",
            "send": {"users": ["user1@xxx.com"], "text": "{call.title} is empty"},
        },
        {"name": "crowd", "call": sid, "when": "participants >= 5", "for": "30s"},
    )


def _cells(screen: AlertsScreen) -> dict[str, tuple[str, ...]]:
    """The rules table's rows; every cell fits its column (a state that grows, "armed" → "pending 10s of 5m",
    widens the column rather than being cut)."""
    table = screen.query_one(DataTable)
    rows = {str(key.value): tuple(str(c) for c in table.get_row(key)) for key in table.rows}
    for index, column in enumerate(table.ordered_columns):
        widest = max((cell_len(cells[index]) for cells in rows.values()), default=0)
        assert column.content_width >= widest, (column.label, widest)
    return rows


async def test_rules_states_snooze_mute_and_a_firing_sent_once(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    call = await quick_call(sb, clock, "週次定例")
    app = build_app(sb, tmp_path / "store.db", clock, _rules(call.sid), watch=(call.sid,))
    async with app.run_test(size=(160, 44)) as pilot:
        calls = app.query_one("#calls")
        await until(pilot, lambda: calls.rounds >= 1 or calls.row(call.sid).last_ok is not None, "first poll")
        await calls_round(pilot)
        await until(pilot, lambda: len(sb.delivered_messages()) == 1, "the alert's message")
        assert sb.delivered_messages()[0]["text"] == "週次定例 is empty"
        assert app.status_line.alerts_text == "⚑ 1 alert (5)"

        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the Alerts view")
        screen = app.screen
        await until(pilot, lambda: "sent to messenger" in screen._firings_text, "what was sent")
        cells = _cells(screen)
        assert cells["empty call"][3] == "fired at 10:00"
        assert cells["crowd"][3] == "armed"
        assert cells["crowd"][2] == "participants >= 5 for 30s"
        text = screen._firings_text
        assert "Last firings of “empty call”" in text
        assert "message to user1@xxx.com: sent to messenger (1 recipient)" in text

        # the condition stays true: another round sends nothing more
        await pilot.press("escape")
        await calls_round(pilot)
        await pilot.pause(0.2)
        assert len(sb.delivered_messages()) == 1

        # people join: the crowd rule goes pending, the empty one re-arms (its episode is over)
        set_participants(sb, call.sid, 6)
        await calls_round(pilot)
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the Alerts view")
        screen = app.screen
        await until(pilot, lambda: _cells(screen)["crowd"][3].startswith("pending"), "crowd pending")
        assert _cells(screen)["empty call"][3] == "armed"
        assert app.status_line.alerts_text == ""

        # snooze the selected rule (crowd is the second row), then mute everything and unmute
        await pilot.press("down", "s")
        await until(pilot, lambda: _cells(screen)["crowd"][3] == "snoozed until 10:15", "snoozed 15 m")
        await pilot.press("h")
        await until(pilot, lambda: _cells(screen)["crowd"][3] == "snoozed until 11:00", "snoozed 1 h")
        await pilot.press("t")
        await until(pilot, lambda: _cells(screen)["crowd"][3] == "snoozed until Fri 00:00", "until tomorrow")
        await pilot.press("u")
        await until(pilot, lambda: _cells(screen)["crowd"][3].startswith("pending"), "unsnoozed")
        await pilot.press("m")
        await until(pilot, lambda: set(c[3] for c in _cells(screen).values()) == {"muted"}, "all muted")
        assert "all muted" in str(screen.query_one("#alerts-title", Static).render())
        await pilot.press("m")
        await until(pilot, lambda: "muted" not in {c[3] for c in _cells(screen).values()}, "unmuted")


async def test_no_rules_says_how_to_add_one(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    app = build_app(sb, tmp_path / "store.db", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the Alerts view")
        empty = app.screen.query_one("#alerts-empty", Static)
        assert empty.display
        assert "[[alerts]]" in str(empty.render())
        assert not app.screen.query_one(DataTable).display
        await pilot.press("s")  # nothing to snooze: says so, does not fail
        await pilot.press("5")
        await until(pilot, lambda: not isinstance(app.screen, AlertsScreen), "back")


async def test_a_broken_rule_is_named_not_hidden(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    rules = ({"name": "bad", "call": "abc", "when": "participants === 0"},)
    app = build_app(sb, tmp_path / "store.db", clock, rules)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the Alerts view")
        text = str(app.screen.query_one("#alerts-empty", Static).render())
        assert "not used" in text and "bad" in text and "when" in text


async def test_read_only_dashboard_toasts_but_sends_nothing(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    call = await quick_call(sb, clock, "壁の表示")
    app = build_app(sb, tmp_path / "store.db", clock, _rules(call.sid), watch=(call.sid,), read_only=True)
    async with app.run_test(size=(160, 44)) as pilot:
        await calls_round(pilot)
        await until(pilot, lambda: app.status_line.alerts_text == "⚑ 1 alert (5)", "the firing")
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the Alerts view")
        screen = app.screen
        assert "Read-only dashboard" in str(screen.query_one("#alerts-note", Static).render())
        assert "not done (read-only dashboard): message to user1@xxx.com" in screen._firings_text
        await pilot.pause(0.3)
        assert sb.delivered_messages() == []
        assert app.store.outbox.list() == []


async def test_help_and_palette_name_the_view_its_keys_and_the_marks(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    app = build_app(sb, tmp_path / "store.db", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        sections = dict(app.help_sections())
        assert ("5, alt+5", "Alerts view") in sections["Everywhere"]
        alerts = dict((desc, keys) for keys, desc in sections["Alerts view (5)"])
        assert alerts["Snooze 15 m"] == "s" and alerts["Snooze until tomorrow"] == "t"
        assert alerts["Mute all / unmute"] == "m"
        marks = dict(sections["Rooms grid marks (alert rules)"])
        assert marks["∅"].startswith("ghost meeting") and marks["⊕"].startswith("squatter")
        assert ("l", "Link to a room…") in sections["Calls"]
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Alerts…" in titles


async def test_a_toast_only_rule_records_its_toast_as_done(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    call = await quick_call(sb, clock, "トースト")
    rules = ({"name": "empty", "call": call.sid, "when": "participants == 0"},)
    app = build_app(sb, tmp_path / "store.db", clock, rules, watch=(call.sid,), read_only=True)
    async with app.run_test(size=(160, 44)) as pilot:
        await calls_round(pilot)
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the Alerts view")
        screen = app.screen
        await until(
            pilot, lambda: "    toast: empty: call トースト" in screen._firings_text, "the toast, done"
        )
        assert "planned" not in screen._firings_text and "not done" not in screen._firings_text


async def test_expiry_guard_makes_one_successor_shown_in_the_calls_pane(
    sandbox_factory, tmp_path: Path
) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    call = await quick_call(sb, clock, "長い会議", minutes=5)
    set_participants(sb, call.sid, 4)
    rules = (
        {
            "name": "expiry guard",
            "call": call.sid,
            "when": "expires_within 10m and participants > 0",
            "successor": {
                "expires_in": "2h",
                "send": {"users": ["user1@xxx.com"], "text": "new link: {successor.url}"},
            },
        },
    )
    app = build_app(sb, tmp_path / "store.db", clock, rules, watch=(call.sid,))
    async with app.run_test(size=(160, 44)) as pilot:
        calls = app.query_one("#calls")
        await calls_round(pilot)
        await until(pilot, lambda: len(calls.watched) == 2, "the successor in the calls pane")
        successor = next(r for r in calls.watched if r.sid != call.sid)
        assert successor.origin == "successor"
        await until(pilot, lambda: len(sb.delivered_messages()) == 1, "the link message")
        assert sb.delivered_messages()[0]["text"] == f"new link: {successor.url}"
        await calls_round(pilot)  # still within 10 minutes, people still in it: nothing new
        await pilot.pause(0.3)
        assert len(calls.watched) == 2 and len(sb.delivered_messages()) == 1
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the Alerts view")
        await until(pilot, lambda: "successor call: created" in app.screen._firings_text, "the record")
        assert "message to user1@xxx.com: sent to messenger" in app.screen._firings_text


async def test_an_unknown_outcome_is_shown_and_not_resent(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    call = await quick_call(sb, clock, "不明")
    app = build_app(sb, tmp_path / "store.db", clock, _rules(call.sid), watch=(call.sid,))
    sb.set_faults({"reset_after": 1.0, "methods": ["sendMessage"]})
    async with app.run_test(size=(160, 44)) as pilot:
        await calls_round(pilot)
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the Alerts view")
        screen = app.screen
        await until(pilot, lambda: "outcome unknown" in screen._firings_text, "the unknown outcome", 30)
        assert "kept in the outbox (not resent)" in screen._firings_text
        entries = app.store.outbox.list()
        assert [e.state for e in entries] == ["unknown"]
        sb.clear_faults()
        await pilot.press("escape")
        await calls_round(pilot)
        await pilot.pause(0.3)
        assert [e.state for e in app.store.outbox.list()] == ["unknown"]


async def test_a_failed_round_is_unknown_not_a_change(sandbox_factory, tmp_path: Path) -> None:
    """The calls pane hands a failed poll over as unknown: the rule goes stale, it neither goes pending nor
    re-arms on the last number seen; the next good round decides again."""
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    call = await quick_call(sb, clock, "不安定")
    set_participants(sb, call.sid, 2)
    app = build_app(sb, tmp_path / "store.db", clock, _rules(call.sid), watch=(call.sid,))
    async with app.run_test(size=(160, 44)) as pilot:
        await calls_round(pilot)
        await pilot.press("5")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen), "the Alerts view")
        screen = app.screen
        await until(pilot, lambda: _cells(screen)["crowd"][3] == "armed", "armed on good data")
        set_participants(sb, call.sid, 6)
        sb.set_faults({"error_503": 1.0, "methods": ["getCallStats"]})
        await calls_round(pilot)
        await until(pilot, lambda: _cells(screen)["crowd"][3] == "stale", "stale on a failed round")
        assert _cells(screen)["empty call"][3] == "stale"
        sb.clear_faults()
        clock.advance(seconds=10)
        await calls_round(pilot)
        await until(pilot, lambda: _cells(screen)["crowd"][3].startswith("pending"), "pending on good data")
        assert sb.delivered_messages() == []

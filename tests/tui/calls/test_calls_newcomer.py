"""Issue 11, a newcomer's pass over the calls pane: what the screen says is true, one key per action.

The real app against the real sandbox (and, for "unreachable", a client pointed at a port nobody listens on).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from camtui.api import CAMClient
from camtui.api.retry import RetryPolicy
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.calls.add import AddCallDialog, judge_check
from camtui.tui.calls.create import QuickCallDialog
from camtui.tui.calls.detail import CallDetailScreen
from camtui.tui.calls.model import CallRow, CallState, fmt_duration, login_url_preview, state_of
from camtui.tui.calls.pane import CallsPane
from camtui.tui.calls.table import CallsTable
from camtui.tui.shell import keys
from camtui.tui.shell.clipboard import (
    DROPPED_TITLE,
    SENT_TITLE,
    ClipboardScreen,
    clipboard_note,
    send_to_clipboard,
    tmux_drops_osc52,
    tmux_set_clipboard,
)
from camtui.tui.shell.help import readable_keys

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def build(url: str, token: str, store_path: Path, clock: Clock, **settings: Any) -> CamApp:
    client = CAMClient(
        url,
        token,
        read_budget=2.0,
        retry=RetryPolicy(max_attempts=1, base_delay=0.01, max_delay=0.05, max_retry_after=0.2),
    )
    options = {"calls_poll_seconds": 3600.0, **settings}
    config = Settings.defaults().with_changes(server_url=url, api_token=token, **options)
    return CamApp(
        client, Store.open(store_path), config, clock=clock, server_label="sandbox", close_on_exit=True
    )


async def until(pilot: Pilot, condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.02)


def free_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sb(sandbox_factory, clock: Clock) -> Any:
    return sandbox_factory(now=clock)


# -- pure parts -------------------------------------------------------------------------------------------------


def test_clipboard_note_names_the_tmux_setting_only_under_tmux() -> None:
    under_tmux = clipboard_note({"TMUX": "/tmp/tmux-1000/default,1,0"})
    assert "set -g set-clipboard on" in under_tmux
    plain = clipboard_note({})
    assert "OSC 52" in plain and "tmux" not in plain
    assert "Copied" not in SENT_TITLE and "OSC 52" in SENT_TITLE


def test_login_preview_masks_the_password_until_revealed() -> None:
    share = "https://example.jp/share/abcd1234"
    masked = login_url_preview(share, "太郎", "s3cret", reveal=False)
    assert "s3cret" not in masked and masked.endswith("&password=••••••")
    assert login_url_preview(share, "太郎", "s3cret", reveal=True).endswith("&password=s3cret")
    assert "password" not in login_url_preview(share, "太郎", "", reveal=False)  # nothing to hide


def test_one_countdown_form() -> None:
    assert [fmt_duration(s) for s in (53, 653, 8993, 90000)] == ["53s", "10m53s", "2h29m", "1d01h"]


def test_shared_actions_have_one_binding_object_each() -> None:
    """copy / reveal / poll interval are declared once (shell/keys.py) and listed by every class offering them."""
    from camtui.tui.rooms.pane import RoomsPane

    def ids(cls: type) -> set[str]:
        return {b.id for b in cls.BINDINGS if getattr(b, "id", None)}  # type: ignore[union-attr]

    assert {"copy-share", "poll-slower", "poll-faster", "successor-call"} <= ids(CallsPane)
    assert {"copy-share", "copy-login", "reveal-password", "successor-call"} <= ids(CallDetailScreen)
    assert {"copy-share", "copy-login", "reveal-password"} <= ids(QuickCallDialog)
    assert {"poll-slower", "poll-faster"} <= ids(RoomsPane)
    for cls in (CallsPane, CallDetailScreen, QuickCallDialog, RoomsPane):
        for binding in cls.BINDINGS:
            shared = next((s for s in keys.SHARED if s.id == getattr(binding, "id", None)), None)
            if shared is not None:  # same key and action wherever it is offered
                assert (binding.key, binding.action) == (shared.key, shared.action)  # type: ignore[union-attr]


def test_keymap_file_rebinds_by_id_and_names_typos(tmp_path: Path) -> None:
    path = tmp_path / "keymap.toml"
    path.write_text('copy-share = "c"\ncopy-sahre = "x"\nreveal-password = 3\n', encoding="utf-8")
    keymap, problems = keys.load_keymap(path)
    assert keymap == {"copy-share": "c"}
    assert len(problems) == 2 and "copy-sahre" in problems[0] and "reveal-password" in problems[1]
    assert keys.load_keymap(tmp_path / "none.toml") == ({}, [])


def test_an_unknown_id_is_refused_an_unreachable_server_is_not() -> None:
    from camtui.api.errors import CAMAPIError, TransportError

    refusal, unchecked = judge_check(CAMAPIError("400", "bad sid", http_status=400))
    assert refusal is not None and "400" in refusal and unchecked is None
    refusal, unchecked = judge_check(TransportError("connection refused"))
    assert refusal is None and unchecked == "offline"
    assert judge_check(None) == (None, None)


# -- in the app -------------------------------------------------------------------------------------------------


async def test_copy_says_it_was_sent_by_osc52_and_shows_the_text(sb, tmp_path, clock) -> None:
    live = sb.calls()[0]
    app = build(sb.url, sb.admin_token, tmp_path / "s.db", clock, watch_calls=(live["sid"],))
    async with app.run_test(size=(170, 50), notifications=True) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2")
        await until(pilot, lambda: pane.rounds >= 1, "first round")
        await pilot.press("ctrl+y")
        assert app.clipboard == live["url"]
        sent = [n for n in app._notifications if n.title == SENT_TITLE]
        assert sent and live["url"] in sent[-1].message  # the text itself, to select if it did not arrive
        assert not [n for n in app._notifications if "Copied" in (n.title or "") + n.message]
        # the help lists the copy key once, and the dialogs' keys too
        sections = {t: [(readable_keys(k), d) for k, d in rows] for t, rows in app.help_sections()}
        assert ("ctrl+y", "Copy share URL") in sections["Calls"]
        assert ("ctrl+l", "Copy auto-login URL") in sections["Call detail"]
        assert ("ctrl+o", "Show/hide passwords") in sections["New call"]


async def test_keymap_file_changes_the_key_and_the_hint(sb, tmp_path, clock) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    (tmp_path / "keymap.toml").write_text('copy-share = "ctrl+k"\n', encoding="utf-8")
    live = sb.calls()[0]
    app = build(sb.url, sb.admin_token, tmp_path / "s.db", clock, watch_calls=(live["sid"],))
    app.settings = app.settings.with_changes(config_path=str(config))
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2")
        await until(pilot, lambda: pane.rounds >= 1, "first round")
        await pilot.press("ctrl+k")
        assert app.clipboard == live["url"]
        await pilot.press("enter")
        assert isinstance(app.screen, CallDetailScreen)
        hint = str(app.screen.query_one(".calls-dialog-hint").render())
        assert "ctrl+k copy share URL" in hint and "ctrl+y" not in hint
        sections = {t: [(readable_keys(k), d) for k, d in rows] for t, rows in app.help_sections()}
        assert ("ctrl+k", "Copy share URL") in sections["Calls"]  # the help reads the keymap too
        assert ("ctrl+k", "Copy share URL") in sections["Call detail"]
        assert not any(k == "ctrl+y" for k, _ in sections["Calls"] + sections["Call detail"])


async def test_the_add_dialog_checks_the_id_first(sb, tmp_path, clock) -> None:
    live = sb.calls()[0]
    app = build(sb.url, sb.admin_token, tmp_path / "s.db", clock)
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2", "a")
        dialog = app.screen
        assert isinstance(dialog, AddCallDialog)
        await pilot.press(*"doesNotExist42", "enter")
        error = dialog.query_one("#calls-prompt-error")
        await until(pilot, lambda: not dialog.checking, "the check")
        assert app.screen is dialog  # refused in the dialog, with the reason
        assert "no such call" in str(error.render()) and "400" in str(error.render())
        assert pane.row("doesNotExist42") is None and not app.store.calls.is_watched("doesNotExist42")
        dialog.query_one("#calls-prompt-input").value = live["sid"]
        await pilot.press("enter")
        await until(pilot, lambda: pane.row(live["sid"]) is not None, "added")
        row = pane.row(live["sid"])
        assert row is not None and row.title == live["title"] and row.unchecked is None


async def test_an_unreachable_server_adds_the_call_marked_unchecked(tmp_path, clock) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    app = build(url, "token", tmp_path / "s.db", clock)
    async with app.run_test(size=(170, 50), notifications=True) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2", "a")
        await pilot.press(*"wellFormedId42", "enter")
        await until(pilot, lambda: pane.row("wellFormedId42") is not None, "added unchecked", timeout=30)
        row = pane.row("wellFormedId42")
        assert row is not None and row.unchecked == "offline"
        assert app.store.calls.is_watched("wellFormedId42")
        assert any("unchecked" in n.message for n in app._notifications)
        table = pane.query_one(CallsTable)
        await pilot.pause()
        line = table.render_line(1 + [r.sid for r in table.rows].index("wellFormedId42")).text
        assert "unchecked" in line


async def test_repeated_titles_bring_in_the_id_column(sb, tmp_path, clock) -> None:
    app = build(sb.url, sb.admin_token, tmp_path / "s.db", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        table = pane.query_one(CallsTable)
        await pilot.press("2")  # the pane beside the composer, as it opens
        until_ = clock() + timedelta(hours=2)
        first = await app.client.create_quick_call(until_, "", "週次定例")
        pane._created(first)
        other = await app.client.create_quick_call(until_, "", "朝会")
        pane._created(other)
        await pilot.pause()
        assert "ID" not in table.render_line(0).text.split()  # no repeat: the ID gives way to the rest
        again = await app.client.create_quick_call(until_, "", "週次定例")
        pane._created(again)
        await until(pilot, lambda: table.titles_repeat, "two calls titled 週次定例")
        await pilot.pause()
        assert "ID" in table.render_line(0).text.split()
        lines = [table.render_line(y).text for y in range(1, 4)]
        for call in (first, again):
            assert any(call.sid[:7] in line for line in lines)  # the two 週次定例 rows read differently


async def test_new_call_dialog_says_expiry_in_the_same_form(sb, tmp_path, clock) -> None:
    app = build(sb.url, sb.admin_token, tmp_path / "s.db", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2", "n")
        dialog = app.screen
        assert isinstance(dialog, QuickCallDialog)
        dialog.query_one("#calls-create-expiry").value = "in 90 minutes"
        await pilot.pause()
        preview = str(dialog.query_one("#calls-create-expiry-preview").render())
        assert preview.endswith("in 1h30m") and ":" not in preview.rsplit("in ", 1)[1]
        hint = " ".join(str(w.render()) for w in dialog.query(".calls-dialog-hint"))
        assert (
            "ctrl+o show/hide" in hint and "ctrl+y copy URL" in hint and "ctrl+l copy auto-login URL" in hint
        )


def test_unchecked_state_reads_as_such() -> None:
    row = CallRow(sid="x" * 8, unchecked="offline")
    assert state_of(row, T0) is CallState.PENDING
    from camtui.tui.calls.model import apply_stats, state_text

    assert state_text(row, T0) == "pending · unchecked (offline)"
    apply_stats(
        row,
        now=T0,
        title="t",
        created=None,
        expires=T0 + timedelta(hours=1),
        participants=0,
        in_progress=False,
    )
    assert row.unchecked is None


@pytest.fixture
def tmux_env(tmp_path: Path) -> Any:
    """A real tmux server of the test's own (its socket under tmp_path), and the env a program in it would see."""
    import shutil
    import subprocess

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    socket_path = tmp_path / "tmux.sock"
    subprocess.run(["tmux", "-S", str(socket_path), "-f", "/dev/null", "new-session", "-d"], check=True)
    env = {"TMUX": f"{socket_path},0,0", "PATH": os.environ.get("PATH", "")}
    try:
        yield env, socket_path
    finally:
        subprocess.run(["tmux", "-S", str(socket_path), "kill-server"], check=False)


def test_tmux_is_asked_for_its_set_clipboard(tmux_env) -> None:
    import subprocess

    env, socket_path = tmux_env
    assert tmux_set_clipboard(env) == "external"  # tmux's default: programs in a pane cannot set it
    assert tmux_drops_osc52("external") and tmux_drops_osc52("off") and not tmux_drops_osc52("on")
    subprocess.run(["tmux", "-S", str(socket_path), "set", "-g", "set-clipboard", "on"], check=True)
    assert tmux_set_clipboard(env) == "on"
    assert tmux_set_clipboard({}) is None  # not under tmux: nothing to ask


async def test_under_a_dropping_tmux_the_text_is_shown_to_select(sb, tmp_path, clock, tmux_env) -> None:
    import subprocess

    env, socket_path = tmux_env
    live = sb.calls()[0]
    app = build(sb.url, sb.admin_token, tmp_path / "s.db", clock, watch_calls=(live["sid"],))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        said = send_to_clipboard(app, live["url"], env=env)
        await pilot.pause()
        assert said == DROPPED_TITLE and isinstance(app.screen, ClipboardScreen)
        assert str(app.screen.query_one("#clipboard-text").render()) == live["url"]
        assert "set -g set-clipboard on" in str(app.screen.query_one("#clipboard-why").render())
        lines = [strip.text for strip in app.screen._compositor.render_strips()]
        assert any(
            line.strip() == live["url"] for line in lines
        )  # on a line of its own, whole, at 80 columns
        await pilot.press("enter")
        assert not isinstance(app.screen, ClipboardScreen)
        subprocess.run(["tmux", "-S", str(socket_path), "set", "-g", "set-clipboard", "on"], check=True)
        send_to_clipboard(app, live["url"], env=env)
        await pilot.pause()
        assert not isinstance(app.screen, ClipboardScreen)  # it may arrive: a toast says it was sent
        assert any(n.title == SENT_TITLE for n in app._notifications)


async def test_a_slow_server_adds_the_call_unchecked_after_the_wait(sb, tmp_path, clock, monkeypatch) -> None:
    """The dialog does not hang on a server that does not answer: after CHECK_SECONDS the call is added unchecked."""
    from camtui.tui.calls import add

    monkeypatch.setattr(add, "CHECK_SECONDS", 0.5)
    live = sb.calls()[0]
    app = build(sb.url, sb.admin_token, tmp_path / "s.db", clock)
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2", "a")
        sb.set_faults({"latency_ms": 5000, "methods": ["getCallStats"]})
        await pilot.press(*live["sid"], "enter")
        await until(pilot, lambda: pane.row(live["sid"]) is not None, "added after the wait", timeout=5)
        row = pane.row(live["sid"])
        assert row is not None and row.unchecked == "no answer within 0.5 s"
        sb.set_faults({})

"""The app shell against the real sandbox: status line states, one toast per error (class), auth failed and its
fix, recovery, help, maximise, themes, palette, mouse. Panes here are small test panes that follow SHELL_API.md
(poll through `app.client` in an exclusive worker, post PaneStatus, forward worker failures), so each test
controls exactly when a poll happens."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from textual import work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.widgets._toast import Toast
from textual.worker import Worker, WorkerFailed

from camtui.api import CAMClient, RetryPolicy
from camtui.common.clock import fixed_clock
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.shell.error_log import ErrorLog, ErrorLogScreen
from camtui.tui.shell.events import AuthStateChanged, PaneStatus
from camtui.tui.shell.help import HelpScreen, readable_keys
from camtui.tui.shell.screens import TokenScreen
from camtui.tui.shell.user_facing import UserFacingError

NOW = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)  # 10:00:00 in Asia/Tokyo


class PollPane(Widget, can_focus=True):
    """A minimal pane: one poll per `poll()` call, the contract's way."""

    PANE_TITLE: ClassVar[str] = "Probe"
    BINDINGS: ClassVar = [Binding("x", "poke", "Poke the pane"), Binding("y", "hidden", show=False)]
    DEFAULT_CSS = "PollPane { height: 1fr; }"

    def __init__(self, call: str = "master") -> None:
        super().__init__()
        self.call = call
        self.pokes = 0
        self.extras = 0
        self.auth_events: list[bool] = []

    def render(self) -> str:
        return f"{self.id} pane"

    def action_poke(self) -> None:
        self.pokes += 1

    def action_extra(self) -> None:
        self.extras += 1

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Probe: Extra command", "Not bound to a key", self.action_extra)

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll(self) -> None:
        client = self.app.client  # read at each poll (the shell may swap it)
        if self.call == "master":
            await client.get_conference_master()
        elif self.call.startswith("stats:"):
            await client.get_call_stats(self.call.split(":", 1)[1])
        elif self.call == "send":
            await client.send_message("messenger", "hello", users=["user1@xxx.com"])
        self.post_message(PaneStatus(str(self.id), ok=True, when=self.app.clock()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.on_worker_state_changed(event)  # type: ignore[attr-defined]

    def on_auth_state_changed(self, event: AuthStateChanged) -> None:
        self.auth_events.append(event.failed)


def client_for(url: str, token: str) -> CAMClient:
    return CAMClient(url, token, read_budget=2.0, retry=RetryPolicy(max_attempts=1))


def build(
    url: str, token: str, tmp_path: Path, *, calls: str = "master", store: Store | None = None
) -> CamApp:
    settings = Settings.defaults().with_changes(server_url=url, api_token=token)
    return CamApp(
        client_for(url, token),
        store or Store.open(tmp_path / "store.db"),
        settings,
        clock=fixed_clock(NOW),
        close_on_exit=store is None,
        panes={
            "rooms": lambda: PollPane("master"),
            "calls": lambda: PollPane(calls),
            "composer": lambda: PollPane("master"),
        },
    )


async def poll(app: CamApp, pilot, pane_id: str = "rooms") -> None:
    pane = app.query_one(f"#{pane_id}", PollPane)
    worker = pane.poll()
    with contextlib.suppress(WorkerFailed):  # failures are the app's to report, checked by the tests
        await app.workers.wait_for_complete([worker])
    await pilot.pause()


def toasts(app: CamApp) -> list[tuple[str, str]]:
    """(title, body) of each toast on screen, the body as rendered (the title is its first line)."""
    shown = []
    for toast in app.screen.query(Toast):
        title = toast._notification.title
        text = toast.render().plain
        shown.append((title, text.removeprefix(f"{title}\n")))
    return shown


def status(app: CamApp) -> tuple[str, str]:
    return app.status_line.connection_text, app.status_line.panes_text


async def test_starts_connecting_then_connected_with_host_and_time(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        assert status(app)[0] == "◌ connecting"
        host = sandbox.url.split("//", 1)[1]
        assert str(app.query_one("#status-host").render()) == host
        await poll(app, pilot, "rooms")
        assert app.connection == "connected"
        assert status(app) == ("● connected", "rooms 10:00:00")
        assert app.query_one("#status-conn").has_class("-connected")
        assert toasts(app) == []


async def test_stale_pane_shows_why(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await poll(app, pilot, "rooms")
        app.query_one("#calls").post_message(PaneStatus("calls", ok=False, reason="paused"))
        await pilot.pause()
        assert status(app)[1] == "rooms 10:00:00   calls — stale: paused"
        assert app.connection == "connected"  # paused is not a connection problem


async def test_805_toasts_once_marks_auth_failed_and_stops_panes(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, "not-the-token", tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        for _ in range(3):  # a failing poll, three times
            await poll(app, pilot, "rooms")
        shown = toasts(app)
        assert len(shown) == 1
        title, text = shown[0]
        assert title == "rooms: 805 Invalid API token"
        assert "APIトークンが正しくありません" in text
        assert "Set API token" in text
        assert app.error_log.total == 3
        assert [e.count for e in app.error_log.groups()] == [3]  # one failure, three times: one log entry
        assert app.auth_failed is True
        assert app.connection == "auth failed"
        assert status(app)[0] == "✖ auth failed"
        assert app.query_one("#status-conn").has_class("-auth-failed")
        for pane_id in ("rooms", "calls", "composer"):
            assert app.query_one(f"#{pane_id}", PollPane).auth_events == [True]

        # The fix: a new token for this session, through the palette's "Set API token…" screen.
        app.action_set_token()
        await pilot.pause()
        assert isinstance(app.screen, TokenScreen)
        app.screen.query_one(Input).value = sandbox.admin_token
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.auth_failed is False
        assert app.settings.api_token == sandbox.admin_token
        assert app.query_one("#rooms", PollPane).auth_events == [True, False]
        await poll(app, pilot, "rooms")
        assert app.connection == "connected"


async def test_490_lockout_is_auth_failed_too(sandbox_factory, tmp_path: Path) -> None:
    server = sandbox_factory(simulation=False, rooms=2, users=10)
    bad = client_for(server.url, "bad-token")
    app = build(server.url, "bad-token", tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        async with bad:
            errors = []
            for _ in range(25):  # a burst of bad tokens from this address → 490
                try:
                    await bad.get_conference_master()
                except Exception as exc:
                    errors.append(exc)
        assert errors[-1].code == "490"
        app.report_error(errors[-1], "rooms")
        await pilot.pause()
        assert app.auth_failed is True
        (title, text), *_ = toasts(app)
        assert title == "rooms: 490 Too many login attempts (locked out)"
        assert "パスワード試行回数" in text


@pytest.mark.parametrize(
    ("fault", "code", "meaning"),
    [("error_503", "503", "Service unavailable"), ("error_491", "491", "Too many requests")],
)
async def test_backoff_codes_mean_retrying(
    sandbox, tmp_path: Path, fault: str, code: str, meaning: str
) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await poll(app, pilot, "rooms")
        sandbox.set_faults({fault: 1.0})
        await poll(app, pilot, "rooms")
        await poll(app, pilot, "rooms")
        assert app.connection == "retrying"
        assert status(app)[0] == "◐ retrying"
        shown = toasts(app)
        assert [t for t, _ in shown] == [f"rooms: {code} {meaning}"]
        assert app.auth_failed is False
        assert app.screen.query(Toast).first()._notification.severity == "warning"

        # recovery: the server answers again → connected, and the next failure toasts again
        sandbox.clear_faults()
        await poll(app, pilot, "rooms")
        assert app.connection == "connected"
        sandbox.set_faults({fault: 1.0})
        await poll(app, pilot, "rooms")
        assert len(toasts(app)) == 2


async def test_server_message_with_markup_is_shown_literally(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path, calls="stats:[/x]")
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await poll(app, pilot, "calls")
        await pilot.pause()
        (title, text), *_ = toasts(app)
        assert title == "calls: 400 Invalid request from the client"
        assert "[/x]" in text  # the server's own message, not parsed as markup (which would raise)
        assert app.connection == "connecting"  # a 400 says nothing about the connection
        assert app.is_running


async def test_unreachable_server_is_offline_then_recovers(sandbox_factory, tmp_path: Path) -> None:
    db = tmp_path / "down.db"
    server = sandbox_factory(db_path=db, simulation=False, rooms=2, users=10)
    url, token = server.url, server.admin_token
    port = int(url.rsplit(":", 1)[1])
    app = build(url, token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await poll(app, pilot, "rooms")
        server.stop()
        await poll(app, pilot, "rooms")
        await poll(app, pilot, "rooms")
        assert app.connection == "offline"
        assert status(app) == ("○ offline", "rooms 10:00:00")
        assert [t for t, _ in toasts(app)] == ["rooms: server not reachable"]

        sandbox_factory(db_path=db, simulation=False, rooms=2, users=10, port=port, admin_token=token)
        await poll(app, pilot, "rooms")
        assert app.connection == "connected"


async def test_outcome_unknown_is_a_warning(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path, calls="send")
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        sandbox.set_faults({"reset_after": 1.0, "methods": ["sendMessage"]})
        await poll(app, pilot, "calls")
        (title, text), *_ = toasts(app)
        assert title == "calls: outcome unknown (sendMessage)"
        assert "not resent" in text
        assert app.screen.query(Toast).first()._notification.severity == "warning"


async def test_app_worker_failure_goes_through_the_same_handler(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, "nope", tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:

        async def failing() -> None:
            await app.client.get_conference_rooms()

        worker = app.run_worker(failing(), name="probe", exit_on_error=False)
        with contextlib.suppress(WorkerFailed):
            await app.workers.wait_for_complete([worker])
        await pilot.pause()
        assert [t for t, _ in toasts(app)] == ["probe: 805 Invalid API token"]


async def test_retry_now_clears_state(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, "nope", tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await poll(app, pilot, "rooms")
        assert app.auth_failed
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not app.auth_failed and app.connection == "connecting"
        await poll(app, pilot, "rooms")  # still the wrong token: toasts again after an explicit retry
        assert len(toasts(app)) == 2


async def test_help_lists_app_and_pane_keys(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        sections = dict(app.screen.sections)
        everywhere = dict((d, k) for k, d in sections["Everywhere"])
        assert everywhere["Quit"] == "ctrl+q, q"
        assert everywhere["Maximise"] == "z"
        assert everywhere["Help"] == "?"
        assert ("x", "Poke the pane") in sections["Probe"]
        assert all(desc != "" for _k, desc in sections["Probe"])  # undescribed bindings are left out
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_help_shows_every_key_in_one_notation(sandbox, tmp_path: Path) -> None:
    """The real panes' keys, as rendered: "ctrl+s" like the intro's "ctrl+p", never Textual's "^s" or "⏎"."""
    settings = Settings.defaults().with_changes(server_url=sandbox.url, api_token=sandbox.admin_token)
    client = client_for(sandbox.url, sandbox.admin_token)
    app = CamApp(
        client, Store.open(tmp_path / "store.db"), settings, clock=fixed_clock(NOW), close_on_exit=True
    )
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(widget.render()) for widget in app.screen.query(Static))
        assert re.findall(r"\^\S", text) == []  # caret notation ("^q", "^s")
        assert "⏎" not in text and "⌫" not in text
        for shown in ("ctrl+q, q", "ctrl+p", "ctrl+t", "ctrl+r", "ctrl+s", "alt+1", "enter", "esc"):
            assert shown in text


def test_readable_keys_spell_out_modifiers() -> None:
    assert readable_keys("^q, q") == "ctrl+q, q"
    assert readable_keys("shift+^a") == "ctrl+shift+a"
    assert readable_keys("^⏎, ⏎") == "ctrl+enter, enter"
    assert readable_keys("+, -, ^, alt+1") == "+, -, ^, alt+1"  # keys that merely look like notation stay


async def test_maximise_the_focused_pane_and_restore(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await pilot.press("2")
        assert app.focused is app.query_one("#calls")
        await pilot.press("z")
        assert app.screen.maximized is app.query_one("#calls")
        await pilot.pause()
        assert app.query_one("#rooms").display is False or not app.query_one("#rooms").region
        assert app.status_line.region.height == 1  # status line stays visible
        await pilot.press("z")
        assert app.screen.maximized is None
        await pilot.press("3", "z")
        assert app.screen.maximized is app.query_one("#composer")
        await pilot.press("escape")
        assert app.screen.maximized is None
        await pilot.press("1", "z", "2")  # focusing another pane leaves maximised view
        assert app.screen.maximized is None and app.focused is app.query_one("#calls")


async def test_theme_is_remembered_in_the_store(sandbox, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "shared.db")
    app = build(sandbox.url, sandbox.admin_token, tmp_path, store=store)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        default_theme = app.theme
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press(*"nord")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "nord" != default_theme
    assert store.ui_state.get("theme") == "nord"

    again = build(sandbox.url, sandbox.admin_token, tmp_path, store=store)
    async with again.run_test(size=(140, 40), notifications=True):
        assert again.theme == "nord"
    store.close()


async def test_unknown_saved_theme_is_ignored(sandbox, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "shared.db")
    store.ui_state.set("theme", "no-such-theme")
    app = build(sandbox.url, sandbox.admin_token, tmp_path, store=store)
    async with app.run_test(size=(140, 40), notifications=True):
        assert app.theme == "textual-dark"
    store.close()


async def test_palette_offers_app_and_pane_commands(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for expected in (
            "Help",
            "Retry now",
            "Set API token…",
            "Focus calls",
            "Maximise / restore pane",
            "Theme",
        ):
            assert expected in titles
        assert titles.count("Probe: Poke the pane") == 1  # one per title: it runs in the focused pane
        assert "Probe: Extra command" in titles
        assert not any("hidden" in t for t in titles)

        await pilot.press("2", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"Poke")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.query_one("#calls", PollPane).pokes == 1

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Extra")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        extras = [app.query_one(f"#{p}", PollPane).extras for p in ("rooms", "calls", "composer")]
        assert extras == [0, 1, 0]


async def test_mouse_click_focuses_a_pane(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await pilot.click("#composer")
        assert app.focused is app.query_one("#composer")
        await pilot.click("#rooms")
        assert app.focused is app.query_one("#rooms")


async def test_first_rooms_paint_callback(sandbox, tmp_path: Path) -> None:
    seen: list[float] = []
    settings = Settings.defaults().with_changes(server_url=sandbox.url, api_token=sandbox.admin_token)
    app = CamApp(
        client_for(sandbox.url, sandbox.admin_token),
        Store.open(":memory:"),
        settings,
        clock=fixed_clock(NOW),
        close_on_exit=True,
        on_first_rooms_paint=seen.append,
        panes={"rooms": lambda: PollPane(), "calls": lambda: Static("c"), "composer": lambda: Static("m")},
    )
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await poll(app, pilot, "rooms")
        await pilot.pause()
        await poll(app, pilot, "rooms")
        await pilot.pause()
        assert len(seen) == 1


async def test_configured_theme_applies_and_a_bad_one_is_reported(sandbox, tmp_path: Path) -> None:
    for configured, expected, warned in (("nord", "nord", False), ("no-such", "textual-dark", True)):
        settings = Settings.defaults().with_changes(
            server_url=sandbox.url, api_token=sandbox.admin_token, theme=configured
        )
        app = CamApp(
            client_for(sandbox.url, sandbox.admin_token),
            Store.open(":memory:"),
            settings,
            close_on_exit=True,
            panes={p: (lambda: Static("x")) for p in ("rooms", "calls", "composer")},
        )
        async with app.run_test(size=(140, 40), notifications=True) as pilot:
            await pilot.pause()
            assert app.theme == expected
            assert any("unknown theme 'no-such'" in text for _t, text in toasts(app)) is warned


async def test_a_bug_is_a_toast_not_a_crash_and_leaves_the_connection_alone(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await poll(app, pilot, "rooms")
        app.report_error(RuntimeError("unexpected [b]thing[/x]"), "calls")
        app.report_error(RuntimeError("unexpected [b]thing[/x]"), "calls")
        await pilot.pause()
        assert toasts(app) == [("calls: RuntimeError", "unexpected [b]thing[/x]")]
        assert app.connection == "connected"


async def test_a_mistyped_token_can_be_undone_from_the_palette(sandbox, tmp_path: Path) -> None:
    """The demo never shows its token: after a typo in "Set API token…", the start-up token must be reachable."""
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await poll(app, pilot, "rooms")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Use the start-up API token again" not in titles  # nothing to undo yet

        app.action_set_token()
        await pilot.pause()
        app.screen.query_one(Input).value = "wrongtoken"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await poll(app, pilot, "rooms")
        assert app.auth_failed is True

        restore = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Use the start-up API token again"
        )
        restore.callback()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.settings.api_token == sandbox.admin_token
        assert app.auth_failed is False
        await poll(app, pilot, "rooms")
        assert app.connection == "connected"


async def test_the_error_log_keeps_what_the_toasts_no_longer_show(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, "not-the-token", tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, ErrorLogScreen)
        body = "\n".join(str(w.render()) for w in app.screen.query(Static))
        assert "Nothing has gone wrong since camtui started at 10:00" in body
        await pilot.press("escape")
        for _ in range(3):
            await poll(app, pilot, "rooms")
        app.report_error(RuntimeError("unexpected [b]thing[/x]"), "calls")
        app.clear_notifications()
        await pilot.pause()
        await pilot.press("exclamation_mark")
        shown = [str(w.render()) for w in app.screen.query("#errors-body Static")]
        assert shown[:2] == ["10:00:00  calls: RuntimeError", "unexpected [b]thing[/x]"]  # newest first
        assert shown[2] == "10:00:00  rooms: 805 Invalid API token  ×3 since 10:00:00"
        assert "APIトークンが正しくありません" in shown[3]
        await pilot.press("c")
        await pilot.pause()
        assert not app.error_log
        assert any("Nothing has gone wrong" in str(w.render()) for w in app.screen.query(Static))
        await pilot.press("escape")
        assert not isinstance(app.screen, ErrorLogScreen)


async def test_a_pane_can_put_a_failure_in_its_own_words(sandbox, tmp_path: Path) -> None:
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await poll(app, pilot, "rooms")
        said = UserFacingError("no answer within 10 s", "The server is slow [or busy].")
        app.report_error(said, "calls")
        app.report_error(said, "calls")
        await pilot.pause()
        assert toasts(app) == [("calls: no answer within 10 s", "The server is slow [or busy].")]
        assert app.screen.query(Toast).first()._notification.severity == "warning"
        assert app.connection == "connected"  # no state given: the connection is left alone


def test_the_error_log_is_bounded_and_keeps_the_latest() -> None:
    from camtui.tui.shell.error_report import describe_error

    log = ErrorLog(limit=5)
    for i in range(8):
        log.add(describe_error(RuntimeError(f"bug {i}"), "calls"), NOW)
    assert len(log) == 5 and log.total == 8
    assert [r.message for r in log] == [f"bug {i}" for i in range(3, 8)]
    log.add(describe_error(RuntimeError("bug 3"), "calls"), NOW)
    assert log.groups()[0].report.message == "bug 3" and log.groups()[0].count == 2


async def test_a_pane_status_that_arrives_while_quitting_is_ignored(sandbox, tmp_path: Path) -> None:
    """Seen in CI: a pane's last PaneStatus was handled after the screens were gone (IndexError on exit)."""
    app = build(sandbox.url, sandbox.admin_token, tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await poll(app, pilot, "rooms")
    assert not app.screen_stack
    app.on_pane_status(PaneStatus("rooms", ok=False, reason="offline"))
    app.connection = "offline"  # the watcher has no status line to update either

"""The app shell: status line, the three panes, footer, palette, help, themes, and the one error path.

Panes do their own API work; the shell owns what they share: the client, the store, the settings, the clock, the
connection state shown in the status line, and the toasts for failures (one per distinct error, not one per poll).
The README's "For developers" section has the conventions panes follow.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import time
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from camtui.common.clock import Clock, system_clock
from camtui.tui.shell.alerts_host import AlertsHost
from camtui.tui.shell.bindings import describe_bindings
from camtui.tui.shell.error_log import ErrorLog, ErrorLogScreen
from camtui.tui.shell.error_report import describe_error
from camtui.tui.shell.events import AuthStateChanged, PaneStatus
from camtui.tui.shell.help import HelpScreen, HelpSection, bindings_section, own_rows
from camtui.tui.shell.keys import apply_keymap_file, keymapped_display
from camtui.tui.shell.palette import pane_commands
from camtui.tui.shell.panes import PANE_IDS, PANES
from camtui.tui.shell.quit_guard import QuitGuard
from camtui.tui.shell.screens import MainScreen
from camtui.tui.shell.status import StatusLine, server_host
from camtui.tui.shell.token_swap import TokenSwap

if TYPE_CHECKING:
    from camtui.api import CAMClient
    from camtui.config.settings import Settings
    from camtui.store import Store

STYLES = Path(__file__).parent / "styles"


LOWER_PANES_DEADLINE = 1.5
"""Seconds after start when the calls and composer panes are mounted even if rooms has not answered yet."""


class CamApp(AlertsHost, TokenSwap, App[None]):
    """camtui's Textual app. Constructed by `camtui.tui.launch` (or tests) with a ready client, store and settings."""

    TITLE = "camtui"
    ESCAPE_TO_MINIMIZE = False
    """Escape goes to the focused widget first (e.g. the rooms grid clears its filter); unhandled, the shell's
    own `escape` binding restores a maximised pane."""
    CSS_PATH: ClassVar = [STYLES / f"{name}.tcss" for name in ("app", "rooms", "calls", "composer")]

    BINDINGS: ClassVar = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("1,alt+1", "focus_pane('rooms')", "Rooms", show=False),
        Binding("2,alt+2", "focus_pane('calls')", "Calls", show=False),
        Binding("3,alt+3", "focus_pane('composer')", "Composer", show=False),
        Binding("z", "toggle_maximize", "Maximise"),
        Binding("escape", "restore", "Restore", show=False),
        Binding("ctrl+t", "change_theme", "Theme", show=False),
        Binding("ctrl+r", "retry_now", "Retry now", show=False),
        Binding(
            "exclamation_mark", "show_errors", "What went wrong (error log)", key_display="!", show=False
        ),
    ]

    auth_failed: reactive[bool] = reactive(False, init=False)
    """True after 805/490 until the user fixes the token or retries: panes must not poll meanwhile."""
    connection: reactive[str] = reactive("connecting", init=False)
    """"connecting", "connected", "retrying", "offline" or "auth failed"."""

    def __init__(
        self,
        client: CAMClient,
        store: Store,
        settings: Settings,
        *,
        clock: Clock = system_clock,
        server_label: str | None = None,
        close_on_exit: bool = False,
        on_first_rooms_paint: Callable[[float], None] | None = None,
        panes: Mapping[str, Callable[[], Widget]] | None = None,
        defer_lower_panes: bool = False,
        read_only: bool = False,
    ) -> None:
        """`close_on_exit`: the app owns client and store. `panes`: replace pane factories by id (tests).
        `defer_lower_panes`: mount calls and composer just after the rooms pane's first answer (or after
        LOWER_PANES_DEADLINE s): the rooms data is painted ~0.2-0.4 s sooner at start (used by `camtui` and
        `camtui demo`; off by default so tests see all three panes at once).
        `read_only`: the wall display (`camtui web --read-only`): no composer; the client it is given refuses
        every write (`camtui.api.read_only.ReadOnlyClient`), so no key can send anything."""
        super().__init__()
        self.client = client
        self.store = store
        self.settings = settings
        self._started_with_token = settings.api_token
        """The token camtui started with, so a mistyped "Set API token…" can be undone (the demo's token is
        printed nowhere, so without this a typo there leaves no way back)."""
        self.clock = clock
        self.server_label = server_label or server_host(
            settings.server_url or getattr(client, "server_url", None)
        )
        self.error_log = ErrorLog()
        """Every report, grouped, with counts and times (toasts are de-duplicated and vanish; `!` shows this)."""
        self.started_at = clock()
        self._active_errors: dict[str, set[tuple[str, ...]]] = {}
        self._close_on_exit = close_on_exit
        self._theme_ready = False
        self._on_first_rooms_paint = on_first_rooms_paint
        self._first_rooms_painted = False
        self._pane_factories = dict(panes or {})
        self.defer_lower_panes = defer_lower_panes
        self.read_only = read_only
        self.lower_pane_ids: tuple[str, ...] = ("calls",) if read_only else ("calls", "composer")
        self._lower_requested = False
        self.startup_marks: dict[str, float] = {}
        """Wall-clock milestones of the start (mounted, first rooms data), for benchmarks/startup.py."""
        self.quit_guard = QuitGuard(self)
        """`q` while a send is in flight finishes it first (`camtui.tui.shell.quit_guard`)."""

    # ----- layout -------------------------------------------------------------------------------------------

    @property
    def time_zone(self) -> str:
        return self.settings.time_zone

    def get_default_screen(self) -> Screen[Any]:
        return MainScreen(self)

    def build_pane(self, pane_id: str) -> Widget:
        """The pane widget; its module is imported on first use (the lower panes load after the rooms data)."""
        _id, module_name, class_name, _title = next(p for p in PANES if p[0] == pane_id)
        factory = self._pane_factories.get(pane_id)
        if factory is not None:
            return self._with_id(factory(), pane_id)
        pane_class = getattr(importlib.import_module(module_name), class_name)
        return self._with_id(pane_class(), pane_id)

    @staticmethod
    def _with_id(pane: Widget, pane_id: str) -> Widget:
        if pane.id is None:
            pane.id = pane_id
        elif pane.id != pane_id:
            raise ValueError(f"the {pane_id} pane must have id {pane_id!r}, not {pane.id!r}")
        return pane

    def pane(self, pane_id: str) -> Widget | None:
        try:
            return self.screen_stack[0].query_one(f"#{pane_id}", Widget)
        except (NoMatches, IndexError):
            return None

    def _initial_theme(self) -> tuple[str | None, list[str]]:
        """The remembered theme, else the configured one (unknown names are reported, not fatal)."""
        problems: list[str] = []
        saved = None
        try:
            saved = self.store.ui_state.get("theme", kind=str)
        except Exception as exc:  # a broken store must not stop the dashboard
            problems.append(f"cannot read the remembered theme: {exc}")
        if saved and saved not in self.available_themes:
            saved = None
        configured = self.settings.theme
        if configured and configured not in self.available_themes:
            problems.append(f"unknown theme {configured!r} in the config (ctrl+t lists them)")
            configured = None
        return saved or configured, problems

    def on_mount(self) -> None:
        self.startup_marks["app_mounted"] = time.time()
        if not self.is_headless:
            # SIGTERM / SIGHUP (terminal closed, system shutdown) quit through the normal exit, like `q`: every
            # pane unmounts and writes what it holds (the composer's draft), then the store closes.
            from camtui.tui.shell.exit_signals import install_exit_signals

            install_exit_signals(self)
        if self.defer_lower_panes:
            self.set_timer(LOWER_PANES_DEADLINE, self._mount_lower_panes)
        theme, problems = self._initial_theme()
        if theme:
            self.theme = theme
        for problem in problems:
            self.notify(problem, title="display.theme", severity="warning", markup=False)
        self._theme_ready = True
        for problem in apply_keymap_file(self, self.settings.config_path):
            self.notify(problem, title="keymap", severity="warning", markup=False)

    async def on_unmount(self) -> None:
        self.stop_alerts()
        if not self._close_on_exit:
            return
        try:
            await self.client.aclose()
        finally:
            self.store.close()

    def watch_theme(self, theme: str) -> None:
        if self._theme_ready:
            try:
                self.store.ui_state.set("theme", theme)
            except Exception as exc:
                self.report_error(exc, "store")

    async def action_quit(self) -> None:
        """q / ctrl+q: a send in flight is answered first; asked again (or ctrl+c meanwhile), quit at once."""
        if self.quit_guard.may_quit():
            self.exit()

    def action_help_quit(self) -> None:
        if self.quit_guard.pending:
            self.exit()
        else:
            super().action_help_quit()

    # ----- status and errors --------------------------------------------------------------------------------

    @property
    def status_line(self) -> StatusLine:
        return self.screen_stack[0].query_one(StatusLine)

    def _mount_lower_panes(self) -> None:
        if not self.screen_stack:
            return
        main = self.screen_stack[0]
        if self._lower_requested or not isinstance(main, MainScreen):
            return
        self._lower_requested = True
        self.run_worker(main.mount_lower_panes(), name="shell", exit_on_error=False)

    def on_pane_status(self, event: PaneStatus) -> None:
        if not self.screen_stack:  # quitting: a pane's last word arrived after the screens were gone
            return
        if self.defer_lower_panes and event.source == "rooms" and not self._lower_requested:
            self.call_after_refresh(self._mount_lower_panes)  # after the rooms data is on screen
        status = self.status_line
        status.update_pane(event.source, event.ok, event.when, event.reason)
        if event.ok:
            self._active_errors.pop(event.source, None)
            if self.auth_failed:
                self.auth_failed = False
            self.connection = "connected"
            if event.source == "rooms" and not self._first_rooms_painted:
                self._first_rooms_painted = True
                self.startup_marks["first_rooms_data"] = time.time()
                self.set_timer(3.0, self._settle_heap)
                if self._on_first_rooms_paint is not None:
                    self.call_after_refresh(self._first_rooms_paint_done)
        elif event.reason == "auth failed":
            self.connection = "auth failed"
        elif event.reason in ("offline", "rate limited", "server unavailable") and not self.auth_failed:
            self.connection = "offline" if event.reason == "offline" else "retrying"

    def _settle_heap(self) -> None:
        """Move start-up objects (modules, widgets, caches) out of the collector's reach once all panes are up.

        A dashboard runs for days: without this, full collections walk every long-lived object and stall the
        main thread (measured 60-76 ms with 2,000 watched calls; about 40 ms after freezing)."""
        gc.freeze()

    def _first_rooms_paint_done(self) -> None:
        if self._on_first_rooms_paint is not None:
            self._on_first_rooms_paint(time.time())

    def report_error(self, exc: BaseException, source: str) -> None:
        """The one place failures become toasts: code, meaning, server message; de-duplicated per source."""
        report = describe_error(exc, source)
        self.error_log.add(report, self.clock())
        if report.state == "auth failed":
            self.auth_failed = True
        if report.state is not None and not (self.auth_failed and report.state != "auth failed"):
            self.connection = report.state
        active = self._active_errors.setdefault(source, set())
        if report.key in active:
            return
        active.add(report.key)
        self.notify(
            report.message,
            title=report.title,
            severity=report.severity,  # type: ignore[arg-type]
            markup=False,
            timeout=10 if report.severity == "error" else 6,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Failed workers (the app's, and panes' that forward here) become one de-duplicated toast."""
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.error is None:
            return
        node = worker.node
        source = getattr(node, "id", None) or worker.name or worker.group or "app"
        if isinstance(node, Widget):
            for ancestor in (node, *node.ancestors):
                if getattr(ancestor, "id", None) in PANE_IDS:
                    source = ancestor.id  # type: ignore[assignment]
                    break
        self.report_error(worker.error, str(source))

    def watch_connection(self, state: str) -> None:
        with contextlib.suppress(NoMatches, IndexError):  # IndexError: quitting, the screens are gone
            self.status_line.set_connection(state)

    def watch_auth_failed(self, failed: bool) -> None:
        if failed:
            self.connection = "auth failed"
        self._broadcast(failed)

    def _broadcast(self, failed: bool) -> None:
        for pane_id in PANE_IDS:
            pane = self.pane(pane_id)
            if pane is not None:
                pane.post_message(AuthStateChanged(failed))

    # ----- actions ------------------------------------------------------------------------------------------

    def action_focus_pane(self, pane_id: str) -> None:
        if self.screen is not self.screen_stack[0]:
            return
        pane = self.pane(pane_id)
        if pane is None:
            if self.read_only and pane_id == "composer":
                self.notify("This dashboard is read-only: there is no composer.", markup=False)
            return
        if self.screen.maximized is not None and self.screen.maximized is not pane:
            self.screen.minimize()
        if pane.focusable:
            pane.focus()
            return
        for child in pane.query("*"):
            if isinstance(child, Widget) and child.focusable:
                child.focus()
                return
        self.notify(f"{pane_id}: nothing to focus yet", markup=False)

    def focused_pane(self, screen: Screen[Any] | None = None) -> Widget | None:
        """The pane holding focus on `screen` (default: the current screen)."""
        focused = (screen or self.screen).focused
        node: Any = focused
        while node is not None and isinstance(node, Widget):
            if node.id in PANE_IDS:
                return node
            node = node.parent
        return None

    def action_toggle_maximize(self) -> None:
        screen = self.screen
        if screen is not self.screen_stack[0]:
            return
        if screen.maximized is not None:
            screen.minimize()
            return
        pane = self.focused_pane() or self.pane("rooms")
        if pane is not None:
            screen.maximized = pane  # bypasses allow_maximize: panes are containers

    def action_restore(self) -> None:
        from textual.actions import SkipAction

        if self.screen.maximized is None:
            raise SkipAction()
        self.screen.minimize()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[HelpSection]:
        key_display = keymapped_display(self)
        _title, app_rows = bindings_section("Everywhere", type(self), key_display)
        screen_rows = own_rows(MainScreen, key_display)  # 4 admin, 5 alerts
        sections: list[HelpSection] = [
            (
                "Everywhere",
                [*app_rows, *screen_rows, ("ctrl+p", "Command palette: every command, searchable")],
            )
        ]
        for pane_id, _module, _class, title in PANES:
            pane = self.pane(pane_id)
            if pane is None:
                continue
            rows: list[tuple[str, str]] = []
            for widget in (pane, *pane.query("*")):
                if isinstance(widget, Widget):
                    _title, found = describe_bindings(widget, key_display)
                    rows.extend(r for r in found if r not in rows)
            sections.append((getattr(pane, "PANE_TITLE", title), rows))
            dialogs = getattr(pane, "HELP_DIALOGS", ())  # the pane's screens: their keys are listed too
            sections.extend(bindings_section(name, dialog, key_display) for name, dialog in dialogs)
        return [*sections, *self.alerts_help(key_display)]

    def action_show_errors(self) -> None:
        from zoneinfo import ZoneInfo

        self.push_screen(ErrorLogScreen(self.error_log, ZoneInfo(self.settings.time_zone), self.started_at))

    def action_change_theme(self) -> None:
        self.search_themes()

    def action_retry_now(self) -> None:
        """Forget the error state and let panes poll at once (after the user fixed the server or the token)."""
        self._active_errors.clear()
        was_failed = self.auth_failed
        self.auth_failed = False  # the watcher tells the panes when this changes
        self.connection = "connecting"
        if not was_failed:
            self._broadcast(False)

    # ----- command palette ----------------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title not in ("Maximize", "Minimize"):  # ours maximises whole panes
                yield command
        yield SystemCommand("Help", "Show every key (?)", self.action_help)
        yield SystemCommand(
            "Retry now", "Clear the error state; panes poll again (ctrl+r)", self.action_retry_now
        )
        yield SystemCommand("Set API token…", "Use another API token for this session", self.action_set_token)
        if self._started_with_token and self.settings.api_token != self._started_with_token:
            yield SystemCommand(
                "Use the start-up API token again",
                'Undo "Set API token…": back to the token camtui started with',
                self.action_restore_token,
            )
        if screen is self.screen_stack[0]:
            for pane_id, _module, _class, title in PANES:
                yield SystemCommand(
                    f"Focus {title.lower()}",
                    f"Move focus to the {title.lower()} pane",
                    partial(self.action_focus_pane, pane_id),
                )
            yield SystemCommand(
                "Maximise / restore pane",
                "Toggle the focused pane full screen (z)",
                self.action_toggle_maximize,
            )
        yield from pane_commands(self, screen)


def make_app(
    server_url: str,
    api_token: str,
    *,
    store_path: str | Path = ":memory:",
    clock: Clock = system_clock,
    settings: Settings | None = None,
    **settings_changes: Any,
) -> CamApp:
    """A CamApp that owns its client and store (closed on exit): for tests, the demo and scripts."""
    from camtui.api import CAMClient
    from camtui.config.settings import Settings as SettingsClass
    from camtui.store import Store

    base = settings or SettingsClass.defaults()
    settings = base.with_changes(server_url=server_url, api_token=api_token, **settings_changes)
    client = CAMClient(
        server_url,
        api_token,
        timeout=settings.timeout_seconds,
        read_budget=settings.read_budget_seconds,
        ca_bundle=settings.ca_bundle,
        verify=settings.verify_tls,
    )
    store = Store.open(store_path)
    return CamApp(client, store, settings, clock=clock, close_on_exit=True)

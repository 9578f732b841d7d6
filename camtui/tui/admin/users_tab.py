"""The admin screen's Users tab: the directory (cached export, filter, sort, `r` re-export), export to a file,
and update from a CSV through the engine's plan (diff view, confirmation, rollback file, verification).

The engine (`camtui.admin`) decides everything; this module only shows it and runs the slow parts in workers."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Static

from camtui.admin.csv_text import csv_text
from camtui.admin.directory_view import (
    age_text,
    filter_users,
    header_text,
    next_sort_key,
    row_text,
    sort_users,
)
from camtui.admin.rollback import user_row
from camtui.admin.users_apply import fresh_directory
from camtui.api.wire import USERS_CSV_COLUMNS
from camtui.common.paths import expand_user
from camtui.tui.admin.diff_panel import DiffPanel, DirectoryChanged
from camtui.tui.admin.lines import LineList
from camtui.tui.admin.paths import PathSuggester

NOT_ADMIN = (
    "This token is not an administrator (800): re-export, update from CSV and chat rooms need an "
    "administrator's token. The cached directory is still shown."
)


def default_export_path(now: datetime) -> Path:
    """In the user's documents folder (the data dir if there is none), named by time."""
    from platformdirs import user_data_dir, user_documents_dir

    folder = Path(user_documents_dir())
    if not folder.is_dir():
        folder = Path(user_data_dir("camtui"))
    return folder / f"camtui-users-{now.strftime('%Y%m%d-%H%M')}.csv"


class UsersTab(Vertical):
    """The directory and the CSV update."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reexport", "Re-export"),
        Binding("s", "sort", "Sort by next column"),
        Binding("S", "reverse", "Reverse sort", show=False),
        Binding("slash", "filter", "Filter", key_display="/"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.users: list[Any] = []
        self.shown: list[Any] = []
        self.sort_key = "email"
        self.reverse = False
        self.not_admin = False
        self.busy: str | None = None
        self._matcher: Any = None
        self.fetched: datetime | None = None
        """When the shown directory was exported (the store's time of the cached export)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="admin-users-status", markup=False)
        yield Static("", id="admin-notice", markup=False)
        yield Input(placeholder="filter: e-mail, name, romaji, kana, department", id="admin-filter")
        yield LineList(row_text, header=header_text("email", False), id="admin-users")
        with Horizontal(classes="admin-row"):
            yield Input(id="admin-export-path", suggester=PathSuggester())
            yield Checkbox("UTF-8 with BOM (Excel)", True, id="admin-export-bom")
            yield Button("Export", id="admin-export")
        with Horizontal(classes="admin-row"):
            yield Input(
                placeholder="CSV to update from (path)", id="admin-update-path", suggester=PathSuggester()
            )
            yield Button("Diff", id="admin-diff-button")
        yield DiffPanel(id="admin-diff")

    def on_mount(self) -> None:
        app: Any = self.app
        self.query_one("#admin-export-path", Input).value = str(default_export_path(app.clock()))
        self.query_one("#admin-notice", Static).display = False
        self._load_cache()
        self.set_interval(30, self._show_status)
        self.action_reexport()

    # ----- the directory ----------------------------------------------------------------------------------

    @work(group="admin-cache", exclusive=True, exit_on_error=False)
    async def _load_cache(self) -> None:
        app: Any = self.app
        users = await asyncio.to_thread(app.store.directory.users)
        if not self.users:  # a fresh export that landed first wins
            await self._set_users(users)

    async def _set_users(self, users: list[Any]) -> None:
        from camtui.compose.matcher import RecipientMatcher

        app: Any = self.app
        self.users = users
        # read in a thread: the store's lock may be held by a write of 100,000 rows
        self.fetched = await asyncio.to_thread(app.store.directory.fetched_at)
        self._matcher = await asyncio.to_thread(RecipientMatcher, users)
        self._refresh_table()

    def _refresh_table(self) -> None:
        self._refresh_worker()

    @work(group="admin-table", exclusive=True, exit_on_error=False)
    async def _refresh_worker(self) -> None:
        """Filter and sort off the main thread: sorting 100,000 users takes a few hundred ms."""
        query = self.query_one("#admin-filter", Input).value
        users, matcher, key, reverse = self.users, self._matcher, self.sort_key, self.reverse

        def compute() -> list[Any]:
            found = filter_users(users, query, matcher) if matcher else list(users)
            return found if query.strip() else sort_users(found, key, reverse)

        self.shown = await asyncio.to_thread(compute)
        table = self.query_one("#admin-users", LineList)
        table.set_items(self.shown, header_text(self.sort_key, self.reverse))
        self._show_status()

    def _show_status(self) -> None:
        app: Any = self.app
        age = age_text(self.fetched, app.clock(), ZoneInfo(app.settings.time_zone))
        count = (
            f"{len(self.shown):,} of {len(self.users):,} users"
            if len(self.shown) != len(self.users)
            else (f"{len(self.users):,} users")
        )
        busy = f" · {self.busy}…" if self.busy else ""
        self.query_one("#admin-users-status", Static).update(f"{count} · {age}{busy} · r re-export · s sort")

    def _set_busy(self, text: str | None) -> None:
        self.busy = text
        self._show_status()

    def action_reexport(self) -> None:
        self._reexport()

    @work(group="admin-export", exclusive=True, exit_on_error=False)
    async def _reexport(self) -> None:
        from camtui.api import CAMAPIError

        app: Any = self.app
        self._set_busy("exporting")
        try:
            users = await fresh_directory(app.client, app.store.directory)
        except CAMAPIError as exc:
            if exc.code == "800":
                self._show_not_admin()
            else:
                app.report_error(exc, "admin")
            return
        except Exception as exc:
            app.report_error(exc, "admin")
            return
        finally:
            self._set_busy(None)
        await self._set_users(users)

    def _show_not_admin(self) -> None:
        self.not_admin = True
        notice = self.query_one("#admin-notice", Static)
        notice.update(NOT_ADMIN)
        notice.display = True

    def action_sort(self) -> None:
        self.sort_key = next_sort_key(self.sort_key)
        self._refresh_table()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self._refresh_table()

    def action_filter(self) -> None:
        self.query_one("#admin-filter", Input).focus()

    @on(Input.Changed, "#admin-filter")
    def _filter_changed(self) -> None:
        self._refresh_table()

    # ----- export -----------------------------------------------------------------------------------------

    @on(Button.Pressed, "#admin-export")
    @on(Input.Submitted, "#admin-export-path")
    def _export(self) -> None:
        target = expand_user(self.query_one("#admin-export-path", Input).value.strip())
        bom = self.query_one("#admin-export-bom", Checkbox).value
        try:
            if target.is_dir() or not target.parent.is_dir():
                raise OSError(f"{target.parent} is not a folder" if not target.is_dir() else "is a folder")
            rows = [list(USERS_CSV_COLUMNS), *(user_row(u) for u in self.users)]
            # For spreadsheets: BOM, and cells that could start a formula neutralised (CSV injection).
            target.write_text(csv_text(rows, for_spreadsheet=bom), encoding="utf-8", newline="")
        except OSError as exc:
            self.notify(f"cannot write {target}: {exc.strerror or exc}", severity="error", markup=False)
            return
        note = " (BOM, formula-like cells neutralised)" if bom else ""
        self.notify(f"exported {len(self.users):,} users to {target}{note}", markup=False)

    # ----- update from a CSV ------------------------------------------------------------------------------

    @on(Button.Pressed, "#admin-diff-button")
    @on(Input.Submitted, "#admin-update-path")
    def _diff(self) -> None:
        path = expand_user(self.query_one("#admin-update-path", Input).value.strip())
        self.query_one(DiffPanel).open_file(path)

    @on(DirectoryChanged)
    def _directory_changed(self) -> None:
        self.action_reexport()

"""The admin screen's Users tab: the directory (cached export, filter, sort, `r` re-export), export to a file,
and update from a CSV through the engine's plan (diff view, confirmation, rollback file, verification).

The engine (`camtui.admin`) decides everything; this module only shows it and runs the slow parts in workers."""

from __future__ import annotations

import asyncio
import gc
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
    FILTER_LIMIT,
    age_text,
    column_at,
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
from camtui.tui.admin.confirm import ConfirmModal
from camtui.tui.admin.diff_panel import DiffPanel, DirectoryChanged
from camtui.tui.admin.lines import LineList
from camtui.tui.admin.paths import PathSuggester

NOT_ADMIN = (
    "This token is not an administrator (800): re-export, update from CSV and chat rooms need an "
    "administrator's token. The cached directory is still shown."
)


def default_export_path(now: datetime) -> Path:
    """In the user's documents folder (the data dir if there is none), named by local time; never a file
    that is already there."""
    from platformdirs import user_data_dir, user_documents_dir

    folder = Path(user_documents_dir())
    if not folder.is_dir():
        folder = Path(user_data_dir("camtui"))
    stamp = now.strftime("%Y%m%d-%H%M%S")
    path, n = folder / f"camtui-users-{stamp}.csv", 1
    while path.exists():
        n += 1
        path = folder / f"camtui-users-{stamp}-{n}.csv"
    return path


class UsersTab(Vertical):
    """The directory and the CSV update."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reexport", "Re-export"),
        Binding("s", "sort", "Sort by next column (or click a header)"),
        Binding("S", "reverse", "Reverse sort", show=False),
        Binding("slash", "filter", "Filter", key_display="/"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.users: list[Any] = []
        self.shown: list[Any] = []
        self.sort_key = "email"
        self.reverse = False
        self.ranked = True
        """A filter is typed and no sort was asked for since: best match first (no column is marked)."""
        self.not_admin = False
        self.busy: str | None = None
        self._matcher: Any = None
        self.indexed = False
        """The shown users are indexed for the filter (and moved out of the collector's reach)."""
        self.default_path = ""
        self._last_query = ""
        self.exported_to: Path | None = None
        """The last file written by Export."""
        self.fetched: datetime | None = None
        """When the shown directory was exported (the store's time of the cached export)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="admin-users-status", markup=False)
        yield Static("", id="admin-notice", markup=False)
        yield Input(placeholder="filter: e-mail, name, romaji, kana, department", id="admin-filter")
        yield LineList(row_text, header=header_text("email", False), id="admin-users")
        with Horizontal(classes="admin-row"):
            yield Input(id="admin-export-path", suggester=PathSuggester())
            yield Checkbox("For Excel: BOM, formulas neutralised", True, id="admin-export-bom")
            yield Button("Export", id="admin-export")
        with Horizontal(classes="admin-row"):
            yield Input(
                placeholder="CSV to update from (path)", id="admin-update-path", suggester=PathSuggester()
            )
            yield Button("Diff", id="admin-diff-button")
        yield DiffPanel(id="admin-diff")

    def on_mount(self) -> None:
        self.default_path = str(default_export_path(self._local_now()))
        self.query_one("#admin-export-path", Input).value = self.default_path
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
        self.indexed = False
        self._matcher = None  # the old index is not these users': the filter waits for the new one
        self._refresh_table()
        # read in a thread: the store's lock may be held by a write of 100,000 rows
        self.fetched = await asyncio.to_thread(app.store.directory.fetched_at)
        self._matcher = await asyncio.to_thread(RecipientMatcher, users)
        # The directory and its index are long-lived: out of the collector's reach (as the shell's start-up
        # heap), full collections stop walking them. With 100,000 users a gen-2 collection, set off by any
        # allocation (a sort, a render), took 0.3-0.6 s and stalled the main thread that long.
        gc.freeze()
        self.indexed = True
        self._refresh_table()

    def _refresh_table(self) -> None:
        self._refresh_worker()

    @work(group="admin-table", exclusive=True, exit_on_error=False)
    async def _refresh_worker(self) -> None:
        """Filter and sort off the main thread: sorting 100,000 users takes a few hundred ms."""
        query = self.query_one("#admin-filter", Input).value
        users, matcher, key, reverse = self.users, self._matcher, self.sort_key, self.reverse
        ranked = self.ranking

        def compute() -> list[Any]:
            found = filter_users(users, query, matcher) if matcher else list(users)
            return found if ranked else sort_users(found, key, reverse)

        self.shown = await asyncio.to_thread(compute)
        table = self.query_one("#admin-users", LineList)
        table.set_items(self.shown, header_text("" if ranked else key, reverse))
        self._show_status()

    def _show_status(self) -> None:
        app: Any = self.app
        age = age_text(self.fetched, app.clock(), ZoneInfo(app.settings.time_zone))
        if len(self.shown) == FILTER_LIMIT < len(self.users):
            count = f"the first {FILTER_LIMIT:,} matches of {len(self.users):,} users (type more to narrow)"
        elif len(self.shown) != len(self.users):
            count = f"{len(self.shown):,} of {len(self.users):,} users"
        else:
            count = f"{len(self.users):,} users"
        busy = f" · {self.busy}…" if self.busy else ""
        if self._matcher is None and self.query_one("#admin-filter", Input).value.strip():
            busy += " · indexing for the filter… (all users shown until then)"
        order = " · best match first" if self.ranking else ""
        self.query_one("#admin-users-status", Static).update(
            f"{count}{order} · {age}{busy} · r re-export · s or click a header: sort"
        )

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
            users = await fresh_directory(app.client, app.store.directory, progress=self._set_busy)
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

    @property
    def ranking(self) -> bool:
        """The table is in the filter's best-match order (a filter typed, no sort asked for since)."""
        return self.ranked and bool(self.query_one("#admin-filter", Input).value.strip())

    def action_sort(self) -> None:
        self.sort_key = self.sort_key if self.ranking else next_sort_key(self.sort_key)
        self.ranked = False
        self._refresh_table()

    def action_reverse(self) -> None:
        self.reverse = not self.reverse
        self.ranked = False
        self._refresh_table()

    @on(LineList.HeaderClicked, "#admin-users")
    def _header_clicked(self, event: LineList.HeaderClicked) -> None:
        """A click on a column's title sorts by it; on the sorted column it reverses the order."""
        column = column_at(event.x)
        if column is None:
            return
        if column == self.sort_key and not self.ranking:
            self.reverse = not self.reverse
        else:
            self.sort_key, self.reverse = column, False
        self.ranked = False
        self._refresh_table()

    def action_filter(self) -> None:
        self.query_one("#admin-filter", Input).focus()

    @on(Input.Changed, "#admin-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.value.strip() and not self._last_query.strip():
            self.ranked = True  # a new filter starts best match first, until a sort is asked for
        self._last_query = event.value
        self._refresh_table()

    # ----- export -----------------------------------------------------------------------------------------

    def _local_now(self) -> datetime:
        app: Any = self.app
        return app.clock().astimezone(ZoneInfo(app.settings.time_zone))

    @on(Button.Pressed, "#admin-export")
    @on(Input.Submitted, "#admin-export-path")
    def _export(self) -> None:
        field = self.query_one("#admin-export-path", Input)
        if field.value == self.default_path:  # the untouched default: named by the time of this export
            self.default_path = field.value = str(default_export_path(self._local_now()))
        target = expand_user(field.value.strip())
        if not self.users:
            self.notify(
                "nothing to export: no directory yet (r exports it)", severity="warning", markup=False
            )
            return
        if target.is_file():

            def answered(yes: bool | None) -> None:
                if yes:
                    self._write_export(target)

            lines = [f"{target} exists; it will be replaced by {len(self.users):,} users."]
            self.app.push_screen(ConfirmModal(f"Replace {target.name}?", lines, "Replace"), answered)
            return
        self._write_export(target)

    @work(group="admin-export-file", exclusive=True, exit_on_error=False)
    async def _write_export(self, target: Path) -> None:
        """Built and written in a thread: 100,000 rows take a moment the main thread should not wait."""
        bom = self.query_one("#admin-export-bom", Checkbox).value
        users = self.users
        app: Any = self.app
        age = age_text(self.fetched, app.clock(), ZoneInfo(app.settings.time_zone))

        def write() -> None:
            if target.is_dir() or not target.parent.is_dir():
                raise OSError(f"{target.parent} is not a folder" if not target.is_dir() else "is a folder")
            rows = [list(USERS_CSV_COLUMNS), *(user_row(u) for u in users)]
            # For spreadsheets: BOM, and cells that could start a formula neutralised (CSV injection).
            tmp = target.with_name(target.name + ".part")
            tmp.write_text(csv_text(rows, for_spreadsheet=bom), encoding="utf-8", newline="")
            tmp.replace(target)

        try:
            await asyncio.to_thread(write)
        except OSError as exc:
            self.notify(f"cannot write {target}: {exc.strerror or exc}", severity="error", markup=False)
            return
        self.exported_to = target
        note = " (UTF-8 with BOM, formula-like cells neutralised)" if bom else " (plain UTF-8)"
        self.notify(f"wrote {len(users):,} users ({age}) to {target}{note}", markup=False)

    # ----- update from a CSV ------------------------------------------------------------------------------

    @on(Button.Pressed, "#admin-diff-button")
    @on(Input.Submitted, "#admin-update-path")
    def _diff(self) -> None:
        path = expand_user(self.query_one("#admin-update-path", Input).value.strip())
        self.query_one(DiffPanel).open_file(path)

    @on(DirectoryChanged)
    def _directory_changed(self) -> None:
        self.action_reexport()

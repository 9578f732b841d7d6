"""The update-from-CSV panel: read the file (a Shift_JIS file is shown decoded and converted only when the user
says so), plan it against a fresh export in a worker, show counts and the diff (n / N between problems, c for
only changes), and apply after a confirmation naming the counts; the rollback file's path and the
verification stay on screen."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from camtui.admin.diff_view import DiffItem, counts_text, diff_items, next_problem
from camtui.admin.users_plan import UsersPlan
from camtui.tui.admin.confirm import ConfirmModal
from camtui.tui.admin.lines import LineList

EMPTY = "no file yet: type a CSV's path above and press Diff (enter). Nothing is sent before you confirm."


class DirectoryChanged(Message):
    """The update went through: the Users tab re-exports its table."""


def _style(item: DiffItem) -> str | None:
    return {
        "create": "create",
        "change": "change",
        "error": "error",
        "warning": "warning",
        "invalid": "error",
    }.get(item.kind)


class DiffPanel(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "problem(1)", "Next problem"),
        Binding("N", "problem(-1)", "Previous problem"),
        Binding("c", "only_changes", "Only changes"),
        Binding("a", "apply", "Apply…"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan: UsersPlan | None = None
        self.text = ""
        self.path: Path | None = None
        self.only_changes = False
        self.items: list[DiffItem] = []
        self.result_text = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="admin-diff-counts", markup=False)
        yield Static("", id="admin-diff-own", markup=False)
        yield LineList(lambda item: item.text, header=EMPTY, style_of=_style, id="admin-diff-lines")
        with Horizontal(classes="admin-row"):
            yield Static("", id="admin-diff-result", markup=False)
            yield Button("Apply…", id="admin-apply", disabled=True)

    # ----- reading and planning ---------------------------------------------------------------------------

    def open_file(self, path: Path) -> None:
        from camtui.admin.csv_text import CsvEncodingError, decode_csv, preview_rows

        try:
            decoded = decode_csv(path.read_bytes())
        except OSError as exc:
            self._say(f"{path}: cannot read: {exc.strerror or exc}")
            return
        except CsvEncodingError as exc:  # before ValueError: it is one
            self._say(f"{path}: {exc}")
            return
        except ValueError:  # a NUL byte in the name
            self._say(f"{str(path)!r}: not a file name")
            return
        self.path = path
        if not decoded.converted:
            self._plan(decoded.text)
            return
        rows = [",".join(r) for r in preview_rows(decoded.text, 4)]

        def answered(convert: bool | None) -> None:
            if convert:
                self._plan(decoded.text)
            else:
                self._say(f"{path}: not converted; nothing read (save it as UTF-8, or convert it here)")

        self.app.push_screen(
            ConfirmModal(
                f"{path.name} is {decoded.encoding}, not UTF-8. Convert it to UTF-8? The first rows read as:",
                rows,
                "Convert",
            ),
            answered,
        )

    def _say(self, text: str) -> None:
        self.result_text = text
        self.query_one("#admin-diff-result", Static).update(text)

    @work(group="admin-plan", exclusive=True, exit_on_error=False)
    async def _plan(self, text: str) -> None:
        from camtui.admin.users_apply import fresh_directory
        from camtui.admin.users_plan import plan_users_update
        from camtui.api import CAMAPIError

        app: Any = self.app
        self.text = text
        self._say("exporting the directory to compare with…")
        try:
            users = await fresh_directory(
                app.client, app.store.directory, progress=lambda step: self._say(step + "…")
            )
        except CAMAPIError as exc:
            if exc.code == "800":
                self._say("not compared: this token is not an administrator (800); updating users needs one")
            else:
                self._say(f"not compared: {exc}")
            return
        self._say("comparing…")
        me = app.settings.admin_me
        self.plan = await asyncio.to_thread(plan_users_update, text, users, me)
        await self._show_plan()
        if self.plan.errors:
            self._say(
                f"nothing sent: the file has {len(self.plan.errors)} errors (n goes to the next problem)"
            )
        else:
            self._say(
                "nothing sent yet" + ("; a applies" if self.plan.sendable else " (nothing would change)")
            )

    async def _show_plan(self) -> None:
        if self.plan is None:
            return
        self.items = await asyncio.to_thread(diff_items, self.plan, self.only_changes)
        suffix = " · only changes (c)" if self.only_changes else ""
        self.query_one("#admin-diff-counts", Static).update(counts_text(self.plan) + suffix)
        own = self.query_one("#admin-diff-own", Static)
        own.update(self.plan.own_admin_unchecked() or "")
        own.display = self.plan.own_admin_unchecked() is not None
        lines = self.query_one("#admin-diff-lines", LineList)
        name = self.path.name if self.path else ""
        lines.set_items(self.items, f"{name} — n/N problems · c only changes · a apply")
        self.query_one("#admin-apply", Button).disabled = not self.plan.sendable

    # ----- navigation -------------------------------------------------------------------------------------

    def action_problem(self, direction: int) -> None:
        lines = self.query_one("#admin-diff-lines", LineList)
        if not self.items:
            return
        index = next_problem(self.items, lines.cursor if direction > 0 or lines.cursor else 0, direction)
        if index is None:
            self.notify("no problems in this file", markup=False)
            return
        lines.focus()
        lines.move_to(index)

    async def action_only_changes(self) -> None:
        self.only_changes = not self.only_changes
        await self._show_plan()

    # ----- applying ---------------------------------------------------------------------------------------

    @on(Button.Pressed, "#admin-apply")
    def action_apply(self) -> None:
        plan = self.plan
        if plan is None or not plan.sendable:
            return
        create, change = plan.count("create"), plan.count("change")
        lines = [
            f"create {create} users, change {change} users ({plan.count('same')} identical rows not touched).",
            f"{len(plan.warnings)} warnings (admin flags, fields the rollback file cannot empty again).",
            "A rollback file with the current values of the changed rows is written first.",
        ]
        unchecked = plan.own_admin_unchecked()
        if unchecked:
            lines.append(unchecked + ".")
        if create:
            lines.append(
                f"The {create} created users cannot be removed by the rollback (the API has no delete)."
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self._apply()

        self.app.push_screen(
            ConfirmModal(f"Update: create {create}, change {change}?", lines, "Apply"), answered
        )

    @work(group="admin-apply", exclusive=True, exit_on_error=False)
    async def _apply(self) -> None:
        from camtui.admin.users_apply import SendFailed, apply_plan, data_dir_of

        app: Any = self.app
        plan = self.plan
        if plan is None:
            return
        self.query_one("#admin-apply", Button).disabled = True
        try:
            result = await apply_plan(
                app.client,
                plan,
                self.text.encode("utf-8"),
                data_dir_of(app.store.path),
                app.clock(),
                filename=self.path.name if self.path else "updateUsers.csv",
                progress=lambda step: self._say(step + "…"),
            )
        except SendFailed as exc:  # the rollback file was written first: its path stays on screen
            self._say(str(exc))
            if exc.unknown:
                self.post_message(DirectoryChanged())  # re-export: the table shows what the server has now
            return
        except Exception as exc:
            self._say(f"not applied: {exc}")
            app.report_error(exc, "admin")
            return
        self.post_message(DirectoryChanged())
        rollback = (
            f"rollback file: {result.rollback}" if result.rollback else "no rollback file (no user changed)"
        )
        if result.mismatches:
            verdict = f"NOT as planned: {len(result.mismatches)} rows (listed above)"
            self.items = [DiffItem("error", "✗ " + m.text(), m.line) for m in result.mismatches]
            lines = self.query_one("#admin-diff-lines", LineList)
            lines.set_items(
                self.items, f"after the update: {len(result.mismatches)} rows differ from the plan"
            )
        else:
            verdict = "verified: the directory matches the plan"
        self._say(f"created {result.created}, updated {result.updated} · {rollback} · {verdict}")
        self.plan = None

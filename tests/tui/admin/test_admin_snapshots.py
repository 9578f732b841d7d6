"""SVG snapshots of the admin screen at a fixed instant on the seeded sandbox: the Users tab with a diff loaded,
and the Chat rooms tab. Update with `pytest --snapshot-update` after checking the report."""

from __future__ import annotations

from pathlib import Path

from admin_tui_support import NOW, admin_app, open_store, until

from camtui.api import CAMClient
from camtui.tui.admin.diff_panel import DiffPanel
from camtui.tui.admin.rooms_tab import RoomsTab
from camtui.tui.admin.screen import AdminScreen
from camtui.tui.admin.users_tab import UsersTab

SIZE = (150, 44)


def app_on(sandbox, tmp_path: Path):
    client = CAMClient(sandbox.url, sandbox.admin_token)
    app = admin_app(client, open_store(tmp_path / "store.db"))
    app._close_on_exit = True  # the app owns client and store
    return app


def test_users_tab_with_a_diff(snap_compare, sandbox_factory, tmp_path: Path) -> None:
    server = sandbox_factory(now=lambda: NOW)
    path = tmp_path / "people.csv"
    path.write_text(
        "email,name,department,admin\r\n"
        "user1@xxx.com,,企画部,\r\n"
        "user2@xxx.com,,,true\r\n"
        "new.person@xxx.com,新人 一郎,開発部,\r\n"
        "user2@xxx.com,,,\r\n"
        "broken,X,,\r\n",
        encoding="utf-8",
    )

    async def run_before(pilot) -> None:
        await pilot.press("4")
        await until(pilot, lambda: isinstance(pilot.app.screen, AdminScreen))
        tab = pilot.app.screen.query_one(UsersTab)
        await until(pilot, lambda: len(tab.users) == 300 and tab.busy is None, "the export")
        tab.query_one("#admin-export-path").value = "~/Documents/camtui-users.csv"
        field = tab.query_one("#admin-update-path")
        field.value = str(path)
        tab.query_one(DiffPanel).open_file(path)
        await until(pilot, lambda: tab.query_one(DiffPanel).plan is not None, "the plan")
        field.value = "people.csv"
        tab.query_one("#admin-users").focus()
        await pilot.pause(0.2)

    assert snap_compare(app_on(server, tmp_path), terminal_size=SIZE, run_before=run_before)


def test_chat_rooms_tab(snap_compare, sandbox_factory, tmp_path: Path) -> None:
    server = sandbox_factory(now=lambda: NOW)

    async def run_before(pilot) -> None:
        await pilot.press("4")
        await until(pilot, lambda: isinstance(pilot.app.screen, AdminScreen))
        pilot.app.screen.show_tab("rooms")
        tab = pilot.app.screen.query_one(RoomsTab)
        await until(pilot, lambda: tab.matcher is not None, "the directory")
        tab.query_one("#room-name").value = "営業部 定例"
        tab.query_one("#room-members").value = "user1@xxx.com, user2@xxx.com"
        tab.query_one("#room-name").focus()
        await pilot.pause(0.3)

    assert snap_compare(app_on(server, tmp_path), terminal_size=SIZE, run_before=run_before)

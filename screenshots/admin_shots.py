"""The admin screen's README screenshots (called by make_screenshots.py): the users table, a CSV diff with
verdicts, and the chat room editor, on the same demo sandbox and fixed instant as the other shots.

These need more than key presses (a CSV file to diff, the spec's chatRoom text pasted), so each shot is a short
scripted step list here. The CSV is built from the sandbox's own directory (seed 1), so reruns match."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

SPEC_ROOM = """let chatRoom = {
   "id":"1564831284702237059",
   "name":"秘密会議",
   "createUserId":"11u1pu9d32p8vuvjoZdd",
   "adminUserId":"11u1pu9d32p8vuvjoZdd",
   "isPublic":false,
   "memberUids":{
      "11u1pu9d32p8vuvjoZdd":true,
      "1lmn7hoh3s1ja26fsazw":true,
      "hhx10sfdv1jyou4la1ny":true,
      "3400w9rfvs504c35dt99":true,
      "309d32p8vuvjo5euuuwx":true
   }
}"""
CSV_NAME = "users-update.csv"
EXPORT_PATH = "~/Documents/camtui-users-20260302-104000.csv"
"""The default a user with a Documents folder sees at the fixed instant (this machine's home would vary)."""
ME = "admin@example.co.jp"
"""The demo's admin account, as `[admin] me` would name it (the API cannot say whose token it is)."""


async def until(pilot: Any, condition: Callable[[], object], timeout: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition() and loop.time() < deadline:
        await pilot.pause(0.05)


def write_update_csv(folder: Path, users: list[Any]) -> Path:
    """A file with one of each: a change, a new user, an admin promotion, the caller's own admin flag, a
    duplicate, a bad address and an empty name for a new user."""
    people = sorted(
        (u for u in users if not u.admin and u.email.endswith("example.co.jp")), key=lambda u: u.email
    )
    a, b, c, d = people[3], people[10], people[17], people[24]
    rows = [
        "email,name,department,position,admin",
        f"{a.email},,{a.department},部長,",
        f"{b.email},{b.name},経営企画部,,",
        f"{c.email},,,,true",
        f"{ME},,,,false",
        "new.hire@example.co.jp,新入 太郎,開発部,一般,",
        f"{b.email},,,,",
        "kenji.sato@example,佐藤 健二,,,",
        "no.name@example.co.jp,,営業部,,",
        f"{d.email},,,,",
    ]
    path = folder / CSV_NAME
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    return path


async def _open_users(app: Any, pilot: Any) -> Any:
    from camtui.tui.admin.users_tab import UsersTab

    await pilot.press("4")
    await until(pilot, lambda: type(app.screen).__name__ == "AdminScreen")
    tab = app.screen.query_one(UsersTab)
    await until(pilot, lambda: len(tab.users) > 0 and tab.busy is None)
    tab.query_one("#admin-export-path").value = EXPORT_PATH
    return tab


async def users_shot(app: Any, pilot: Any, folder: Path) -> None:
    tab = await _open_users(app, pilot)
    table = tab.query_one("#admin-users")
    await pilot.click(table, offset=(1 + 66 + 2, 1))  # the Department header: sorted by it
    await until(pilot, lambda: "Department ▲" in table.header)
    table.move_to(3)


async def diff_shot(app: Any, pilot: Any, folder: Path) -> None:
    from camtui.tui.admin.diff_panel import DiffPanel

    tab = await _open_users(app, pilot)
    tab.query_one("#admin-update-path").value = CSV_NAME
    await pilot.click("#admin-diff-button")
    panel = tab.query_one(DiffPanel)
    await until(pilot, lambda: panel.plan is not None and bool(panel.items))
    await pilot.pause(0.2)
    panel.action_problem(1)


async def rooms_shot(app: Any, pilot: Any, folder: Path) -> None:
    from camtui.tui.admin.rooms_tab import RoomsTab

    await pilot.press("4")
    await until(pilot, lambda: type(app.screen).__name__ == "AdminScreen")
    app.screen.show_tab("rooms")
    tab = app.screen.query_one(RoomsTab)
    await until(pilot, lambda: tab.matcher is not None)
    app.screen.query_one("#room-add-id").value = "1564831284702237059"  # the spec's sample room, by its id
    tab.action_add_by_id()
    await until(pilot, lambda: len(tab.query_one("#room-list").items) == 1)
    app.screen.query_one("#room-paste").text = SPEC_ROOM
    await pilot.pause(0.1)
    tab._load_paste()  # what the Load pasted button does (it sits below the fold at 48 rows)
    await until(
        pilot, lambda: "(11u1pu9d32p8vuvjoZdd)" in str(tab.query_one("#room-members-resolved").render())
    )
    app.screen.query_one("#room-name").focus()


ADMIN_SHOTS: list[tuple[str, Callable[[Any, Any, Path], Awaitable[None]]]] = [
    ("admin-users", users_shot),
    ("admin-diff", diff_shot),
    ("admin-rooms", rooms_shot),
]


async def make_admin_shots(
    sandbox: Any, tmp: Path, now: datetime, out: Path, size: tuple[int, int]
) -> list[Path]:
    """Each shot on its own app and store (both on the fixed clock, so "exported 10:40, just now")."""
    from camtui.api import CAMClient
    from camtui.common.clock import fixed_clock
    from camtui.config.settings import Settings
    from camtui.store import Store
    from camtui.tui.app import CamApp

    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        users = (await client.export_users()).users
    write_update_csv(tmp, users)
    written: list[Path] = []
    cwd = os.getcwd()
    os.chdir(tmp)  # the CSV path is typed relative, as the screen shows it
    try:
        for name, steps in ADMIN_SHOTS:
            settings = Settings.defaults().with_changes(
                server_url=sandbox.url, api_token=sandbox.admin_token, admin_me=ME
            )
            client = CAMClient(sandbox.url, sandbox.admin_token)
            store = Store.open(tmp / f"store-{name}.db", clock=fixed_clock(now))
            app = CamApp(client, store, settings, clock=fixed_clock(now), close_on_exit=True)
            app.server_label = "demo sandbox 127.0.0.1"
            async with app.run_test(size=size) as pilot:
                await pilot.pause(0.3)
                await steps(app, pilot, tmp)
                await pilot.pause(0.4)
                path = out / f"{name}.svg"
                path.write_text(app.export_screenshot(title=f"camtui — {name}"), encoding="utf-8")
                written.append(path)
                print(f"wrote {path}")
    finally:
        os.chdir(cwd)
    return written

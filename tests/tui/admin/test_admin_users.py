"""Pilot tests of the admin screen's Users tab against the sandbox (issue 13)."""

from __future__ import annotations

import csv
import io

from admin_tui_support import admin_app, open_store, text_of, until

from camtui.api import CAMClient
from camtui.tui.admin.diff_panel import DiffPanel
from camtui.tui.admin.lines import LineList
from camtui.tui.admin.screen import AdminScreen
from camtui.tui.admin.users_tab import UsersTab


async def open_users(pilot) -> UsersTab:
    await pilot.press("4")
    await until(pilot, lambda: isinstance(pilot.app.screen, AdminScreen), "the admin screen")
    tab = pilot.app.screen.query_one(UsersTab)
    await until(pilot, lambda: len(tab.users) == 300 and tab.busy is None, "the export")
    return tab


async def test_4_opens_the_directory_filter_sort_and_age(sandbox):
    store = open_store()
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = admin_app(client, store)
        async with app.run_test(size=(160, 48)) as pilot:
            tab = await open_users(pilot)
            assert len(store.directory) == 300
            assert "300 users · exported 14:02, just now" in text_of(app, "#admin-users-status")
            table = app.screen.query_one("#admin-users", LineList)
            assert [u.email for u in table.items] == sorted((u.email for u in tab.users), key=str.lower)
            some = tab.users[5]
            app.screen.query_one("#admin-filter").value = some.email
            await until(pilot, lambda: table.items and table.items[0].email == some.email, "the filter")
            assert "of 300 users" in text_of(app, "#admin-users-status")
            app.screen.query_one("#admin-filter").value = ""
            table.focus()
            await pilot.press("s")  # sort by name
            await until(pilot, lambda: "Name ▲" in table.header, "the sorted table")
            names = [u.name.lower() for u in table.items]
            assert names == sorted(names)
            await pilot.press("escape")
            assert not isinstance(app.screen, AdminScreen)
    store.close()


async def test_export_neutralises_formula_cells_with_bom(sandbox, tmp_path):
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        await client.update_users_csv('email,name\r\nevil@xxx.com,=HYPERLINK("http://x")\r\n')
    store = open_store()
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = admin_app(client, store)
        async with app.run_test(size=(160, 48)) as pilot:
            tab = await until_users(pilot, 301)
            target = tmp_path / "out.csv"
            app.screen.query_one("#admin-export-path").value = str(target)
            await pilot.click("#admin-export")
            await until(pilot, target.exists, "the file")
            raw = target.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            assert len(rows) == 302 and rows[0][0] == "uid"
            evil = next(r for r in rows if r[1] == "evil@xxx.com")
            assert evil[2] == '\'=HYPERLINK("http://x")'
            assert len(tab.users) == 301
    store.close()


async def until_users(pilot, count: int) -> UsersTab:
    await pilot.press("4")
    await until(pilot, lambda: isinstance(pilot.app.screen, AdminScreen))
    tab = pilot.app.screen.query_one(UsersTab)
    await until(pilot, lambda: len(tab.users) == count and tab.busy is None, "the export")
    return tab


async def test_shift_jis_file_is_offered_for_conversion_then_diffed_applied_verified(sandbox, tmp_path):
    store = open_store(tmp_path / "store.db")
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        before = (await client.export_users()).users
        a, b = [u for u in before if u.name and u.department and u.position and not u.admin][:2]
        app = admin_app(client, store)
        path = tmp_path / "sjis.csv"
        path.write_bytes(
            (
                "email,name,department,admin\r\n"
                f"{a.email},新しい名前,新部署,\r\n"
                f"{b.email},,,true\r\n"
                f"{b.email},,,\r\n"
                "bad-address,X,,\r\n"
            ).encode("cp932")
        )
        async with app.run_test(size=(160, 48)) as pilot:
            tab = await open_users(pilot)
            app.screen.query_one("#admin-update-path").value = str(path)
            await pilot.click("#admin-diff-button")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmModal", "the conversion question")
            body = text_of(app, "#admin-confirm-body")
            assert f"{a.email},新しい名前,新部署," in body
            await pilot.press("y")
            panel = tab.query_one(DiffPanel)
            await until(pilot, lambda: panel.plan is not None, "the plan")
            counts = text_of(app, "#admin-diff-counts")
            assert counts.startswith("create 0 · change 2 · identical 0 · invalid 2 · 2 errors · 1 warnings")
            assert tab.query_one("#admin-apply").disabled  # errors block the update
            lines = tab.query_one("#admin-diff-lines", LineList)
            panel.action_problem(1)
            await pilot.pause()
            assert lines.current.kind == "warning" and "admin false → true" in lines.current.text
            panel.action_problem(1)
            await pilot.pause()
            assert lines.current.kind == "error" and "also on line 3" in lines.current.text
            # fix the file (drop the bad rows): now it can be applied
            path.write_text(
                f"email,name,department\r\n{a.email},新しい名前,新部署\r\n{b.email},,{b.department}\r\n",
                encoding="utf-8",
            )
            await pilot.click("#admin-diff-button")
            await until(
                pilot, lambda: panel.plan is not None and panel.plan.count("invalid") == 0, "the new plan"
            )
            await panel.action_only_changes()
            assert [i.kind for i in panel.items] == ["change"]
            await pilot.click("#admin-apply")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmModal", "the confirmation")
            assert "create 0, change 1" in text_of(app, "#admin-confirm-title")
            await pilot.press("y")
            await until(pilot, lambda: "verified" in panel.result_text, "the verification", limit=30)
            result = panel.result_text
            assert result.startswith("created 0, updated 2 · rollback file: ")
            rollback = result.split("rollback file: ")[1].split(" · ")[0]
            assert rollback.startswith(str(tmp_path / "rollback"))
            await until(pilot, lambda: store.directory.get(a.email).name == "新しい名前", "the re-export")
        undo = await client.update_users_csv(__import__("pathlib").Path(rollback))
        assert undo.updated == 1
        assert (await client.export_users()).users == before
    store.close()


async def test_non_admin_token_says_so_and_shows_the_cached_directory(sandbox):
    store = open_store()
    async with CAMClient(sandbox.url, sandbox.admin_token) as admin:
        store.directory.replace((await admin.export_users()).users)
    async with CAMClient(sandbox.url, sandbox.user_token) as client:
        app = admin_app(client, store)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.press("4")
            await until(pilot, lambda: isinstance(app.screen, AdminScreen))
            tab = app.screen.query_one(UsersTab)
            await until(pilot, lambda: tab.not_admin and len(tab.users) == 300, "the notice and the cache")
            notice = text_of(app, "#admin-notice")
            assert notice.startswith("This token is not an administrator (800)")
            assert "re-export, update from CSV and chat rooms need" in notice
            assert len(app.screen.query_one("#admin-users", LineList).items) == 300
    store.close()

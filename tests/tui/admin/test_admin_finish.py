"""Pilot tests for what the admin screen first left out (issue 13): whose token it is ([admin] me), sorting by a
click on a column header, and a chat room added by its id. Real sandbox over loopback."""

from __future__ import annotations

import asyncio

from admin_tui_support import admin_app, open_store, text_of, until
from textual.widgets import TabbedContent

from camtui.api import CAMClient
from camtui.tui.admin.diff_panel import DiffPanel
from camtui.tui.admin.lines import LineList
from camtui.tui.admin.rooms_tab import PUBLIC, PUBLIC_UNKNOWN, RoomsTab
from camtui.tui.admin.screen import TABS, AdminScreen
from camtui.tui.admin.users_tab import UsersTab


async def open_admin(pilot, users: int = 300) -> UsersTab:
    await pilot.press("4")
    await until(pilot, lambda: isinstance(pilot.app.screen, AdminScreen), "the admin screen")
    tab = pilot.app.screen.query_one(UsersTab)
    await until(pilot, lambda: len(tab.users) == users and tab.busy is None, "the export")
    return tab


async def diff(pilot, tab: UsersTab, path) -> DiffPanel:
    panel = tab.query_one(DiffPanel)
    panel.plan = None
    pilot.app.screen.query_one("#admin-update-path").value = str(path)
    await pilot.click("#admin-diff-button")
    await until(pilot, lambda: panel.plan is not None, "the plan")
    await pilot.pause()
    return panel


async def test_own_admin_rights_need_admin_me_and_the_screen_says_when_unchecked(sandbox, tmp_path):
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        users = (await client.export_users()).users
        me, other = [u for u in users if not u.admin][:2]
        path = tmp_path / "promote.csv"
        path.write_text(f"email,admin\n{me.email},true\n{other.email},true\n", encoding="utf-8")
        for admin_me in (None, me.email.upper()):
            app = admin_app(client, open_store(), admin_me=admin_me and admin_me.lower())
            async with app.run_test(size=(160, 48)) as pilot:
                tab = await open_admin(pilot)
                panel = await diff(pilot, tab, path)
                own = app.screen.query_one("#admin-diff-own")
                if admin_me is None:  # nobody told camtui whose token this is: no silent pass
                    assert own.display
                    assert text_of(app, "#admin-diff-own").startswith(
                        "NOT CHECKED: whether one of the 2 admin flag changes is your own account — camtui "
                        "does not know whose token this is (set [admin] me in the config"
                    )
                    assert not tab.query_one("#admin-apply").disabled
                    await pilot.click("#admin-apply")
                    await until(
                        pilot, lambda a=app: type(a.screen).__name__ == "ConfirmModal", "the question"
                    )
                    assert "NOT CHECKED" in text_of(app, "#admin-confirm-body")
                    await pilot.press("escape")
                else:
                    assert not own.display
                    codes = [(v.line, v.code, v.severity) for v in panel.plan.verdicts]
                    assert codes == [(2, "own_admin", "error"), (3, "admin_change", "warning")]
                    assert tab.query_one("#admin-apply").disabled
                    assert "changes your own admin rights (false → true)" in "\n".join(
                        i.text for i in panel.items
                    )
    assert sandbox.stats()["byMethod"].get("updateUsersCSV", 0) == 0


async def test_click_a_column_header_sorts_then_reverses(sandbox):
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = admin_app(client, open_store())
        async with app.run_test(size=(160, 48)) as pilot:
            tab = await open_admin(pilot)
            table = app.screen.query_one("#admin-users", LineList)
            assert app.focused is table  # the tab's keys work as soon as it opens
            assert table.header.startswith("E-mail ▲")
            # the header line is the first line inside the table's border; "Department" starts at cell 66
            await pilot.click(table, offset=(1 + 66 + 2, 1))
            await until(pilot, lambda: "Department ▲" in table.header, "sorted by department")
            deps = [u.department.lower() for u in table.items]
            assert deps == sorted(deps) and "E-mail ▲" not in table.header
            await pilot.click(table, offset=(1 + 66 + 2, 1))
            await until(pilot, lambda: "Department ▼" in table.header, "reversed")
            assert [u.department.lower() for u in table.items] == sorted(deps, reverse=True)
            await pilot.click(table, offset=(1 + 31 + 1, 1))  # Name
            await until(pilot, lambda: "Name ▲" in table.header, "sorted by name")
            # a filter ranks best match first: no column claims the order until a sort is asked for
            some = tab.users[7]
            app.screen.query_one("#admin-filter").value = some.email
            await until(pilot, lambda: "best match first" in text_of(app, "#admin-users-status"), "ranked")
            assert "▲" not in table.header and table.items[0].email == some.email
            await pilot.click(table, offset=(1 + 2, 1))
            await until(pilot, lambda: "E-mail ▲" in table.header, "the filtered rows sorted")
            assert "best match first" not in text_of(app, "#admin-users-status")


async def test_add_a_chat_room_by_id_then_edit_it(sandbox):
    store = open_store()
    spec_room = next(r for r in sandbox.chat_rooms() if r["id"] == "1564831284702237059")
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        users = (await client.export_users()).users
        newcomer = next(u for u in users if u.uid not in spec_room["memberUids"])
        app = admin_app(client, store)
        async with app.run_test(size=(160, 60)) as pilot:
            await pilot.press("4")
            await until(pilot, lambda: isinstance(app.screen, AdminScreen))
            app.screen.show_tab("rooms")
            tab = app.screen.query_one(RoomsTab)
            await until(pilot, lambda: tab.matcher is not None, "the directory")
            room_list = app.screen.query_one("#room-list")
            await until(pilot, lambda: app.focused is room_list, "focus in the rooms list")
            add = app.screen.query_one("#room-add-id")
            add.focus()
            await until(pilot, lambda: app.focused is add, "focus in the id field")
            add.value = "has space"
            await pilot.press("enter")
            await until(pilot, lambda: text_of(app, "#room-status").startswith("not added"), "refused")
            add.value = spec_room["id"]
            await pilot.press("enter")
            await until(pilot, lambda: "kept in the list; nothing sent" in text_of(app, "#room-status"))
            assert sandbox.stats()["byMethod"].get("updateChatRoom", 0) == 0
            assert [r.id for r in store.chat_rooms.rooms()] == [spec_room["id"]]
            lines = app.screen.query_one("#room-list", LineList)
            assert [lines._text_of(r) for r in lines.items] == [
                f"?        id {spec_room['id']}  added by id: name, members unknown until you update it"
            ]
            assert app.screen.query_one("#room-id").value == spec_room["id"]
            assert str(app.screen.query_one("#room-public").label) == PUBLIC_UNKNOWN
            tab.action_save()  # nothing filled in: nothing to send
            await until(pilot, lambda: text_of(app, "#room-err-name").startswith("nothing to send"))
            assert sandbox.stats()["byMethod"].get("updateChatRoom", 0) == 0
            # one member added by typing; public, name and the others stay as the server has them
            members = spec_room["memberUids"]
            email_of = {u.uid: u.email for u in users}
            app.screen.query_one("#room-members").value = ", ".join(
                [*(email_of[u] for u in members), newcomer.email]
            )
            tab.action_save()
            await until(pilot, lambda: text_of(app, "#room-status").startswith("updated"), "the update")
            after = next(r for r in sandbox.chat_rooms() if r["id"] == spec_room["id"])
            assert after["name"] == spec_room["name"] and after["isPublic"] == spec_room["isPublic"]
            assert set(after["memberUids"]) == {*members, newcomer.uid}
            kept = store.chat_rooms.rooms()[0]
            assert kept.name == spec_room["name"] and newcomer.uid in kept.member_uids
            await pilot.pause()
            assert str(app.screen.query_one("#room-public").label) == PUBLIC_UNKNOWN  # still not sent
            lines.move_to(0)  # picked from the list again: now a known room
            await pilot.pause()
            assert app.screen.query_one("#room-name").value == spec_room["name"]
            assert str(app.screen.query_one("#room-public").label) == PUBLIC
    store.close()


def test_alt_digits_from_xterm_and_tmux_arrive_as_alt_keys_not_characters():
    """ESC 4 is what xterm / tmux / GNOME Terminal send for alt+4; Textual alone reads it as "¢"."""
    import time

    from textual._xterm_parser import XTermParser

    import camtui.tui.shell.keys  # noqa: F401  (the app imports it at start)

    for digit in "1234":
        parser = XTermParser()
        keys = list(parser.feed(f"\x1b{digit}"))
        if not keys:
            time.sleep(0.15)
            keys = list(parser.tick())
        assert [(k.key, k.character) for k in keys] == [(f"alt+{digit}", None)]


async def test_alt_4_while_typing_and_what_was_typed_is_there_again(sandbox):
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = admin_app(client, open_store())
        async with app.run_test(size=(160, 48)) as pilot:
            tab = await open_admin(pilot)
            field = app.screen.query_one("#admin-filter")
            field.focus()
            await pilot.press("a", "i", ".")
            await pilot.press("alt+4")  # typing in a field: alt+4 leaves, no "4" typed
            assert not isinstance(app.screen, AdminScreen)
            assert field.value == "ai."
            await pilot.press("4")
            await until(pilot, lambda: isinstance(app.screen, AdminScreen))
            assert app.screen.query_one(UsersTab) is tab and field.value == "ai."
            app.screen.show_tab("rooms")
            await pilot.pause()
            app.screen.query_one("#room-name").value = "half typed"
            await pilot.press("escape")
            await pilot.press("4")
            await until(pilot, lambda: isinstance(app.screen, AdminScreen))
            assert app.screen.query_one("#room-name").value == "half typed"


async def test_an_update_whose_answer_is_lost_says_outcome_unknown_with_the_rollback_path(sandbox, tmp_path):
    store = open_store(tmp_path / "store.db")
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        users = (await client.export_users()).users
        a = next(u for u in users if u.department and not u.admin)
        path = tmp_path / "move.csv"
        path.write_text(f"email,department\n{a.email},新しい部署\n", encoding="utf-8")
        app = admin_app(client, store)
        async with app.run_test(size=(160, 48)) as pilot:
            tab = await open_admin(pilot)
            panel = await diff(pilot, tab, path)
            sandbox.set_faults({"reset_after": 1.0, "methods": ["updateUsersCSV"], "times": 1})
            await pilot.click("#admin-apply")
            await until(pilot, lambda: type(app.screen).__name__ == "ConfirmModal", "the question")
            await pilot.press("y")
            await until(pilot, lambda: panel.result_text.startswith("outcome unknown"), "the unknown outcome")
            rollback = tmp_path / "rollback"
            written = list(rollback.glob("users-rollback-*.csv"))
            assert len(written) == 1 and f"rollback file: {written[0]}" in panel.result_text
            assert "not applied" not in panel.result_text  # it was applied: the server committed it
            assert sandbox.stats()["byMethod"]["updateUsersCSV"] == 1  # and it was not sent again
            await until(
                pilot, lambda: store.directory.get(a.email).department == "新しい部署", "the re-export"
            )
    store.close()


async def test_a_tab_shown_while_the_screen_opens_gets_the_focus_in_its_list(sandbox):
    """The focus goes into the list of the tab that is up when the screen has refreshed, even when another tab
    was asked for while the screen was opening (its keys must work at once, not after a Tab press)."""
    store = open_store()
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        for tab_name, target in (("rooms", "#room-list"), ("users", "#admin-users")):
            app = admin_app(client, store)
            async with app.run_test(size=(160, 60)) as pilot:
                first = "users" if tab_name == "rooms" else "rooms"
                screen = AdminScreen(first)
                app.push_screen(screen)
                while not (
                    screen.query(TabbedContent) and screen.query_one(TabbedContent).active == TABS[first]
                ):
                    await asyncio.sleep(0)
                screen.show_tab(tab_name)  # as soon as the first tab is up: before the screen has resumed
                assert screen.query_one(TabbedContent).active == TABS[tab_name]
                await until(pilot, lambda s=screen: s.focused is not None, "some focus")
                await pilot.pause(0.2)
                assert screen.focused is screen.query_one(target), (tab_name, screen.focused)

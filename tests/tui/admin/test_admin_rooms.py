"""Pilot tests of the Chat rooms tab against the sandbox: create, update, 405, 406, member completion."""

from __future__ import annotations

from admin_tui_support import admin_app, open_store, text_of, until

from camtui.api import CAMClient
from camtui.tui.admin.rooms_tab import RoomsTab
from camtui.tui.admin.screen import AdminScreen


async def open_rooms(pilot) -> RoomsTab:
    await pilot.app.run_action("command_palette")  # the palette entry, as a user finds it
    await pilot.press(*"Admin: chat rooms")
    await pilot.pause(0.3)
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, AdminScreen), "the admin screen")
    tab = pilot.app.screen.query_one(RoomsTab)
    await until(pilot, lambda: tab.matcher is not None, "the directory")
    return tab


async def test_create_update_405_406_and_member_completion(sandbox):
    store = open_store()
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        users = (await client.export_users()).users
        a, b, c = users[10], users[11], users[12]
        app = admin_app(client, store)
        async with app.run_test(size=(160, 60)) as pilot:
            tab = await open_rooms(pilot)
            assert tab.is_on_screen
            screen = app.screen
            screen.query_one("#room-name").value = "camtui admin test"
            members = screen.query_one("#room-members")
            members.focus()
            await pilot.press(*a.email[:8])
            await until(
                pilot, lambda: members._suggestion == a.email or members._suggestion.startswith(a.email[:8])
            )
            members.value = f"{a.email}, {b.email}"
            await until(
                pilot, lambda: f"({a.uid})" in text_of(app, "#room-members-resolved"), "names with uids"
            )
            assert a.name in text_of(app, "#room-members-resolved")
            tab.action_save()
            await until(pilot, lambda: text_of(app, "#room-status").startswith("created"), "the create")
            room_id = screen.query_one("#room-id").value
            assert room_id and [r.id for r in store.chat_rooms.rooms()] == [room_id]
            room = next(r for r in sandbox.chat_rooms() if r["id"] == room_id)
            assert room["name"] == "camtui admin test"
            assert {a.uid, b.uid} <= set(room["memberUids"])

            members.value = f"{a.email}, {b.email}, {c.email}"  # update: one more member
            tab.action_save()
            await until(pilot, lambda: text_of(app, "#room-status").startswith("updated"), "the update")
            assert set(store.chat_rooms.rooms()[0].member_uids) >= {a.uid, b.uid, c.uid}

            # 406: a second room with the same name; what was typed stays
            tab.action_new()
            screen.query_one("#room-name").value = "camtui admin test"
            members.value = a.email
            tab.action_save()
            await until(pilot, lambda: text_of(app, "#room-err-name").startswith("406"), "406 by the name")
            assert screen.query_one("#room-name").value == "camtui admin test" and members.value == a.email
            assert "kept" in text_of(app, "#room-status")

            # 405: an id no room has
            screen.query_one("#room-id").value = "999999999"
            tab.action_save()
            await until(pilot, lambda: text_of(app, "#room-err-id").startswith("405"), "405 by the id")
            assert screen.query_one("#room-id").value == "999999999"


async def test_paste_the_specs_js_form_and_a_syntax_error_line(sandbox):
    store = open_store()
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        users = (await client.export_users()).users
        a, b = users[3], users[4]
        app = admin_app(client, store)
        async with app.run_test(size=(160, 60)) as pilot:
            await open_rooms(pilot)
            area = app.screen.query_one("#room-paste")
            area.text = f'let chatRoom = {{\n  "name": "貼り付け",\n  "memberUids": {{"{a.uid}": true, "{b.uid}": true}},\n}};'
            app.screen.query_one("#room-load-paste").press()
            await pilot.pause()
            assert app.screen.query_one("#room-name").value == "貼り付け"
            assert app.screen.query_one("#room-members").value == f"{a.email}, {b.email}"
            area.text = 'let chatRoom = {\n  "name": "x"\n  "isPublic": true\n}'
            app.screen.query_one("#room-load-paste").press()
            await pilot.pause()
            assert "line 3" in text_of(app, "#room-err-paste")
            assert app.screen.query_one("#room-name").value == "貼り付け"  # nothing typed lost
            assert area.cursor_location[0] == 2

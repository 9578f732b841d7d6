"""QA C10: keyboard focus must never be trapped in a composer field, and the `To` field must never silently become
garbage. Escape leaves a field for the pane itself (where the shell's keys 1/2/3, q, z work), a second Escape goes
on to the shell, dialogs give focus back without arming a field to be replaced, and a destination that is neither
`messenger` nor a known room shows as unknown and asks before anything is sent there."""

from __future__ import annotations

from pathlib import Path

from test_composer_support import NOW, make_composer_app, paste, ready, type_text, until
from textual.widgets import Label, Static

from camtui.api import CAMClient
from camtui.common.clock import fixed_clock
from camtui.config.settings import Settings
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.composer.batch import BatchScreen
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.composer.pane import (
    TAB_OUTBOX,
    ComposerPane,
    destination_status,
)


def dest_check(pane: ComposerPane) -> str:
    return str(pane.query_one("#composer-dest-check", Static).render())


async def test_escape_from_each_field_hands_the_keys_back_to_the_shell(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """The QA steps on the full dashboard: `3`, ctrl+b, Escape, then `1` / `z` must act, never be typed."""
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        settings = Settings.defaults().with_changes(server_url=sandbox.url, api_token="x")
        app = CamApp(client, store, settings, clock=fixed_clock(NOW))
        async with app.run_test(size=(160, 50)) as pilot:
            pane = await ready(pilot)
            rooms = app.pane("rooms")
            assert rooms is not None
            await pilot.press("3")
            # Issue 11: `3` lands where one types (a messenger message without recipients: Users), not the pane.
            assert app.focused is pane.recipients.input
            await pilot.press("ctrl+b")
            await until(pilot, lambda: isinstance(app.screen, BatchScreen), "batch dialog")
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, BatchScreen), "batch closed")
            assert app.focused is pane
            await pilot.press("1")
            assert app.focused_pane() is rooms
            assert pane.destination.value == "messenger"

            fields = [
                ("To", pane.destination.input, lambda: pane.destination.value),
                ("Users", pane.recipients.input, lambda: pane.recipients.value),
                ("Message", pane.message, lambda: pane.message.text),
            ]
            for name, field, value in fields:
                await pilot.press("3")
                assert app.focused is pane.typing_field(), name
                field.focus()
                await pilot.pause()
                before = value()
                await pilot.press("escape")
                assert app.focused is pane, f"Escape did not leave {name}"
                await pilot.press("1", "z", "]")
                assert app.focused_pane() is rooms, name
                assert app.screen.maximized is rooms, name  # `z` reached the shell too
                await pilot.press("escape")  # a maximised pane: the shell restores it
                assert app.screen.maximized is None
                assert value() == before, f"keys were typed into {name}"
            assert pane.destination.value == "messenger"
            assert len(store.drafts.list()) == 0


async def test_dropdown_first_then_pane_then_shell_and_enter_goes_back(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store, chat_rooms=("ルーム名", "test"))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.recipients.input.focus()
            await type_text(pilot, "user1@")
            await until(pilot, lambda: pane.recipients.dropdown.is_open, "suggestions")
            app.screen.maximize(pane)
            await pilot.press("escape")  # 1st: closes the list, stays in the field
            assert not pane.recipients.dropdown.is_open
            assert app.focused is pane.recipients.input
            assert app.screen.maximized is pane
            await pilot.press("escape")  # 2nd: the pane itself
            assert app.focused is pane
            assert app.screen.maximized is pane
            await pilot.press("escape")  # 3rd: the shell (restore)
            assert app.screen.maximized is None
            assert app.focused is pane
            assert pane.recipients.value == "user1@"
            # The footer offers Enter ("Write") on the pane only, not inside a field.
            assert app.screen.active_bindings["enter"].binding.action == "move_into_form"
            # Enter on the pane: back into the field used last, cursor at its end, nothing selected.
            await pilot.press("enter")
            assert app.focused is pane.recipients.input
            await type_text(pilot, "x")
            assert pane.recipients.value == "user1@x"
            pane.message.focus()
            await pilot.pause()
            enter = app.screen.active_bindings.get("enter")
            assert enter is None or enter.binding.action != "move_into_form"
            # shift+tab from the To field reaches the pane too; Tab goes back in.
            pane.destination.input.focus()
            await pilot.pause()
            await pilot.press("shift+tab")
            assert app.focused is pane
            await pilot.press("tab")
            assert app.focused is pane.destination.input
            # Tab into To does not select everything: a key adds, it never replaces "messenger".
            await pilot.press("escape")
            assert app.focused is pane
            await pilot.press("tab", "q")
            assert pane.destination.value == "messengerq"
            assert "not used from here before" in dest_check(pane)


async def test_dialogs_give_focus_back_without_arming_a_field(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store, composer_confirm_recipients=1)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            # Batch opened from the To field: back on the pane, so the next key is the shell's, not typed.
            pane.destination.input.focus()
            await pilot.press("ctrl+b")
            await until(pilot, lambda: isinstance(app.screen, BatchScreen), "batch dialog")
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.screen_stack[0], "batch closed")
            assert app.focused is pane
            await pilot.press("z", "]")  # the shell's maximise key acts; nothing is typed
            assert app.screen.maximized is pane
            assert pane.destination.value == "messenger"
            # Batch opened from the message: the pane again; Enter goes back with the cursor kept.
            pane.message.focus()
            await type_text(pilot, "ab")
            await pilot.press("left")
            await pilot.press("ctrl+b")
            await until(pilot, lambda: isinstance(app.screen, BatchScreen), "batch dialog again")
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.screen_stack[0], "batch closed again")
            assert app.focused is pane  # after the batch dialog: the pane, whatever field it was opened from
            await pilot.press("enter")  # back into the message, the cursor where it was
            assert app.focused is pane.message
            await type_text(pilot, "X")
            assert pane.message.text == "aXb"


async def test_confirm_returns_to_the_field_it_came_from_with_the_cursor_kept(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store, composer_confirm_recipients=1)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.message.load_text("hello")
            pane.recipients.input.focus()
            await paste(pilot, "user1@xxx.com, user2@xxx.com")
            assert not pane.recipients.dropdown.is_open
            assert app.focused is pane.recipients.input
            await pilot.press("ctrl+s")  # two recipients > 1: asks
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
            await pilot.press("n")
            await until(pilot, lambda: app.screen is app.screen_stack[0], "confirmation closed")
            assert app.focused is pane.recipients.input
            await type_text(pilot, ",")  # appended at the cursor: the field is not replaced
            assert pane.recipients.value == "user1@xxx.com, user2@xxx.com,"
            assert sandbox.delivered_messages() == []
            # The outbox: a discard question answered "Keep" gives focus back to the list.
            store.outbox.add("messenger", "queued", False, ["user1@xxx.com"])
            pane.show_tab(TAB_OUTBOX)
            await pilot.pause()
            assert app.focused is pane.outbox_list
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "discard question")
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.screen_stack[0], "question closed")
            assert app.focused is pane.outbox_list
            assert len(store.outbox) == 1
            await pilot.press("escape")  # out of the list: the pane
            assert app.focused is pane
            await pilot.press("enter")  # and back into what is on view
            assert app.focused is pane.outbox_list


async def test_garbage_destination_shows_unknown_and_asks_before_sending(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store, chat_rooms=("ルーム名",))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            assert dest_check(pane) == ""  # messenger: nothing to check
            pane.destination.input.focus()
            await pilot.press("ctrl+u")
            await type_text(pilot, "ルーム名")
            assert "✓ room" in dest_check(pane)  # configured
            await pilot.press("ctrl+u")
            await type_text(pilot, "z1]]")
            # Shown as typed, before any send: what is known (not used from here), never a guessed 405 (issue 11).
            assert dest_check(pane) == "? not used from here before"
            await pilot.press("escape", "escape")  # close the room list, leave the field (commits it)
            assert app.focused is pane
            assert pane.form().send == "z1]]"
            pane.message.focus()
            await type_text(pilot, "hi")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the unknown-room question")
            body = str(app.screen.query_one("#confirm-body").render())
            assert "'z1]]' was not used from here before" in body and "405" in body
            await pilot.press("enter")  # the safe default: back to editing
            await until(pilot, lambda: app.screen is app.screen_stack[0], "question closed")
            assert app.focused is pane.message
            assert len(store.outbox) == 0 and sandbox.delivered_messages() == []
            assert pane.message.text == "hi"
            # Yes: it goes; the server has no such room (405), so it stays in the outbox and is unknown again.
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked again")
            await pilot.press("y")
            await until(pilot, lambda: [e.state for e in store.outbox.list()] == ["failed"], "refused (405)")
            # Now we know: the server said 405 for this name.
            await until(pilot, lambda: dest_check(pane) == "✗ no such room (405)", "refused after the 405")
            assert sandbox.delivered_messages() == []
            # A real room nobody sent to from here: asks once; once it was reached, it is known.
            pane.destination.input.focus()
            await pilot.press("ctrl+u")
            await paste(pilot, "test")
            assert "not used from here before" in dest_check(pane)
            await pilot.press("escape", "enter")
            pane.message.focus()
            await type_text(pilot, "to test")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asked for test")
            await pilot.press("y")
            await until(pilot, lambda: len(sandbox.delivered_messages()) == 1, "delivered to test")
            assert sandbox.delivered_messages()[0]["destination"] == "test"
            await until(pilot, lambda: "✓ room" in dest_check(pane), "test known now")
            await type_text(pilot, "again")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: len(sandbox.delivered_messages()) == 2, "sent without asking")
            assert not isinstance(app.screen, ConfirmScreen)


def test_destination_status_rules() -> None:
    known = {"test", "ルーム名"}
    assert destination_status("", known, set()) == "messenger"
    assert destination_status(" Messenger ", known, set()) == "messenger"
    assert destination_status("test", known, set()) == "known"
    assert destination_status(" test ", known, set()) == "known"
    assert destination_status("Test", known, set()) == "unknown"  # room names are exact
    assert destination_status("z1]]¡]", known, set()) == "unknown"
    assert destination_status("z1]]¡]", known, {"z1]]¡]"}) == "confirmed"
    # Only a 405 from the server makes a room "refused" (the one thing known not to exist).
    assert destination_status("z1]]¡]", known, {"z1]]¡]"}, {"z1]]¡]"}) == "refused"
    assert destination_status("test", known, set(), {"test"}) == "refused"


async def test_the_specs_sample_room_is_not_called_unknown_before_sending(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Issue 11: `ルーム名` exists in the sandbox; camtui has never used it, so it says so, and predicts no 405."""
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.destination.input.focus()
            await pilot.press("ctrl+u")
            await paste(pilot, "ルーム名")
            check = dest_check(pane)
            assert check == "? not used from here before"
            assert "405" not in check and "unknown" not in check
            await pilot.press("escape", "enter")
            pane.message.focus()
            await type_text(pilot, "こんにちは")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "asks once")
            body = str(app.screen.query_one("#confirm-body").render())
            assert "not used from here before" in body and "cannot tell whether it exists" in body
            await pilot.press("y")
            await until(pilot, lambda: len(sandbox.delivered_messages()) == 1, "delivered")
            await until(pilot, lambda: dest_check(pane) == "✓ room", "known once reached")


async def test_3_lands_where_one_types_and_the_field_shows_it(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Issue 11: after `3` the next keys are text (Users while a messenger message has nobody, else the message);
    the focused field's row label lights up."""
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        settings = Settings.defaults().with_changes(server_url=sandbox.url, api_token="x")
        app = CamApp(client, store, settings, clock=fixed_clock(NOW))
        async with app.run_test(size=(160, 50)) as pilot:
            pane = await ready(pilot)
            label = pane.query_one("#recipients-label", Label)
            idle = label.rich_style
            await pilot.press("1", "3")
            assert app.focused is pane.recipients.input
            assert label.rich_style != idle and label.rich_style.bold  # obvious: the Users label lights up
            await type_text(pilot, "user1@xxx.com")
            assert pane.recipients.value == "user1@xxx.com"
            await pilot.press("escape", "1", "3")  # recipients now there: the message text
            assert app.focused is pane.message
            await type_text(pilot, "hello")
            assert pane.message.text == "hello"
            assert label.rich_style == idle
            # Escape still hands the keys to the shell; `3` again goes back to typing.
            await pilot.press("escape")
            assert app.focused is pane
            await pilot.press("3")
            assert app.focused is pane.message
            # The Outbox tab in view: its list.
            pane.show_tab(TAB_OUTBOX)
            await pilot.press("escape", "1", "3")
            assert app.focused is pane.outbox_list

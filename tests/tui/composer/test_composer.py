"""The composer inside the real app, against the real sandbox: autocomplete, resolution, drafts, $EDITOR, the
directory fallback, and sending to people and to rooms."""

from __future__ import annotations

from pathlib import Path

from test_composer_support import (
    KAEDE,
    NOW,
    RIN,
    TSUBAKI,
    add_people,
    make_composer_app,
    paste,
    ready,
    type_text,
    until,
)

from camtui.api import CAMClient
from camtui.common.clock import fixed_clock
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.composer.dropdown import SuggestionDropdown
from camtui.tui.composer.pane import TAB_SENT, ComposerPane


def dropdown_values(pane: ComposerPane) -> list[str]:
    dropdown = pane.recipients.query_one(SuggestionDropdown)
    return [s.value for s in dropdown.suggestions] if dropdown.is_open else []


async def test_autocomplete_from_kanji_input_picks_the_person(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    await add_people(sandbox.url, sandbox.admin_token)
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = make_composer_app(client, Store.open(tmp_path / "c.db"))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            assert pane.matcher.get(RIN) is not None
            pane.recipients.input.focus()
            await type_text(pilot, "東雲")
            await until(pilot, lambda: dropdown_values(pane), "suggestions")
            assert set(dropdown_values(pane)[:2]) == {RIN, KAEDE}
            await type_text(pilot, " 凛")
            await until(pilot, lambda: dropdown_values(pane)[:1] == [RIN], "narrowed suggestions")
            await pilot.press("enter")
            assert pane.recipients.value == f"{RIN}, "
            await until(pilot, lambda: pane.entries and pane.entries[0].status == "resolved", "resolution")
            check = str(pane.query_one("#composer-check").render())
            assert "東雲 凛" in check and "品質保証部" in check


async def test_autocomplete_from_romaji_and_kana_then_second_entry(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    await add_people(sandbox.url, sandbox.admin_token)
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = make_composer_app(client, Store.open(tmp_path / "c.db"))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.recipients.input.focus()
            await type_text(pilot, "kaede shi")
            await until(pilot, lambda: dropdown_values(pane), "suggestions")
            assert dropdown_values(pane)[0] == KAEDE
            await pilot.press("tab")
            # Second entry in hiragana: also tried as romaji (くれない → kurenai).
            await type_text(pilot, "くれない")
            await until(pilot, lambda: TSUBAKI in dropdown_values(pane), "second suggestions")
            while pane.recipients.dropdown.current.value != TSUBAKI:
                await pilot.press("down")
            await pilot.press("enter")
            assert pane.recipients.value == f"{KAEDE}, {TSUBAKI}, "
            await pilot.pause()
            assert [e.status for e in pane.entries] == ["resolved", "resolved"]
            # Escape closes the list without changing the text.
            await type_text(pilot, "shinonome")
            await until(pilot, lambda: dropdown_values(pane), "third suggestions")
            await pilot.press("escape")
            assert not pane.recipients.dropdown.is_open
            assert pane.recipients.value.endswith(", shinonome")
            # A name that means two people is not guessed: it blocks sending until one is picked.
            await pilot.pause()
            assert pane.entries[-1].status == "ambiguous"


async def test_mouse_click_picks_a_suggestion(sandbox: RunningSandbox, tmp_path: Path) -> None:
    await add_people(sandbox.url, sandbox.admin_token)
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = make_composer_app(client, Store.open(tmp_path / "c.db"))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.recipients.input.focus()
            await type_text(pilot, "紅")
            await until(pilot, lambda: dropdown_values(pane)[:1] == [TSUBAKI], "suggestions")
            await pilot.click(pane.recipients.dropdown, offset=(4, 1))
            await pilot.pause()
            assert pane.recipients.value == f"{TSUBAKI}, "
            assert app.focused is pane.recipients.input


async def test_unknown_and_invalid_entries_are_shown_before_sending(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = make_composer_app(client, Store.open(tmp_path / "c.db"))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.recipients.input.focus()
            await paste(pilot, "user1@xxx.com, nobody@example.co.jp, stranger@elsewhere.org, zzqqxx")
            await pilot.press("escape")
            await pilot.pause()
            statuses = [(e.token, e.status, e.predicted_code) for e in pane.entries]
            assert statuses == [
                ("user1@xxx.com", "resolved", None),
                ("nobody@example.co.jp", "unknown", "451"),
                ("stranger@elsewhere.org", "unknown", "452"),
                ("zzqqxx", "invalid", None),
            ]
            check = str(pane.query_one("#composer-check").render())
            assert (
                "山田 太郎" in check
                and "nobody@example.co.jp unknown" in check
                and "zzqqxx not found" in check
            )
            # An entry we cannot turn into an address blocks the send; nothing reaches the outbox or the server.
            pane.message.focus()
            await type_text(pilot, "hello")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert len(app.store.outbox) == 0
            assert sandbox.delivered_messages() == []
            assert pane.message.text == "hello"


async def test_draft_survives_an_app_restart(sandbox: RunningSandbox, tmp_path: Path) -> None:
    db = tmp_path / "camtui.db"
    text = "議事録です\n\n  indented line\nlast"
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(db)
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.destination.input.focus()
            await pilot.press("ctrl+u")
            await type_text(pilot, "test")
            await pilot.press("escape", "tab")  # close the room list, leave the field: destination committed
            pane.recipients.input.focus()
            await paste(pilot, "user1@test.com")
            pane.message.focus()
            await paste(pilot, text[:-4])
            await type_text(pilot, text[-4:])
            await pilot.press("ctrl+l")  # seal on
            # Saved as typed (debounced), without quitting.
            await until(
                pilot,
                lambda: (d := store.drafts.get("test")) is not None and d.text == text and d.seal,
                "draft",
            )
        store.close()

        store2 = Store.open(db)
        app2 = make_composer_app(client, store2)
        async with app2.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            assert pane.destination.value == "test"
            assert pane.recipients.value == "user1@test.com"
            assert pane.message.text == text
            assert pane.seal.value is True
            assert str(pane.query_one("#recipients-label").render()) == "Mention"
        store2.close()


async def test_a_failing_disk_does_not_lose_the_text(sandbox: RunningSandbox, tmp_path: Path) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            store.conn.execute(
                "PRAGMA query_only=ON"
            )  # every write now fails, as on a full or read-only disk
            pane.message.focus()
            await type_text(pilot, "abc")
            footer = pane.query_one("#composer-footer")
            await until(pilot, lambda: "NOT SAVED" in str(footer.render()), "save failure shown")
            assert any(r.source == "composer" for r in app.error_log)
            assert pane.message.text == "abc"
            store.conn.execute("PRAGMA query_only=OFF")
            await type_text(pilot, "d")
            await until(
                pilot, lambda: (d := store.drafts.get("messenger")) is not None and d.text == "abcd", "saved"
            )


async def test_switching_destination_keeps_each_draft(sandbox: RunningSandbox, tmp_path: Path) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        store.drafts.save("test", "room draft", "", False)
        store.drafts.save("messenger", "dm draft", "user1@xxx.com", False)  # newest: restored at mount
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            assert pane.message.text == "dm draft"
            pane.destination.input.focus()
            await pilot.press("ctrl+u")
            await type_text(pilot, "te")
            await until(pilot, lambda: pane.destination.dropdown.is_open, "room suggestions")
            assert pane.destination.dropdown.current.value == "test"
            await pilot.press("enter")
            await pilot.pause()
            assert pane.message.text == "room draft"
            assert store.drafts.get("messenger").text == "dm draft"
            # A destination without a draft takes the current text along.
            pane.destination.input.focus()
            await pilot.press("ctrl+u")
            await type_text(pilot, "ルーム名")
            await pilot.press("escape", "enter")
            await pilot.pause()
            assert pane.message.text == "room draft"
            assert store.drafts.get("ルーム名").text == "room draft"
            assert store.drafts.get("test") is None
            # "Discard draft" (palette) asks first, then clears the form and the stored draft.
            pane.action_discard_draft()
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "discard confirmation")
            await pilot.press("y")
            await pilot.pause()
            assert pane.message.text == "" and store.drafts.get("ルーム名") is None
            assert store.drafts.get("messenger").text == "dm draft"


async def test_send_key_in_the_to_field_never_sends_a_draft_it_just_brought_up(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        store.drafts.save("test", "old room draft", "", False)
        store.drafts.save("messenger", "what I am writing", "user1@xxx.com", False)
        app = make_composer_app(client, store, chat_rooms=("test",))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.destination.input.focus()
            await pilot.press("ctrl+u")
            await type_text(pilot, "test")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert pane.message.text == "old room draft"
            assert store.drafts.get("messenger").text == "what I am writing"
            assert sandbox.delivered_messages() == [] and len(store.outbox) == 0
            await pilot.press("ctrl+s")  # now it is what is on screen: it goes
            await until(pilot, lambda: len(sandbox.delivered_messages()) == 1, "delivery")
            assert sandbox.delivered_messages()[0]["text"] == "old room draft"


async def test_editor_key_round_trips_the_message(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch
) -> None:
    script = tmp_path / "editor.sh"
    # Appends two lines the way an editor saves: with a final newline (dropped again: the original had none).
    script.write_text('#!/bin/sh\nprintf "\\nsecond line\\n\\tthird\\n" >> "$1"\n')
    script.chmod(0o755)
    monkeypatch.setenv("VISUAL", str(script))
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = make_composer_app(client, Store.open(tmp_path / "c.db"))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.message.focus()
            await type_text(pilot, "first")
            await pilot.press("ctrl+o")
            await pilot.pause()
            assert pane.message.text == "first\nsecond line\n\tthird"
            assert "24 chars · 3 lines" in str(pane.query_one("#composer-footer").render())


async def test_non_admin_token_falls_back_to_contacts_and_says_so_once(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    store = Store.open(db)
    store.directory.note_used(["user2@test.com"])
    async with CAMClient(sandbox.url, sandbox.user_token) as client:
        app = make_composer_app(client, store, contacts=("boss@example.co.jp",))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot, "contacts")
            assert not pane.matcher.authoritative

            def notices() -> list[object]:
                return [n for n in app._notifications if "administrator token (800)" in n.message]

            await until(pilot, notices, "the 800 notice")
            await pilot.pause()
            assert len(notices()) == 1
            assert not app.error_log  # an expected 800 is not an error toast
            pane.recipients.input.focus()
            await type_text(pilot, "bo")
            await until(pilot, lambda: dropdown_values(pane) == ["boss@example.co.jp"], "contact suggestion")
            await pilot.press("enter")
            await type_text(pilot, "user2@t")
            await until(pilot, lambda: dropdown_values(pane) == ["user2@test.com"], "used-before suggestion")
            await pilot.press("enter")
            await paste(pilot, "someone@example.co.jp")
            await pilot.pause()
            # Known addresses are taken as they are; others cannot be checked without the directory.
            assert [e.status for e in pane.entries] == ["resolved", "resolved", "unchecked"]
            assert "token is not admin" in str(pane.query_one("#composer-footer").render())
        # Said once: a second session does not repeat it.
        app2 = make_composer_app(client, store)
        async with app2.run_test(size=(140, 40)) as pilot:
            await ready(pilot, "contacts")
            await pilot.pause()
            assert not [n for n in app2._notifications if "administrator token (800)" in n.message]
    store.close()


async def test_send_to_messenger_is_delivered_with_newlines_kept(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    text = "こんにちは\n\n二行目  \n"
    await add_people(sandbox.url, sandbox.admin_token)
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db", clock=fixed_clock(NOW))
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.recipients.input.focus()
            await paste(pilot, "user1@xxx.com, 紅 椿")
            pane.message.focus()
            await type_text(pilot, text[:3])
            await paste(pilot, text[3:])
            await pilot.press("ctrl+s")
            await until(pilot, lambda: len(store.sent_log) == 1, "sent log entry")
            delivered = sandbox.delivered_messages()
            assert len(delivered) == 1
            msg = delivered[0]
            assert msg["text"] == text
            assert msg["destination"] == "messenger"
            assert sorted(msg["recipients"]) == [TSUBAKI, "user1@xxx.com"]
            assert len(store.outbox) == 0
            assert store.drafts.get("messenger") is None
            assert pane.message.text == "" and pane.recipients.value == ""
            # A full name typed without picking from the list resolved to the one person it means.
            assert store.sent_log.list()[0].recipients == ("user1@xxx.com", TSUBAKI)
            # The sent log view shows it.
            await pilot.press("ctrl+g", "ctrl+g")
            table = pane.query_one("#composer-sent")
            assert pane.query_one("#composer-tabs").active == TAB_SENT
            assert table.row_count == 1
            assert [c.plain for c in table.get_row_at(0)[:2]] == ["10:30", "messenger"]


async def test_send_to_a_room_with_a_mention_and_seal(sandbox: RunningSandbox, tmp_path: Path) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store, chat_rooms=("ルーム名",))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.destination.input.focus()
            await pilot.press("ctrl+u")
            await type_text(pilot, "ルー")
            await until(pilot, lambda: pane.destination.dropdown.is_open, "room suggestions")
            await pilot.press("enter")
            assert pane.destination.value == "ルーム名"
            await pilot.press("tab")
            await paste(pilot, "user1@test.com")
            pane.message.focus()
            await type_text(pilot, "全員へ")
            await pilot.press("ctrl+l", "ctrl+s")
            await until(pilot, lambda: len(sandbox.delivered_messages()) == 1, "delivery")
            msg = sandbox.delivered_messages()[0]
            assert msg["destination"] == "ルーム名"
            assert msg["text"] == "全員へ"
            assert msg["seal"] is True
            assert "user1@test.com" in msg["recipients"]
            await until(pilot, lambda: len(store.sent_log) == 1, "sent log")
            assert "ルーム名" in store.directory.used_rooms()


async def test_many_recipients_ask_first_and_no_means_nothing_sent(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store, composer_confirm_recipients=2, composer_confirm_chars=10)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.recipients.set_value("user1@xxx.com, user2@xxx.com, user1@test.com")
            pane.message.load_text("to three people")
            await pilot.pause()
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
            body = str(app.screen.query_one("#confirm-body").render())
            assert "3 recipients (more than 2)" in body
            assert "a long message: 15 characters (more than 10)" in body
            await pilot.press("enter")  # focus is on "Back to editing": a stray Enter does not send
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmScreen)
            assert sandbox.delivered_messages() == [] and len(store.outbox) == 0
            assert pane.message.text == "to three people"
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirmation again")
            await pilot.press("y")
            await until(pilot, lambda: len(sandbox.delivered_messages()) == 1, "delivery")


async def test_inside_the_full_dashboard(sandbox: RunningSandbox, tmp_path: Path) -> None:
    """With the real rooms and calls panes around it: focus key, send, status line."""
    from camtui.config.settings import Settings
    from camtui.tui.app import CamApp
    from camtui.tui.shell.palette import pane_commands

    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        settings = Settings.defaults().with_changes(server_url=sandbox.url, api_token="x")
        app = CamApp(client, store, settings, clock=fixed_clock(NOW))
        async with app.run_test(size=(160, 50)) as pilot:
            pane = await ready(pilot)
            # Issue 11: the shell's "focus composer" key lands where one types (Users: nobody there yet).
            await pilot.press("alt+3")
            await pilot.pause()
            assert app.focused is pane.recipients.input
            await pilot.press("shift+tab")  # the To field is just before it
            assert app.focused is pane.destination.input
            await pilot.press("tab")
            assert app.focused is pane.recipients.input
            await paste(pilot, "user2@test.com")
            await pilot.press("tab")  # a complete address: no list open, Tab moves on to the message
            assert app.focused is pane.message
            await type_text(pilot, "hi")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: len(sandbox.delivered_messages()) == 1, "delivery")
            assert sandbox.delivered_messages()[0]["recipients"] == ["user2@test.com"]
            # Everything is in the command palette too (the shell collects it from the pane).
            titles = {c.title for c in pane_commands(app, app.screen)}
            assert {
                "Composer: Send",
                "Composer: Batch…",
                "Composer: Show outbox",
                "Composer: Refresh directory",
            } <= titles
            assert not any("suggestion" in t for t in titles)

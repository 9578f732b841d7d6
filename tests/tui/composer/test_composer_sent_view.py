"""The Sent tab (issue 11): enter opens the whole message; "send again" is a new message, never a resend."""

from __future__ import annotations

from pathlib import Path

from test_composer_support import make_composer_app, paste, ready, until

from camtui.api import CAMClient
from camtui.store import Store
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.composer.form import TAB_MESSAGE, TAB_SENT
from camtui.tui.composer.outbox import SentLogTable
from camtui.tui.composer.sent_view import SentMessageScreen

LONG = "定例会議の議事録です。" * 12 + "\n2行目: 次回は来週の月曜日 10:00 から。"


async def test_enter_opens_the_sent_message_and_send_again_is_a_new_message(sandbox, tmp_path: Path) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.show_tab(TAB_SENT)
            await pilot.pause()
            help_line = pane.query_one("#composer-sent-help")
            assert "Nothing sent from here yet" in str(help_line.render())  # an empty list says so
            pane.show_tab(TAB_MESSAGE)
            await pilot.pause()
            pane.recipients.input.focus()
            await paste(pilot, "user1@xxx.com")
            await pilot.press("escape")
            pane.message.focus()
            await paste(pilot, LONG)
            await pilot.press("ctrl+l", "ctrl+s")  # sealed
            await until(pilot, lambda: len(store.sent_log) == 1, "sent")
            first = store.sent_log.list()[0]
            assert first.message_id
            pane.show_tab(TAB_SENT)
            await pilot.pause()
            assert "enter opens a message" in str(help_line.render())
            table = pane.query_one("#composer-sent", SentLogTable)
            assert app.focused is table
            row = [cell.plain for cell in table.get_row_at(0)]
            assert (
                row[3].endswith("…") and row[3] != LONG
            )  # the long text cut in its column, with an ellipsis
            await pilot.press("enter")
            screen = app.screen
            assert isinstance(screen, SentMessageScreen)
            assert str(screen.query_one("#sent-view-text").render()) == LONG  # all of it
            facts = str(screen.query_one("#sent-view-facts").render())
            for part in ("To          messenger", "user1@xxx.com", "Seal        yes", first.message_id):
                assert part in facts
            assert "Sent        " in facts and f"{first.sent_at.astimezone(pane._tz()):%H:%M:%S}" in facts
            await pilot.press("s")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("y")
            await until(pilot, lambda: len(store.sent_log) == 2, "sent again")
            again, old = store.sent_log.list()
            assert again.message == LONG and again.seal and again.recipients == ("user1@xxx.com",)
            assert again.message_id and again.message_id != old.message_id  # a new message on the server
            assert old == first  # the logged one is untouched
            assert [m["text"] for m in sandbox.delivered_messages()].count(LONG) == 2
            assert len(store.outbox) == 0  # delivered, like any other send
        store.close()

"""What users and servers type never breaks the composer: markup-like text is shown verbatim (QA X1/X1b), nothing
typed is lost on quit or on SIGTERM/SIGHUP (W3), and the batch dialog plans a file exactly as `camtui send-batch`
does (C6). Real app, real sandbox, real store files, and restarts on the same file."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from test_composer_support import make_composer_app, paste, ready, type_text, until
from textual.widget import Widget

from camtui.api import CAMClient
from camtui.cli.main import main as cli_main
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.composer.batch import BatchScreen
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.composer.outbox import SentLogTable
from camtui.tui.composer.pane import TAB_OUTBOX, TAB_SENT, ComposerPane
from camtui.tui.shell.exit_signals import install_exit_signals

TRICKY = "[/x] [/] [link=x]y [b]b[/b]"
"""Unmatched closing tags (a MarkupError when parsed), a link tag and a bold pair: must all stay as typed."""
BAD_ROOM = "[/room]"
"""A room name that is markup too; the sandbox answers 405 (no such room), so the message stays in the outbox."""


def rendered(widget: Widget) -> str:
    """The widget's lines as they are painted (this is where markup used to be parsed, and raised)."""
    lines = []
    for y in range(widget.size.height):
        lines.append("".join(segment.text for segment in widget.render_line(y)))
    return "\n".join(lines)


def composer(app: CamApp) -> ComposerPane:
    return app.query_one("#composer", ComposerPane)


async def send_form(
    pilot: Any, pane: ComposerPane, send: str, users: str, text: str, *, confirm: bool = False
) -> None:
    """Fill the form and press ctrl+s; `confirm`: the send asks first (an unknown room), answer yes."""
    pane.destination.input.focus()
    await pilot.press("ctrl+u")
    await paste(pilot, send)
    await pilot.press("escape", "enter")  # close the dropdown, commit the destination
    await pilot.pause()
    if users:
        pane.recipients.input.focus()
        await paste(pilot, users)
        await pilot.press("escape")
    pane.message.focus()
    await paste(pilot, text)
    await pilot.press("ctrl+s")
    if confirm:
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), "the unknown-room question")
        assert "not used from here before" in str(pilot.app.screen.query_one("#confirm-body").render())
        await pilot.press("y")


async def shown_lists(pilot: Any, pane: ComposerPane) -> tuple[str, str]:
    """(sent log, outbox) as painted."""
    pane.show_tab(TAB_SENT)
    await pilot.pause()
    sent = rendered(pane.query_one("#composer-sent", SentLogTable))
    pane.show_tab(TAB_OUTBOX)
    await pilot.pause()
    outbox = rendered(pane.outbox_list)
    return sent, outbox


async def test_markup_like_text_is_sent_and_shown_verbatim_and_the_app_starts_again(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(db)
        app = make_composer_app(client, store, chat_rooms=("test",))
        async with app.run_test(size=(160, 40)) as pilot:
            pane = await ready(pilot)
            await send_form(pilot, pane, "messenger", "user1@xxx.com", TRICKY)
            await until(pilot, lambda: len(store.sent_log) == 1, "sent to messenger")
            await send_form(pilot, pane, "test", "", TRICKY + " room")
            await until(pilot, lambda: len(store.sent_log) == 2, "sent to the room")
            await send_form(pilot, pane, BAD_ROOM, "", TRICKY + " kept", confirm=True)
            await until(
                pilot,
                lambda: [e.state for e in store.outbox.list()] == ["failed"],
                "refused by the server (405)",
            )
            assert [(m["destination"], m["text"]) for m in sandbox.delivered_messages()] == [
                ("messenger", TRICKY),
                ("test", TRICKY + " room"),
            ]
            sent, outbox = await shown_lists(pilot, pane)
            assert TRICKY in sent and TRICKY + " room" in sent and "test" in sent
            assert BAD_ROOM in outbox and TRICKY + " kept" in outbox
            # The toasts (the failed send quotes the room name) were shown without being parsed.
            assert any(r.source == "composer" for r in app.error_log)
        store.close()

        # Restart on the same store: the sent log and the outbox load at mount, and are painted as they are.
        store = Store.open(db)
        app = make_composer_app(client, store)
        async with app.run_test(size=(160, 40)) as pilot:
            pane = await ready(pilot)
            sent, outbox = await shown_lists(pilot, pane)
            assert sent.count(TRICKY) == 2 and TRICKY + " room" in sent
            assert BAD_ROOM in outbox and TRICKY + " kept" in outbox
            assert app.is_running
        store.close()


async def test_a_stored_row_that_cannot_be_read_or_shown_never_stops_the_start(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    store = Store.open(db)
    # What a crashed earlier version left behind (QA X1b), and control characters that must not reach the terminal.
    store.sent_log.add("messenger", "tag [/x] and [/] [link=x]y", False, ["user1@xxx.com"], "m1")
    store.sent_log.add("messenger", "esc \x1b[2J cleared?", False, ["user1@xxx.com"], "m2")
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = make_composer_app(client, store)
        async with app.run_test(size=(160, 40)) as pilot:
            pane = await ready(pilot)
            sent, _outbox = await shown_lists(pilot, pane)
            assert "tag [/x] and [/] [link=x]y" in sent
            assert "esc \ufffd[2J cleared?" in sent and "\x1b" not in sent
        # A damaged row (recipients not JSON): that value is lost, not the list (before: the whole sent log was
        # unreadable); the app starts and stays usable.
        store.conn.execute("UPDATE sent_log SET recipients = '{broken' WHERE message_id = 'm2'")
        app = make_composer_app(client, store)
        async with app.run_test(size=(160, 40)) as pilot:
            pane = await ready(pilot)
            sent, _outbox = await shown_lists(pilot, pane)
            assert "tag [/x] and [/] [link=x]y" in sent and "esc \ufffd[2J cleared?" in sent
            assert [r.recipients for r in store.sent_log.list()] == [(), ("user1@xxx.com",)]
            pane.message.focus()
            await type_text(pilot, "still usable")
            assert pane.message.text == "still usable"
            assert app.is_running
    store.close()


async def test_quitting_right_after_typing_keeps_every_keystroke(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """QA W3: the last words typed (still inside the autosave debounce) were lost on ctrl+q."""
    db = tmp_path / "c.db"
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(db)
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.recipients.input.focus()
            await paste(pilot, "user1@xxx.com")
            pane.message.focus()
            await type_text(pilot, "Body typed slowly")
            pane.flush_draft()
            await type_text(pilot, " PLUS LAST WORDS\nand a line")
            await pilot.press("ctrl+q")
        assert not app.is_running
        store.close()

        store = Store.open(db)
        draft = store.drafts.get("messenger")
        assert draft is not None and draft.text == "Body typed slowly PLUS LAST WORDS\nand a line"
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            assert pane.message.text == "Body typed slowly PLUS LAST WORDS\nand a line"
            assert pane.recipients.value == "user1@xxx.com"
        store.close()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
async def test_sigterm_and_sighup_quit_cleanly_and_keep_the_draft(
    sandbox: RunningSandbox, tmp_path: Path, signum: int
) -> None:
    db = tmp_path / "c.db"
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(db)
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            # Headless apps (tests) do not take over process signals by themselves; the real terminal app does.
            restore = install_exit_signals(app)
            try:
                pane.destination.input.focus()
                await pilot.press("ctrl+u")
                await paste(pilot, "test")
                await pilot.press("escape", "enter")
                pane.message.focus()
                await type_text(pilot, "room note, then the terminal closed")
                os.kill(os.getpid(), signum)
                loop = asyncio.get_running_loop()
                deadline = loop.time() + 15
                while app.is_running and loop.time() < deadline:
                    await asyncio.sleep(0.02)
                assert not app.is_running
            finally:
                restore()
        assert app.return_code == 128 + signum
        # The handlers were removed at the first signal: a second one would end the process the default way.
        assert signal.getsignal(signum) == signal.SIG_DFL
        draft = store.drafts.get("test")
        assert draft is not None and draft.text == "room note, then the terminal closed"
        store.close()


BATCH = """messages=[
 {"message":"to people","property":{"users":"user1@test.com"}},
 {"send":"test","message":"to a room used before"},
 {"send":"no-such-room","message":"to a typo"},
 {"message":"to a stranger","property":{"users":"ghost@elsewhere.org"}},
]
"""


async def test_batch_dialog_and_send_batch_give_the_same_plan_for_one_file(
    sandbox: RunningSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """QA C6: the dashboard did not warn about an unknown room when no room had been used or configured yet."""
    path = tmp_path / "messages.json"
    path.write_text(BATCH, encoding="utf-8")
    db = tmp_path / "c.db"
    store = Store.open(db)
    store.directory.note_room("test")
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 45)) as pilot:
            await ready(pilot)
            app.push_screen(BatchScreen(str(path)))
            await until(pilot, lambda: isinstance(app.screen, BatchScreen) and app.screen.plan, "plan")
            screen = app.screen
            assert isinstance(screen, BatchScreen) and screen.plan is not None
            plan = screen.plan
            text = rendered(screen.query_one("#batch-plan-text"))
    store.close()
    dashboard = sorted(
        (None if p.index is None else p.index + 1, p.severity, p.code, p.text) for p in plan.problems
    )
    assert (
        3,
        "warning",
        None,  # not a prediction: camtui cannot tell whether the room exists
        "chat room 'no-such-room' was not used from here before: camtui cannot tell whether it exists "
        "(if it does not, the server refuses it: 405)",
    ) in dashboard
    assert not any(item == 2 for item, *_ in dashboard)  # "test" was used before: no warning
    assert "item 3: chat room 'no-such-room' was not used from here before" in text

    monkeypatch.setenv("CAMTUI_SERVER_URL", sandbox.url)
    monkeypatch.setenv("CAMTUI_API_TOKEN", sandbox.admin_token)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CAMTUI_CONFIG", raising=False)
    capsys.readouterr()
    await asyncio.to_thread(cli_main, ["send-batch", str(path), "--dry-run", "--json", "--store", str(db)])
    out = json.loads(capsys.readouterr().out)
    cli = sorted((p["item"], p["severity"], p["code"], p["text"]) for p in out["plan"]["problems"])
    assert cli == dashboard
    for key in ("items", "errors", "warnings", "chunks", "already_sent"):
        assert out["plan"]["counts"][key] == plan.counts[key], key
    assert sandbox.delivered_messages() == []

"""Nothing typed is lost, nothing is sent twice: the outbox in the composer, against real sandbox failures."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from test_composer_support import make_composer_app, paste, ready, type_text, until

from camtui.api import CAMClient, RetryPolicy
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store
from camtui.tui.composer.confirm import ConfirmScreen
from camtui.tui.composer.pane import TAB_MESSAGE, TAB_OUTBOX, ComposerPane

FAST = RetryPolicy(max_attempts=2, base_delay=0.01, jitter=0)
"""Give up quickly on a server that is down (the test is about what happens next, not about back-off)."""


async def compose(pilot, pane: ComposerPane, recipients: str, text: str) -> None:
    pane.recipients.input.focus()
    await paste(pilot, recipients)
    await pilot.press("escape")
    pane.message.focus()
    await paste(pilot, text)


async def test_send_during_outage_waits_in_outbox_and_goes_out_once_on_retry(
    sandbox_factory, tmp_path: Path
) -> None:
    db = tmp_path / "sandbox.db"
    first = sandbox_factory(db_path=db, admin_token="admin-token-1", user_token="user-token-1")
    port = urlsplit(first.url).port
    async with CAMClient(first.url, "admin-token-1", retry=FAST) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            first.stop()  # the outage
            await compose(pilot, pane, "user1@xxx.com", "during the outage\nline 2")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: store.outbox.counts()["failed"] == 1, "failed outbox entry")
            entry = store.outbox.list()[0]
            assert entry.message == "during the outage\nline 2"
            assert entry.retryable and entry.code is None and "network" in (entry.reason or "")
            # The form is free again; the message is safe in the outbox and visible in the pane.
            assert pane.message.text == "" and store.drafts.get("messenger") is None
            assert "1 failed" in str(pane.query_one("#composer-footer").render())
            assert any(r.state == "offline" and r.source == "composer" for r in app.error_log)

            # The server comes back (same port, same data); retry from the outbox.
            second = sandbox_factory(
                db_path=db, port=port, admin_token="admin-token-1", user_token="user-token-1"
            )
            await pilot.press("ctrl+g")
            assert pane.query_one("#composer-tabs").active == TAB_OUTBOX
            assert pane.outbox_list.current_id == entry.id
            await pilot.press("r")
            await until(pilot, lambda: len(store.outbox) == 0, "outbox emptied")
            delivered = second.delivered_messages()
            assert [m["text"] for m in delivered] == ["during the outage\nline 2"]
            assert len(store.sent_log) == 1 and store.sent_log.list()[0].source == "outbox-retry"
            # Pressing retry again has nothing left to send.
            await pilot.press("r")
            await pilot.pause()
            assert len(second.delivered_messages()) == 1


async def test_after_commit_reset_is_marked_unknown_and_not_resent(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token, retry=FAST) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            sandbox.set_faults({"reset_after": 1.0, "methods": ["sendMessage"], "times": 1})
            await compose(pilot, pane, "user2@test.com", "maybe delivered")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: store.outbox.counts()["unknown"] == 1, "unknown outbox entry")
            # The server did process it once; the client could not know.
            assert [m["text"] for m in sandbox.delivered_messages()] == ["maybe delivered"]
            assert len(store.sent_log) == 0
            assert "1 unknown" in str(pane.query_one("#composer-footer").render())

            # Retry asks first; "no" (or Escape) keeps it and sends nothing.
            pane.show_tab(TAB_OUTBOX)
            await pilot.press("r")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "resend confirmation")
            assert "may already have delivered" in str(app.screen.query_one("#confirm-body").render())
            await pilot.press("escape")
            await pilot.pause()
            assert store.outbox.counts()["unknown"] == 1
            assert len(sandbox.delivered_messages()) == 1

        # A restart does not resend it either.
        app2 = make_composer_app(client, store)
        async with app2.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            await pilot.pause()
            assert store.outbox.counts()["unknown"] == 1
            assert len(sandbox.delivered_messages()) == 1
            # Only an explicit yes sends it again.
            pane.show_tab(TAB_OUTBOX)
            await pilot.press("r")
            await until(pilot, lambda: isinstance(app2.screen, ConfirmScreen), "resend confirmation")
            await pilot.press("y")
            await until(pilot, lambda: len(store.outbox) == 0, "resent")
            assert len(sandbox.delivered_messages()) == 2


async def test_refused_send_can_be_edited_back_into_the_form_and_fixed(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            await compose(pilot, pane, "user1@xxx.com, typo@elsewhere.org", "本文\nsecond line")
            await pilot.press("ctrl+s")
            # An unknown recipient: the composer asks first, naming the code the server will answer.
            await until(
                pilot, lambda: isinstance(app.screen, ConfirmScreen), "unknown-recipient confirmation"
            )
            assert "typo@elsewhere.org (452)" in str(app.screen.query_one("#confirm-body").render())
            await pilot.press("y")
            await until(pilot, lambda: store.outbox.counts()["failed"] == 1, "refused entry")
            failed = store.outbox.list()[0]
            assert failed.code == "452"
            assert any("452" in r.title for r in app.error_log)
            assert sandbox.delivered_messages() == []

            pane.show_tab(TAB_OUTBOX)
            await pilot.press("e")
            await pilot.pause()
            assert pane.query_one("#composer-tabs").active == TAB_MESSAGE
            assert pane.message.text == "本文\nsecond line"
            assert pane.recipients.value == "user1@xxx.com, typo@elsewhere.org"
            assert len(store.outbox) == 0
            assert store.drafts.get("messenger").text == "本文\nsecond line"  # never only in memory

            pane.recipients.set_value("user1@xxx.com, user2@xxx.com")
            await pilot.pause()
            await pilot.press("ctrl+s")
            await until(pilot, lambda: len(sandbox.delivered_messages()) == 1, "delivery")
            assert sandbox.delivered_messages()[0]["recipients"] == ["user1@xxx.com", "user2@xxx.com"]


async def test_edit_refuses_to_overwrite_a_message_being_written(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        queued = store.outbox.add("test", "queued text", False, ())
        store.outbox.mark_failed(queued.id, "503 Service unavailable", code="503", retryable=True)
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            pane.message.focus()
            await type_text(pilot, "wip")
            pane.show_tab(TAB_OUTBOX)
            await pilot.press("e")
            await pilot.pause()
            assert len(store.outbox) == 1
            assert pane.message.text == "wip"
            await until(
                pilot, lambda: any("first" in n.message for n in app._notifications), "refusal notice"
            )


async def test_discard_asks_then_removes(sandbox: RunningSandbox, tmp_path: Path) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        keep = store.outbox.add("messenger", "keep me", False, ("user1@xxx.com",))
        store.outbox.mark_failed(keep.id, "network error", retryable=True)
        drop = store.outbox.add("messenger", "drop me", False, ("user1@xxx.com",))
        store.outbox.mark_failed(drop.id, "452 User is not registered", code="452")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            assert str(pane.query_one("#composer-tabs").get_tab(TAB_OUTBOX).label) == "Outbox (2)"
            pane.show_tab(TAB_OUTBOX)
            await pilot.press("down", "d")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "discard confirmation")
            await pilot.press("n")
            await pilot.pause()
            assert len(store.outbox) == 2
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "discard confirmation")
            await pilot.press("y")
            await until(pilot, lambda: len(store.outbox) == 1, "discarded")
            assert [e.message for e in store.outbox.list()] == ["keep me"]
            assert sandbox.delivered_messages() == []


async def test_crash_mid_send_comes_back_as_unknown(sandbox: RunningSandbox, tmp_path: Path) -> None:
    """Another camtui process died while its message was in flight: the next start says so, resends nothing."""
    import subprocess
    import sys

    db = tmp_path / "c.db"
    script = (
        "import sys; from camtui.store import Store; s = Store.open(sys.argv[1]); "
        "e = s.outbox.add('messenger', 'in flight when it crashed', False, ('user1@xxx.com',)); "
        "s.outbox.mark_sending(e.id)"
    )
    subprocess.run([sys.executable, "-c", script, str(db)], check=True)
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(db)
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            assert [e.state for e in store.outbox.list()] == ["unknown"]
            await until(
                pilot,
                lambda: any("being sent when camtui stopped" in n.message for n in app._notifications),
                "crash notice",
            )
            assert "1 unknown" in str(pane.query_one("#composer-footer").render())
            assert sandbox.delivered_messages() == []

"""`q` (here ctrl+q: it quits from inside the message box too) while a composer send is in flight: the request is
finished and its answer kept before the app quits, the status line says so; asked again, the app quits at once
and the send is kept as "outcome unknown" (as before). Real app, real sandbox with latency, real store file."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

from test_composer_support import make_composer_app, paste, ready, until

from camtui.api import CAMClient
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.composer.batch import BatchScreen
from camtui.tui.composer.pane import ComposerPane
from camtui.tui.shell.quit_guard import QUIT_NOTICE


async def send_message(pilot: Any, pane: ComposerPane, text: str) -> None:
    pane.destination.input.focus()
    await pilot.press("ctrl+u")
    await paste(pilot, "test")
    await pilot.press("escape", "enter")
    await pilot.pause()
    pane.message.focus()
    await paste(pilot, text)
    await pilot.press("ctrl+s")


async def exited(app: CamApp, limit: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while app.is_running:
        assert loop.time() < deadline, "the app did not quit"
        await asyncio.sleep(0.02)


def received(sb: RunningSandbox, text: str) -> int:
    return Counter(m["text"] for m in sb.delivered_messages())[text]


async def test_quit_during_a_send_finishes_it_first_and_says_so(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sandbox.set_faults({"latency_ms": 1200, "methods": ["sendMessage"]})
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store, chat_rooms=("test",))
        async with app.run_test(size=(160, 40)) as pilot:
            pane = await ready(pilot)
            await send_message(pilot, pane, "定例の資料を共有しました")
            await until(pilot, lambda: [e.state for e in store.outbox.list()] == ["sending"], "in flight")
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert app.is_running and app.quit_guard.pending
            assert app.status_line.panes_text == QUIT_NOTICE
            await exited(app)
        assert [e.state for e in store.outbox.list()] == []  # answered: out of the outbox, in the sent log
        assert len(store.sent_log) == 1
        store.close()
    assert received(sandbox, "定例の資料を共有しました") == 1


async def test_quit_twice_aborts_and_keeps_the_send_as_unknown(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sandbox.set_faults({"latency_ms": 3000, "methods": ["sendMessage"]})
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store, chat_rooms=("test",))
        async with app.run_test(size=(160, 40)) as pilot:
            pane = await ready(pilot)
            await send_message(pilot, pane, "至急: 本日の会議は中止です")
            await until(pilot, lambda: [e.state for e in store.outbox.list()] == ["sending"], "in flight")
            started = asyncio.get_running_loop().time()
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert app.is_running
            await pilot.press("ctrl+q")
            await exited(app)
            assert asyncio.get_running_loop().time() - started < 2.5  # did not wait for the answer
        assert [e.state for e in store.outbox.list()] == ["unknown"]
        store.close()


async def test_quit_with_nothing_in_flight_quits_at_once(sandbox: RunningSandbox, tmp_path: Path) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(160, 40)) as pilot:
            await ready(pilot)
            await pilot.press("ctrl+q")
            await exited(app, limit=3.0)
            assert not app.quit_guard.pending
        store.close()


async def test_quit_during_a_batch_finishes_the_chunk_in_flight_and_starts_no_new_one(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "many.json"
    items = "".join(
        f' {{"message":"quit {i}","property":{{"users":"user1@test.com"}}}},\n' for i in range(20)
    )
    path.write_text(f"messages=[\n{items}]\n", encoding="utf-8")
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 45)) as pilot:
            await ready(pilot)
            sandbox.set_faults({"latency_ms": 400, "methods": ["sendMessages"]})
            screen = BatchScreen(str(path), chunk_size=2)
            app.push_screen(screen)
            await until(pilot, lambda: screen.plan is not None, "plan")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: screen.query_one("#batch-progress").progress >= 2, "first chunk")
            fp = screen.plan.file.fingerprint
            await until(
                pilot,
                lambda: "sending" in {o.state for o in store.batch_journal.outcomes(fp).values()},
                "a chunk in flight",
            )
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert app.is_running and app.status_line.panes_text == QUIT_NOTICE
            await exited(app)
        states = Counter(o.state for o in store.batch_journal.outcomes(fp).values())
        store.close()
    assert set(states) == {"sent"} and 4 <= states["sent"] < 20  # the chunk in flight was finished
    got = Counter(m["text"] for m in sandbox.delivered_messages() if m["text"].startswith("quit "))
    assert len(got) == states["sent"] and set(got.values()) == {1}

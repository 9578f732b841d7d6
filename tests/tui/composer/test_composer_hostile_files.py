"""The composer's batch dialog on files it cannot use (issue 18 item 2): the reason is shown in the dialog, the
dashboard stays up, nothing is sent — and an unknown-items file is never sent as a fresh batch (its items may
have arrived: `camtui send-batch FILE --force-unknown` is the way after checking them)."""

from __future__ import annotations

from pathlib import Path

from test_composer_support import make_composer_app, paste, ready, until

from camtui.api import CAMClient
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store
from camtui.tui.composer.batch import BatchScreen

ITEM = '{"message": "batch 1", "property": {"users": "user1@test.com"}}'
FILES = [
    ("deep.json", "messages=" + "[" * 200_000, "nested deeper than 64 levels (line 1, column 74)"),
    ("nan.json", '[{"message": NaN}]', "NaN is not a JSON number (line 1, column 14)"),
    ("long.json", '[{"message": ' + "9" * 100_000 + "}]", "an integer of 100,000 digits"),
    (
        "m.unknown.json",
        "messages=[" + ITEM[:-1] + ', "index": 0, "outcome": "unknown: reset"}]',
        "--force-unknown",
    ),
    (
        "e.unknown.json",
        "messages=[" + ITEM[:-1] + ', "index": "0", "outcome": "unknown"}]',
        'index "0", not a whole',
    ),
]


async def test_hostile_batch_files_are_refused_in_the_dialog(sandbox: RunningSandbox, tmp_path: Path) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = make_composer_app(client, Store.open(tmp_path / "c.db"))
        async with app.run_test(size=(140, 45)) as pilot:
            pane = await ready(pilot)
            pane.message.focus()
            await pilot.press("ctrl+b")
            await until(pilot, lambda: isinstance(app.screen, BatchScreen), "batch screen")
            screen = app.screen
            assert isinstance(screen, BatchScreen)
            first = True
            for name, text, words in FILES:
                path = tmp_path / name
                path.write_text(text, encoding="utf-8")
                screen.last_error = None
                if first:
                    await paste(pilot, str(path))
                    first = False
                else:
                    screen.query_one("#batch-path").value = str(path)
                await pilot.press("enter")
                await until(pilot, lambda: screen.last_error is not None, f"load error for {name}")
                shown = str(screen.query_one("#batch-plan-text").render())
                assert "Cannot use this file" in shown and words in shown.replace("\n", " "), shown
                assert screen.plan is None and screen.query_one("#batch-apply").disabled
            assert app.is_running
    assert sandbox.delivered_messages() == []

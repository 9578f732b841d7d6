"""Batch send from the composer: the plan comes first, bad files are refused before anything is sent, and a run
that stops midway resumes without sending anything twice."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from test_composer_support import make_composer_app, paste, ready, until

from camtui.api import CAMClient, RetryPolicy
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store
from camtui.tui.composer.batch import BatchScreen
from camtui.tui.composer.confirm import ConfirmScreen

BAD_FILE = """messages=[
 {"message":"ok 1","property":{"users":"user1@test.com,user2@test.com"}},
 {"message":"to a stranger","property":{"users":"ghost@example.co.jp"}},
 {"message":"bad address","property":{"users":"not-an-address"}},
 {"property":{"users":"user1@test.com"}},
 {"message":"ok 1","property":{"users":"user1@test.com,user2@test.com"}},
 {"send": "test", "message":"テスト 1"},
]
"""


def numbered_file(path: Path, n: int) -> Path:
    items = "".join(
        f' {{"message":"batch {i}","property":{{"users":"user1@test.com"}}}},\n' for i in range(n)
    )
    path.write_text(f"messages=[\n{items}]\n", encoding="utf-8")
    return path


def plan_text(screen: BatchScreen) -> str:
    return str(screen.query_one("#batch-plan-text").render())


def status_text(screen: BatchScreen) -> str:
    return str(screen.query_one("#batch-status").render())


async def test_batch_with_bad_items_is_refused_before_sending(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    bad = tmp_path / "messages.json"
    bad.write_text(BAD_FILE, encoding="utf-8")
    sjis = tmp_path / "sjis.json"
    sjis.write_bytes(
        'messages=[{"message":"こんにちは","property":{"users":"user1@test.com"}}]'.encode("cp932")
    )
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 45)) as pilot:
            pane = await ready(pilot)
            pane.message.focus()
            await pilot.press("ctrl+b")
            await until(pilot, lambda: isinstance(app.screen, BatchScreen), "batch screen")
            screen = app.screen
            assert isinstance(screen, BatchScreen)
            await paste(pilot, str(bad))
            await pilot.press("enter")
            await until(pilot, lambda: screen.plan is not None, "plan")
            plan = screen.plan
            assert plan is not None and not plan.ok
            text = plan_text(screen)
            assert "6 items in messages.json" in text
            assert "error: item 2 [451]" in text  # organisation domain: may self-register
            assert "not-an-address" in text
            assert "item 4" in text and "duplicate of item 1" in text
            assert screen.query_one("#batch-apply").disabled
            assert "Refused" in status_text(screen) and "Nothing was sent" in status_text(screen)
            await pilot.press("ctrl+s")  # the send key does nothing on a refused plan
            await pilot.pause()
            assert sandbox.delivered_messages() == []
            assert store.batch_journal.runs() == []

            # A Shift_JIS file gets a clear message, not a traceback.
            screen.query_one("#batch-path").value = str(sjis)
            await pilot.press("enter")
            await until(pilot, lambda: screen.last_error is not None, "load error")
            assert "Shift_JIS" in plan_text(screen) and "UTF-8" in plan_text(screen)
            assert screen.plan is None and screen.query_one("#batch-apply").disabled

            # Missing file: same.
            screen.query_one("#batch-path").value = str(tmp_path / "nope.json")
            await pilot.press("enter")
            await until(pilot, lambda: "no such file" in plan_text(screen), "missing-file message")
            await pilot.press("escape")
            await until(pilot, lambda: not isinstance(app.screen, BatchScreen), "closed")
            assert sandbox.delivered_messages() == []


async def test_batch_stopped_midway_resumes_without_duplicates(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = numbered_file(tmp_path / "many.json", 20)
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 45)) as pilot:
            await ready(pilot)
            # Slow sends, so a chunk is in flight when the user stops the run.
            sandbox.set_faults({"latency_ms": 250, "methods": ["sendMessages"]})
            screen = BatchScreen(str(path), chunk_size=2)
            app.push_screen(screen)
            await until(pilot, lambda: screen.plan is not None, "plan")
            assert screen.plan.counts["to_send"] == 20 and screen.plan.counts["chunks"] == 10
            assert "Send 20 items" in str(screen.query_one("#batch-apply").label)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: screen.query_one("#batch-progress").progress >= 2, "first chunk")
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "stop confirmation")
            await pilot.press("y")
            await until(pilot, lambda: not screen.running, "stopped")
            fp = screen.plan.file.fingerprint
            first = store.batch_journal.outcomes(fp)
            sent_first = sorted(i for i, o in first.items() if o.state == "sent")
            unknown = sorted(i for i, o in first.items() if o.state == "unknown")
            assert 2 <= len(sent_first) < 20
            assert len(unknown) == 2  # the chunk that was in flight: may or may not have been delivered

            # Check the same file again: the plan says what is left; unknown items are not resent.
            sandbox.clear_faults()
            screen.load(str(path))
            await until(
                pilot, lambda: screen.plan is not None and screen.plan.counts["already_sent"] > 0, "replan"
            )
            counts = screen.plan.counts
            assert counts["already_sent"] == len(sent_first)
            assert counts["unknown_before"] == 2
            assert counts["to_send"] == 20 - len(sent_first) - 2
            assert "outcome unknown earlier (not resent)" in plan_text(screen)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: screen.summary is not None, "summary")
            assert screen.summary.sent == counts["to_send"]
            assert "Done" in status_text(screen)

            delivered = Counter(m["text"] for m in sandbox.delivered_messages())
            assert max(delivered.values()) == 1  # nothing twice
            expected = {f"batch {i}" for i in range(20) if i not in unknown}
            assert expected <= set(delivered)
            final = store.batch_journal.outcomes(fp)
            assert sorted(i for i, o in final.items() if o.state == "unknown") == unknown
            assert all(o.state == "sent" for i, o in final.items() if i not in unknown)

            # A third check: nothing left, and the unknown ones only go again when the box is ticked.
            screen.load(str(path))
            await until(
                pilot, lambda: screen.plan is not None and screen.plan.counts["to_send"] == 0, "final plan"
            )
            assert screen.query_one("#batch-apply").disabled
            assert screen.query_one("#batch-force-unknown").display


async def test_batch_stopped_by_server_errors_resumes_everything(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = numbered_file(tmp_path / "six.json", 6)
    fast = RetryPolicy(max_attempts=2, base_delay=0.01, jitter=0)
    async with CAMClient(sandbox.url, sandbox.admin_token, retry=fast) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 45)) as pilot:
            await ready(pilot)
            sandbox.set_faults({"error_503": 1.0, "methods": ["sendMessages"]})
            screen = BatchScreen(str(path), chunk_size=2)
            app.push_screen(screen)
            await until(pilot, lambda: screen.plan is not None, "plan")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: screen.summary is not None, "summary")
            assert screen.summary.stopped and screen.summary.sent == 0 and screen.summary.not_attempted == 6
            assert "run the same file again to resume" in plan_text(screen)
            assert sandbox.delivered_messages() == []

            sandbox.clear_faults()
            screen.load(str(path))
            await until(pilot, lambda: screen.plan is not None and screen.summary is None, "replan")
            assert screen.plan.counts["to_send"] == 6
            await pilot.press("ctrl+s")
            await until(pilot, lambda: screen.summary is not None, "second summary")
            assert screen.summary.sent == 6
            texts = sorted(m["text"] for m in sandbox.delivered_messages())
            assert texts == sorted(f"batch {i}" for i in range(6))
            # The composer's sent log shows the batch too.
            assert len(store.sent_log) == 6


async def test_items_the_server_refuses_go_to_a_failed_items_file(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Without a directory (user token) the plan can only warn; the server's 452 for one item does not stop the
    others, and that item lands in `<name>.failed.json`, ready to fix and resend."""
    path = tmp_path / "mixed.json"
    path.write_text(
        "messages=[\n"
        ' {"message":"one","property":{"users":"user1@test.com"}},\n'
        ' {"message":"two","property":{"users":"nobody@nowhere.example"}},\n'
        ' {"message":"three","property":{"users":"user2@test.com"}},\n'
        "]\n",
        encoding="utf-8",
    )
    async with CAMClient(sandbox.url, sandbox.user_token) as client:
        store = Store.open(tmp_path / "c.db")
        app = make_composer_app(client, store)
        async with app.run_test(size=(140, 45)) as pilot:
            await ready(pilot, "contacts")
            screen = BatchScreen(str(path))
            app.push_screen(screen)
            await until(pilot, lambda: screen.plan is not None, "plan")
            assert screen.plan.ok
            assert "recipients not checked against the directory" in plan_text(screen)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: screen.summary is not None, "summary")
            summary = screen.summary
            assert (summary.sent, summary.failed) == (2, 1)
            assert summary.failed_path == tmp_path / "mixed.failed.json"
            failed_text = summary.failed_path.read_text(encoding="utf-8")
            assert '"two"' in failed_text and "452" in failed_text
            assert "failed items written to" in plan_text(screen)
            assert sorted(m["text"] for m in sandbox.delivered_messages()) == ["one", "three"]

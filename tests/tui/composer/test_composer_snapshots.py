"""SVG snapshots of the composer: the filled form, the autocomplete dropdown, the outbox and the batch plan.

Deterministic on purpose: a fixed clock, a fixed server label, a directory from the store cache (the sandbox
answers exportUsers with 800 to the user token used here, so the cache stays as written), and no toasts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_composer_support import NOW, until
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from camtui.api import CAMClient
from camtui.api.models import User
from camtui.common.clock import fixed_clock
from camtui.config.settings import Settings
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.composer.batch import BatchScreen
from camtui.tui.composer.pane import NOTICE_KEY, TAB_OUTBOX, ComposerPane

SIZE = (110, 34)

DIRECTORY = [
    User("u1", "user1@xxx.com", "山田 太郎", "Taro Yamada", "情報システム部", "部長", True),
    User("u2", "user2@xxx.com", "佐藤 花子", "Hanako Sato", "総務部", "課長", False),
    User("u3", "user1@test.com", "鈴木 一郎", "Ichiro Suzuki", "営業部", "主任", False),
    User("u4", "user2@test.com", "高橋 美咲", "Misaki Takahashi", "開発部", "一般", False),
    User("u5", "rin.shinonome@example.co.jp", "東雲 凛", "Rin Shinonome", "品質保証部", "主任", False),
    User("u6", "kaede.shinonome@test.com", "東雲 楓", "Kaede Shinonome", "法務部", "一般", False),
    User("u7", "shion.shinoda@example.co.jp", "篠田 紫苑", "Shion Shinoda", "広報部", "一般", False),
]


def snapshot_app(sandbox: RunningSandbox, tmp_path: Path, **settings_changes: object) -> tuple[CamApp, Store]:
    clock = fixed_clock(NOW)
    store = Store.open(tmp_path / "snap.db", clock=clock)
    store.directory.replace(DIRECTORY, fetched_at=NOW)
    store.ui_state.set(NOTICE_KEY, True)  # the 800 notice was shown in an earlier session
    client = CAMClient(sandbox.url, sandbox.user_token)
    settings = Settings.defaults().with_changes(
        server_url=sandbox.url, api_token="x", chat_rooms=("ルーム名", "test"), **settings_changes
    )
    app = CamApp(
        client,
        store,
        settings,
        clock=clock,
        server_label="sandbox",
        close_on_exit=True,
        panes={"rooms": lambda: Static("rooms"), "calls": lambda: Static("calls")},
    )
    return app, store


async def settle(pilot: Pilot[object]) -> ComposerPane:
    """Directory loaded, composer maximised, cursors steady, no toasts."""
    app = pilot.app
    await until(pilot, lambda: app.screen.query("#composer"), "main screen")
    pane = app.screen.query_one("#composer", ComposerPane)
    await until(
        pilot, lambda: pane.directory_state == "cached" and pane._saved_at != "loading", "cached directory"
    )
    await until(pilot, lambda: not any(w.is_running for w in app.workers), "workers idle")
    for widget in app.query(Input):
        widget.cursor_blink = False
    for area in app.query(TextArea):
        area.cursor_blink = False
    app.screen.maximize(pane)
    app.clear_notifications()
    await pilot.pause()
    return pane


def test_composer_filled_form(snap_compare, sandbox: RunningSandbox, tmp_path: Path) -> None:
    app, store = snapshot_app(sandbox, tmp_path)
    store.drafts.save(
        "ルーム名",
        "明日の定例は 14:00 からです。\n議題:\n  1. 予算\n  2. 採用\n\nよろしくお願いします。",
        "user1@xxx.com, 鈴木 一郎, nobody@example.co.jp, 東雲",
        True,
    )

    async def run_before(pilot: Pilot[object]) -> None:
        pane = await settle(pilot)
        pane.message.focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_composer_autocomplete_dropdown(snap_compare, sandbox: RunningSandbox, tmp_path: Path) -> None:
    app, _store = snapshot_app(sandbox, tmp_path)

    async def run_before(pilot: Pilot[object]) -> None:
        pane = await settle(pilot)
        pane.recipients.input.focus()
        await pilot.pause()
        for key in "shino":
            await pilot.press(key)
        await until(pilot, lambda: pane.recipients.dropdown.is_open, "dropdown")
        await pilot.press("down")
        store = pilot.app.store
        await until(pilot, lambda: store.drafts.get("messenger") is not None, "draft autosaved")
        await until(
            pilot, lambda: "draft 10:30:00" in str(pane.query_one("#composer-footer").render()), "footer"
        )

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_composer_outbox(snap_compare, sandbox: RunningSandbox, tmp_path: Path) -> None:
    app, store = snapshot_app(sandbox, tmp_path)
    refused = store.outbox.add(
        "messenger", "見積書を送ります\n金額は添付の通り", False, ("typo@elsewhere.org",)
    )
    store.outbox.mark_failed(
        refused.id, "452 User is not registered: ユーザが登録されていません。", code="452"
    )
    unknown = store.outbox.add("ルーム名", "全員へ: 本日 18:00 に停電します", True, ("user1@xxx.com",))
    store.outbox.mark_sending(unknown.id)
    store.outbox.mark_unknown(
        unknown.id, "outcome unknown for sendMessage: connection reset after the request"
    )
    offline = store.outbox.add(
        "messenger", "hello", False, ("user1@test.com", "user2@test.com", "user2@xxx.com")
    )
    store.outbox.mark_failed(offline.id, "network error (sendMessage): connection refused", retryable=True)

    async def run_before(pilot: Pilot[object]) -> None:
        pane = await settle(pilot)
        pane.show_tab(TAB_OUTBOX)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_composer_batch_plan(
    snap_compare, sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("messages.json").write_text(
        "messages=[\n"
        ' {"message":"こんにちは 1","property":{"users":"user1@test.com,user2@test.com"}},\n'
        ' {"message":"こんにちは 2","property":{"users":"ghost@example.co.jp"}},\n'
        ' {"message":"こんにちは 3","property":{"users":"not-an-address"}},\n'
        ' {"message":"こんにちは 1","property":{"users":"user1@test.com,user2@test.com"}},\n'
        ' {"send": "test", "message":"テスト 1"},\n'
        "]\n",
        encoding="utf-8",
    )
    app, _store = snapshot_app(sandbox, tmp_path)

    async def run_before(pilot: Pilot[object]) -> None:
        await settle(pilot)
        screen = BatchScreen("messages.json")
        await pilot.app.push_screen(screen)
        await until(pilot, lambda: screen.plan is not None, "plan")
        for widget in screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

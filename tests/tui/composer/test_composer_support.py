"""Helpers for the composer tests (the real CamApp with the rooms and calls panes left out, a real sandbox, a real
store file), plus the pure pieces of the composer tested directly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from camtui.api import CAMClient
from camtui.common.clock import fixed_clock
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.composer.batch import describe_estimate
from camtui.tui.composer.editor import EditorError, editor_command, restore_trailing_newline, run_editor
from camtui.tui.composer.outbox import preview, recipients_summary
from camtui.tui.composer.pane import ComposerPane, count_line, is_messenger

NOW = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)
"""10:30 in Tokyo: the fixed instant of every composer test."""


PEOPLE_CSV = """uid,email,name,romaji,department,position,admin
,rin.shinonome@example.co.jp,東雲 凛,Rin Shinonome,品質保証部,主任,false
,kaede.shinonome@test.com,東雲 楓,Kaede Shinonome,法務部,一般,false
,tsubaki.kurenai@example.co.jp,紅 椿,Tsubaki Kurenai,広報部,部長,false
"""
"""People the composer tests add to the sandbox (names unlike the generated demo data, so matches are certain)."""

RIN = "rin.shinonome@example.co.jp"
KAEDE = "kaede.shinonome@test.com"
TSUBAKI = "tsubaki.kurenai@example.co.jp"


async def add_people(sandbox_url: str, admin_token: str) -> None:
    async with CAMClient(sandbox_url, admin_token) as client:
        await client.update_users_csv(PEOPLE_CSV)


def make_composer_app(
    client: CAMClient,
    store: Store,
    *,
    clock: Callable[[], datetime] | None = None,
    **settings_changes: Any,
) -> CamApp:
    """The real shell, with the other two panes replaced by placeholders so only the composer talks to the server."""
    settings = Settings.defaults().with_changes(
        server_url=client.server_url, api_token="x", **settings_changes
    )
    return CamApp(
        client,
        store,
        settings,
        clock=clock or fixed_clock(NOW),
        panes={"rooms": lambda: Static("rooms"), "calls": lambda: Static("calls")},
    )


async def until(
    pilot: Pilot[Any], condition: Callable[[], object], what: str = "condition", limit: float = 15.0
) -> None:
    """Let the app run until `condition()` holds (a behaviour, not a timing: the limit only stops a hung test)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await pilot.pause(0.02)


async def ready(pilot: Pilot[Any], state: str = "fresh") -> ComposerPane:
    """The composer once its directory is loaded (`state`: "fresh", "contacts", ...)."""
    pane = pilot.app.query_one("#composer", ComposerPane)
    await until(pilot, lambda: pane.directory_state == state, f"directory {state}")
    return pane


async def paste(pilot: Pilot[Any], text: str) -> None:
    """Put `text` into the focused input or text area in one go, as a terminal paste does (one change event)."""
    from textual.widgets import Input, TextArea

    await pilot.pause()  # a focus() just before takes effect on the next message cycle
    focused = pilot.app.focused
    if isinstance(focused, Input):
        focused.insert_text_at_cursor(text)
    elif isinstance(focused, TextArea):
        focused.insert(text)
    else:
        raise AssertionError(f"cannot paste into {focused!r}")
    await pilot.pause()


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type like a person: one key per character (newlines as Enter)."""
    for ch in text:
        await pilot.press("enter" if ch == "\n" else ch)


# ----- the pure pieces ----------------------------------------------------------------------------------------


def test_count_line_counts_characters_and_lines() -> None:
    assert count_line("") == "0 chars · 0 lines"
    assert count_line("abc") == "3 chars · 1 line"
    assert count_line("こんにちは\n\n") == "7 chars · 3 lines"


def test_is_messenger() -> None:
    assert is_messenger("") and is_messenger(" messenger ") and is_messenger("Messenger")
    assert not is_messenger("test") and not is_messenger("ルーム名")


def test_editor_trailing_newline_rule() -> None:
    assert restore_trailing_newline("a\nb", "a\nb\n") == "a\nb"
    assert restore_trailing_newline("a\nb\n", "a\nb\n") == "a\nb\n"
    assert restore_trailing_newline("a", "a\n\n") == "a\n"
    assert restore_trailing_newline("x", "y\r\n") == "y"


def test_editor_command_from_environment() -> None:
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "vi"}) == ["code", "--wait"]
    assert editor_command({"EDITOR": "nano"}) == ["nano"]
    assert editor_command({}) == ["vi"]
    with pytest.raises(EditorError):
        editor_command({"EDITOR": "'unclosed"})


def test_run_editor_round_trip_and_failures(tmp_path: Path) -> None:
    script = tmp_path / "ed.sh"
    script.write_text('#!/bin/sh\nprintf "first\\n\\nthird  \\n" > "$1"\n')
    script.chmod(0o755)
    assert run_editor("old", [str(script)]) == "first\n\nthird  "
    failing = tmp_path / "fail.sh"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o755)
    with pytest.raises(EditorError, match="status 3"):
        run_editor("keep", [str(failing)])
    with pytest.raises(EditorError, match="cannot start"):
        run_editor("keep", [str(tmp_path / "no-such-editor")])


def test_outbox_text_helpers() -> None:
    assert preview("a\nb") == "a⏎b"
    assert preview("x" * 60, 10) == "x" * 9 + "…"
    assert recipients_summary(()) == "—"
    assert recipients_summary(("a@x.com", "b@x.com", "c@x.com")) == "a@x.com +2"


def test_batch_helpers() -> None:
    assert describe_estimate(0.2) == "under a second"
    assert describe_estimate(12.4) == "about 12 s"
    assert describe_estimate(600) == "about 10 min"

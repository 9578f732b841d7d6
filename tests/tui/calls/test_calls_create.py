"""The quick-call dialog: the form check on its own, then the dialog in the real app against the sandbox."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from camtui.api import CAMClient
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp
from camtui.tui.calls.create import (
    FormErrors,
    QuickCallDialog,
    generate_password,
    successor_request,
    validate_quick_call,
)
from camtui.tui.calls.model import CallRow, auto_login_url
from camtui.tui.calls.pane import CallsPane

NOW = datetime(2026, 12, 3, 5, 0, tzinfo=UTC)  # 14:00 in Tokyo
TZ = "Asia/Tokyo"


# -- the form check -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expiry", "expected"),
    [
        ("in 2 hours", NOW + timedelta(hours=2)),
        ("90m", NOW + timedelta(minutes=90)),
        ("18:00", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
        ("tomorrow 9:00", datetime(2026, 12, 4, 0, 0, tzinfo=UTC)),
        ("2026-12-03T16:30+09:00", datetime(2026, 12, 3, 7, 30, tzinfo=UTC)),
        ("2026-12-05 10:00", datetime(2026, 12, 5, 1, 0, tzinfo=UTC)),
        ("18時", datetime(2026, 12, 3, 9, 0, tzinfo=UTC)),
        ("18時30分", datetime(2026, 12, 3, 9, 30, tzinfo=UTC)),
        ("明日18時", datetime(2026, 12, 4, 9, 0, tzinfo=UTC)),
        ("明日 9:00", datetime(2026, 12, 4, 0, 0, tzinfo=UTC)),
        ("2時間後", NOW + timedelta(hours=2)),
        ("30分後", NOW + timedelta(minutes=30)),
    ],
)
def test_good_input(expiry, expected):
    req = validate_quick_call("  週次   定例 ", "pa ss", expiry, NOW, TZ)
    assert req.title == "週次 定例"  # whitespace tidied
    assert req.password == "pa ss"
    assert req.expires == expected


@pytest.mark.parametrize(
    ("title", "password", "expiry", "fields", "says"),
    [
        ("定例", "", "09:00", {"expiry"}, "past"),  # earlier today
        ("定例", "", "2020-01-01 10:00", {"expiry"}, "past"),
        ("定例", "", "now", {"expiry"}, "past"),
        ("定例", "", "whenever", {"expiry"}, ""),
        ("定例", "", "", {"expiry"}, "no time"),
        ("定例", "", "in 400 days", {"expiry"}, "year"),
        ("", "", "in 1 hour", {"title"}, "title"),
        ("   ", "", "in 1 hour", {"title"}, "title"),
        ("x" * 101, "", "in 1 hour", {"title"}, "100"),
        ("定例", " padded", "in 1 hour", {"password"}, "space"),
        ("定例", "tab\there", "in 1 hour", {"password"}, "control"),
        ("", " p", "nonsense o'clock", {"title", "password", "expiry"}, ""),
    ],
)
def test_bad_input_names_every_bad_field(title, password, expiry, fields, says):
    with pytest.raises(FormErrors) as info:
        validate_quick_call(title, password, expiry, NOW, TZ)
    assert set(info.value.errors) == fields
    text = " ".join(info.value.errors.values()).lower()
    assert says in text
    assert all("\n" not in t for t in info.value.errors.values())


def test_generated_passwords_are_unambiguous_and_differ():
    seen = {generate_password() for _ in range(50)}
    assert len(seen) == 50
    for pw in seen:
        assert len(pw) == 10 and not set(pw) & set("0O1lI")


def test_successor_keeps_title_and_password_and_the_length():
    row = CallRow("sid00001", title="朝会", password="pw", created=NOW - timedelta(hours=2), expires=NOW)
    req = successor_request(row, NOW)
    assert (req.title, req.password, req.expires) == ("朝会", "pw", NOW + timedelta(hours=2))
    short = CallRow("sid00002", title="t", created=NOW - timedelta(minutes=10), expires=NOW)
    assert successor_request(short, NOW).expires == NOW + timedelta(hours=1)


# -- the dialog in the app ------------------------------------------------------------------------------------


async def until(pilot: Pilot, condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.02)


def build_app(sb: Any, store_path: Path) -> CamApp:
    client = CAMClient(sb.url, sb.admin_token)
    config = Settings.defaults().with_changes(
        server_url=sb.url, api_token=sb.admin_token, calls_poll_seconds=3600
    )
    return CamApp(client, Store.open(store_path), config, clock=lambda: NOW, close_on_exit=True)


async def open_dialog(pilot: Pilot) -> QuickCallDialog:
    await pilot.press("2", "n")
    screen = pilot.app.screen
    assert isinstance(screen, QuickCallDialog)
    return screen


def fill(screen: QuickCallDialog, title: str, password: str, expiry: str) -> None:
    screen.query_one("#calls-create-title").value = title
    screen.query_one("#calls-create-password").value = password
    screen.query_one("#calls-create-expiry").value = expiry


def text_of(screen: QuickCallDialog, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_dialog_good_input_creates_shows_links_and_watches(sandbox_factory, tmp_path):
    sb = sandbox_factory(now=lambda: NOW)
    app = build_app(sb, tmp_path / "s.db")
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        screen = await open_dialog(pilot)
        assert screen.query_one("#calls-create-password").password  # masked
        fill(screen, "週次定例", "", "明日18時")
        await pilot.pause()
        assert "2026-12-04 18:00" in text_of(screen, "#calls-create-expiry-preview")
        fill(screen, "週次定例", "", "tomorrow 9:00")
        await pilot.pause()
        assert "2026-12-04 09:00" in text_of(screen, "#calls-create-expiry-preview")
        await pilot.press("ctrl+g")  # a generated password, shown so it can be shared
        generated = screen.query_one("#calls-create-password").value
        assert len(generated) == 10 and not screen.query_one("#calls-create-password").password
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.result is not None, "the call")
        call = screen.result
        assert call is not None
        summary = text_of(screen, "#calls-create-summary")
        assert call.url in summary and call.presenter_pass in summary and generated in summary
        # the auto-login URL builder
        screen.query_one("#calls-create-user").value = "山田 太郎"
        await pilot.pause()
        assert text_of(screen, "#calls-create-login") == auto_login_url(call.url, "山田 太郎", generated)
        await pilot.press("ctrl+y")
        assert app.clipboard == call.url
        # watched at once, remembered, and real on the server
        row = pane.row(call.sid)
        assert row is not None and row.origin == "created" and row.password == generated
        assert app.store.calls.get(call.sid).title == "週次定例"
        made = next(c for c in sb.calls() if c["sid"] == call.sid)
        assert made["title"] == "週次定例"
        assert made["expiredDate"] == int(datetime(2026, 12, 4, 0, 0, tzinfo=UTC).timestamp() * 1000)
        await until(pilot, lambda: row.last_ok is not None, "the new call polled")
        await pilot.press("escape")
        assert not isinstance(app.screen, QuickCallDialog)


@pytest.mark.parametrize(
    ("title", "expiry", "where", "says"),
    [
        ("定例", "2020-01-01 10:00", "#calls-create-expiry-preview", "past"),
        ("定例", "10:00", "#calls-create-expiry-preview", "past"),  # earlier today
        ("定例", "whenever you like", "#calls-create-expiry-preview", "whenever"),
        ("定例", "", "#calls-create-expiry-preview", "no time"),  # an empty field speaks up on ctrl+s
        ("", "in 2 hours", "#calls-create-title-error", "title"),
    ],
)
async def test_dialog_refuses_bad_input_and_creates_nothing(
    sandbox_factory, tmp_path, title, expiry, where, says
):
    sb = sandbox_factory(now=lambda: NOW)
    before = {c["sid"] for c in sb.calls()}
    app = build_app(sb, tmp_path / "s.db")
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        screen = await open_dialog(pilot)
        fill(screen, title, "pw", expiry)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert says in text_of(screen, where).lower()
        assert screen.result is None and app.screen is screen  # still open, input kept
        assert screen.query_one("#calls-create-expiry").value == expiry
        assert pane.watched == []
    assert {c["sid"] for c in sb.calls()} == before


# -- QA second round ------------------------------------------------------------------------------------------


def visible_text(screen: QuickCallDialog) -> str:
    """Everything the dialog shows right now (hidden lines excluded)."""
    return "\n".join(
        str(w.render()) for w in screen.query("Static, Label").results() if w.display and w.region.height
    )


async def test_an_old_expiry_error_goes_as_soon_as_the_expiry_is_valid(sandbox_factory, tmp_path):
    """C12: `banana`, ctrl+s, ctrl+u, `in 3 hours`: no word about bananas is left under the new time."""
    sb = sandbox_factory(now=lambda: NOW)
    app = build_app(sb, tmp_path / "s.db")
    async with app.run_test(size=(170, 50)) as pilot:
        screen = await open_dialog(pilot)
        screen.query_one("#calls-create-title").value = "定例"
        screen.query_one("#calls-create-expiry").focus()
        await pilot.press("ctrl+u", *"banana", "ctrl+s")
        await pilot.pause()
        assert "cannot read 'banana'" in visible_text(screen)
        assert screen.result is None
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert "banana" not in visible_text(screen)  # the field is empty: nothing to complain about yet
        await pilot.press(*"in 3 hours")
        await pilot.pause()
        shown = visible_text(screen)
        assert "banana" not in shown and "cannot read" not in shown
        assert "2026-12-03 17:00" in text_of(screen, "#calls-create-expiry-preview")
        assert not screen.query_one("#calls-create-expiry-preview").has_class("-invalid")
        # and a title error goes as soon as the title is edited
        screen.query_one("#calls-create-title").value = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.error_text("title")
        await pilot.press("x")
        await pilot.pause()
        assert screen.error_text("title") == ""


async def test_generate_reveal_and_create_in_a_burst_keep_every_field(sandbox_factory, tmp_path):
    """C12 (the intermittent report): ctrl+g / ctrl+o / ctrl+s right after typing the expiry never empty it."""
    sb = sandbox_factory(now=lambda: NOW)
    app = build_app(sb, tmp_path / "s.db")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dialog(pilot)
        await pilot.press(*"定例会")
        screen.query_one("#calls-create-expiry").focus()
        await pilot.press("ctrl+u", *"in 2 hours", "ctrl+g", "ctrl+o", "ctrl+o", "ctrl+g", "ctrl+s")
        await until(pilot, lambda: screen.result is not None, "the call")
        assert screen.query_one("#calls-create-expiry").value == "in 2 hours"
        assert screen.query_one("#calls-create-title").value == "定例会"
        call = screen.result
        assert call is not None
        assert call.title == "定例会" and len(call.password) == 10
        assert call.password == screen.query_one("#calls-create-password").value
        assert call.expired_date == NOW + timedelta(hours=2)
        assert "no time given" not in visible_text(screen)


def reachable(screen: Any, selector: str) -> bool:
    """The widget is on screen and not clipped or covered: what is drawn at its first cell is the widget."""
    widget = screen.query_one(selector)
    region = widget.region
    if not widget.display or region.height == 0 or region.bottom > screen.size.height:
        return False
    found, _ = screen.get_widget_at(region.x, region.y)
    return found is widget or widget in found.ancestors


async def test_at_80x24_the_dialog_keeps_its_buttons_and_key_hints_in_view(sandbox_factory, tmp_path):
    """C14: the fields scroll; Create / Cancel and the key hints stay on screen, even with errors showing."""
    sb = sandbox_factory(now=lambda: NOW)
    app = build_app(sb, tmp_path / "s.db")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dialog(pilot)
        await pilot.pause()
        for selector in (
            "#calls-create-submit",
            "#calls-create-cancel",
            "#calls-create-form-actions .calls-dialog-hint",
        ):
            assert reachable(screen, selector), selector
        assert "ctrl+s create" in visible_text(screen)
        # every field error at once (title, password, expiry): still in view, and the buttons too
        fill(screen, "", " padded ", "banana")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.error_text("title") and screen.error_text("password")
        for selector in (
            "#calls-create-submit",
            "#calls-create-cancel",
            "#calls-create-form-actions .calls-dialog-hint",
        ):
            assert reachable(screen, selector), selector
        assert reachable(screen, "#calls-create-title")  # the first bad field is scrolled into view
        # every field can be scrolled to, and the buttons work by mouse
        form = screen.query_one("#calls-create-form")
        form.scroll_end(animate=False)
        await pilot.pause()
        assert reachable(screen, "#calls-create-expiry-preview")
        fill(screen, "定例", "", "in 1 hour")
        await pilot.pause()
        await pilot.click("#calls-create-submit")
        await until(pilot, lambda: screen.result is not None, "the call")
        await pilot.pause()
        # the result view fits too
        for selector in (
            "#calls-create-summary",
            "#calls-create-user",
            "#calls-create-copy-url",
            "#calls-create-close",
            "#calls-create-result-actions .calls-dialog-hint",
        ):
            assert reachable(screen, selector), selector
        await pilot.click("#calls-create-close")
        await pilot.pause()
        assert not isinstance(app.screen, QuickCallDialog)

"""The dashboard on damaged local data it reads at start (issue 18 item 2): store rows that are not the JSON camtui
wrote and a keymap.toml no TOML reader takes. It starts, says what it could not use, and keeps the rest.

Before: a remembered theme that is a list stopped the app in `_initial_theme` (TypeError), a keymap with a
100,000-digit number stopped it in `on_mount` (ValueError), and one damaged outbox row hid the whole outbox."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets._toast import Toast

from camtui.api import CAMClient, RetryPolicy
from camtui.common.clock import fixed_clock
from camtui.config.settings import Settings
from camtui.store import Store
from camtui.tui.app import CamApp
from tests.tui.test_app_dashboard import wait_until

NOW = datetime(2026, 3, 2, 1, 40, tzinfo=UTC)


def damaged_store(path: Path) -> None:
    """A store as a crash, a disk error or a hand edit might leave it: rows that are not camtui's JSON."""
    with Store.open(path) as store:
        store.outbox.add("messenger", "kept message", users=("user1@xxx.com",))
        store.outbox.add("messenger", "damaged recipients", users=("user2@xxx.com",))
        store.sent_log.add("messenger", "sent earlier", False, ("user1@xxx.com",), "m-1")
    conn = sqlite3.connect(path)
    with conn:
        conn.execute('INSERT OR REPLACE INTO ui_state VALUES (\'theme\', \'["not", "a", "name"]\')')
        conn.execute("INSERT OR REPLACE INTO ui_state VALUES ('batch.items_per_second', ?)", ("[" * 200_000,))
        conn.execute("UPDATE outbox SET users = ? WHERE message = 'damaged recipients'", ("9" * 100_000,))
        conn.execute("UPDATE sent_log SET recipients = 'NaN'")
    conn.close()


async def test_dashboard_starts_on_a_damaged_store_and_keymap(sandbox, tmp_path: Path) -> None:
    store_path = tmp_path / "s.db"
    damaged_store(store_path)
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    (tmp_path / "keymap.toml").write_text("copy-share = " + "9" * 100_000 + "\n", encoding="utf-8")
    settings = Settings.defaults().with_changes(
        server_url=sandbox.url, api_token=sandbox.admin_token, config_path=str(config)
    )
    client = CAMClient(sandbox.url, sandbox.admin_token, read_budget=2.0, retry=RetryPolicy(max_attempts=1))
    app = CamApp(client, Store.open(store_path), settings, clock=fixed_clock(NOW), close_on_exit=True)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await wait_until(pilot, lambda: bool(app.status_line.last_good("rooms")))
        await pilot.pause(0.3)
        assert app.is_running
        assert app.theme in app.available_themes  # the remembered list was not taken for a theme name
        toasts = [(t._notification.title, str(t._notification.message)) for t in app.screen.query(Toast)]
        keymap = [m for title, m in toasts if title == "keymap"]
        assert keymap and "keymap.toml:1: invalid TOML: a number too long to read" in keymap[0], toasts
        assert "the declared keys stay" in keymap[0]
        entries = {e.message: e for e in app.store.outbox.list()}
        assert entries["kept message"].users == ("user1@xxx.com",)
        assert entries["damaged recipients"].users == ()  # the damaged value, not the whole outbox, is lost
        assert app.store.sent_log.list()[0].recipients == ()
        reports = " ".join(f"{r.title} {r.message}" for r in app.error_log)
        assert "Traceback" not in reports and "Error" not in reports, reports

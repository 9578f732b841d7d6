"""The admin screen on a server whose users CSV camtui cannot read (a cell over csv's 131,072-character limit):
the Users tab reports the server's malformed answer in camtui's words and stays up; nothing is shown as a
fresh directory. Before: `MalformedBody` escaped `fresh_directory` and was reported as an internal error."""

from __future__ import annotations

from admin_tui_support import admin_app, open_store, until

from camtui.api import CAMClient, RetryPolicy
from camtui.tui.admin.screen import AdminScreen
from camtui.tui.admin.users_tab import UsersTab
from tests.api.hostile import RawServer


async def test_a_users_csv_over_the_field_limit_is_a_described_error() -> None:
    server = RawServer()
    body = b"\xef\xbb\xbfuid,email,name\r\n,a@example.com," + b"x" * 131_073 + b"\r\n"
    server.answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    )
    store = open_store()
    try:
        async with CAMClient(server.url, "token-123456", retry=RetryPolicy(max_attempts=1)) as client:
            app = admin_app(client, store)
            async with app.run_test(size=(160, 48), notifications=True) as pilot:
                await pilot.press("4")
                await until(pilot, lambda: isinstance(app.screen, AdminScreen), "the admin screen")
                tab = app.screen.query_one(UsersTab)
                await until(pilot, lambda: any(r.source == "admin" for r in app.error_log), "the report")
                (report,) = [r for r in app.error_log if r.source == "admin"]
                assert report.key[1] != "bug", report
                assert "users CSV line 2: field larger than field limit (131072)" in report.message
                assert "Traceback" not in report.message
                assert tab.users == [] and len(store.directory) == 0  # nothing shown as a fresh directory
                assert app.is_running
    finally:
        server.close()
        store.close()

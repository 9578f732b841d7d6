"""`camtui web` in a real browser: Debian's chromium driven by playwright against the real server and sandbox.

The terminal's text is read from xterm's buffer in the page (`window.camtuiTerminal`), not from a screenshot."""

from __future__ import annotations

import os
import signal
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from webtools import screen_text, wait_for_text


def _loopback_only(context: object, outside: list[str]) -> None:
    """Block every request that leaves this machine, and note it: the page must draw without them."""

    def route(route: object) -> None:
        host = urlsplit(route.request.url).hostname or ""  # type: ignore[attr-defined]
        if host in ("127.0.0.1", "localhost", "::1"):
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(route.request.url)  # type: ignore[attr-defined]
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)  # type: ignore[attr-defined]


def test_page_draws_live_rooms_offline_keys_work_and_the_token_never_reaches_the_browser(
    web_factory, browser, sandbox
):
    web = web_factory()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    outside: list[str] = []
    _loopback_only(context, outside)
    frames: list[str] = []
    page = context.new_page()
    page.on(
        "websocket",
        lambda ws: (
            ws.on("framereceived", lambda f: frames.append(f if isinstance(f, str) else f.decode("latin-1"))),
            ws.on("framesent", lambda f: frames.append(f if isinstance(f, str) else f.decode("latin-1"))),
        ),
    )
    page.goto(web.url)
    wait_for_text(page, "会議室A")  # a demo room: live data from the sandbox
    text = wait_for_text(page, "connected")  # the status line follows within a frame or two
    assert "Rooms" in text and "会議室A" in text
    # The Japanese room names are double width: the grid's time axis lines up under them.
    assert outside == []  # nothing fetched from the internet, and the grid drew all the same
    page.click("#terminal")
    page.keyboard.press("?")
    wait_for_text(page, "Help")
    page.keyboard.press("Escape")
    html = page.content()
    cookies = context.cookies()
    assert web.token not in html
    assert web.token not in page.url
    assert all(web.token not in c["value"] for c in cookies)
    assert frames, "no websocket traffic seen"
    assert all(web.token not in f for f in frames)
    context.close()
    assert web.token not in "".join(web.output)


FORCED_NEW_CALL = ["2", "n", "tampered", "\x13"]
"""Keys a tampered page could push: focus calls, new quick call, a title, ctrl+s (create)."""
FORCE_OVER_WEBSOCKET = """async (keys) => {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
  await new Promise((ok) => ws.addEventListener("open", ok));
  ws.send(JSON.stringify(["resize", {width: 160, height: 48}]));
  await new Promise((r) => setTimeout(r, 2500));
  for (const k of keys) { ws.send(JSON.stringify(["stdin", k])); await new Promise((r) => setTimeout(r, 400)); }
  await new Promise((r) => setTimeout(r, 2500));
  ws.close();
}"""


@pytest.mark.parametrize("read_only", [False, True], ids=["read-write control", "read-only"])
def test_read_only_refuses_writes_even_when_keys_are_forced_over_the_websocket(
    web_factory, browser, sandbox, read_only
):
    web = web_factory(*(["--read-only"] if read_only else []))
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(web.url)
    wait_for_text(page, "会議室A")
    text = wait_for_text(page, "Calls")  # the lower panes mount just after the first rooms data
    page.wait_for_timeout(500)
    text = screen_text(page)
    assert ("Composer" in text) is not read_only  # the read-only dashboard has no composer at all
    before = {c["sid"] for c in sandbox.calls()}
    page.evaluate(FORCE_OVER_WEBSOCKET, FORCED_NEW_CALL)
    created = {c["sid"] for c in sandbox.calls()} - before
    if read_only:
        assert created == set()
        assert sandbox.delivered_messages() == []
    else:  # the same keys do create a call on a read-write dashboard: the forcing itself works
        assert len(created) == 1
    context.close()


def test_off_loopback_the_secret_is_required(web_factory, browser, tmp_path):
    web = web_factory("--host", "0.0.0.0", "--secret-file", str(tmp_path / "secret"))
    assert "?key=" in web.url
    port = urlsplit(web.url).port
    plain = f"http://127.0.0.1:{port}/"
    for url in (plain, plain + "?key=wrong-wrong-wrong-wrong"):
        try:
            urllib.request.urlopen(url, timeout=10)
            raise AssertionError("expected 403")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
    assert web.session_pids() == []  # no app process for a refused visitor
    context = browser.new_context()
    page = context.new_page()
    page.goto(plain + "?key=" + web.url.split("?key=", 1)[1])
    assert "key=" not in page.url  # traded for a cookie, gone from the address bar
    cookie = next(c for c in context.cookies() if c["name"] == "camtui_web")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    wait_for_text(page, "会議室A")
    assert any("reachable from other machines" in line for line in web.output)
    context.close()


def test_two_tabs_are_two_processes_closing_one_reaps_it_and_a_crash_stays_local(web_factory, browser):
    web = web_factory("--max-sessions", "2")
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    first, second = context.new_page(), context.new_page()
    first.goto(web.url)
    second.goto(web.url)
    wait_for_text(first, "会議室A")
    wait_for_text(second, "会議室A")
    pids = web.wait_sessions(2)
    assert len(pids) == 2
    third = context.new_page()  # over the limit: a clear page, no process
    third.goto(web.url)
    assert "busy" in third.content()
    third.close()
    second.close()
    left = web.wait_sessions(1)
    assert len(left) == 1 and left[0] in pids
    # One session crashing does not touch the others or the server.
    other = context.new_page()
    other.goto(web.url)
    wait_for_text(other, "会議室A")
    crashed = [p for p in web.wait_sessions(2) if p not in left]
    assert len(crashed) == 1
    os.kill(crashed[0], signal.SIGKILL)
    remaining = web.wait_sessions(1)
    assert remaining == left
    first.click("#terminal")
    first.keyboard.press("?")
    wait_for_text(first, "Help")
    assert web.proc.poll() is None
    context.close()
    assert web.wait_sessions(0) == []


def test_an_idle_tab_is_reaped(web_factory, browser):
    web = web_factory("--idle-timeout", "2")
    context = browser.new_context()
    page = context.new_page()
    page.goto(web.url)
    wait_for_text(page, "会議室A")
    assert len(web.wait_sessions(1)) == 1
    assert web.wait_sessions(0, timeout=20) == []
    assert "Session ended" in page.inner_text("body") or "-closed" in page.evaluate("document.body.className")
    assert screen_text(page) is not None
    context.close()


def test_kiosk_is_rooms_and_calls_in_larger_text_on_a_large_window(web_factory, browser):
    web = web_factory("--kiosk")
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(web.url)
    wait_for_text(page, "会議室A")
    wait_for_text(page, "Calls")
    assert int(page.get_attribute("#terminal", "data-font-size")) > 16
    assert "Composer" not in screen_text(page)
    context.close()

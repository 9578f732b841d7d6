"""Launching: `camtui demo` end to end in a pseudo-terminal, its sandbox child, and `camtui` without a config."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from camtui.cli.main import main
from camtui.sandbox.child import DemoServer
from camtui.tui.calls.demo_follow import follow_demo_calls
from camtui.tui.launch import open_dashboard

ROOT = Path(__file__).resolve().parents[2]


def run_in_pty(argv: list[str], env: dict[str, str], timeout: float = 60) -> tuple[int, str]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    # Textual draws on stderr: all three standard streams are the terminal, as in real use.
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env)
    os.close(slave)
    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        proc.wait(timeout=timeout)
    finally:
        os.close(master)
        reader.join(timeout=5)
    return proc.returncode, b"".join(chunks).decode(errors="replace")[-3000:]


def _demo_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, CAMTUI_STARTUP_PROBE=str(tmp_path / "probe.json"), TERM="xterm-256color")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # no user config: the demo needs none
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env.pop("CAMTUI_CONFIG", None)
    env["TMPDIR"] = str(tmp_path / "tmp")  # tempfile honours it: the demo's child is told from others'
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return env


DEMO_SMALL = [sys.executable, "-m", "camtui", "demo", "--rooms", "6", "--users", "50"]


def test_demo_paints_rooms_data_then_quits_and_stops_its_server(tmp_path: Path) -> None:
    env = _demo_env(tmp_path)
    code, err = run_in_pty([*DEMO_SMALL, "--store", str(tmp_path / "s.db")], env)
    assert code == 0, err
    marks = json.loads((tmp_path / "probe.json").read_text(encoding="utf-8"))
    assert marks["first_rooms_painted"] > marks["app_built"] > marks["process_start"]
    assert _serve_children(str(tmp_path)) == set()  # the sandbox child is gone
    assert list((tmp_path / "tmp").iterdir()) == []  # its temporary sandbox folder is removed too
    assert (tmp_path / "s.db").exists()
    # The demo wrote only its own folder (the sandbox's data), never the real store.
    assert {p.name for p in (tmp_path / "data" / "camtui").iterdir()} == {"demo"}
    assert not (tmp_path / "data" / "camtui" / "demo" / "demo.sqlite3").exists()


def test_demo_keeps_its_own_store_and_sandbox_between_runs_and_fresh_starts_clean(tmp_path: Path) -> None:
    """What the demo says is saved is saved: a second run finds the drafts, theme and watched calls of the
    first (in demo.sqlite3, apart from the real store), still on the same sandbox; --fresh forgets them."""
    import sqlite3

    from camtui.store import Store

    env = _demo_env(tmp_path)
    home = tmp_path / "data" / "camtui" / "demo"
    code, err = run_in_pty(DEMO_SMALL, env)
    assert code == 0, err
    assert not (tmp_path / "data" / "camtui" / "camtui.db").exists()  # the real store is not touched
    with Store.open(home / "demo.sqlite3") as store:
        watched = {call.sid for call in store.calls.list()}
        assert watched  # the demo watched its sandbox's calls
        store.drafts.save("ルーム名", "下書き: 明日の会議")
        store.ui_state.set("theme", "nord")
    code, err = run_in_pty(DEMO_SMALL, env)
    assert code == 0, err
    with Store.open(home / "demo.sqlite3") as store:
        draft = store.drafts.get("ルーム名")
        assert draft is not None and draft.text == "下書き: 明日の会議"
        assert store.ui_state.get("theme") == "nord"
        assert watched <= {call.sid for call in store.calls.list()}
    with sqlite3.connect(home / "sandbox.sqlite3") as conn:  # the same sandbox: those calls are on it
        assert watched <= {row[0] for row in conn.execute("SELECT sid FROM calls")}
    code, err = run_in_pty([*DEMO_SMALL, "--fresh"], env)
    assert code == 0, err
    with Store.open(home / "demo.sqlite3") as store:
        assert store.drafts.get("ルーム名") is None and store.ui_state.get("theme") is None


def _serve_children(under: str) -> set[int]:
    """Pids of `camtui serve` processes started by a demo whose --db lives under `under` (its demo folder, or a
    camtui-demo-* temporary one): other demos may run on this machine at the same time, only this test's count."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if "serve" in cmdline and any(
            p.startswith(under) and ("camtui-demo-" in p or p.endswith("demo/sandbox.sqlite3"))
            for p in cmdline
        ):
            pids.add(int(entry.name))
    return pids


def test_demo_server_child_starts_answers_and_stops(tmp_path: Path) -> None:
    import argparse

    args = argparse.Namespace(seed=3, rooms=3, users=20, faults=None)
    server = DemoServer.spawn(args, tmp_path)
    try:
        server.wait_ready()
        assert server.url.startswith("http://127.0.0.1:")
        assert server.admin_token
        calls = server.calls()
        assert calls and all("sid" in c for c in calls)
    finally:
        server.stop()
    assert server.proc.returncode is not None


def test_demo_rejects_a_bad_fault_spec(capsys) -> None:
    assert main(["demo", "--faults", "error_503=lots"]) == 2
    assert "--faults" in capsys.readouterr().err


def test_dashboard_without_config_explains_init_and_demo(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("CAMTUI_CONFIG", raising=False)
    monkeypatch.delenv("CAMTUI_SERVER_URL", raising=False)
    monkeypatch.delenv("CAMTUI_API_TOKEN", raising=False)
    import argparse

    assert open_dashboard(argparse.Namespace(config=None)) == 2
    err = capsys.readouterr().err
    assert "camtui init" in err and "camtui demo" in err
    assert str(tmp_path / "camtui" / "config.toml") in err


def test_dashboard_with_a_bad_config_starts_nothing(tmp_path, capsys) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[server]\nurl = "http://127.0.0.1:1"\napi_token = "x"\n[rooms]\nslot_minutes = "x"\n')
    assert main(["--config", str(path)]) == 2
    assert f"{path}:5: [rooms] slot_minutes" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["demo", "--rooms", "0"], ["demo", "--users", "x"]])
def test_demo_rejects_bad_numbers(argv, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2


def test_dashboard_with_an_unusable_token_says_why(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("CAMTUI_CONFIG", raising=False)
    monkeypatch.setenv("CAMTUI_SERVER_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CAMTUI_API_TOKEN", "トークン")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "printable ASCII" in err and "トークン" not in err


class _Clock:
    """One "now" for the sandbox and the app; the test moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def _until(pilot: Any, condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.02)


async def test_demo_watches_the_calls_its_simulation_starts_later(sandbox_factory, tmp_path: Path) -> None:
    """The demo's calls pane stays alive: when a call expires and the simulation starts another, the new one
    is watched too (without moving the user's cursor); a call the user stops watching is not brought back, and
    calls the user creates are left to the pane."""
    from camtui.api import CAMClient
    from camtui.config.settings import Settings
    from camtui.store import Store
    from camtui.tui.app import CamApp
    from camtui.tui.calls.pane import CallsPane

    clock = _Clock(datetime(2026, 12, 3, 1, 0, tzinfo=UTC))
    sb = sandbox_factory(now=clock)
    first = sb.calls()
    watch = tuple(c["sid"] for c in first)
    settings = Settings.defaults().with_changes(
        server_url=sb.url, api_token=sb.admin_token, watch_calls=watch, calls_poll_seconds=3600.0
    )
    client = CAMClient(sb.url, sb.admin_token)
    app = CamApp(client, Store.open(tmp_path / "s.db"), settings, clock=clock, close_on_exit=True)
    follower = follow_demo_calls(app, sb.calls, known=watch, every=0.05)
    async with app.run_test(size=(170, 50)) as pilot:
        pane = app.query_one("#calls", CallsPane)
        await pilot.press("2")
        await _until(pilot, lambda: pane.rounds >= 1, "first round")
        assert pane.table.select(first[1]["sid"])  # where the user's cursor is
        looks = follower.looks
        await _until(pilot, lambda: follower.looks >= looks + 2, "the follower looking")
        assert follower.followed == [] and len(pane.watched) == len(first)

        soonest = min(first, key=lambda c: c["expiredDate"])
        clock.now = datetime.fromtimestamp(soonest["expiredDate"] / 1000, UTC) + timedelta(minutes=1)
        for _ in range(900):
            sb.advance_simulation(1)
            started = [c for c in sb.calls() if c["origin"] == "sim"]
            if started:
                break
        assert started, "the simulation replaced the expired call"
        new = started[0]
        made = await client.create_quick_call(clock.now + timedelta(hours=1), title="mine")
        await _until(pilot, lambda: pane.row(new["sid"]) is not None, "the new call watched")
        row = pane.row(new["sid"])
        assert row is not None and row.title == new["title"]
        assert row.expires == datetime.fromtimestamp(new["expiredDate"] / 1000, UTC)
        await _until(pilot, lambda: row.last_ok is not None, "the new call polled")
        assert pane.table.cursor_row is not None and pane.table.cursor_row.sid == first[1]["sid"]
        assert any("now also watching" in str(n.message) for n in app._notifications)

        pane.unwatch_call(new["sid"])
        looks = follower.looks
        await _until(pilot, lambda: follower.looks >= looks + 3, "more looks")
        assert pane.row(new["sid"]) is None
        assert pane.row(made.sid) is None  # the user's own call: the pane's business, not the follower's
        assert follower.followed == [new["sid"]]
        assert not app.error_log


async def test_demo_follower_survives_a_sandbox_that_does_not_answer(tmp_path: Path) -> None:
    """A failing look (the sandbox stopping) is not an error on screen; the follower keeps looking."""
    from camtui.api import CAMClient
    from camtui.config.settings import Settings
    from camtui.store import Store
    from camtui.tui.app import CamApp

    def broken() -> list[dict[str, Any]]:
        raise OSError("connection refused")

    settings = Settings.defaults().with_changes(server_url="http://127.0.0.1:9", api_token="t")
    app = CamApp(
        CAMClient("http://127.0.0.1:9", "t"), Store.open(tmp_path / "s.db"), settings, close_on_exit=True
    )
    follower = follow_demo_calls(app, broken, every=0.02)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: follower.looks >= 3, "looks despite failures")
        assert follower.followed == []


async def test_demo_adopts_its_sandbox_calls_whenever_they_arrive(sandbox_factory, tmp_path: Path) -> None:
    """The demo's app starts before its sandbox serves, so the sandbox's calls may reach it before or after the
    calls pane has loaded its watch list: before, they join the settings it loads (no toast each); after, they
    are watched at once, the cursor left where it was. A call seen once is not taken again."""
    from camtui.api import CAMClient
    from camtui.config.settings import Settings
    from camtui.store import Store
    from camtui.tui.app import CamApp
    from camtui.tui.calls.pane import CallsPane

    clock = _Clock(datetime(2026, 12, 3, 1, 0, tzinfo=UTC))
    sb = sandbox_factory(now=clock)
    calls = sb.calls()
    early, late = calls[:2], calls[2:]
    assert late
    settings = Settings.defaults().with_changes(
        server_url=sb.url, api_token=sb.admin_token, calls_poll_seconds=3600.0
    )
    app = CamApp(
        CAMClient(sb.url, sb.admin_token), Store.open(tmp_path / "s.db"), settings, clock=clock,
        close_on_exit=True, defer_lower_panes=True,
    )  # fmt: skip
    follower = follow_demo_calls(app, sb.calls, every=3600)
    async with app.run_test(size=(170, 50)) as pilot:
        assert not app.query("#calls") or not app.query_one("#calls", CallsPane).watch_list_loaded
        assert follower.adopt(early) == [c["sid"] for c in early]
        assert app.settings.watch_calls == tuple(c["sid"] for c in early)
        await _until(pilot, lambda: bool(app.query("#calls")), "the calls pane mounted")
        pane = app.query_one("#calls", CallsPane)
        await _until(pilot, lambda: pane.watch_list_loaded, "the watch list loaded")
        assert [row.sid for row in pane.watched] == [c["sid"] for c in early]
        pane.table.select(early[1]["sid"])
        assert follower.adopt(calls) == [c["sid"] for c in late]  # the early ones are known already
        assert {row.sid for row in pane.watched} == {c["sid"] for c in calls}
        assert pane.table.cursor_row is not None and pane.table.cursor_row.sid == early[1]["sid"]
        await _until(pilot, lambda: all(pane.row(c["sid"]).last_ok for c in late), "the late ones polled")
        assert follower.adopt(calls) == []
        assert not any("now also watching" in str(n.message) for n in app._notifications)
        assert not app.error_log


def test_demo_whose_sandbox_cannot_start_says_why_and_stops(tmp_path: Path) -> None:
    """The app runs while the sandbox child starts; a child that fails (here: its database path is a folder)
    makes the app quit with exit code 1 and the child's own words, instead of a dashboard of dead panes."""
    env = _demo_env(tmp_path)
    env.pop("CAMTUI_STARTUP_PROBE")
    (tmp_path / "data" / "camtui" / "demo" / "sandbox.sqlite3").mkdir(parents=True)
    started = time.monotonic()
    code, out = run_in_pty(DEMO_SMALL, env, timeout=30)
    assert code == 1, out
    assert "the sandbox did not start" in out and "camtui serve exited with" in out
    assert time.monotonic() - started < 20
    assert _serve_children(str(tmp_path)) == set()

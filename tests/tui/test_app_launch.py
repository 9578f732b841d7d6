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
from pathlib import Path

import pytest

from camtui.cli import main
from camtui.tui.launch import DemoServer, open_dashboard

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


def test_demo_paints_rooms_data_then_quits_and_stops_its_server(tmp_path: Path) -> None:
    probe = tmp_path / "probe.json"
    env = dict(os.environ, CAMTUI_STARTUP_PROBE=str(probe), TERM="xterm-256color")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")  # no user config: the demo needs none
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    env.pop("CAMTUI_CONFIG", None)
    before = _serve_children()
    code, err = run_in_pty(
        [
            sys.executable,
            "-m",
            "camtui",
            "demo",
            "--rooms",
            "6",
            "--users",
            "50",
            "--store",
            str(tmp_path / "s.db"),
        ],
        env,
    )
    assert code == 0, err
    marks = json.loads(probe.read_text(encoding="utf-8"))
    assert marks["first_rooms_painted"] > marks["app_built"] > marks["process_start"]
    assert _serve_children() == before  # the sandbox child is gone
    assert (tmp_path / "s.db").exists()
    assert not (tmp_path / "data").exists()  # the demo wrote nothing to the user's data dir


def _serve_children() -> set[int]:
    """Pids of `camtui serve` processes started by a demo (their --db lives in a camtui-demo-* folder)."""
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if "serve" in cmdline and any("camtui-demo-" in part for part in cmdline):
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

"""Starting and stopping: thread and process runners, `camtui serve`, tokens printed once and never leaked."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
import pytest

from camtui.cli import serve as cli
from camtui.sandbox.runner import SandboxError, start_sandbox, start_sandbox_process


def get_rooms(url: str, token: str) -> dict:
    with httpx.Client(trust_env=False, timeout=15) as client:
        return client.get(f"{url}/getConferenceRooms", headers={"x-cam-apiToken": token}).json()


def test_context_manager_stops_the_server(tmp_path):
    with start_sandbox(db_path=tmp_path / "a.db", rooms=2, users=10, simulation=False) as sandbox:
        url = sandbox.url
        assert get_rooms(url, sandbox.user_token)["status"] == 200
    assert sandbox.stopped
    with pytest.raises(httpx.TransportError):
        get_rooms(url, "x")
    sandbox.stop()  # idempotent


def test_tokens_are_random_unless_given_and_never_in_repr(sandbox_factory):
    a, b = sandbox_factory(), sandbox_factory()
    assert len({a.admin_token, a.user_token, b.admin_token, b.user_token}) == 4
    assert a.admin_token not in repr(a) and a.user_token not in repr(a)
    fixed = sandbox_factory(admin_token="A", user_token="U")
    assert (fixed.admin_token, fixed.user_token) == ("A", "U")


def test_port_zero_binds_a_real_port_and_a_taken_port_is_a_clear_error(sandbox):
    port = urlsplit(sandbox.url).port
    assert port and port > 0
    with pytest.raises(SandboxError, match=f"port {port} on 127.0.0.1 is already in use"):
        start_sandbox(rooms=1, users=1, simulation=False, port=port)


def test_camtui_serve_on_a_port_in_use_says_so_once_and_fails(tmp_path):
    """Only camtui's own line: no uvicorn "[Errno 98] error while attempting to bind" log line before it."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "camtui", "serve", "--port", str(port), "--db", str(tmp_path / "s.db"),
             "--rooms", "1", "--users", "1", "--no-simulation"],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"camtui serve: port {port} on 127.0.0.1 is already in use; choose another with --port (0 = any free port)"
    ]
    assert not (tmp_path / "s.db").exists()  # refused before any demo data was built


def test_serve_on_a_handed_over_socket_answers_what_was_asked_before_it_served(tmp_path):
    """`camtui demo` binds the port and hands it over (`--listen-fd`), tokens in the environment: a request
    sent while the child is still starting waits in the socket's queue and is answered once it serves."""
    import threading

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    env = dict(
        os.environ, CAMTUI_SANDBOX_ADMIN_TOKEN="adm-from-env", CAMTUI_SANDBOX_USER_TOKEN="usr-from-env"
    )
    answers: list[dict] = []
    asking = threading.Thread(target=lambda: answers.append(get_rooms(url, "usr-from-env")))
    asking.start()  # before the server exists
    proc = subprocess.Popen(
        [sys.executable, "-m", "camtui", "serve", "--listen-fd", str(listener.fileno()), "--db",
         str(tmp_path / "s.db"), "--rooms", "2", "--users", "5", "--no-simulation"],
        stdout=subprocess.PIPE, text=True, env=env, pass_fds=(listener.fileno(),),
    )  # fmt: skip
    listener.close()  # the child holds it now
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line.strip())
            if line.startswith("Ctrl+C"):
                break
        assert f"camtui sandbox: {url}" in lines
        assert "admin token: adm-from-env" in lines and "user token:  usr-from-env" in lines
        asking.join(timeout=30)
        assert answers and answers[0]["status"] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    with pytest.raises(httpx.TransportError):  # gone with the child: refused, not left waiting
        get_rooms(url, "usr-from-env")


def test_process_runner_serves_from_a_child_process(tmp_path):
    now = datetime(2026, 3, 11, 1, 15, tzinfo=UTC)
    sandbox = start_sandbox_process(
        db_path=tmp_path / "p.db", rooms=3, users=20, simulation=False, now=lambda: now, user_token="U"
    )
    try:
        assert get_rooms(sandbox.url, "U")["status"] == 200
        assert sandbox.stats()["counts"]["rooms"] == 3
    finally:
        sandbox.stop()
    with pytest.raises(httpx.TransportError):
        get_rooms(sandbox.url, "U")


def test_serve_options_parse():
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(
        ["serve", "--port", "0", "--db", ":memory:", "--seed", "3", "--rooms", "1000", "--users", "100000",
         "--no-simulation", "--faults", "error_503=0.5", "--rate-limit", "20", "--admin-token", "a"]
    )  # fmt: skip
    assert (args.port, args.seed, args.rooms, args.users, args.no_simulation) == (0, 3, 1000, 100000, True)
    assert (args.faults, args.rate_limit, args.admin_token, args.user_token) == (
        "error_503=0.5",
        20.0,
        "a",
        None,
    )
    assert args.func is cli.run
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--rooms", "-1"])
    for interval in ("0", "-2", "nan", "soon"):
        with pytest.raises(SystemExit):
            parser.parse_args(["serve", "--simulation-interval", interval])
    assert parser.parse_args(["serve", "--simulation-interval", "0.5"]).simulation_interval == 0.5


def test_a_non_positive_simulation_interval_is_refused(tmp_path):
    with pytest.raises(ValueError, match="interval"):
        start_sandbox(db_path=tmp_path / "i.db", rooms=1, users=1, simulation_interval=0)


def test_serve_rejects_a_bad_fault_spec(capsys):
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    assert cli.run(parser.parse_args(["serve", "--faults", "error_503=7", "--db", ":memory:"])) == 2
    assert "--faults" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_camtui_serve_prints_url_and_tokens_once(tmp_path):
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "camtui", "serve", "--port", "0", "--db", str(tmp_path / "s.db"), "--rooms", "2",
         "--users", "10", "--no-simulation", "--user-token", "user-secret-1", "--admin-token", "admin-secret-1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Ctrl+C"):
                break
        url = next(line.split(": ", 1)[1].strip() for line in lines if line.startswith("camtui sandbox:"))
        assert url.startswith("http://127.0.0.1:")
        assert get_rooms(url, "user-secret-1")["status"] == 200
        assert get_rooms(url, "wrong")["errors"][0]["code"] == "805"
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    everything = "".join(lines) + out + err
    assert everything.count("user-secret-1") == 1 and everything.count("admin-secret-1") == 1

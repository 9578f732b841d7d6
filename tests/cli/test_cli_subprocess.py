"""A few verbs as real processes (`python -m camtui`), the way shell scripts run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "camtui", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def environment(tmp_path, url: str, token: str) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        CAMTUI_CONFIG=str(config), CAMTUI_SERVER_URL=url, CAMTUI_API_TOKEN=token, PYTHONIOENCODING="utf-8"
    )
    return env


def test_send_from_a_pipe_and_read_json_back(sandbox, tmp_path):
    env = environment(tmp_path, sandbox.url, sandbox.admin_token)
    done = run(["send", "ルーム名", "-u", "user1@xxx.com", "--json"], env, stdin="夜間バッチ完了\n")
    assert done.returncode == 0, done.stderr
    sent = json.loads(done.stdout)
    (msg,) = sandbox.delivered_messages()
    assert (msg["id"], msg["destination"], msg["text"]) == (sent["messageId"], "ルーム名", "夜間バッチ完了")
    assert sandbox.admin_token not in done.stdout + done.stderr


def test_call_create_and_exit_codes(sandbox, tmp_path):
    env = environment(tmp_path, sandbox.url, sandbox.admin_token)
    created = run(["call", "create", "--title", "障害対応", "--expires", "in 90 min", "--json"], env)
    assert created.returncode == 0, created.stderr
    sid = json.loads(created.stdout)["sid"]
    stats = run(["call", "stats", sid, "--json"], env)
    assert stats.returncode == 0 and json.loads(stats.stdout)["title"] == "障害対応"

    bad_input = run(["call", "create", "--expires", "next blue moon"], env)
    assert (
        bad_input.returncode == 2
        and bad_input.stderr.count("\n") == 1
        and "Traceback" not in bad_input.stderr
    )

    api_error = run(["call", "stats", "missing"], env)
    assert api_error.returncode == 1 and "400 Invalid request from the client" in api_error.stderr

    bad_token = run(["rooms"], environment(tmp_path, sandbox.url, "not-a-token-123"))
    assert (
        bad_token.returncode == 1 and "805" in bad_token.stderr and "not-a-token-123" not in bad_token.stderr
    )

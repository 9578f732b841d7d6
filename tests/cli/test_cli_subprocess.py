"""A few verbs as real processes (`python -m camtui`), the way shell scripts run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime


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


# ------------------------------------------------------------------------------- stdout closed early (X2)


def test_piping_into_head_exits_quietly(sandbox_factory, tmp_path):
    """`camtui rooms MONTH | head -1`: the month listing (>100 KB with 40 rooms) outgrows the pipe buffer, so
    the writer is still writing when head exits: no traceback, status 141 like any SIGPIPE'd command."""
    import shutil

    head = shutil.which("head")
    assert head, "head(1) is needed for this test"
    sb = sandbox_factory(rooms=40)
    env = environment(tmp_path, sb.url, sb.admin_token)
    month = datetime.now(UTC).strftime("%Y-%m")
    writer = subprocess.Popen(
        [sys.executable, "-m", "camtui", "rooms", month],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    reader = subprocess.Popen([head, "-1"], stdin=writer.stdout, stdout=subprocess.PIPE)
    assert writer.stdout is not None
    writer.stdout.close()  # only head holds the read end now
    first, _ = reader.communicate(timeout=60)
    err = writer.stderr.read().decode("utf-8") if writer.stderr else ""
    code = writer.wait(timeout=60)
    assert first.decode("utf-8").startswith("40 rooms, ")
    assert "Traceback" not in err and "BrokenPipeError" not in err and err == ""
    assert code == 141


def closed_stdout(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run with stdout a pipe whose read end is closed before the verb writes anything (deterministic EPIPE)."""
    child = subprocess.Popen(
        [sys.executable, "-m", "camtui", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    err = child.stderr.read().decode("utf-8")
    return child.wait(timeout=60), err


def test_every_kind_of_verb_survives_a_closed_stdout(sandbox, tmp_path):
    env = environment(tmp_path, sandbox.url, sandbox.admin_token)
    batch = tmp_path / "messages.json"
    batch.write_text('messages=[{"message":"x","property":{"users":"user1@test.com"}}]', encoding="utf-8")
    for args in (
        ["users", "export", "-"],  # written inside the client coroutine
        ["rooms", "--json"],
        ["send-batch", str(batch), "--dry-run", "--store", str(tmp_path / "s.db")],
        ["config"],
    ):
        code, err = closed_stdout(args, env)
        assert "Traceback" not in err and "BrokenPipe" not in err, (args, err)
        assert code == 141, (args, code, err)
    assert sandbox.delivered_messages() == []


def test_bare_camtui_and_config_path_open_the_dashboard_path_without_the_verbs(tmp_path):
    """`camtui` / `camtui --config PATH` go straight to the dashboard (here: not configured, so it says how to
    start); the subcommands' modules are not imported for it, `camtui --help` still lists them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMTUI_")}
    env.update(
        HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "cfg"), XDG_DATA_HOME=str(tmp_path / "data")
    )
    probe = (
        "import sys, camtui.cli.main as m; m.main(sys.argv[1:]); "
        "print(sorted(k for k in sys.modules if k.startswith('camtui.cli.')))"
    )
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    for args in ([], ["--config", str(tmp_path / "empty.toml")], [f"--config={tmp_path / 'empty.toml'}"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *args], env=env, capture_output=True, text=True, timeout=60
        )
        assert "camtui is not configured yet" in done.stderr, (args, done.stderr)
        assert done.stdout.strip() == "['camtui.cli.main']", args
    helped = run(["--help"], env)
    assert helped.returncode == 0 and "send-batch" in helped.stdout and "demo" in helped.stdout

"""`camtui alerts run` as a real process against the real sandbox: the expiry guard makes exactly one successor
call and sends exactly one message, across a SIGTERM and a restart; a send whose outcome is unknown is reported
and never resent."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from camtui.api import CAMClient
from camtui.store import Store

GUARD = """
[[alerts]]
name = "expiry guard"
call = "{url}"
when = "expires_within 10m and participants > 0"
successor = {{ expires_in = "2h", send = {{ users = ["user1@xxx.com"], text = "new link: {{successor.url}}" }} }}
"""
EMPTY = """
[[alerts]]
name = "empty call"
call = "{sid}"
when = "participants == 0"
for = "0s"
send = {{ users = ["user1@xxx.com"], text = "{{call.title}} is empty" }}
"""


def make_call(url: str, token: str, title: str, minutes: float) -> tuple[str, str]:
    async def go() -> tuple[str, str]:
        async with CAMClient(url, token) as client:
            call = await client.create_quick_call(datetime.now(UTC) + timedelta(minutes=minutes), "", title)
            return call.sid, call.url

    return asyncio.run(go())


def write_config(tmp_path: Path, sandbox, rules: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[server]\nurl = "{sandbox.url}"\napi_token = "{sandbox.admin_token}"\n\n'
        f'[store]\npath = "{tmp_path / "store.db"}"\n{rules}',
        encoding="utf-8",
    )
    return config


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper() and not k.startswith("CAMTUI_")}
    out["PYTHONIOENCODING"] = "utf-8"
    return out


def run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "camtui", "--config", str(config), "alerts", *args],
        env=env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_expiry_guard_one_successor_one_message_across_sigterm_and_restart(sandbox, tmp_path: Path):
    sid, url = make_call(sandbox.url, sandbox.user_token, "週次定例", 3)
    sandbox.set_call(sid, 4)
    config = write_config(tmp_path, sandbox, GUARD.format(url=url))
    assert run(config, "check").returncode == 0

    proc = subprocess.Popen(
        [sys.executable, "-m", "camtui", "--config", str(config), "alerts", "run", "--interval", "1"],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    lines: list[str] = []
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if "message to user1@xxx.com" in line:
            break
    time.sleep(1.5)  # another round or so: still one episode
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    lines += out.splitlines()
    assert proc.returncode == 0, err
    fired = [ln for ln in lines if "alert 'expiry guard' fired" in ln]
    assert len(fired) == 1, lines
    assert any("successor call: created" in ln for ln in lines), lines
    assert any("message to user1@xxx.com: sent to messenger" in ln for ln in lines), lines
    assert lines[-1].startswith("alerts: stopped after"), lines

    again = run(config, "run", "--for", "3", "--interval", "1")  # a restart: the same episode is still on
    assert again.returncode == 0, again.stderr
    assert "fired" not in again.stdout, again.stdout

    titles = [c for c in sandbox.calls() if c["title"] == "週次定例"]
    assert len(titles) == 2  # the call and exactly one successor
    successor = next(c for c in titles if c["sid"] != sid)
    messages = [m for m in sandbox.delivered_messages() if "new link:" in m["text"]]
    assert len(messages) == 1 and successor["url"] in messages[0]["text"]
    with Store.open(tmp_path / "store.db") as store:
        watched = store.calls.get(successor["sid"])
        assert watched is not None and watched.origin == "successor"
        assert store.outbox.list() == []
        (record,) = store.sent_log.list()
        assert record.message == messages[0]["text"] and record.source == "alert: expiry guard"


def test_unknown_outcome_is_reported_and_not_resent(sandbox, tmp_path: Path):
    sid, _url = make_call(sandbox.url, sandbox.user_token, "夜間", 60)
    config = write_config(tmp_path, sandbox, EMPTY.format(sid=sid))
    sandbox.set_faults({"reset_after": 1.0, "methods": ["sendMessage"]})
    first = run(config, "run", "--for", "2", "--interval", "1")
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("alert 'empty call' fired") == 1, first.stdout
    assert "outcome unknown, kept in the outbox (not resent)" in first.stdout
    sandbox.clear_faults()
    sandbox.set_call(sid, 3)
    sandbox.set_call(sid, 0)  # (too fast for a poll to see: the episode is the same one)
    second = run(config, "run", "--for", "2", "--interval", "1")
    assert "fired" not in second.stdout, second.stdout
    delivered = [m for m in sandbox.delivered_messages() if m["text"] == "夜間 is empty"]
    assert len(delivered) == 1  # it did land; camtui could not know, and did not send it again
    with Store.open(tmp_path / "store.db") as store:
        (entry,) = store.outbox.list()
        assert entry.state == "unknown" and entry.message == "夜間 is empty" and entry.attempts == 1


def test_check_reports_file_line_and_exit_2(sandbox, tmp_path: Path):
    config = write_config(
        tmp_path, sandbox, '\n[[alerts]]\nname = "x"\ncalls = "watched"\nwhen = "participants ≈ 0"\n'
    )
    done = run(config, "check")
    assert done.returncode == 2
    assert f'{config}:11: [[alerts]] "x" when: not a call condition' in done.stderr
    ok = write_config(tmp_path, sandbox, EMPTY.format(sid="abcd1234"))
    done = run(ok, "check")
    assert done.returncode == 0 and "1 alert rule(s), all valid" in done.stdout
    assert "'empty call'" in done.stdout and "send to user1@xxx.com" in done.stdout


def test_successor_call_with_unknown_outcome_is_not_made_again_and_no_link_is_sent(sandbox, tmp_path: Path):
    sid, url = make_call(sandbox.url, sandbox.user_token, "月次報告", 3)
    sandbox.set_call(sid, 2)
    config = write_config(tmp_path, sandbox, GUARD.format(url=url))
    sandbox.set_faults({"reset_after": 1.0, "methods": ["createQuickCall"], "times": 1})
    first = run(config, "run", "--for", "2", "--interval", "1")
    assert first.returncode == 0, first.stderr
    assert "successor call: outcome unknown, not retried" in first.stdout, first.stdout
    assert "not sent (no successor call, so no link to send)" in first.stdout
    second = run(config, "run", "--for", "2", "--interval", "1")
    assert "fired" not in second.stdout, second.stdout
    made = [c for c in sandbox.calls() if c["title"] == "月次報告"]
    assert len(made) == 2  # the call, and the one successor that did land: never a second
    assert not [m for m in sandbox.delivered_messages() if "new link:" in m["text"]]

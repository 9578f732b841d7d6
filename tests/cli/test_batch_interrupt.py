"""^C during `camtui send-batch`, as a user presses it: a real `python -m camtui send-batch` process against the
sandbox with server latency, SIGINT sent mid-run. The first ^C finishes the request in flight (nothing becomes
"outcome unknown"), the second aborts; what the server received is checked item by item."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store

NOTICE = "finishing the request in flight — ^C again to abort"


def environment(tmp_path: Path, sb: RunningSandbox) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        CAMTUI_CONFIG=str(config),
        CAMTUI_SERVER_URL=sb.url,
        CAMTUI_API_TOKEN=sb.admin_token,
        PYTHONIOENCODING="utf-8",
        HOME=str(tmp_path),
    )
    return env


def batch_file(path: Path, n: int, tag: str) -> Path:
    items = [{"message": f"{tag} {i}", "property": {"users": "user1@test.com"}} for i in range(n)]
    path.write_text("messages=" + json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def start(env: dict[str, str], *args: str, stderr: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "camtui", "send-batch", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr.open("w", encoding="utf-8"),
        text=True,
        encoding="utf-8",
    )


def delivered(sb: RunningSandbox, tag: str) -> Counter[int]:
    """Item number → how many times the server received it."""
    return Counter(
        int(m["text"].split()[1]) for m in sb.delivered_messages() if m["text"].startswith(tag + " ")
    )


def wait_for(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def journal(db: Path, path: Path) -> dict[int, str]:
    from camtui.compose.batch import load_batch_file

    store = Store.open(db)
    try:
        return {
            i: o.state for i, o in store.batch_journal.outcomes(load_batch_file(path).fingerprint).items()
        }
    finally:
        store.close()


def test_first_ctrl_c_finishes_the_request_in_flight_and_loses_nothing(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    sandbox.set_faults({"latency_ms": 600, "methods": ["sendMessages"]})
    path = batch_file(tmp_path / "notices.json", 60, "notice")
    db = tmp_path / "cli.db"
    env = environment(tmp_path, sandbox)
    err = tmp_path / "stderr.txt"
    child = start(env, str(path), "--store", str(db), "--chunk-size", "5", stderr=err)
    try:
        # Two chunks have landed; the third request is out (600 ms at the server): ^C in the middle of it.
        wait_for(lambda: len(delivered(sandbox, "notice")) >= 10)
        time.sleep(0.25)
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=30)
    finally:
        child.kill()
    stderr = err.read_text(encoding="utf-8")
    assert child.returncode == 130, stderr
    assert NOTICE in stderr and "Traceback" not in stderr
    assert "outcome unknown 0" in out and "interrupted (^C)" in out
    got = delivered(sandbox, "notice")
    assert set(got.values()) == {1}  # nothing twice
    states = journal(db, path)
    assert "unknown" not in states.values() and "sending" not in states.values()
    # The journal is what the server saw: every item it received is `sent`, nothing else is.
    assert {i for i, s in states.items() if s == "sent"} == set(got)
    assert 10 < len(got) < 60  # the chunk in flight was finished, the run then stopped
    assert not (tmp_path / "notices.unknown.json").exists()

    sandbox.clear_faults()
    done = subprocess.run(
        [sys.executable, "-m", "camtui", "send-batch", str(path), "--store", str(db), "--resume"],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    got = delivered(sandbox, "notice")
    assert sorted(got) == list(range(60)) and set(got.values()) == {1}


def test_second_ctrl_c_aborts_and_lists_the_chunk_in_flight_as_unknown(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    path = batch_file(tmp_path / "alerts.json", 30, "alert")
    db = tmp_path / "cli.db"
    env = environment(tmp_path, sandbox)
    err = tmp_path / "stderr.txt"
    sandbox.set_faults({"latency_ms": 4000, "methods": ["sendMessages"]})
    child = start(env, str(path), "--store", str(db), "--chunk-size", "5", stderr=err)
    try:
        wait_for(lambda: journal(db, path) if db.exists() else False)  # the first chunk is out
        child.send_signal(signal.SIGINT)
        wait_for(lambda: NOTICE in err.read_text(encoding="utf-8"))
        aborted_at = time.monotonic()
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=30)
        took = time.monotonic() - aborted_at
    finally:
        child.kill()
    stderr = err.read_text(encoding="utf-8")
    assert child.returncode == 130, stderr
    assert took < 3.0  # did not wait for the 4 s answer
    assert "5 outcome unknown" in stderr and "Traceback" not in stderr
    assert {i: s for i, s in journal(db, path).items()} == dict.fromkeys(range(5), "unknown")
    listed = (tmp_path / "alerts.unknown.json").read_text(encoding="utf-8")
    assert [json.loads(line.rstrip(","))["index"] for line in listed.splitlines()[1:-1]] == list(range(5))
    assert "alerts.unknown.json" in stderr
    time.sleep(4.5)  # the server finishes the abandoned request
    assert set(delivered(sandbox, "alert").values()) <= {1}

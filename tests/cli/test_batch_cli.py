"""`camtui send-batch` end to end: the real CLI entry point, the real sandbox, exit codes as scripts see them."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from camtui.cli.main import main
from camtui.sandbox.runner import RunningSandbox

SPEC_SAMPLE = """messages=[
 {"message":"こんにちは 1","property":{"users":"user1@test.com,user2@test.com"}},
 {"message":"こんにちは 2","property":{"users":"user1@test.com,user2@test.com"}},
 {"message":"こんにちは 3","property":{"users":"user1@test.com,user2@test.com"}},
 {"message":"こんにちは 4","property":{"users":"user1@test.com,user2@test.com"}},
]
"""


@pytest.fixture
def env(sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("CAMTUI_SERVER_URL", sandbox.url)
    monkeypatch.setenv("CAMTUI_API_TOKEN", sandbox.admin_token)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("CAMTUI_CONFIG", raising=False)
    return {"store": str(tmp_path / "cli.db"), "sandbox": sandbox, "dir": tmp_path}


def run(env: dict[str, Any], *args: str) -> int:
    return main(["send-batch", *args, "--store", env["store"]])


def hello_counts(sb: RunningSandbox) -> Counter[str]:
    return Counter(m["text"] for m in sb.delivered_messages() if m["text"].startswith("こんにちは"))


def test_spec_sample_sent_once_even_when_run_twice(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = env["dir"] / "messages.json"
    path.write_text(SPEC_SAMPLE, encoding="utf-8")
    assert run(env, str(path)) == 0
    out = capsys.readouterr().out
    assert "4 items in messages.json: 4 to send" in out and "sent 4, failed 0" in out
    assert run(env, str(path)) == 0
    assert "nothing to send" in capsys.readouterr().out
    assert set(hello_counts(env["sandbox"]).values()) == {1} and len(hello_counts(env["sandbox"])) == 4


def test_dry_run_sends_nothing_and_json_is_parseable(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = env["dir"] / "messages.json"
    path.write_text(SPEC_SAMPLE, encoding="utf-8")
    assert run(env, str(path), "--dry-run", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["dry_run"] and data["plan"]["counts"]["to_send"] == 4
    assert env["sandbox"].delivered_messages() == []


def test_bad_items_exit_2_and_nothing_is_sent(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = env["dir"] / "bad.json"
    path.write_text(
        'messages=[\n {"message":"ok","property":{"users":"user1@test.com"}},\n'
        ' {"message":"who?","property":{"users":"ghost@elsewhere.org"}},\n]\n',
        encoding="utf-8",
    )
    assert run(env, str(path), "--json") == 2  # the file is wrong, the server was not asked: bad input
    data = json.loads(capsys.readouterr().out)
    assert not data["ok"]
    assert (data["plan"]["counts"]["to_send"], data["plan"]["counts"]["refused"]) == (1, 1)
    assert {
        "item": 2,
        "severity": "error",
        "code": "452",
        "text": "ghost@elsewhere.org is not a registered user",
    } in data["plan"]["problems"]
    assert env["sandbox"].delivered_messages() == []
    # --skip-invalid sends the rest and says what it skipped.
    assert run(env, str(path), "--skip-invalid") == 0
    assert [m["text"] for m in env["sandbox"].delivered_messages()] == ["ok"]


def test_refused_items_are_not_counted_as_to_send(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """QA's file: two unknown recipients, an unknown room, a duplicate, an item without a message."""
    path = env["dir"] / "qa_messages_bad.json"
    path.write_text(
        "messages=[\n"
        ' {"message":"ok","property":{"users":"user1@test.com"}},\n'
        ' {"message":"a","property":{"users":"ghost@test.com"}},\n'
        ' {"message":"b","send":"no-such-room"},\n'
        ' {"message":"c","property":{"users":"nobody@elsewhere.org"}},\n'
        ' {"message":"ok","property":{"users":"user1@test.com"}},\n'
        ' {"property":{"users":"user2@test.com"}},\n'
        "]\n",
        encoding="utf-8",
    )
    assert run(env, str(path), "--dry-run") == 2
    captured = capsys.readouterr()
    first = captured.out.splitlines()[0]
    assert first == "6 items in qa_messages_bad.json: 2 to send, 4 refused (1 recipient)"
    assert "nothing was sent" in captured.err and "Traceback" not in captured.err
    assert env["sandbox"].delivered_messages() == []


def test_clean_plan_headline_keeps_requests_and_estimate(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = env["dir"] / "messages.json"
    path.write_text(SPEC_SAMPLE, encoding="utf-8")
    assert run(env, str(path), "--dry-run") == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "4 items in messages.json: 4 to send in 1 request (8 recipients), about 1 s"


def test_shift_jis_file_exit_2_with_a_clear_message(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = env["dir"] / "sjis.json"
    path.write_bytes(SPEC_SAMPLE.encode("shift_jis"))
    assert run(env, str(path)) == 2
    err = capsys.readouterr().err
    offset = SPEC_SAMPLE.encode("shift_jis").index("こ".encode("shift_jis"))
    assert err.strip() == (
        f"{path}: the file is not UTF-8 but looks like Shift_JIS (cp932) "
        f"(byte 0x82 at offset {offset}, line 2); save it as UTF-8"
    )
    assert env["sandbox"].delivered_messages() == []


def test_unknown_outcome_needs_resume_and_is_never_resent(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    sb: RunningSandbox = env["sandbox"]
    path = env["dir"] / "many.json"
    items = [{"message": f"こんにちは {i}", "property": {"users": "user1@test.com"}} for i in range(25)]
    path.write_text("messages=" + json.dumps(items, ensure_ascii=False), encoding="utf-8")
    sb.set_faults({"reset_before": 1.0, "methods": ["sendMessages"], "times": 1})
    assert run(env, str(path), "--chunk-size", "10") == 3  # first chunk: outcome unknown
    out = capsys.readouterr().out
    assert "outcome unknown 10" in out
    assert len(hello_counts(sb)) == 15
    assert run(env, str(path)) == 2  # started before: resuming is explicit
    assert "--resume" in capsys.readouterr().err
    assert run(env, str(path), "--resume") == 3  # nothing new to send; 10 still unconfirmed
    assert "10 outcome unknown earlier" in capsys.readouterr().out
    assert len(hello_counts(sb)) == 15
    # The user checked: those 10 never arrived (reset_before). Now, and only now, they are resent.
    assert run(env, str(path), "--resume", "--force-unknown") == 0
    counts = hello_counts(sb)
    assert len(counts) == 25 and set(counts.values()) == {1}


def test_no_server_configured_is_a_usage_error(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAMTUI_SERVER_URL")
    path = env["dir"] / "messages.json"
    path.write_text(SPEC_SAMPLE, encoding="utf-8")
    assert run(env, str(path)) == 2
    assert "CAMTUI_SERVER_URL" in capsys.readouterr().err


def test_non_admin_token_still_sends_and_says_recipients_were_not_checked(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMTUI_API_TOKEN", env["sandbox"].user_token)
    path = env["dir"] / "messages.json"
    path.write_text(SPEC_SAMPLE, encoding="utf-8")
    assert run(env, str(path)) == 0
    captured = capsys.readouterr()
    assert "administrator token" in captured.err
    assert len(hello_counts(env["sandbox"])) == 4


def test_deeply_nested_file_is_exit_2_with_one_line(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 18 item 2: the hostile file is bad input (exit 2, one clear line), not a RecursionError traceback."""
    path = env["dir"] / "deep.json"
    path.write_text("messages=" + "[" * 200_000 + "]" * 200_000, encoding="utf-8")
    assert run(env, str(path), "--dry-run") == 2
    err = capsys.readouterr().err
    assert "deep.json: not valid JSON: nested deeper than 64 levels (line 1, column 74)" in err
    assert run(env, str(path), "--dry-run", "--json") == 2
    assert "nested deeper than 64 levels" in json.loads(capsys.readouterr().out)["error"]


def test_unknown_items_file_resends_only_the_chosen_subset(
    env: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    sb: RunningSandbox = env["sandbox"]
    path = env["dir"] / "notices.json"
    items = [{"message": f"こんにちは {i}", "property": {"users": "user1@test.com"}} for i in range(25)]
    path.write_text("messages=" + json.dumps(items, ensure_ascii=False), encoding="utf-8")
    sb.set_faults({"reset_before": 1.0, "methods": ["sendMessages"], "times": 1})
    assert run(env, str(path), "--chunk-size", "10") == 3  # the first chunk: outcome unknown
    captured = capsys.readouterr()
    unknown_file = env["dir"] / "notices.unknown.json"
    assert f"written to {unknown_file}" in captured.out
    lines = unknown_file.read_text(encoding="utf-8").splitlines()
    listed = [json.loads(line.rstrip(",")) for line in lines[1:-1]]
    assert [item["index"] for item in listed] == list(range(10))
    assert all(item["outcome"].startswith("unknown: ") for item in listed)

    # Sending the list as it is needs the explicit --force-unknown.
    assert run(env, str(unknown_file)) == 2
    assert "--force-unknown" in capsys.readouterr().err
    # An item edited in the list is not "the same item": nothing is sent.
    edited = [dict(listed[0], message="こんにちは changed"), *listed[1:]]
    unknown_file.write_text("messages=" + json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    assert run(env, str(unknown_file), "--force-unknown") == 2
    assert "differs from item 1" in capsys.readouterr().err
    assert len(hello_counts(sb)) == 15

    # The user checked: items 0-2 arrived (say), 3-9 did not: keep only those and send them.
    unknown_file.write_text("messages=" + json.dumps(listed[3:], ensure_ascii=False), encoding="utf-8")
    assert run(env, str(unknown_file), "--force-unknown") == 0
    assert "7 to send" in capsys.readouterr().out
    counts = hello_counts(sb)
    assert set(counts.values()) == {1} and len(counts) == 22
    assert {f"こんにちは {i}" for i in range(3)}.isdisjoint(counts)
    # Sending the same list again: its items are sent now, nothing goes out twice.
    assert run(env, str(unknown_file), "--force-unknown") == 0
    captured = capsys.readouterr()
    assert captured.err.count("not unknown any more (sent)") == 7 and "nothing to send" in captured.out
    # The original file's journal knows: a resume sends nothing, the three unchecked stay unknown and are
    # listed again.
    assert run(env, str(path), "--resume") == 3
    out = capsys.readouterr().out
    assert "nothing to send" in out and "3 outcome unknown earlier" in out
    lines = unknown_file.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line.rstrip(","))["index"] for line in lines[1:-1]] == [0, 1, 2]
    assert set(hello_counts(sb).values()) == {1} and len(hello_counts(sb)) == 22

"""Issue 18 item 2: every parse of data camtui did not write ends in camtui's one-line message and the README's
exit code, never a traceback — batch files (JSON and the spec's `messages=` form), chat-room files (JSON and the
`let chatRoom =` form), users CSV (update, diff, an export read back), the config TOML, the local store, stdin,
and the server's own users CSV. Each case runs the real verb (`camtui.cli.main.main`, as the other CLI tests)
against the sandbox; an exception escaping `main` fails the test, and a few cases run as real processes.

The smallest input that triggers each limit: 200,000 `[`; an integer of 100,000 digits (Python refuses more than
4,300); `1e999999`; a CSV cell one character over csv's default field limit of 131,072 (camtui never raises that
limit, so 128 KB is enough: no 200 MB file)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.api.hostile import RawServer

DEEP = "[" * 200_000
LONG_INT = "9" * 100_000
FIELD_LIMIT = csv.field_size_limit()
"""131,072 unless something in the process raised it: camtui does not (checked below)."""


def test_camtui_keeps_csvs_default_field_limit() -> None:
    import camtui.admin.users_plan
    import camtui.api.wire  # noqa: F401  (the modules that read CSV, imported: none raises the limit)

    assert csv.field_size_limit() == FIELD_LIMIT == 131_072


@dataclass(frozen=True)
class Case:
    id: str
    verb: str
    """batch | chatroom | update | diff: which command reads the file."""
    data: bytes | None
    """The file's bytes; None: see `path_kind`."""
    code: int
    words: str
    """A fragment of the one line that must say what is wrong (and where)."""
    path_kind: str = "file"
    """file | dir (a directory instead of a file) | notdir (a path through a file: the read fails, ENOTDIR)."""
    lines: int = 2
    """At most this many lines on stderr: the message and a hint (a CSV lists each problem, then a count)."""


def b(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


MESSAGE = '{"message": "hi", "property": {"users": "user1@xxx.com"}}'
ROOM = '{"name": "設計レビュー", "memberUids": ["u1"]}'
HEADER = "uid,email,name\n"

CASES = [
    # ----- send-batch FILE --dry-run
    Case("batch-deep", "batch", b(DEEP), 2, "nested deeper than 64 levels (line 1, column 65)"),
    Case(
        "batch-deep-js", "batch", b("messages=" + DEEP), 2, "nested deeper than 64 levels (line 1, column 74)"
    ),
    Case("batch-deep-objects", "batch", b('{"a":' * 200_000), 2, "nested deeper than 64 levels"),
    Case(
        "batch-long-int",
        "batch",
        b('messages=[{"message": ' + LONG_INT + "}]"),
        2,
        "an integer of 100,000 digits (at most 4,300) (line 1, column 23)",
    ),
    Case("batch-1e999999", "batch", b('[{"message": 1e999999}]'), 2, "the number 1e999999 is too large"),
    Case("batch-nan", "batch", b('[{"message": NaN}]'), 2, "NaN is not a JSON number (line 1, column 14)"),
    Case(
        "batch-infinity",
        "batch",
        b('[{"message": "m", "x": -Infinity}]'),
        2,
        "-Infinity is not a JSON number",
    ),
    Case("batch-nul-in-string", "batch", b('[{"message": "a\x00b"}]'), 2, "control character U+0000 inside"),
    Case(
        "batch-lone-surrogate", "batch", b('[{"message": "a\\ud800"}]'), 2, "\\ud800 is half of a UTF-16 pair"
    ),
    Case(
        "batch-nul-bytes", "batch", b"\x00\x00\x00", 2, "not valid JSON: Expecting value (line 1, column 1)"
    ),
    Case(
        "batch-invalid-utf8", "batch", b'[{"message": "\xff"}]', 2, "not valid UTF-8 (byte 0xff at offset 14"
    ),
    Case("batch-shift-jis", "batch", b('[{"message": "夜間バッチ"}]', "cp932"), 2, "looks like Shift_JIS"),
    Case("batch-utf16", "batch", b("[" + MESSAGE + "]", "utf-16"), 2, "the file is UTF-16"),
    Case("batch-wrong-type", "batch", b('"hello"'), 2, "expected a JSON array of messages"),
    Case("batch-empty", "batch", b"", 2, "the file is empty"),
    Case("batch-directory", "batch", None, 2, "is a directory", "dir"),
    Case("batch-unreadable", "batch", None, 2, "cannot read it: Not a directory", "notdir"),
    # ----- chatroom FILE
    Case(
        "room-deep",
        "chatroom",
        b(DEEP),
        2,
        "not valid JSON (line 1, column 65: nested deeper than 64 levels)",
    ),
    Case(
        "room-deep-js",
        "chatroom",
        b('let chatRoom = {"name": "r", "memberUids": ' + DEEP),
        2,
        "(line 1, column 107: nested deeper than 64 levels)",
    ),
    Case(
        "room-long-int",
        "chatroom",
        b('{"name": "r", "id": ' + LONG_INT + "}"),
        2,
        "an integer of 100,000 digits",
    ),
    Case(
        "room-1e999999", "chatroom", b('{"name": "r", "id": 1e999999}'), 2, "(line 1, column 21: the number"
    ),
    Case(
        "room-nan",
        "chatroom",
        b('chatRoom={"name": NaN};'),
        2,
        "(line 1, column 19: NaN is not a JSON number)",
    ),
    Case("room-nul-in-string", "chatroom", b('{"name": "a\x00b"}'), 2, "control character U+0000"),
    Case(
        "room-lone-surrogate", "chatroom", b('{"name": "\\udc00"}'), 2, "(line 1, column 11: \\udc00 is half"
    ),
    Case(
        "room-invalid-utf8",
        "chatroom",
        b'{"name": "\xff"}',
        2,
        "not valid UTF-8 (byte 0xff at offset 10, line 1)",
    ),
    Case("room-shift-jis", "chatroom", b(ROOM, "cp932"), 2, "looks like Shift_JIS (cp932)"),
    Case("room-utf16", "chatroom", b(ROOM, "utf-16"), 2, "the file is UTF-16"),
    Case("room-wrong-type", "chatroom", b("[1, 2]"), 2, "expected a JSON object (the chatRoom), got list"),
    Case(
        "room-members-wrong-type", "chatroom", b('{"name": "r", "memberUids": 5}'), 2, '"memberUids" must be'
    ),
    Case("room-empty", "chatroom", b"", 2, "not valid JSON (line 1, column 1: Expecting value)"),
    Case("room-directory", "chatroom", None, 2, "is a directory", "dir"),
    Case("room-unreadable", "chatroom", None, 2, "cannot read: Not a directory", "notdir"),
    # ----- users update FILE --dry-run
    Case(
        "csv-field-over-limit",
        "update",
        b(HEADER + ",a@example.com," + "x" * (FIELD_LIMIT + 1) + "\n"),
        2,
        "line 2: not a CSV from here on: field larger than field limit (131072)",
    ),
    Case("csv-deep-brackets", "update", b(HEADER + DEEP), 2, "line 2: not a CSV from here on: field larger"),
    Case(
        "csv-invalid-utf8",
        "update",
        b"uid,email,name\n,a@example.com,\xff\n",
        2,
        "not valid UTF-8 (byte 0xff",
    ),
    Case("csv-shift-jis", "update", b(HEADER + ",a@example.com,山田\n", "cp932"), 2, "looks like Shift_JIS"),
    Case("csv-utf16", "update", b(HEADER, "utf-16"), 2, "the file is UTF-16"),
    Case(
        "csv-wrong-header", "update", b('[{"message": "hi"}]'), 2, "the header has no 'email' column", lines=3
    ),
    Case("csv-empty", "update", b"", 2, "line 1: empty file; the first line must be the header"),
    Case("csv-directory", "update", None, 2, "is a directory", "dir"),
    Case("csv-unreadable", "update", None, 2, "cannot read: Not a directory", "notdir"),
    # ----- users diff FILE (a CSV it cannot decode at all is refused before the plan)
    Case("diff-invalid-utf8", "diff", b"uid,email\n\xff\xfe\xfd\n", 2, "line 2: byte 0xff is not UTF-8"),
    Case("diff-directory", "diff", None, 2, "is a directory", "dir"),
]


def verb_args(verb: str, path: str, store: Path) -> list[str]:
    return {
        "batch": ["send-batch", path, "--dry-run", "--store", str(store)],
        "chatroom": ["chatroom", path],
        "update": ["users", "update", path, "--dry-run"],
        "diff": ["users", "diff", path],
    }[verb]


def place(case: Case, tmp_path: Path) -> str:
    if case.path_kind == "dir":
        target = tmp_path / f"{case.id}.d"
        target.mkdir()
        return str(target)
    if case.path_kind == "notdir":
        (tmp_path / "plain.txt").write_text("x", encoding="utf-8")
        return str(tmp_path / "plain.txt" / "input")
    target = tmp_path / f"{case.id}.in"
    assert case.data is not None
    target.write_bytes(case.data)
    return str(target)


def assert_one_line(text: str, words: str, most: int = 2) -> None:
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if line.strip()]
    hits = [line for line in lines if words in line]
    assert hits, f"{words!r} not in {text!r}"
    assert len(lines) <= most, lines  # the message, at most one hint line


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_file_is_one_line_and_the_documented_exit_code(camtui, sandbox, tmp_path, case: Case) -> None:
    path = place(case, tmp_path)
    result = camtui(*verb_args(case.verb, path, tmp_path / "store.db"))
    assert result.code == case.code, result.err
    assert_one_line(result.err, case.words, case.lines)
    assert "Traceback" not in result.out
    assert sandbox.delivered_messages() == []


def test_a_bom_and_the_spec_forms_are_read(camtui, tmp_path) -> None:
    """The same limits do not refuse ordinary files: a UTF-8 BOM, `messages=` / `let chatRoom =`, trailing
    commas, brackets and `NaN` inside strings, a large but convertible integer."""
    batch = tmp_path / "b.json"
    batch.write_bytes(
        b("\ufeffmessages=[" + MESSAGE[:-1] + ', "x": "NaN [[[ Infinity", "n": ' + "9" * 4000 + "},]")
    )
    r = camtui("send-batch", str(batch), "--dry-run", "--store", str(tmp_path / "s.db"))
    assert r.code == 0, r.err


def test_an_exported_csv_reads_back_identical(camtui, tmp_path) -> None:
    """What `users export` writes (BOM, CRLF, quoted cells) is valid input for `users diff`."""
    exported = tmp_path / "people.csv"
    assert camtui("users", "export", str(exported)).code == 0
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")
    r = camtui("users", "diff", str(exported))
    assert r.code == 0, r.err
    assert r.out.splitlines()[0].startswith("0 to create, 0 to change, ")


def test_a_cell_exactly_at_the_field_limit_is_read(camtui, tmp_path) -> None:
    path = tmp_path / "at-limit.csv"
    path.write_text(HEADER + ",new-person@example.com," + "x" * FIELD_LIMIT + "\n", encoding="utf-8")
    r = camtui("users", "diff", str(path))
    assert "field larger than field limit" not in r.out + r.err
    assert r.code == 2  # read, and judged: the server's limit on a name is 200 characters
    assert "! error line 2, name: longer than 200 characters" in r.out.splitlines(), r.out[:300]


def test_stdin_that_is_not_utf8_is_refused_for_send(camtui, sandbox) -> None:
    r = camtui("send", "messenger", "-u", "user1@xxx.com", stdin="夜間バッチ完了".encode("cp932"))
    assert r.code == 2
    assert_one_line(r.err, "stdin: the file is not UTF-8 but looks like Shift_JIS")
    assert sandbox.delivered_messages() == []


def test_an_unusable_store_is_one_line_and_nothing_is_sent(camtui, sandbox, tmp_path) -> None:
    batch = tmp_path / "b.json"
    batch.write_text("[" + MESSAGE + "]", encoding="utf-8")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database " * 200)
    r = camtui("send-batch", str(batch), "--store", str(junk))
    assert r.code == 2
    assert_one_line(
        r.err, "junk.db: cannot open the local database: file is not a database; nothing was sent"
    )
    (tmp_path / "store-dir").mkdir()
    r = camtui("send-batch", str(batch), "--store", str(tmp_path / "store-dir"))
    assert r.code == 2
    assert_one_line(r.err, "Is a directory")
    assert sandbox.delivered_messages() == []


@pytest.mark.skipif(
    os.geteuid() == 0, reason="root reads a mode-000 file; the 'notdir' cases test that branch"
)
@pytest.mark.parametrize("verb", ["batch", "chatroom", "update"])
def test_a_file_without_read_permission(camtui, tmp_path, verb: str) -> None:
    path = tmp_path / "secret.json"
    path.write_text("[]", encoding="utf-8")
    path.chmod(0)
    r = camtui(*verb_args(verb, str(path), tmp_path / "s.db"))
    assert r.code == 2
    assert_one_line(r.err, "Permission denied")


# ------------------------------------------------------------------------------------------------ config TOML

CONFIGS = [
    ("deep-array", "a = " + DEEP, ":1: invalid TOML: arrays or tables nested too deeply"),
    ("deep-inline-table", "a = " + "{b=" * 200_000, ":1: invalid TOML: arrays or tables nested too deeply"),
    ("long-int", "[server]\ntimeout_seconds = " + LONG_INT, ":2: invalid TOML: a number too long to read"),
    ("nan", "[server]\ntimeout_seconds = nan", ":2: [server] timeout_seconds: must be between 0.1 and 600"),
    ("huge-float", "[server]\ntimeout_seconds = 1e999999", ":2: [server] timeout_seconds: must be between"),
    ("nul-in-string", '[store]\npath = "a\\u0000b"', ":2: [store] path: contains a NUL character"),
    ("nul-byte", "[server]\x00", ":1: invalid TOML"),
    ("invalid-utf8", "# \xff\n", ":1: not UTF-8 text (save the file as UTF-8)"),
    ("shift-jis", "# 日本語\n", ":1: not UTF-8 text"),
    ("utf16", "[server]\n", ":1: not UTF-8 text"),
    ("wrong-type", '[server]\ntimeout_seconds = "ten"', ":2: [server] timeout_seconds: expected a number"),
    (
        "zone-is-a-folder",
        '[display]\ntime_zone = "Asia"',
        ":2: [display] time_zone: unknown time zone 'Asia'",
    ),
    (
        "zone-too-long",
        '[display]\ntime_zone = "' + "x" * 5000 + '"',
        ":2: [display] time_zone: unknown time zone",
    ),
    ("section-not-a-table", "server = 1", ":1: server: expected a [server] table, got an integer"),
]


def _config_bytes(name: str, text: str) -> bytes:
    if name == "invalid-utf8":
        return text.encode("latin-1")
    if name == "shift-jis":
        return text.encode("cp932")
    if name == "utf16":
        return text.encode("utf-16")
    return text.encode("utf-8")


@pytest.mark.parametrize(("name", "text", "words"), CONFIGS, ids=[c[0] for c in CONFIGS])
def test_hostile_config_names_the_file_and_line_exit_2(
    camtui, tmp_path, name: str, text: str, words: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_bytes(_config_bytes(name, text))
    r = camtui("--config", str(config), "rooms")
    assert r.code == 2, r.err
    assert_one_line(r.err, f"config.toml{words}")


def test_a_config_with_a_bom_is_read(camtui, tmp_path) -> None:
    """Notepad's UTF-8 BOM: tomllib calls it 'Invalid statement'; camtui reads the file."""
    config = tmp_path / "config.toml"
    config.write_bytes(b"\xef\xbb\xbf[server]\ntimeout_seconds = 5\n")
    r = camtui("--config", str(config), "rooms")
    assert r.code == 0, r.err


def test_a_directory_as_config(camtui, tmp_path) -> None:
    r = camtui("--config", str(tmp_path), "rooms")
    assert r.code == 2
    assert_one_line(r.err, "cannot read: Is a directory")


# ------------------------------------------------------------------------------------- the server's users CSV


@pytest.fixture
def csv_server():
    server = RawServer()
    cell = b"x" * (FIELD_LIMIT + 1)
    body = b"\xef\xbb\xbfuid,email,name\r\n,a@example.com," + cell + b"\r\n"
    server.answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: %d\r\n\r\n" % len(body)
    ) + body
    yield server
    server.close()


@pytest.mark.parametrize("verb", ["export", "diff"])
def test_an_exported_csv_over_the_field_limit_is_a_malformed_answer(
    isolated_env, capsys, tmp_path, csv_server, verb
):
    """Before: `csv.Error` (export) and `MalformedBody` (diff) tracebacks. Now the typed answer error, exit 1,
    and no file written."""
    from camtui.cli import scripting
    from camtui.cli.main import main

    isolated_env.setenv("CAMTUI_SERVER_URL", csv_server.url)
    isolated_env.setenv("CAMTUI_API_TOKEN", "token-123456")
    isolated_env.setattr(scripting, "RETRY_POLICY", None)
    target = tmp_path / "out.csv"
    if verb == "diff":
        target.write_text(HEADER + ",a@example.com,x\n", encoding="utf-8")
    code = main(["users", verb, str(target)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    first = err.splitlines()[0]
    assert (
        first.startswith("camtui: error 500 Malformed response: ")
        and "field larger than field limit" in first
    )
    assert "line 2" in first
    if verb == "export":
        assert not target.exists()


# --------------------------------------------------------------------------------------- as real processes

PROCESS_CASES = [
    (["--config", "{dir}/long-int.toml", "rooms"], 2, "invalid TOML: a number too long to read"),
    (["--config", "{dir}/bom.toml", "config", "--path"], 0, ""),
    (["send-batch", "{dir}/deep.json", "--dry-run", "--store", "{dir}/s.db"], 2, "nested deeper than 64"),
    (["chatroom", "{dir}/nan.json"], 2, "NaN is not a JSON number"),
    (["send-batch", "{dir}/ok.json", "--store", "{dir}/junk.db"], 2, "file is not a database"),
    (
        ["--config", "{dir}/junk-store.toml"],
        2,
        "junk.db: cannot open the local database: file is not a database",
    ),
]


def test_as_real_processes_no_traceback(sandbox, tmp_path) -> None:
    (tmp_path / "long-int.toml").write_text("[server]\ntimeout_seconds = " + LONG_INT, encoding="utf-8")
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf[server]\n")
    (tmp_path / "deep.json").write_text("messages=" + DEEP, encoding="utf-8")
    (tmp_path / "nan.json").write_text('{"name": NaN}', encoding="utf-8")
    (tmp_path / "ok.json").write_text("[" + MESSAGE + "]", encoding="utf-8")
    (tmp_path / "junk.db").write_bytes(b"junk" * 1000)
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    (tmp_path / "junk-store.toml").write_text(f'[store]\npath = "{tmp_path}/junk.db"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env.update(
        CAMTUI_CONFIG=str(tmp_path / "empty.toml"),
        CAMTUI_SERVER_URL=sandbox.url,
        CAMTUI_API_TOKEN=sandbox.admin_token,
        PYTHONIOENCODING="utf-8",
    )
    for args, code, words in PROCESS_CASES:
        argv = [a.format(dir=tmp_path) for a in args]
        done = subprocess.run(
            [sys.executable, "-m", "camtui", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == code, (argv, done.stderr[-400:])
        assert "Traceback" not in done.stderr, done.stderr[-2000:]
        if words:
            assert words in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert sandbox.delivered_messages() == []


@pytest.mark.parametrize("index", ['"0"', "0.0", "true", "null", "[0]"])
def test_an_unknown_items_file_with_an_edited_index_is_refused(camtui, sandbox, tmp_path, index: str) -> None:
    """Before: such a file read as an ordinary batch, and `send-batch f.unknown.json` (no --force-unknown) sent
    its items — which may have arrived already — again."""
    (tmp_path / "f.json").write_text("[" + MESSAGE + "]", encoding="utf-8")
    listed = tmp_path / "f.unknown.json"
    listed.write_text(
        f'messages=[{MESSAGE[:-1]}, "index": {index}, "outcome": "unknown: reset"}}]', encoding="utf-8"
    )
    r = camtui("send-batch", str(listed), "--store", str(tmp_path / "s.db"))
    assert r.code == 2
    assert_one_line(r.err, f"f.unknown.json: item 1 has index {index}, not a whole number")
    assert r.err.strip().endswith("nothing was sent")
    assert sandbox.delivered_messages() == []


# --------------------------------------------------------------------------------- the server's JSON answers


def http(body: bytes, content_type: bytes = b"application/json") -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type + b"\r\nContent-Length: %d\r\n\r\n" % len(body)
    return head + body


ANSWERS = [
    ("deep", http(b"[" * 200_000), "nested too deeply to read"),
    ("long-int", http(b'{"status":200,"conferenceRooms":' + LONG_INT.encode() + b"}"), "not a JSON object"),
    ("nan-status", http(b'{"status":NaN}'), "has a status that is not a number"),
    ("wrong-type", http(b'{"status":200,"conferenceRooms":"x","messageId":[1]}'), "unexpected response body"),
    ("empty", http(b""), "the server's answer is empty"),
    ("not-json", http(b"<html>proxy error</html>", b"text/html"), "not a JSON object"),
]


@pytest.mark.parametrize(("name", "answer", "words"), ANSWERS, ids=[a[0] for a in ANSWERS])
@pytest.mark.parametrize(("verb", "code"), [("rooms", 1), ("send", 3)])
def test_hostile_answers_are_a_typed_error_and_exit_code(
    isolated_env, capsys, name: str, answer: bytes, words: str, verb: str, code: int
) -> None:
    """A read (`rooms`) exits 1 with "500 Malformed response"; a write (`send`) exits 3: its outcome is unknown
    (the server may have acted before its answer went wrong) and it is not resent."""
    from camtui.api import RetryPolicy
    from camtui.cli import scripting
    from camtui.cli.main import main

    server = RawServer()
    server.answer = answer
    try:
        isolated_env.setenv("CAMTUI_SERVER_URL", server.url)
        isolated_env.setenv("CAMTUI_API_TOKEN", "token-123456")
        isolated_env.setattr(scripting, "RETRY_POLICY", RetryPolicy(max_attempts=1))
        argv = ["rooms"] if verb == "rooms" else ["send", "messenger", "hello", "-u", "user1@xxx.com"]
        assert main(argv) == code
    finally:
        server.close()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    first = err.splitlines()[0]
    if words == "unexpected response body" and verb == "send":
        words = "unexpected response body: expected text, got list"
    assert words in first, err
    assert first.startswith(
        "camtui: error 500 Malformed response" if code == 1 else "camtui: outcome unknown"
    )


def test_a_lone_surrogate_in_an_answer_is_shown_as_a_replacement_character(isolated_env, capsys) -> None:
    """JSON may spell half a UTF-16 pair (`"\\ud800"`); printed, that was a `UnicodeEncodeError` traceback after
    the answer had been read. Now it is U+FFFD, as invalid UTF-8 bytes in an answer are."""
    from camtui.cli.main import main

    server = RawServer()
    room = b'{"id":"r1","name":"\\ud800 A","reservedSchedules":[]}'
    status = b'{"status":200,"conferenceRoomStatus":{"conferenceRooms":[' + room + b'],"period":"202612"}}'
    server.answer = http(status)
    try:
        isolated_env.setenv("CAMTUI_SERVER_URL", server.url)
        isolated_env.setenv("CAMTUI_API_TOKEN", "token-123456")
        assert main(["rooms", "2026-12"]) == 0
        assert "\ufffd A (r1)" in capsys.readouterr().out
        assert main(["rooms", "2026-12", "--json"]) == 0
        assert '"name": "\ufffd A"' in capsys.readouterr().out
    finally:
        server.close()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            [b"send", b"messenger", b"\xff hi", b"-u", b"user1@xxx.com"],
            "MESSAGE is not valid UTF-8 (byte 0xff at",
        ),
        ([b"send", b"\x93\xfa\x96\x7b", b"hi"], "TO is not valid UTF-8 (byte 0x93 at character 1)"),
        ([b"send", b"messenger", b"hi", b"-u", b"\xff@xxx.com"], "-u is not valid UTF-8"),
        ([b"call", b"create", b"--title", b"\x8f\xe1\x8a\x51"], "--title is not valid UTF-8"),
    ],
    ids=["message", "shift-jis-room-name", "recipient", "title"],
)
def test_argument_bytes_that_are_not_utf8_are_refused(
    sandbox, tmp_path, args: list[bytes], words: str
) -> None:
    """Python hands such bytes over as lone surrogates; sending them was a `UnicodeEncodeError` traceback."""
    (tmp_path / "empty.toml").write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper() and k != "PYTHONIOENCODING"}
    env.update(
        CAMTUI_CONFIG=str(tmp_path / "empty.toml"),
        CAMTUI_SERVER_URL=sandbox.url,
        CAMTUI_API_TOKEN=sandbox.admin_token,
        LC_ALL="C.UTF-8",
    )
    done = subprocess.run([sys.executable, "-m", "camtui", *args], env=env, capture_output=True, timeout=60)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2, err
    assert_one_line(err, words)
    assert err.strip().endswith("nothing was sent")
    assert sandbox.delivered_messages() == []


@pytest.mark.parametrize("verb", [["web"], ["config"], ["send-batch", "x.json"]])
def test_every_verb_reading_the_config_refuses_a_hostile_one(camtui, tmp_path, verb: list[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[web]\nmax_sessions = " + LONG_INT + "\n", encoding="utf-8")
    (tmp_path / "x.json").write_text("[" + MESSAGE + "]", encoding="utf-8")
    args = [a.replace("x.json", str(tmp_path / "x.json")) for a in verb]
    r = camtui("--config", str(config), *args)
    assert r.code == 2, r.err
    assert_one_line(r.err, "config.toml:2: invalid TOML: a number too long to read")


@pytest.mark.parametrize("content", [b"junk\n", b"\xff\xfe\x00\x01", b""], ids=["text", "binary", "empty"])
def test_a_ca_bundle_that_is_not_a_certificate(isolated_env, capsys, tmp_path, content: bytes) -> None:
    """Before: `ssl.SSLError` traceback when the client was built."""
    from camtui.cli.main import main

    bundle = tmp_path / "company-ca.pem"
    bundle.write_bytes(content)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[server]\nurl = "https://127.0.0.1:9"\napi_token = "token-123456"\nca_bundle = "{bundle}"\n',
        encoding="utf-8",
    )
    assert main(["--config", str(config), "rooms"]) == 2
    assert_one_line(capsys.readouterr().err, f"CA bundle {bundle}: not a certificate file camtui can use")


@pytest.mark.parametrize(
    "args",
    [
        ["chatroom", "~nosuchuser-camtui/room.json"],
        ["users", "update", "~nosuchuser-camtui/people.csv", "--dry-run"],
    ],
    ids=["chatroom", "users-update"],
)
def test_a_home_directory_that_cannot_be_found(camtui, args: list[str]) -> None:
    """`Path("~nosuchuser/x").expanduser()` raises RuntimeError: before, a traceback; now the path as typed."""
    r = camtui(*args)
    assert r.code == 2
    assert_one_line(r.err, "~nosuchuser-camtui/")
    assert "no such file" in r.err


def test_init_with_a_piped_token_that_is_not_utf8(isolated_env, capsys, tmp_path) -> None:
    """`printf '\\xff…' | camtui init`: before, a UnicodeDecodeError traceback; now one line, nothing written."""
    import io

    from camtui.cli.main import main

    isolated_env.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe token\n"), encoding="utf-8"))
    target = tmp_path / "new" / "config.toml"
    code = main(["--config", str(target), "init", "--url", "http://127.0.0.1:9", "--no-check"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == "camtui: the input is not UTF-8 text; nothing written."
    assert not target.exists()


def test_check_argument_text_names_the_byte() -> None:
    from camtui.cli.support import UsageProblem, check_argument_text

    assert check_argument_text("夜間バッチ 😀", "MESSAGE") == "夜間バッチ 😀"
    with pytest.raises(UsageProblem, match=r"^MESSAGE is not valid UTF-8 \(byte 0x93 at character 3\)"):
        check_argument_text(b"ok\x93".decode("utf-8", "surrogateescape"), "MESSAGE")
    with pytest.raises(UsageProblem, match=r"^--title holds half of a UTF-16 pair \(character 1\)"):
        check_argument_text("\ud800", "--title")

"""`[[alerts]]` parsing: every form accepted, every problem one `file:line: key: problem` line."""

from __future__ import annotations

from pathlib import Path

import pytest

from camtui.alerts.rules import load_rules
from camtui.alerts.templates import render
from camtui.config.settings import ConfigError, load_settings
from tests.alerts.helpers import SID, rules

ISSUE = f"""
[server]
url = "http://127.0.0.1:8000"

[[alerts]]
name = "empty call"
call = "{SID}"      # or: calls = "watched"
when = "participants == 0"
for = "0s"
send = {{ users = ["user1@xxx.com"], text = "{{call.title}} is empty" }}

[[alerts]]
name = "expiry guard"
call = "https://cam.example.com/share/{SID}"
when = "expires_within 10m and participants > 0"
successor = {{ expires_in = "2h", send = {{ users = ["user1@xxx.com"], text = "new link: {{successor.url}}" }} }}
"""


def test_the_issue_rules_load_from_a_config_file(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(ISSUE, encoding="utf-8")
    empty, guard = load_rules(load_settings(str(path), env={}))
    assert (empty.name, empty.line, empty.calls, empty.for_s) == ("empty call", 5, (SID,), 0.0)
    assert empty.sends[0].users == ("user1@xxx.com",) and empty.toast is None
    assert guard.line == 12 and guard.calls == (SID,)
    assert guard.call_urls == {SID: f"https://cam.example.com/share/{SID}"}
    assert guard.successor is not None and guard.successor.expires_in.total_seconds() == 7200


def test_every_form_parses():
    text = """
[[alerts]]
name = "full"
calls = "watched"
when = "participants >= 10"
toast = true
cooldown = "15m"

[[alerts]]
name = "ghost"
rooms = "all"
when = "ghost"
for = "10m"
send = [{ room = "総務", text = "{room.name}: {reservation.title} has nobody in its call" }]

[[alerts]]
name = "down"
when = "server unreachable"
for = "5m"
toast = "server {server.url} unreachable since {now}"
"""
    full, ghost, down = rules(text)
    assert full.scope == "call" and full.calls is None and full.cooldown_s == 900 and full.toast
    assert ghost.scope == "room" and ghost.rooms is None and ghost.sends[0].send == "総務"
    assert down.scope == "server" and down.for_s == 300


@pytest.mark.parametrize(
    ("body", "line", "key", "words"),
    [
        ('name = "a"\ncall = "x"\nwhen = "participants == 0"', 5, '"a" call', "call ID"),
        ('name = "a"\ncalls = "watched"\nwhen = "participants ~ 0"', 6, '"a" when', "not a call condition"),
        ('name = "a"\ncalls = "watched"\nwhen = "ghost"', 6, '"a" when', "not a call condition"),
        ('name = "a"\nrooms = "all"\nwhen = "free"\nfor = "soon"', 7, '"a" for', "not a duration"),
        ('name = "a"\nwhen = "server unreachable"\ncolour = "red"', 6, '"a" colour', "unknown key"),
        ('name = "a"\nwhen = "server unreachable"\ntoast = "{call.title}"', 6, '"a" toast', "{call.title}"),
        (
            'name = "a"\ncalls = "watched"\nwhen = "ended"\nsend = { text = "x" }',
            7,
            '"a" send',
            "needs users",
        ),
        (
            'name = "a"\ncalls = "watched"\nwhen = "ended"\nsend = { users = ["u@x"], text = "{successor.url}" }',
            7,
            '"a" send',
            "unknown template name {successor.url}",
        ),
        (
            'name = "a"\nrooms = "all"\nwhen = "free"\nsuccessor = { expires_in = "2h" }',
            7,
            '"a" successor',
            "for a call",
        ),
        ('when = "server unreachable"', 3, "#1 name", "needs a name"),
    ],
)
def test_problems_name_file_line_and_key(body: str, line: int, key: str, words: str):
    text = f"# alerts\n\n[[alerts]]\n{body}\n"
    with pytest.raises(ConfigError) as err:
        rules(text, path="/etc/camtui.toml")
    message = str(err.value)
    assert message.startswith(f"/etc/camtui.toml:{line}: [[alerts]] {key}: "), message
    assert words in message


def test_duplicate_names_are_refused_with_the_first_line():
    text = '[[alerts]]\nname = "a"\nwhen = "server unreachable"\n\n[[alerts]]\nname = "a"\nwhen = "server error 503"\n'
    with pytest.raises(ConfigError, match=r"c.toml:5: \[\[alerts\]\] \"a\" name: .*\(line 1\)"):
        rules(text, path="c.toml")


def test_templates_render_known_names_and_literal_braces():
    assert render("{call.title} is empty {{ok}}", {"call.title": "定例"}) == "定例 is empty {ok}"
    assert render("{reservation.title}", {}) == ""


def test_the_documented_examples_in_config_example_toml_are_valid():
    import tomllib

    text = Path("config.example.toml").read_text(encoding="utf-8")
    tomllib.loads(text)
    start = text.index("# [[alerts]]")
    body = "\n".join(ln[2:] if ln.startswith("# ") else "" for ln in text[start:].splitlines())
    body = body.replace("<call id or share URL>", SID)
    parsed = rules(body)
    assert [r.name for r in parsed] == ["empty call", "expiry guard", "ghost meeting", "server down"]


def test_camtui_config_checks_the_alert_rules(tmp_path: Path, capsys):
    from camtui.cli.main import main

    path = tmp_path / "config.toml"
    path.write_text('[[alerts]]\nname = "x"\nwhen = "server unreachable"\nfor = "later"\n', encoding="utf-8")
    assert main(["--config", str(path), "config"]) == 2
    assert f'{path}:4: [[alerts]] "x" for: not a duration' in capsys.readouterr().err
    path.write_text('[[alerts]]\nname = "x"\nwhen = "server unreachable"\nfor = "5m"\n', encoding="utf-8")
    assert main(["--config", str(path), "config"]) == 0
    assert "[[alerts]]: 1 rule(s), checked" in capsys.readouterr().out

"""The README's "Use it from Python" example, executed exactly as the README shows it, against the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_python_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "README lost its Python example"
    return match.group(1)


def test_readme_python_example(sandbox, capsys, monkeypatch):
    monkeypatch.setenv("CAMTUI_SERVER_URL", sandbox.url)
    monkeypatch.setenv("CAMTUI_API_TOKEN", sandbox.admin_token)
    exec(compile(readme_python_example(), str(README), "exec"), {"__name__": "readme_example"})
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("sent m") and out[0].endswith("to user1@xxx.com, user2@xxx.com")
    assert out[1].startswith(f"join: {sandbox.url}/share/") and "userName=" in out[1]
    assert out[2] == "0 in the call; in progress: False"
    assert out[-1].startswith("405 Group (chat room) does not exist / グループが存在しません。")
    assert len(sandbox.delivered_messages()) == 1

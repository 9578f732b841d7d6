"""Run `camtui` verbs in-process (`camtui.cli.main.main`) against the test sandbox, capturing what they print."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from camtui.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def isolated_env(monkeypatch, tmp_path):
    """No user config, no proxies; the server and token are set per test through the environment."""
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("CAMTUI_CONFIG", str(config))
    for name in ("CAMTUI_SERVER_URL", "CAMTUI_API_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def camtui(sandbox, isolated_env, capsys) -> Callable[..., Result]:
    """`camtui("send", "messenger", …, stdin=…)` → Result; admin token unless `token=` is given."""

    def run(*args: str, stdin: str | bytes | None = None, token: str | None = None) -> Result:
        isolated_env.setenv("CAMTUI_SERVER_URL", sandbox.url)
        isolated_env.setenv("CAMTUI_API_TOKEN", sandbox.admin_token if token is None else token)
        if stdin is not None:
            raw = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
            isolated_env.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run

"""`camtui web`'s limits: the command line wins, then the config's `[web]` keys, then the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from camtui.cli.main import build_parser
from camtui.cli.web import plan_from_args
from camtui.config.settings import ConfigError, Settings, load_settings


def _settings(tmp_path: Path, body: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(
        '[server]\nurl = "https://a.example"\napi_token = "t0ken-123456"\n' + body, encoding="utf-8"
    )
    return load_settings(str(path), env={})


def test_defaults_without_config() -> None:
    plan = plan_from_args(build_parser().parse_args(["web"]))
    assert (plan.max_sessions, plan.idle_timeout) == (8, 1800.0)


def test_config_web_keys_set_the_limits(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "[web]\nmax_sessions = 3\nidle_timeout_seconds = 120\n")
    assert settings.source_of("web_max_sessions") == "file"
    plan = plan_from_args(build_parser().parse_args(["web"]), settings)
    assert (plan.max_sessions, plan.idle_timeout) == (3, 120.0)


def test_command_line_wins_over_config(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "[web]\nmax_sessions = 3\nidle_timeout_seconds = 120\n")
    args = build_parser().parse_args(["web", "--max-sessions", "5", "--idle-timeout", "0"])
    plan = plan_from_args(args, settings)
    assert (plan.max_sessions, plan.idle_timeout) == (5, 0.0)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("[web]\nmax_sessions = 0\n", "max_sessions"),
        ("[web]\nidle_timeout_seconds = -1\n", "idle_timeout_seconds"),
        ("[web]\nmax_session = 2\n", "max_session"),
    ],
)
def test_bad_web_keys_name_file_line_and_key(tmp_path: Path, body: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _settings(tmp_path, body)
    message = str(caught.value)
    assert "config.toml:5" in message and words in message

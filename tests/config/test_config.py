"""camtui.config.settings: reading the TOML file, env overrides, the token command, and one clear error per problem."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from camtui.config.settings import (
    FIELD_KEYS,
    TOML_KEYS,
    ConfigError,
    Settings,
    load_settings,
    mask_token,
    settings_to_toml,
)

REPO = Path(__file__).resolve().parents[2]
GOOD = """\
[server]
url = "https://cam.example.co.jp/"
api_token = "QIQVOSvRJHrQElDwj20x123456"
ca_bundle = ""
verify_tls = false
timeout_seconds = 5
read_budget_seconds = 12.5

[display]
time_zone = "Europe/Paris"
locale = "en"
theme = "nord"

[rooms]
day_start = "7:30"
day_end = "22:00"
slot_minutes = 15
poll_seconds = 20

[calls]
poll_seconds = 3
expiry_warning_minutes = 0
watch = ["abc123", "def456"]

[composer]
contacts = ["user1@xxx.com", " user2@xxx.com "]
chat_rooms = ["ルーム名", "test"]
confirm_recipients = 5
confirm_chars = 100

[store]
path = "~/camtui-test.db"
"""


def write(tmp_path: Path, text: str, name: str = "config.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_defaults_match_the_contract() -> None:
    s = Settings.defaults()
    assert s.time_zone == "Asia/Tokyo"
    assert s.locale == "en"  # the UI is English; a Japanese locale asks for Japanese times (below)
    assert (s.rooms_day_start, s.rooms_day_end, s.rooms_slot_minutes) == ("08:00", "21:00", 30)
    assert (s.rooms_poll_seconds, s.calls_poll_seconds) == (15, 5)
    assert s.watch_calls == () and s.contacts == () and s.chat_rooms == ()
    assert not s.is_configured


def test_good_file_sets_every_field_and_says_so(tmp_path: Path) -> None:
    s = load_settings(write(tmp_path, GOOD), env={})
    assert s.server_url == "https://cam.example.co.jp"  # trailing slash dropped
    assert s.api_token == "QIQVOSvRJHrQElDwj20x123456"
    assert s.ca_bundle is None
    assert s.verify_tls is False
    assert s.timeout_seconds == 5.0 and isinstance(s.timeout_seconds, float)
    assert s.read_budget_seconds == 12.5
    assert (s.time_zone, s.locale, s.theme) == ("Europe/Paris", "en", "nord")
    assert (s.rooms_day_start, s.rooms_day_end, s.rooms_slot_minutes) == ("07:30", "22:00", 15)
    assert s.rooms_poll_seconds == 20.0 and s.calls_poll_seconds == 3.0
    assert s.calls_expiry_warning_minutes == 0
    assert s.watch_calls == ("abc123", "def456")
    assert s.contacts == ("user1@xxx.com", "user2@xxx.com")
    assert s.chat_rooms == ("ルーム名", "test")
    assert (s.composer_confirm_recipients, s.composer_confirm_chars) == (5, 100)
    assert s.store_path == str(Path("~/camtui-test.db").expanduser())
    assert s.config_path == str(tmp_path / "config.toml")
    assert s.is_configured
    assert s.source_of("server_url") == "file"
    assert s.source_of("watch_calls") == "file"
    assert s.source_of("api_token_command") == "default"


def test_token_never_in_repr(tmp_path: Path) -> None:
    s = load_settings(write(tmp_path, GOOD), env={})
    assert "QIQVOSvRJHrQElDwj20x123456" not in repr(s)
    assert "QIQVOSvRJHrQElDwj20x123456" not in s.masked_token
    assert s.masked_token.startswith("QIQ") and s.masked_token.endswith("56")
    assert mask_token(None) == "(not set)"
    assert mask_token("short") == "*****"


def test_example_file_is_valid_and_documents_every_key() -> None:
    example = REPO / "config.example.toml"
    s = load_settings(str(example), env={})
    assert s.server_url == "https://cam.example.co.jp"
    text = example.read_text(encoding="utf-8")
    for dotted in TOML_KEYS:
        section, key = dotted.split(".")
        assert f"[{section}]" in text
        assert f"\n{key} =" in text or f"\n# {key} =" in text, f"{dotted} is not documented"
    assert set(FIELD_KEYS) <= {f.name for f in Settings.__dataclass_fields__.values()}


def test_bad_toml_reports_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "https://a.example"\ntimeout_seconds = = 3\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.line == 3
    assert str(info.value).startswith(f"{path}:3: invalid TOML")


def test_unterminated_string_at_end(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "https://a.example\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.line == 2


def test_unknown_key_names_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "https://a.example"\n\n[rooms]\nslot_minute = 30\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    err = info.value
    assert (err.line, err.key) == (5, "[rooms] slot_minute")
    assert "unknown key" in str(err) and "slot_minutes" in str(err)  # lists the known ones
    assert str(err).startswith(f"{path}:5: [rooms] slot_minute: unknown key")


def test_unknown_section(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nurl = "https://a.example"\n[room]\nslot_minutes = 30\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.line == 3
    assert "[room]" in str(info.value) and "unknown section" in str(info.value)


def test_top_level_key_is_unknown_section(tmp_path: Path) -> None:
    path = write(tmp_path, 'url = "https://a.example"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.line == 1


@pytest.mark.parametrize(
    ("body", "line", "key", "words"),
    [
        ('[rooms]\nslot_minutes = "30"\n', 2, "[rooms] slot_minutes", "expected an integer, got a string"),
        ("[rooms]\nslot_minutes = 30.5\n", 2, "[rooms] slot_minutes", "expected an integer"),
        ("[rooms]\nslot_minutes = true\n", 2, "[rooms] slot_minutes", "expected an integer, got a boolean"),
        ("[rooms]\nslot_minutes = 0\n", 2, "[rooms] slot_minutes", "between"),
        ('[server]\nverify_tls = "no"\n', 2, "[server] verify_tls", "expected true or false"),
        ('[calls]\nwatch = "abc"\n', 2, "[calls] watch", "expected a list of strings"),
        ("[calls]\nwatch = [1, 2]\n", 2, "[calls] watch", "expected a list of strings"),
        ('[display]\ntime_zone = "Mars/Olympus"\n', 2, "[display] time_zone", "unknown time zone"),
        ('[display]\nlocale = "fr"\n', 2, "[display] locale", '"ja" or "en"'),
        ('[rooms]\n\nday_start = "8am"\n', 3, "[rooms] day_start", "a time like"),
        ('[server]\nurl = "cam.example.co.jp"\n', 2, "[server] url", "http:// or https://"),
        ('[server]\nca_bundle = "/nonexistent/ca.pem"\n', 2, "[server] ca_bundle", "file not found"),
        ("server = 3\n", 1, "server", "expected a [server] table"),
    ],
)
def test_wrong_types_and_values(tmp_path: Path, body: str, line: int, key: str, words: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.line == line
    assert info.value.key == key
    assert words in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: {key}: ")


def test_day_start_after_end(tmp_path: Path) -> None:
    path = write(tmp_path, '[rooms]\nday_start = "18:00"\nday_end = "09:00"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.line == 3 and "before" in str(info.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes('[server]\nurl = "https://a.example"\n# 日本語\n'.encode("shift_jis"))
    with pytest.raises(ConfigError) as info:
        load_settings(str(path), env={})
    assert info.value.line == 3 and "UTF-8" in str(info.value)


def test_env_overrides_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    env = {"CAMTUI_SERVER_URL": "http://127.0.0.1:8080", "CAMTUI_API_TOKEN": "from-env-token"}
    s = load_settings(path, env=env)
    assert s.server_url == "http://127.0.0.1:8080"
    assert s.api_token == "from-env-token"
    assert s.source_of("server_url") == "env CAMTUI_SERVER_URL"
    assert s.source_of("api_token") == "env CAMTUI_API_TOKEN"
    assert s.source_of("time_zone") == "file"


def test_bad_env_url_is_an_error() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(None, env={"CAMTUI_CONFIG": "", "CAMTUI_SERVER_URL": "localhost:8080"})
    assert "CAMTUI_SERVER_URL" in str(info.value)


def test_env_only_without_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nothing-here"))
    env = {"CAMTUI_SERVER_URL": "http://127.0.0.1:8080", "CAMTUI_API_TOKEN": "t0k3n"}
    s = load_settings(None, env=env)
    assert s.is_configured and s.config_path is None
    assert s.source_of("rooms_slot_minutes") == "default"


def test_default_location_is_the_platform_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "camtui").mkdir()
    write(tmp_path / "camtui", GOOD)
    s = load_settings(None, env={})
    assert s.config_path == str(tmp_path / "camtui" / "config.toml")
    assert s.theme == "nord"


def test_camtui_config_env_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, "other.toml")
    assert load_settings(None, env={"CAMTUI_CONFIG": path}).theme == "nord"


def test_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(str(tmp_path / "missing.toml"), env={})
    assert "not found" in str(info.value)
    with pytest.raises(ConfigError):
        load_settings(None, env={"CAMTUI_CONFIG": str(tmp_path / "missing.toml")})


def _command(tmp_path: Path, code: str) -> str:
    """A TOML literal string holding a command that runs `code` with this Python (no shell involved)."""
    script = tmp_path / "manager.py"
    script.write_text(code, encoding="utf-8")
    return _toml_literal(f'"{sys.executable}" "{script}"')


def test_api_token_command_supplies_the_token(tmp_path: Path) -> None:
    cmd = _command(tmp_path, "print('tok-from-manager')\nprint('second line ignored')\n")
    path = write(tmp_path, f'[server]\nurl = "https://a.example"\napi_token_command = {cmd}\n')
    s = load_settings(path, env={})
    assert s.api_token == "tok-from-manager"
    assert s.source_of("api_token") == "file (api_token_command)"
    # the env token wins and the command is not needed
    s2 = load_settings(path, env={"CAMTUI_API_TOKEN": "envtok"})
    assert s2.api_token == "envtok"
    # resolve_token=False leaves it unresolved (camtui config does not run password managers)
    assert load_settings(path, env={}, resolve_token=False).api_token is None


def test_api_token_command_failure_shows_stderr_not_stdout(tmp_path: Path) -> None:
    code = "import sys\nprint('SECRET-PARTIAL')\nsys.stderr.write('vault is locked\\n')\nsys.exit(3)\n"
    path = write(tmp_path, f"[server]\napi_token_command = {_command(tmp_path, code)}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    text = str(info.value)
    assert "exit code 3" in text and "vault is locked" in text
    assert "SECRET-PARTIAL" not in text
    assert info.value.key == "[server] api_token_command"


def test_api_token_command_printing_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, f"[server]\napi_token_command = {_command(tmp_path, 'pass')}\n")
    with pytest.raises(ConfigError, match="printed no token"):
        load_settings(path, env={})


def test_api_token_command_not_found(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\napi_token_command = "no-such-password-manager-xyz show x"\n')
    with pytest.raises(ConfigError, match="command not found: no-such-password-manager-xyz"):
        load_settings(path, env={})


def test_token_and_token_command_together_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\napi_token = "a"\napi_token_command = "echo b"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert info.value.line == 3 and "not both" in str(info.value)


def test_with_changes_marks_program_source() -> None:
    s = Settings.defaults().with_changes(server_url="http://127.0.0.1:1", watch_calls=("x",))
    assert s.server_url == "http://127.0.0.1:1" and s.watch_calls == ("x",)
    assert s.source_of("server_url") == "program"
    assert s.source_of("time_zone") == "default"


def test_settings_to_toml_round_trip(tmp_path: Path) -> None:
    import tomli_w

    s = load_settings(write(tmp_path, GOOD), env={})
    data = settings_to_toml(s)
    again = load_settings(write(tmp_path, tomli_w.dumps(data), "again.toml"), env={})
    for name in FIELD_KEYS:
        assert getattr(again, name) == getattr(s, name), name
    assert "time_zone" in data["display"]
    assert "timeout_seconds" in data["server"]
    # defaults are left out, so the written file stays short
    assert settings_to_toml(Settings.defaults().with_changes(server_url="https://a.example")) == {
        "server": {"url": "https://a.example"}
    }


def _toml_literal(text: str) -> str:
    """A TOML literal string (single quotes: no escapes), for commands containing double quotes."""
    assert "'" not in text
    return f"'{text}'"


def test_deeply_nested_toml_is_a_config_error_not_a_traceback(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[server]\nurl = "https://a.example"\n[rooms]\nday_start = ' + "[" * 100_000 + "]" * 100_000 + "\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert "nested too deeply" in str(caught.value) and "config.toml:4" in str(caught.value)


@pytest.mark.parametrize(
    ("env", "locale", "source"),
    [
        ({}, "en", "default (LANG, LC_TIME unset)"),
        ({"LANG": "ja_JP.UTF-8"}, "ja", "env LANG=ja_JP.UTF-8"),
        ({"LANG": "en_US.UTF-8"}, "en", "env LANG=en_US.UTF-8"),
        ({"LANG": "C.UTF-8"}, "en", "env LANG=C.UTF-8"),
        ({"LANG": "en_US.UTF-8", "LC_TIME": "ja_JP.UTF-8"}, "ja", "env LC_TIME=ja_JP.UTF-8"),
        ({"LANG": "ja_JP.UTF-8", "LC_ALL": "C"}, "en", "env LC_ALL=C"),  # LC_ALL wins, as in POSIX
        ({"LANG": "", "LC_TIME": "ja"}, "ja", "env LC_TIME=ja"),
    ],
)
def test_the_time_language_follows_the_locale_without_a_config_key(
    tmp_path: Path, env: dict[str, str], locale: str, source: str
) -> None:
    s = load_settings(write(tmp_path, "[display]\ntime_zone = 'Asia/Tokyo'\n"), env=env)
    assert (s.locale, s.source_of("locale")) == (locale, source)


def test_the_config_key_wins_over_the_locale(tmp_path: Path) -> None:
    s = load_settings(write(tmp_path, '[display]\nlocale = "en"\n'), env={"LANG": "ja_JP.UTF-8"})
    assert (s.locale, s.source_of("locale")) == ("en", "file")
    s = load_settings(write(tmp_path, '[display]\nlocale = "ja"\n'), env={"LC_ALL": "C"})
    assert (s.locale, s.source_of("locale")) == ("ja", "file")


def test_admin_me_is_an_email_lowercased_and_empty_means_unset(tmp_path: Path) -> None:
    ok = load_settings(str(write(tmp_path, '[admin]\nme = " Taro.Yamada@Example.co.jp "\n')), env={})
    assert ok.admin_me == "taro.yamada@example.co.jp" and ok.source_of("admin_me") == "file"
    assert load_settings(str(write(tmp_path, '[admin]\nme = ""\n')), env={}).admin_me is None
    with pytest.raises(ConfigError, match=r"config.toml:2: \[admin\] me: expected an e-mail address"):
        load_settings(str(write(tmp_path, '[admin]\nme = "taro"\n')), env={})

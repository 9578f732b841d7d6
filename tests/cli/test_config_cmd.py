"""`camtui init` and `camtui config`: checked against the real sandbox, written 0600, never clobbering edits."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from camtui.cli.config_cmd import clobber_problem, run_config, run_init
from camtui.cli.main import build_parser
from camtui.config.settings import load_settings


def parse(*argv: str):
    return build_parser().parse_args(list(argv))


def init(
    path: Path,
    *extra: str,
    url: str | list[str] | None = None,
    token: str | list[str] = "",
    env: dict | None = None,
    interactive: bool = False,
):
    """Run `camtui init` with typed answers: a list is what the person types at each successive prompt."""
    out = io.StringIO()
    asked: list[str] = []
    urls = list(url) if isinstance(url, list) else None
    tokens = list(token) if isinstance(token, list) else None

    def ask(prompt: str) -> str:
        asked.append(prompt)
        if urls is not None:
            if not urls:
                raise EOFError
            return urls.pop(0)
        return url or ""  # type: ignore[return-value]

    def ask_secret(prompt: str) -> str:
        asked.append(prompt)
        if tokens is not None:
            if not tokens:
                raise EOFError
            return tokens.pop(0)
        return token  # type: ignore[return-value]

    code = run_init(
        parse("--config", str(path), "init", *extra),
        ask=ask,
        ask_secret=ask_secret,
        out=out,
        env=env or {},
        interactive=interactive,
    )
    return code, out.getvalue(), asked


def test_init_checks_the_server_and_writes_0600(sandbox, tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "config.toml"
    code, out, asked = init(path, url=sandbox.url, token=sandbox.admin_token)
    assert code == 0, out
    assert len(asked) == 2 and "token" in asked[1].lower()
    assert "getConferenceMaster" in out and "meeting rooms" in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data == {"server": {"url": sandbox.url, "api_token": sandbox.admin_token}}
    settings = load_settings(str(path), env={})
    assert settings.server_url == sandbox.url and settings.api_token == sandbox.admin_token
    assert sandbox.admin_token not in out


def test_init_with_a_wrong_token_writes_nothing(sandbox, tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.toml"
    code, _out, _asked = init(path, url=sandbox.url, token="wrong-token")
    assert code == 1
    assert not path.exists()
    err = capsys.readouterr().err
    assert "805" in err and "Invalid API token" in err
    assert "wrong-token" not in err


def test_init_with_an_unreachable_server_writes_nothing(tmp_path: Path, capsys) -> None:
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "config.toml"
    code, _out, _asked = init(path, "--timeout", "0.5", url=f"http://127.0.0.1:{port}", token="x" * 20)
    assert code == 3 and not path.exists()
    assert "--no-check" in capsys.readouterr().err


def test_init_rejects_a_bad_url(tmp_path: Path, capsys) -> None:
    code, _out, _asked = init(tmp_path / "c.toml", url="cam.example.co.jp", token="t")
    assert code == 2
    assert "http:// or https://" in capsys.readouterr().err


def test_init_refuses_to_clobber_a_hand_edited_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.toml"
    code, _out, _ = init(path, "--no-check", "--url", "http://127.0.0.1:8080", token="first-token-000")
    assert code == 0 and clobber_problem(path) is None
    # unchanged since init: a second init may replace it
    code, _out, _ = init(path, "--no-check", "--url", "http://127.0.0.1:8081", token="second-token-00")
    assert code == 0
    assert load_settings(str(path), env={}).server_url == "http://127.0.0.1:8081"

    edited = path.read_text(encoding="utf-8") + '\n[display]\ntheme = "nord"\n'
    path.write_text(edited, encoding="utf-8")
    assert clobber_problem(path) == "was edited by hand"
    code, _out, asked = init(path, "--no-check", "--url", "http://127.0.0.1:9", token="third-token-000")
    assert code == 2 and asked == []  # refused before asking anything
    assert "--force" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == edited

    code, _out, _ = init(
        path, "--no-check", "--force", "--url", "http://127.0.0.1:9", token="third-token-000"
    )
    assert code == 0
    assert load_settings(str(path), env={}).server_url == "http://127.0.0.1:9"


def test_init_refuses_a_file_it_did_not_write(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[server]\nurl = "https://mine.example"\n', encoding="utf-8")
    code, _out, _ = init(path, "--no-check", "--url", "http://127.0.0.1:9", token="t" * 10)
    assert code == 2
    assert "mine.example" in path.read_text(encoding="utf-8")


def test_init_token_command_is_stored_not_the_token(sandbox, tmp_path: Path) -> None:
    import sys

    script = tmp_path / "manager.py"
    script.write_text(f"print({sandbox.admin_token!r})\n", encoding="utf-8")
    command = f'"{sys.executable}" "{script}"'
    path = tmp_path / "config.toml"
    code, out, asked = init(path, "--url", sandbox.url, "--token-command", command)
    assert code == 0, out
    assert asked == []  # nothing asked: URL and token came from the options
    text = path.read_text(encoding="utf-8")
    assert sandbox.admin_token not in text
    assert tomllib.loads(text)["server"]["api_token_command"] == command
    assert load_settings(str(path), env={}).api_token == sandbox.admin_token


def test_config_shows_values_and_sources_with_the_token_masked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[server]\nurl = "https://cam.example.co.jp"\napi_token = "abcdefghijklmnop"\n[rooms]\nslot_minutes = 15\n',
        encoding="utf-8",
    )
    out = io.StringIO()
    env = {"CAMTUI_SERVER_URL": "http://127.0.0.1:8080"}
    assert run_config(parse("config", "--config", str(path)), out=out, env=env) == 0
    text = out.getvalue()
    assert "abcdefghijklmnop" not in text
    assert "abc***********op" in text
    lines = {
        line.split()[0]: line for line in text.splitlines() if line and not line.startswith("config file")
    }
    assert lines["server.url"].endswith("env CAMTUI_SERVER_URL")
    assert "http://127.0.0.1:8080" in lines["server.url"]
    assert lines["rooms.slot_minutes"].split()[1:] == ["15", "file"]
    assert lines["rooms.day_start"].split()[1:] == ["08:00", "default"]
    assert lines["display.time_zone"].split()[1:] == ["Asia/Tokyo", "default"]


def test_config_reports_a_bad_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[rooms]\nslot_minutes = 'x'\n", encoding="utf-8")
    assert run_config(parse("--config", str(path), "config"), out=io.StringIO(), env={}) == 2
    assert f"{path}:2: [rooms] slot_minutes" in capsys.readouterr().err


def test_config_path(tmp_path: Path) -> None:
    out = io.StringIO()
    path = tmp_path / "x.toml"
    assert run_config(parse("config", "--path"), out=out, env={"CAMTUI_CONFIG": str(path)}) == 0
    assert out.getvalue().strip() == str(path)


def test_config_without_file_suggests_init_and_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    out = io.StringIO()
    assert run_config(parse("config"), out=out, env={}) == 0
    assert "camtui init" in out.getvalue() and "camtui demo" in out.getvalue()


def test_config_warns_about_a_token_file_others_can_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[server]\nurl = "https://a.example"\napi_token = "abcdefghijkl"\n', encoding="utf-8")
    path.chmod(0o644)
    out = io.StringIO()
    assert run_config(parse("--config", str(path), "config"), out=out, env={}) == 0
    assert "readable by others (mode 644)" in out.getvalue()
    path.chmod(0o600)
    out = io.StringIO()
    assert run_config(parse("--config", str(path), "config"), out=out, env={}) == 0
    assert "readable by others" not in out.getvalue()


# ----- a typo is not the end (QA C4) ------------------------------------------------------------------------------


def test_init_asks_again_after_a_bad_url_at_a_terminal(sandbox, tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.toml"
    code, _out, asked = init(
        path, url=["cam example", "ftp://x", sandbox.url], token=sandbox.admin_token, interactive=True
    )
    assert code == 0, capsys.readouterr().err
    assert [a.split()[0] for a in asked] == ["Server", "Server", "Server", "API"]
    err = capsys.readouterr().err
    assert "try again (2 tries left)" in err and "try again (1 try left)" in err
    assert load_settings(str(path), env={}).server_url == sandbox.url


def test_init_gives_up_after_three_bad_urls(tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.toml"
    code, _out, asked = init(path, url=["a", "b", "c", "never asked"], token="t", interactive=True)
    assert code == 2 and len(asked) == 3 and not path.exists()
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "http:// or https://" in last and "try again" not in last


def test_init_bare_url_suggests_https_and_piped_input_gets_one_clear_error(tmp_path: Path, capsys) -> None:
    code, _out, asked = init(tmp_path / "c.toml", url=["cam.example.co.jp", "unused"], token="t")
    assert code == 2 and len(asked) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.endswith("got 'cam.example.co.jp' (did you mean https://cam.example.co.jp ?)")


@pytest.mark.parametrize("typed", ["{host_port}", " {host_port}/ "])
def test_init_takes_host_port_as_plain_http_with_a_note(sandbox, tmp_path: Path, typed: str) -> None:
    host_port = sandbox.url.removeprefix("http://")
    path = tmp_path / "config.toml"
    code, out, _asked = init(path, url=typed.format(host_port=host_port), token=sandbox.admin_token)
    assert code == 0, out
    assert f"note: no scheme given: using {sandbox.url} (plain HTTP" in out
    assert load_settings(str(path), env={}).server_url == sandbox.url


def test_init_host_port_in_the_url_option_too(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    code, out, _ = init(path, "--no-check", "--url", "cam.local:8080", token="t" * 12)
    assert code == 0 and "http://cam.local:8080" in out
    assert load_settings(str(path), env={}).server_url == "http://cam.local:8080"


def test_init_asks_again_for_a_refused_token(sandbox, tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.toml"
    code, out, asked = init(
        path, url=sandbox.url, token=["wrong-token-1", "", sandbox.admin_token], interactive=True
    )
    assert code == 0, out
    assert sum("token" in a.lower() for a in asked) == 3
    err = capsys.readouterr().err
    assert "805" in err and "type it again (2 tries left" in err and "an API token is needed" in err
    assert "Nothing written" not in err and "wrong-token-1" not in err
    assert load_settings(str(path), env={}).api_token == sandbox.admin_token


def test_init_three_refused_tokens_write_nothing(sandbox, tmp_path: Path, capsys) -> None:
    path = tmp_path / "config.toml"
    code, _out, asked = init(path, url=sandbox.url, token=["bad-1", "bad-2", "bad-3", "x"], interactive=True)
    assert code == 1 and not path.exists() and len(asked) == 4  # the URL once, the token three times
    err = capsys.readouterr().err
    assert err.count("805") == 3 and err.strip().endswith(
        "Nothing written. (Use --no-check to write anyway.)"
    )


def test_init_token_from_the_environment_is_not_asked_again(sandbox, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    code, _out, asked = init(
        path, url=sandbox.url, env={"CAMTUI_API_TOKEN": "wrong-env-token"}, token=["x"], interactive=True
    )
    assert code == 1 and len(asked) == 1 and not path.exists()


def _camtui_init(config: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper() and k != "CAMTUI_API_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "camtui", "--config", str(config), "init"],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_init_from_piped_stdin_with_host_port(sandbox, tmp_path: Path) -> None:
    """`printf 'HOST:PORT\\nTOKEN\\n' | camtui init`: no terminal, the token is read from stdin (not /dev/tty)."""
    path = tmp_path / "config.toml"
    done = _camtui_init(path, f"{sandbox.url.removeprefix('http://')}\n{sandbox.admin_token}\n")
    assert done.returncode == 0, done.stderr
    assert "note: no scheme given" in done.stdout and "wrote" in done.stdout
    assert sandbox.admin_token not in done.stdout + done.stderr
    assert load_settings(str(path), env={}).server_url == sandbox.url


def test_init_from_piped_stdin_bad_url_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    done = _camtui_init(path, "not a url\nnot a url either\ntoken\n")
    assert done.returncode == 2 and not path.exists()
    assert done.stderr.strip().splitlines() == [
        "camtui: server URL: expected an http:// or https:// URL, got 'not a url'"
    ]


def test_config_says_where_the_time_language_came_from(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[display]\ntime_zone = 'Asia/Tokyo'\n", encoding="utf-8")
    out = io.StringIO()
    assert run_config(parse("--config", str(path), "config"), out=out, env={"LANG": "ja_JP.UTF-8"}) == 0
    line = next(x for x in out.getvalue().splitlines() if x.startswith("display.locale"))
    assert line.split()[1:] == ["ja", "env", "LANG=ja_JP.UTF-8"]

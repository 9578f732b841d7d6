"""The web dashboard's gate: loopback needs no secret, anything else does; the secret is kept 0600 and traded for
a cookie that is compared in constant time."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest

from camtui.web.auth import Gate, SecretError, is_loopback, load_or_make_secret
from camtui.web.run import WebPlan, gate_for


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::", "example.org", "10.1.2.3"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)


def test_secret_made_once_0600_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "web-secret"
    secret, made = load_or_make_secret(path)
    assert made and len(secret) >= 24
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again, made_again = load_or_make_secret(path)
    assert (again, made_again) == (secret, False)


def test_a_short_secret_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "web-secret"
    path.write_text("abc\n")
    with pytest.raises(SecretError, match="too short"):
        load_or_make_secret(path)


def test_gate_checks_key_and_cookie() -> None:
    gate = Gate("s3cret-s3cret-s3cret")
    assert gate.required
    assert gate.key_ok("s3cret-s3cret-s3cret")
    assert not gate.key_ok("s3cret-s3cret-s3creX")
    assert not gate.key_ok(None)
    cookie = gate.cookie_value()
    assert "s3cret" not in cookie  # the cookie holds an HMAC, never the secret
    assert gate.cookie_ok(cookie)
    assert not gate.cookie_ok(cookie[:-1] + "0" if cookie[-1] != "0" else cookie[:-1] + "1")
    assert not gate.cookie_ok(None)
    assert Gate(None).cookie_ok(None) and not Gate(None).required


def test_off_loopback_a_secret_is_required(tmp_path: Path) -> None:
    out = io.StringIO()
    gate = gate_for(WebPlan(host="0.0.0.0", secret_file=tmp_path / "s"), out)
    assert gate.required
    assert "made a new secret" in out.getvalue()
    assert not gate_for(WebPlan(host="127.0.0.1"), out).required
    assert gate_for(WebPlan(host="127.0.0.1", secret_file=tmp_path / "s"), out).required


def test_a_secret_file_that_is_not_text_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "web-secret"
    path.write_bytes(b"\xff\xfe" + b"\x00" * 30)
    with pytest.raises(SecretError, match=r"web-secret: the web secret is not UTF-8 text; delete the file"):
        load_or_make_secret(path)

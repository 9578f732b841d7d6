"""The web dashboard's secret: made once, kept 0600, traded for a cookie, compared in constant time.

textual-serve has no authentication, and every browser tab starts an app process holding the API token, so a
page reachable off this machine must not open for whoever finds the port. The secret is given once in the
printed URL; the browser trades it for an HttpOnly, SameSite=Strict cookie (the URL with the secret is then
replaced by one without it). The cookie holds an HMAC of the secret, never the secret itself."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from pathlib import Path

COOKIE = "camtui_web"
SECRET_BYTES = 24


class SecretError(Exception):
    """The secret file cannot be read or made (one line, naming the file)."""


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`: the only binds that need no secret."""
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_secret_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("camtui")) / "web-secret"


def load_or_make_secret(path: Path) -> tuple[str, bool]:
    """The secret in `path` (made, 0600, if the file does not exist). Returns (secret, made_now)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise SecretError(f"{path}: cannot read the web secret: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise SecretError(
            f"{path}: the web secret is not UTF-8 text; delete the file to make a new one"
        ) from None
    if text:
        if len(text) < 16:
            raise SecretError(f"{path}: the web secret is too short (at least 16 characters)")
        return text, False
    secret = secrets.token_urlsafe(SECRET_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secret + "\n")
        os.chmod(path, 0o600)
    except OSError as exc:
        raise SecretError(f"{path}: cannot write the web secret: {exc.strerror or exc}") from exc
    return secret, True


class Gate:
    """Decides whether a request may open the dashboard. `secret=None`: open (loopback without a secret)."""

    def __init__(self, secret: str | None) -> None:
        self.secret = secret
        self._cookie = (
            hmac.new(secret.encode(), b"camtui-web-session", hashlib.sha256).hexdigest() if secret else ""
        )

    @property
    def required(self) -> bool:
        return self.secret is not None

    def cookie_value(self) -> str:
        return self._cookie

    def key_ok(self, key: str | None) -> bool:
        """The secret given in the URL (`?key=`)."""
        if self.secret is None:
            return True
        return key is not None and hmac.compare_digest(key.encode(), self.secret.encode())

    def cookie_ok(self, value: str | None) -> bool:
        if self.secret is None:
            return True
        return value is not None and hmac.compare_digest(value.encode(), self._cookie.encode())

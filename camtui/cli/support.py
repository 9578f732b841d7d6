"""What the command-line verbs that talk to the server share: `camtui send | rooms | call | users | chatroom`
(`camtui.cli.scripting`) and `camtui send-batch` (`camtui.cli.batch`).

One place for the exit codes, for where the server URL and token come from (the config file, then the
environment; never the command line, where `ps` would show the token), and for the client built from them, so
that every verb reads the same settings and fails the same way.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from camtui.common.legacy_encoding import guess_japanese_encoding

if TYPE_CHECKING:
    from camtui.api import CAMClient, RetryPolicy

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_NETWORK = 0, 1, 2, 3
"""0 ok, 1 API error, 2 usage or bad input, 3 network failure or outcome unknown."""
ENV_SERVER = "CAMTUI_SERVER_URL"
ENV_TOKEN = "CAMTUI_API_TOKEN"


class UsageProblem(Exception):
    """Bad input from the user: one line on stderr, exit code 2."""


@dataclass(frozen=True, slots=True)
class Connection:
    """The settings a verb needs to reach the server (and the local store). The token never shows in repr."""

    server_url: str
    api_token: str
    ca_bundle: str | None = None
    verify_tls: bool = True
    timeout: float = 10.0
    read_budget: float = 30.0
    time_zone: str = "Asia/Tokyo"
    store_path: str | None = None
    chat_rooms: tuple[str, ...] = ()
    admin_me: str | None = None
    """[admin] me: whose token this is (the API cannot say)."""

    def __repr__(self) -> str:
        return f"Connection({self.server_url!r}, api_token='***')"


def load_connection(config_path: str | None) -> Connection:
    """Server URL, token and TLS settings: `camtui.config.settings.load_settings` (the file, then the environment).

    Raises UsageProblem (one line) for a bad config file or a missing server URL or token."""
    from camtui.config.settings import ConfigError, load_settings

    try:
        settings = load_settings(config_path)
    except ConfigError as exc:
        raise UsageProblem(f"config: {exc}") from None
    server = (settings.server_url or "").strip()
    token = (settings.api_token or "").strip()
    if not server:
        raise UsageProblem(f"no server URL: set {ENV_SERVER} or server_url in the config file (camtui init)")
    if not token:
        raise UsageProblem(f"no API token: set {ENV_TOKEN} or api_token in the config file (camtui init)")
    return Connection(
        server_url=server,
        api_token=token,
        ca_bundle=settings.ca_bundle or None,
        verify_tls=settings.verify_tls,
        timeout=settings.timeout_seconds,
        read_budget=settings.read_budget_seconds,
        time_zone=settings.time_zone,
        store_path=settings.store_path,
        chat_rooms=tuple(settings.chat_rooms),
        admin_me=settings.admin_me,
    )


def open_client(
    conn: Connection,
    *,
    retry: RetryPolicy | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> CAMClient:
    """A client for `conn`. Arguments the client refuses (a malformed URL) become UsageProblem.

    `on_warning`: where the warnings raised while building it go, one line each (e.g. a token about to travel
    over plain http); None leaves them to Python's warnings machinery."""
    from camtui.api import CAMClient, InsecureTokenWarning

    def build() -> CAMClient:
        try:
            return CAMClient(
                conn.server_url,
                conn.api_token,
                timeout=conn.timeout,
                read_budget=conn.read_budget,
                ca_bundle=conn.ca_bundle,
                verify=conn.verify_tls,
                retry=retry,
            )
        except ValueError as exc:
            raise UsageProblem(str(exc)) from None

    if on_warning is None:
        return build()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InsecureTokenWarning)
        client = build()
    for w in caught:
        on_warning(str(w.message))
    return client


def decode_utf8_input(data: bytes, name: str) -> str:
    """A file the user gave (CSV, JSON): UTF-8, BOM allowed; else UsageProblem naming the encoding it seems
    to be in and where the first bad byte is. One wording for every verb: Excel on Japanese Windows saves
    CSV as Shift_JIS by default, so this is the commonest failure of `users update` and `send-batch`."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UsageProblem(f"{name}: the file is UTF-16; save it as UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        where = f"byte 0x{data[exc.start]:02x} at offset {exc.start}, line {line}"
        guess = guess_japanese_encoding(data)
        if guess:
            raise UsageProblem(
                f"{name}: the file is not UTF-8 but looks like {guess} ({where}); save it as UTF-8"
            ) from None
        raise UsageProblem(f"{name}: the file is not valid UTF-8 ({where}); save it as UTF-8") from None


def check_argument_text(value: str, what: str) -> str:
    """A text argument that goes to the server (a message, a title, a room name): Python hands bytes that are not
    UTF-8 over as lone surrogates (`\\udcff`), which cannot be sent; UsageProblem naming the byte instead of a
    `UnicodeEncodeError` traceback after the request was built."""
    for offset, ch in enumerate(value):
        if "\udc80" <= ch <= "\udcff":
            raise UsageProblem(
                f"{what} is not valid UTF-8 (byte 0x{ord(ch) - 0xDC00:02x} at character {offset + 1}); "
                "nothing was sent"
            )
        if "\ud800" <= ch <= "\udfff":
            raise UsageProblem(
                f"{what} holds half of a UTF-16 pair (character {offset + 1}); nothing was sent"
            )
    return value


def print_json(data: Any) -> None:
    """`--json` output on stdout: indented, non-ASCII kept as is (Japanese names stay readable)."""
    print(json.dumps(data, ensure_ascii=False, indent=2))

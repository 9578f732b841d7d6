"""Settings: one TOML file (read-only for camtui), env overrides, defaults, and where each value came from.

camtui never rewrites a file the user edited: run-time state (watched calls, drafts, theme) lives in the store.
Every problem in the file is reported as one `ConfigError` naming the file, the line and the key, before anything
starts, so the app never runs half-configured.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from camtui.common import safe_toml
from camtui.common.paths import expand_user
from camtui.config.errors import ConfigError
from camtui.config.time_language import locale_from_env
from camtui.config.token_command import run_token_command

ENV_CONFIG = "CAMTUI_CONFIG"
ENV_SERVER_URL = "CAMTUI_SERVER_URL"
ENV_API_TOKEN = "CAMTUI_API_TOKEN"


@dataclass(frozen=True)
class Settings:
    """The effective configuration. `api_token` is a secret: never print it (use `masked_token`)."""

    server_url: str | None = None
    api_token: str | None = field(default=None, repr=False)
    api_token_command: str | None = None
    ca_bundle: str | None = None
    verify_tls: bool = True
    timeout_seconds: float = 10.0
    read_budget_seconds: float = 30.0
    time_zone: str = "Asia/Tokyo"
    locale: str = "en"
    """Language of humanised times; without a config key, the locale's (`config.time_language`)."""
    theme: str | None = None
    """Initial theme; the one picked at run time is remembered in the store and wins."""
    rooms_day_start: str = "08:00"
    rooms_day_end: str = "21:00"
    rooms_slot_minutes: int = 30
    rooms_poll_seconds: float = 15.0
    calls_poll_seconds: float = 5.0
    calls_expiry_warning_minutes: int = 10
    watch_calls: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    chat_rooms: tuple[str, ...] = ()
    composer_confirm_recipients: int = 20
    """Ask before sending one message to more recipients than this."""
    composer_confirm_chars: int = 2000
    """Ask before sending a message longer than this many characters."""
    web_max_sessions: int = 8
    """`camtui web`: browser tabs served at once (each is an app process)."""
    web_idle_timeout_seconds: float = 1800.0
    """`camtui web`: close a tab's session after this long without input (0: never)."""
    admin_me: str | None = None
    """The token owner's e-mail: the users diff refuses a row that changes its own admin rights."""
    store_path: str | None = None
    """SQLite file for drafts, outbox, call history, UI state (None: platform data dir)."""
    alert_tables: tuple[Mapping[str, Any], ...] = field(default=(), compare=False, hash=False)
    """The file's `[[alerts]]` tables as written; `camtui.alerts.rules.load_rules` checks and parses them."""

    config_path: str | None = field(default=None, compare=False)
    """The file these settings were read from (None: no file)."""
    sources: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, hash=False
    )
    """Field name → "file", "file (api_token_command)", "env CAMTUI_…" or "default"."""

    @classmethod
    def defaults(cls) -> Settings:
        return cls()

    @property
    def is_configured(self) -> bool:
        """True when there is a server and a token to talk to it."""
        return bool(self.server_url) and bool(self.api_token)

    @property
    def masked_token(self) -> str:
        return mask_token(self.api_token)

    def source_of(self, name: str) -> str:
        return self.sources.get(name, "default")

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some fields changed, marked as set by the program (e.g. `camtui demo`)."""
        sources = dict(self.sources)
        for key in changes:
            sources[key] = "program"
        return replace(self, sources=MappingProxyType(sources), **changes)


def mask_token(token: str | None) -> str:
    if not token:
        return "(not set)"
    if len(token) <= 8:
        return "*" * len(token)
    return token[:3] + "*" * (len(token) - 5) + token[-2:]


# TOML layout: section → key → (Settings field, kind). Kinds: str, bool, int, float, strlist, hhmm, url, email.
_SCHEMA: dict[str, dict[str, tuple[str, str]]] = {
    "server": {
        "url": ("server_url", "url"),
        "api_token": ("api_token", "str"),
        "api_token_command": ("api_token_command", "command"),
        "ca_bundle": ("ca_bundle", "str"),
        "verify_tls": ("verify_tls", "bool"),
        "timeout_seconds": ("timeout_seconds", "float"),
        "read_budget_seconds": ("read_budget_seconds", "float"),
    },
    "display": {
        "time_zone": ("time_zone", "zone"),
        "locale": ("locale", "locale"),
        "theme": ("theme", "str"),
    },
    "rooms": {
        "day_start": ("rooms_day_start", "hhmm"),
        "day_end": ("rooms_day_end", "hhmm"),
        "slot_minutes": ("rooms_slot_minutes", "int"),
        "poll_seconds": ("rooms_poll_seconds", "float"),
    },
    "calls": {
        "poll_seconds": ("calls_poll_seconds", "float"),
        "expiry_warning_minutes": ("calls_expiry_warning_minutes", "int"),
        "watch": ("watch_calls", "strlist"),
    },
    "composer": {
        "contacts": ("contacts", "strlist"),
        "chat_rooms": ("chat_rooms", "strlist"),
        "confirm_recipients": ("composer_confirm_recipients", "int"),
        "confirm_chars": ("composer_confirm_chars", "int"),
    },
    "web": {
        "max_sessions": ("web_max_sessions", "int"),
        "idle_timeout_seconds": ("web_idle_timeout_seconds", "float"),
    },
    "admin": {
        "me": ("admin_me", "email"),
    },
    "store": {
        "path": ("store_path", "str"),
    },
}

TOML_KEYS: dict[str, str] = {
    f"{section}.{key}": name for section, keys in _SCHEMA.items() for key, (name, _kind) in keys.items()
}
"""Dotted TOML key ("rooms.slot_minutes") → Settings field name."""

FIELD_KEYS: dict[str, str] = {name: dotted for dotted, name in TOML_KEYS.items()}
"""Settings field name → dotted TOML key."""

_RANGES: dict[str, tuple[float, float]] = {
    "timeout_seconds": (0.1, 600),
    "read_budget_seconds": (0.1, 3600),
    "rooms_slot_minutes": (5, 240),
    "rooms_poll_seconds": (1, 3600),
    "calls_poll_seconds": (1, 3600),
    "calls_expiry_warning_minutes": (0, 1440),
    "composer_confirm_recipients": (1, 100_000),
    "composer_confirm_chars": (1, 10_000_000),
    "web_max_sessions": (1, 256),
    "web_idle_timeout_seconds": (0, 7 * 86400),
}


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("camtui")) / "config.toml"


def resolve_config_path(config_path: str | None, env: Mapping[str, str] | None = None) -> tuple[Path, bool]:
    """The file to read and whether the user named it explicitly (then it must exist)."""
    env = os.environ if env is None else env
    if config_path:
        return expand_user(config_path), True
    if env.get(ENV_CONFIG):
        return expand_user(env[ENV_CONFIG]), True
    return default_config_path(), False


def load_settings(
    config_path: str | None,
    *,
    env: Mapping[str, str] | None = None,
    resolve_token: bool = True,
) -> Settings:
    """Read the config file (if any), apply env overrides, validate everything, resolve the token.

    `env` replaces os.environ (tests); `resolve_token=False` skips running `api_token_command` (`camtui config`
    shows settings without running a password manager). Raises `ConfigError` for any problem.
    """
    env = os.environ if env is None else env
    path, explicit = resolve_config_path(config_path, env)
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    file_used: str | None = None
    if path.exists():
        values, sources = _read_file(path)
        file_used = str(path)
    elif explicit:
        raise ConfigError("config file not found", path=path)

    url = env.get(ENV_SERVER_URL)
    if url:
        values["server_url"] = check_url(url.strip(), path=None, line=None, key=ENV_SERVER_URL)
        sources["server_url"] = f"env {ENV_SERVER_URL}"
    token = env.get(ENV_API_TOKEN)
    if token:
        values["api_token"] = token.strip()
        sources["api_token"] = f"env {ENV_API_TOKEN}"

    if values.get("api_token") is None and values.get("api_token_command") and resolve_token:
        values["api_token"] = run_token_command(values["api_token_command"], path=path)
        sources["api_token"] = "file (api_token_command)"

    if "locale" not in values:
        values["locale"], sources["locale"] = locale_from_env(env)

    if values.get("rooms_day_start", "08:00") >= values.get("rooms_day_end", "21:00"):
        raise ConfigError(
            "rooms.day_start must be before rooms.day_end",
            path=path,
            line=_key_line(path, "rooms", "day_end"),
            key="[rooms] day_end",
        )
    for f in fields(Settings):
        if f.name not in ("config_path", "sources"):
            sources.setdefault(f.name, "default")
    return Settings(**values, config_path=file_used, sources=MappingProxyType(sources))


def _read_file(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError("not UTF-8 text (save the file as UTF-8)", path=path, line=line) from None
    try:
        data = safe_toml.loads(
            text
        )  # hostile nesting and 5,000-digit numbers too: one line, never a traceback
    except safe_toml.TOMLUnreadable as exc:
        raise ConfigError(f"invalid TOML: {exc.problem}", path=path, line=exc.line) from None
    text = text.removeprefix("\ufeff")

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for section, table in data.items():
        if section == "alerts" and isinstance(table, list) and all(isinstance(t, dict) for t in table):
            values["alert_tables"] = tuple(table)  # checked by camtui.alerts.rules (file:line there)
            continue
        schema = _SCHEMA.get(section)
        if schema is None:
            known = ", ".join([*(f"[{s}]" for s in _SCHEMA), "[[alerts]]"])
            raise ConfigError(
                f"unknown section (known: {known})",
                path=path,
                line=_section_line(text, section),
                key=f"[{section}]",
            )
        if not isinstance(table, dict):
            raise ConfigError(
                f"expected a [{section}] table, got {_type_name(table)}",
                path=path,
                line=_key_line_text(text, None, section),
                key=section,
            )
        for key, value in table.items():
            line = _key_line_text(text, section, key)
            label = f"[{section}] {key}"
            if key not in schema:
                known = ", ".join(schema)
                raise ConfigError(
                    f"unknown key (known in [{section}]: {known})", path=path, line=line, key=label
                )
            name, kind = schema[key]
            values[name] = _convert(value, kind, name, path=path, line=line, key=label)
            sources[name] = "file"
    if values.get("api_token") and values.get("api_token_command"):
        raise ConfigError(
            "set api_token or api_token_command, not both",
            path=path,
            line=_key_line_text(text, "server", "api_token_command"),
            key="[server] api_token_command",
        )
    return values, sources


def _convert(value: Any, kind: str, name: str, *, path: Path, line: int | None, key: str) -> Any:
    def bad(expected: str) -> ConfigError:
        return ConfigError(
            f"expected {expected}, got {_type_name(value)} {value!r}", path=path, line=line, key=key
        )

    if kind in ("str", "url", "zone", "locale", "hhmm", "command", "email"):
        if not isinstance(value, str):
            raise bad("a string")
        if "\x00" in value:  # a path, URL or token with a NUL byte cannot be used (the OS refuses it)
            raise ConfigError("contains a NUL character (\\u0000)", path=path, line=line, key=key)
        value = value.strip()
        if kind == "url":
            return check_url(value, path=path, line=line, key=key)
        if kind == "zone":
            return _check_zone(value, path=path, line=line, key=key)
        if kind == "locale" and value not in ("ja", "en"):
            raise ConfigError(f'expected "ja" or "en", got {value!r}', path=path, line=line, key=key)
        if kind == "email":  # "" means unset
            if value and not re.fullmatch(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+", value):
                raise ConfigError(f"expected an e-mail address, got {value!r}", path=path, line=line, key=key)
            return value.lower() or None
        if kind == "hhmm":
            match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
            if not match or int(match.group(1)) > 24 or int(match.group(2)) > 59:
                raise ConfigError(
                    f'expected a time like "08:00", got {value!r}', path=path, line=line, key=key
                )
            return f"{int(match.group(1)):02d}:{match.group(2)}"
        if kind == "str" and name == "ca_bundle" and value and not expand_user(value).exists():
            raise ConfigError(f"file not found: {value}", path=path, line=line, key=key)
        if kind == "str" and name in ("ca_bundle", "store_path"):
            return str(expand_user(value)) if value else None
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("an integer" if kind == "int" else "a number")
        if kind == "int" and not isinstance(value, int):
            raise bad("an integer")
        low, high = _RANGES.get(name, (float("-inf"), float("inf")))
        if not low <= value <= high:
            raise ConfigError(
                f"must be between {low:g} and {high:g}, got {value!r}", path=path, line=line, key=key
            )
        return value if kind == "int" else float(value)
    if kind == "strlist":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("a list of strings")
        return tuple(v.strip() for v in value if v.strip())
    raise AssertionError(kind)


def check_url(value: str, *, path: Path | None, line: int | None, key: str) -> str:
    if not re.match(r"https?://[^/\s]+", value):
        raise ConfigError(
            f"expected an http:// or https:// URL, got {value!r}", path=path, line=line, key=key
        )
    return value.rstrip("/")


def _check_zone(value: str, *, path: Path | None, line: int | None, key: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Asia" is a folder of zones, a long name
        raise ConfigError(
            f'unknown time zone {value!r} (use an IANA name like "Asia/Tokyo")', path=path, line=line, key=key
        ) from None
    return value


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


def _section_line(text: str, section: str) -> int | None:
    for number, raw in enumerate(text.splitlines(), 1):
        match = _HEADER.match(raw)
        if match and _unquote(match.group(1)) == section:
            return number
    return _key_line_text(text, None, section)


def _key_line_text(text: str, section: str | None, key: str) -> int | None:
    """Best-effort line of `key` inside `[section]` (or a dotted `section.key` at top level)."""
    current: str | None = None
    key_re = re.compile(r"^\s*([A-Za-z0-9_\-\"'.\s]+?)\s*=")
    for number, raw in enumerate(text.splitlines(), 1):
        header = _HEADER.match(raw)
        if header:
            current = _unquote(header.group(1))
            continue
        match = key_re.match(raw)
        if not match:
            continue
        name = ".".join(_unquote(p.strip()) for p in match.group(1).split("."))
        if current == section and name == key:
            return number
        if current is None and section is not None and name == f"{section}.{key}":
            return number
        if current is None and section is None and name.split(".")[0] == key:
            return number
    return None


def _key_line(path: Path, section: str, key: str) -> int | None:
    try:
        return _key_line_text(path.read_text(encoding="utf-8"), section, key)
    except OSError:
        return None


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        return name[1:-1]
    return name


def settings_to_toml(settings: Settings) -> dict[str, dict[str, Any]]:
    """The file `camtui init` writes: only values that differ from the defaults, plus url and token."""
    defaults = Settings.defaults()
    out: dict[str, dict[str, Any]] = {}
    for section, keys in _SCHEMA.items():
        for key, (name, _kind) in keys.items():
            value = getattr(settings, name)
            always = name in ("server_url", "api_token", "api_token_command")
            if value is None or (not always and value == getattr(defaults, name)):
                continue
            if isinstance(value, tuple):
                value = list(value)
            out.setdefault(section, {})[key] = value
    return out

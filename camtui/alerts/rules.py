"""`[[alerts]]` tables from the config file → checked `AlertRule`s, every problem as one
`file:line: key: problem` ConfigError (the same form as `camtui.config.settings`).

A rule: `name`, what it watches (`call` / `calls`, `room` / `rooms`, or nothing: the server), `when`, `for`,
`cooldown`, and its actions (`toast`, `send`, `successor`). See config.example.toml for every form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from camtui.alerts.conditions import Condition, Scope, parse_condition, parse_span
from camtui.alerts.templates import check_template, names_in
from camtui.api.models import MESSENGER
from camtui.common.call_refs import parse_call_ref
from camtui.config.settings import ConfigError, Settings

KEYS = ("name", "call", "calls", "room", "rooms", "when", "for", "cooldown", "toast", "send", "successor")
SEND_KEYS = ("users", "room", "organizer", "text", "seal")
SUCCESSOR_KEYS = ("expires_in", "title", "password", "send")


@dataclass(frozen=True, slots=True)
class SendSpec:
    """A sendMessage: `send` is "messenger" (to `users`) or a chat room name (`users` are mentions)."""

    send: str
    users: tuple[str, ...]
    text: str
    seal: bool = False
    organizer: bool = False
    """Also to the organizer of the reservation linked to the call or room (the people booked in that room)."""


@dataclass(frozen=True, slots=True)
class SuccessorSpec:
    """The expiry guard's action: a new quick call lasting `expires_in`, then its link sent."""

    expires_in: timedelta
    title: str
    password: str
    sends: tuple[SendSpec, ...]


@dataclass(frozen=True, slots=True)
class AlertRule:
    name: str
    condition: Condition
    calls: tuple[str, ...] | None = None
    """call scope: these sids; None: every watched call (`calls = "watched"`)."""
    call_urls: Mapping[str, str] | None = None
    """sid → the share URL the rule was written with (for `{call.url}` before a poll knows the call)."""
    rooms: tuple[str, ...] | None = None
    """room scope: room ids or names; None: every room."""
    for_s: float = 0.0
    cooldown_s: float = 0.0
    toast: str | None = None
    """The toast's text (a template); None: no toast."""
    sends: tuple[SendSpec, ...] = ()
    successor: SuccessorSpec | None = None
    line: int | None = None
    names: frozenset[str] | None = None
    """The template names its actions use (None: all of them); a firing computes only these."""

    @property
    def scope(self) -> Scope:
        return self.condition.scope

    @property
    def target(self) -> str:
        if self.scope == "call":
            return "watched calls" if self.calls is None else ", ".join(f"call {s[:8]}" for s in self.calls)
        if self.scope == "room":
            return "all rooms" if self.rooms is None else ", ".join(f"room {r}" for r in self.rooms)
        return "server"


def load_rules(settings: Settings) -> tuple[AlertRule, ...]:
    """The settings' `[[alerts]]`, checked. Raises ConfigError (file:line) on the first problem."""
    if not settings.alert_tables:
        return ()
    path = Path(settings.config_path) if settings.config_path else None
    text = ""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            text = ""
    return parse_rules(settings.alert_tables, text=text, path=path)


def parse_rules(
    tables: Sequence[Mapping[str, Any]], *, text: str = "", path: Path | str | None = None
) -> tuple[AlertRule, ...]:
    """Check and parse `[[alerts]]` tables. `text` (the file) gives the line numbers."""
    blocks = _blocks(text)
    rules: list[AlertRule] = []
    seen: dict[str, int | None] = {}
    for index, table in enumerate(tables):
        block = blocks[index] if index < len(blocks) else None
        rule = _Parser(table, index, block, path).rule()
        if rule.name in seen:
            where = f" (line {seen[rule.name]})" if seen[rule.name] else ""
            raise ConfigError(
                f"a rule with this name exists already{where}",
                path=path,
                line=rule.line,
                key=_key(f'"{rule.name}"', "name"),
            )
        seen[rule.name] = rule.line
        rules.append(rule)
    return tuple(rules)


def _key(label: str, key: str) -> str:
    """`[[alerts]] "empty call" when` (`#2` for a rule without a name)."""
    return f"[[alerts]] {label} {key}"


class _Parser:
    def __init__(
        self,
        table: Mapping[str, Any],
        index: int,
        block: tuple[int, list[str]] | None,
        path: Path | str | None,
    ) -> None:
        self.t = table
        self.block = block
        self.path = path
        self.name = f"#{index + 1}"
        self.named = False

    def line(self, key: str | None = None) -> int | None:
        if self.block is None:
            return None
        start, rows = self.block
        if key is not None:
            pattern = re.compile(rf"^\s*{re.escape(key)}\s*=|^\s*\[\s*alerts\.{re.escape(key)}\s*\]")
            for offset, row in enumerate(rows):
                if pattern.match(row):
                    return start + offset
        return start

    def fail(self, key: str, problem: str) -> ConfigError:
        label = f'"{self.name}"' if self.named else self.name
        return ConfigError(problem, path=self.path, line=self.line(key.split(".")[0]), key=_key(label, key))

    def rule(self) -> AlertRule:
        t = self.t
        name = t.get("name")
        if not isinstance(name, str) or not name.strip():
            raise self.fail("name", "every [[alerts]] table needs a name (a non-empty string)")
        self.name, self.named = name.strip(), True
        for key in t:
            if key not in KEYS:
                raise self.fail(key, f"unknown key (known in [[alerts]]: {', '.join(KEYS)})")
        scope = self._scope()
        when = t.get("when")
        if not isinstance(when, str):
            raise self.fail("when", 'needs a condition, e.g. when = "participants == 0"')
        try:
            condition = parse_condition(when, scope)
        except ValueError as exc:
            raise self.fail("when", str(exc)) from None
        calls, urls = self._calls() if scope == "call" else (None, None)
        rooms = self._rooms() if scope == "room" else None
        toast = self._toast(scope)
        sends = self._sends(t.get("send"), "send", scope, successor=False)
        successor = self._successor(scope)
        if toast is None and not sends and successor is None:
            toast = f"{self.name}: {{label}}"  # no action written: the dashboard shows it, headless logs it
        texts = [toast or "", *(x.text for x in sends)]
        if successor is not None:
            texts += [successor.title, *(x.text for x in successor.sends)]
        if any(x.organizer for x in (*sends, *(successor.sends if successor else ()))):
            texts.append("{reservation.organizer}")
        return AlertRule(
            name=self.name,
            condition=condition,
            calls=calls,
            call_urls=urls,
            rooms=rooms,
            for_s=self._span("for"),
            cooldown_s=self._span("cooldown"),
            toast=toast,
            sends=sends,
            successor=successor,
            line=self.line(),
            names=names_in(*texts),
        )

    def _scope(self) -> Scope:
        t = self.t
        present = [k for k in ("call", "calls", "room", "rooms") if k in t]
        if len(present) > 1:
            raise self.fail(
                present[1], f"use one of call, calls, room, rooms (this rule has {', '.join(present)})"
            )
        if not present:
            return "server"
        return "call" if present[0].startswith("call") else "room"

    def _calls(self) -> tuple[tuple[str, ...] | None, dict[str, str]]:
        t = self.t
        key = "call" if "call" in t else "calls"
        value = t[key]
        if key == "calls" and value == "watched":
            return None, {}
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
            raise self.fail(key, 'expected a call id or share URL, a list of them, or calls = "watched"')
        sids: list[str] = []
        urls: dict[str, str] = {}
        for item in items:
            try:
                sid, url = parse_call_ref(item)
            except ValueError as exc:
                raise self.fail(key, str(exc)) from None
            sids.append(sid)
            if url:
                urls[sid] = url
        return tuple(dict.fromkeys(sids)), urls

    def _rooms(self) -> tuple[str, ...] | None:
        t = self.t
        key = "room" if "room" in t else "rooms"
        value = t[key]
        if key == "rooms" and value == "all":
            return None
        items = [value] if isinstance(value, str) else value
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(v, str) and v.strip() for v in items)
        ):
            raise self.fail(key, 'expected a room id or name, a list of them, or rooms = "all"')
        return tuple(v.strip() for v in items)

    def _span(self, key: str) -> float:
        value = self.t.get(key, "0s")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
            return float(value)  # plain seconds
        if not isinstance(value, str):
            raise self.fail(key, f'expected a duration like "0s", "90s", "10m", got {value!r}')
        try:
            return parse_span(value).total_seconds()
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def _toast(self, scope: Scope) -> str | None:
        value = self.t.get("toast")
        if value is None or value is False:
            return None
        if value is True:
            return f"{self.name}: {{label}}"
        if not isinstance(value, str):
            raise self.fail("toast", "expected true, false or a text (a template)")
        self._template("toast", value, scope, successor=False)
        return value

    def _template(self, key: str, text: str, scope: Scope, *, successor: bool) -> None:
        problem = check_template(text, scope, successor=successor)
        if problem:
            raise self.fail(key, problem)

    def _sends(self, value: Any, key: str, scope: Scope, *, successor: bool) -> tuple[SendSpec, ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, dict) else value
        if not isinstance(items, list) or not all(isinstance(v, dict) for v in items):
            raise self.fail(key, 'expected a table like { users = ["user1@xxx.com"], text = "…" }')
        out: list[SendSpec] = []
        for item in items:
            for k in item:
                if k not in SEND_KEYS:
                    raise self.fail(key, f"unknown key {k!r} (known: {', '.join(SEND_KEYS)})")
            text = item.get("text")
            if not isinstance(text, str) or not text.strip():
                raise self.fail(key, 'needs text = "…" (the message; templates like {call.title} allowed)')
            self._template(key, text, scope, successor=successor)
            users = item.get("users", [])
            if isinstance(users, str):
                users = [users]
            if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
                raise self.fail(key, "users must be a list of e-mail addresses")
            users = [u.strip() for u in users if u.strip()]
            room = item.get("room", "")
            if not isinstance(room, str):
                raise self.fail(key, "room must be a chat room name (a string)")
            seal = item.get("seal", False)
            if not isinstance(seal, bool):
                raise self.fail(key, "seal must be true or false")
            organizer = item.get("organizer", False)
            if not isinstance(organizer, bool):
                raise self.fail(key, "organizer must be true or false")
            if organizer and scope == "server":
                raise self.fail(
                    key, "organizer = true needs a call or room rule (the linked reservation's organizer)"
                )
            if not room.strip() and not users and not organizer:
                raise self.fail(
                    key, 'needs users = [...] (direct messages), organizer = true, or room = "chat room name"'
                )
            out.append(SendSpec(room.strip() or MESSENGER, tuple(users), text, seal, organizer))
        return tuple(out)

    def _successor(self, scope: Scope) -> SuccessorSpec | None:
        value = self.t.get("successor")
        if value is None:
            return None
        if scope != "call":
            raise self.fail(
                "successor", "a successor call is made for a call: the rule needs call = … or calls = …"
            )
        if not isinstance(value, dict):
            raise self.fail("successor", 'expected a table like { expires_in = "2h", send = { … } }')
        for k in value:
            if k not in SUCCESSOR_KEYS:
                raise self.fail("successor", f"unknown key {k!r} (known: {', '.join(SUCCESSOR_KEYS)})")
        raw = value.get("expires_in")
        if not isinstance(raw, str):
            raise self.fail("successor", 'needs expires_in = "2h" (how long the new call lasts)')
        try:
            expires_in = parse_span(raw)
        except ValueError as exc:
            raise self.fail("successor", f"expires_in: {exc}") from None
        if expires_in <= timedelta(minutes=1):
            raise self.fail("successor", "expires_in must be more than a minute")
        title = value.get("title", "{call.title}")
        password = value.get("password", "")
        if not isinstance(title, str) or not isinstance(password, str):
            raise self.fail("successor", "title and password must be strings")
        self._template("successor", title, scope, successor=False)
        sends = self._sends(value.get("send"), "successor", scope, successor=True)
        return SuccessorSpec(expires_in, title, password, sends)


_ALERTS_HEADER = re.compile(r"^\s*\[\[\s*alerts\s*\]\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Each `[[alerts]]` header's line and the lines that belong to it (up to the next non-alerts table)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    for number, row in enumerate(text.splitlines(), 1):
        if _ALERTS_HEADER.match(row):
            current = [row]
            blocks.append((number, current))
            continue
        header = _ANY_HEADER.match(row)
        if header and not header.group(1).startswith("alerts."):
            current = None
            continue
        if current is not None:
            current.append(row)
    return blocks

"""Loading a batch file: the spec's format (`messages=[…]`, trailing commas), UTF-8 with or without BOM, every
item shaped into a `BatchEntry` with the problems the server would answer 400 to. Nothing is checked against the
directory here (that is `plan`), nothing is sent (that is `apply`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camtui.api import lenient_json
from camtui.api.models import MESSENGER
from camtui.common import safe_json
from camtui.common.legacy_encoding import guess_japanese_encoding

KNOWN_KEYS = frozenset({"send", "message", "property", "error", "index", "outcome"})
"""`error` is the reason camtui writes into a failed-items file, `index` and `outcome` what it writes into an
unknown-items file; loading those files again ignores them (they are never sent)."""


class BatchLoadError(Exception):
    """The file cannot be read as a batch at all (one line: which file, what is wrong, what to do)."""


@dataclass(frozen=True, slots=True)
class BatchEntry:
    index: int
    """0-based position in the file (what the server's `index` refers to)."""
    message: str | None
    send: str | None
    """None: the messenger (the spec's default when `send` is absent)."""
    users: tuple[str, ...]
    raw: Any
    """The item as it was in the file (written back verbatim into the failed-items file)."""
    problems: tuple[str, ...] = ()
    """Shape problems the server would answer 400 to."""
    notes: tuple[str, ...] = ()
    """Harmless oddities (unknown keys that the server ignores)."""

    @property
    def destination(self) -> str:
        return self.send if self.send else MESSENGER

    @property
    def item_hash(self) -> str:
        """Identity of the item's content (destination, text, recipient set), independent of its position."""
        users = sorted({u.lower() for u in self.users})
        blob = json.dumps([self.destination, self.message, users], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def to_batch_item(self) -> Any:
        from camtui.api.models import BatchItem

        return BatchItem(message=self.message or "", send=self.send, users=self.users)


@dataclass(frozen=True, slots=True)
class BatchFile:
    path: str
    fingerprint: str
    """sha256 of the file's bytes: the journal key."""
    items: tuple[BatchEntry, ...]


def load_batch_file(path: str | Path) -> BatchFile:
    """Read and parse a batch file; BatchLoadError (one clear line) if it is not one."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise BatchLoadError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise BatchLoadError(f"{p}: is a directory, not a batch file") from None
    except OSError as exc:
        raise BatchLoadError(f"{p}: cannot read it: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the name (pasted into the composer's file field)
        raise BatchLoadError(f"{str(p)!r}: not a file name") from None
    text = decode_utf8(data, str(p))
    return parse_batch_text(text, path=str(p.resolve()), fingerprint=hashlib.sha256(data).hexdigest())


def decode_utf8(data: bytes, name: str = "<input>") -> str:
    """UTF-8 (BOM allowed) or a BatchLoadError that names the encoding the file seems to be in."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BatchLoadError(
            f"{name}: the file is UTF-16; save it as UTF-8 (the API requires UTF-8 JSON files)"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        guess = guess_japanese_encoding(data)
        where = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
        if guess:
            raise BatchLoadError(
                f"{name}: the file is not UTF-8 but looks like {guess} ({where}); "
                "save it as UTF-8 (the API requires UTF-8 JSON files)"
            ) from None
        raise BatchLoadError(
            f"{name}: the file is not valid UTF-8 ({where}); save it as UTF-8 (the API requires UTF-8)"
        ) from None


def parse_batch_text(text: str, *, path: str = "<text>", fingerprint: str | None = None) -> BatchFile:
    """Parse the spec's format: `messages=[…]` (prefix optional), trailing commas allowed."""
    if fingerprint is None:
        fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()
    body = lenient_json.split_field_prefix(text, "messages")
    if not body.strip():
        raise BatchLoadError(f"{path}: the file is empty")
    try:
        data = safe_json.loads(body, parse=lenient_json.loads)
    except json.JSONDecodeError as exc:
        pos = len(text) - len(body) + exc.pos  # where it is in the file, not in the part after `messages=`
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        raise BatchLoadError(f"{path}: not valid JSON: {exc.msg} (line {line}, column {column})") from None
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        data = data["messages"]
    if not isinstance(data, list):
        raise BatchLoadError(
            f"{path}: expected a JSON array of messages (messages=[{{...}}, ...]), got {_json_type(data)}"
        )
    if not data:
        raise BatchLoadError(f"{path}: the batch has no messages")
    return BatchFile(path, fingerprint, tuple(_entry(i, raw) for i, raw in enumerate(data)))


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _entry(index: int, raw: Any) -> BatchEntry:
    problems: list[str] = []
    notes: list[str] = []
    if not isinstance(raw, dict):
        return BatchEntry(index, None, None, (), raw, (f"is {_json_type(raw)}, not an object",))
    message = raw.get("message")
    if message is None:
        problems.append("has no message")
        message = None
    elif not isinstance(message, str):
        problems.append(f"message is {_json_type(message)}, not a string")
        message = None
    elif not message.strip():
        problems.append("message is blank")
    send = raw.get("send")
    if send is not None and (not isinstance(send, str) or not send.strip()):
        problems.append("send must be a destination name (messenger or a chat room)")
        send = None
    users: tuple[str, ...] = ()
    prop = raw.get("property")
    if prop is not None and not isinstance(prop, dict):
        problems.append(f"property is {_json_type(prop)}, not an object")
    elif isinstance(prop, dict):
        value = prop.get("users")
        if isinstance(value, str):
            users = tuple(u.strip() for u in value.split(",") if u.strip())
        elif isinstance(value, list) and all(isinstance(u, str) for u in value):
            users = tuple(u.strip() for u in value if u.strip())
        elif value is not None:
            problems.append("property.users must be comma-separated e-mail addresses")
    unknown = sorted(k for k in raw if k not in KNOWN_KEYS)
    if unknown:
        notes.append(f"ignored key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (not sent)")
    return BatchEntry(index, message, send, users, raw, tuple(problems), tuple(notes))

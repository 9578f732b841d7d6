"""Reading and decoding request bodies ourselves, as UTF-8.

Why not Starlette's form parser: `curl -d` sends raw UTF-8 that is not percent-encoded, and the spec's
`curl -d @messages.json` sends a whole JSON file after `messages=` with newlines stripped and a trailing comma.
A generic form parser reads such bytes as Latin-1 (garbling Japanese) or splits the JSON at `&` and `+`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from camtui.api import lenient_json
from camtui.sandbox.errors import bad_request

MAX_BODY_BYTES = 5 * 1024 * 1024
"""Bodies over 5 MB are refused with 400."""

DRAIN_LIMIT_BYTES = 64 * 1024 * 1024
"""An oversized body is read and discarded up to this much, so the client sees our 400 rather than a broken pipe."""

RAW_JSON_FIELDS = ("messages", "message", "chatRoom")
"""Fields whose value is JSON and may arrive raw (`curl -d message={...}` or `curl -d @messages.json`)."""


class BodyTooLarge(Exception):
    pass


@dataclass(slots=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass(slots=True)
class Fields:
    """The request's arguments: query string and body merged (body wins), plus uploaded files."""

    values: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.values.get(name)


async def read_limited(chunks: AsyncIterator[bytes], declared_length: int | None) -> bytes:
    """The whole body, or BodyTooLarge once it passes MAX_BODY_BYTES (after draining what we reasonably can)."""
    if declared_length is not None and declared_length > MAX_BODY_BYTES:
        drained = 0
        async for chunk in chunks:
            drained += len(chunk)
            if drained > DRAIN_LIMIT_BYTES:
                break
        raise BodyTooLarge
    parts: list[bytes] = []
    size = 0
    too_large = False
    async for chunk in chunks:
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            too_large = True
            if size > DRAIN_LIMIT_BYTES:
                break
            continue
        parts.append(chunk)
    if too_large:
        raise BodyTooLarge
    return b"".join(parts)


def decode_utf8(data: bytes, what: str) -> str:
    """Strict UTF-8 (a leading BOM is dropped); anything else is a 400 naming `what`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"{what} が UTF-8 ではありません (byte {exc.start})", field=what) from None
    return text.removeprefix("\ufeff")


def parse_urlencoded(text: str) -> dict[str, str]:
    """Form fields from `text`, accepting a raw JSON value after `message=`, `messages=` or `chatRoom=`.

    A value that was percent-encoded never starts with a bare `{` or `[`, so a body whose remainder after
    the field name parses as JSON is taken verbatim; everything else goes through `parse_qsl` (UTF-8, strict).
    """
    stripped = text.lstrip("\ufeff").strip()
    for name in RAW_JSON_FIELDS:
        prefix = name + "="
        if stripped.startswith(prefix):
            raw = stripped[len(prefix) :]
            if raw[:1] in ("[", "{"):
                try:
                    lenient_json.loads(raw)
                except (ValueError, RecursionError):
                    pass
                else:
                    return {name: raw}
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise bad_request(f"パーセントエンコードされた値が UTF-8 ではありません (byte {exc.start})") from None
    except ValueError as exc:
        raise bad_request(f"フォームを解釈できません: {exc}") from None
    values: dict[str, str] = {}
    for key, value in pairs:
        values.setdefault(key.strip(), value)
    return values


def reject_surrogates(value: object, what: str) -> None:
    """JSON `\\ud800` escapes decode to lone surrogates, which are not text: SQLite and UTF-8 refuse them."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request(
            f"{what} に不正な文字 (対になっていないサロゲート) があります", field=what
        ) from None


def parse_json_object_body(text: str) -> dict[str, str]:
    """An `application/json` body `{"field": value}`: values other than strings are passed on as JSON text."""
    try:
        data = lenient_json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise bad_request(f"JSON の形式が正しくありません: {exc}") from None
    reject_surrogates(data, "body")
    if not isinstance(data, dict):
        raise bad_request("JSON の本文はオブジェクトでなければなりません")
    return {str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in data.items()}


def json_field(fields: Fields, name: str, *, required: bool = True) -> object:
    """The JSON value of form field `name` (lenient: trailing commas, a repeated `name=` prefix, a BOM)."""
    raw = fields.get(name)
    if raw is None or not raw.strip():
        if required:
            raise bad_request(f"{name} がありません", field=name)
        return None
    try:
        value = lenient_json.loads(lenient_json.split_field_prefix(raw, name))
    except (ValueError, RecursionError) as exc:
        raise bad_request(f"{name} の JSON の形式が正しくありません: {exc}", field=name) from None
    reject_surrogates(value, name)
    return value


def parse_multipart(content_type: str, data: bytes) -> Fields:
    """multipart/form-data held in memory (the body is at most 5 MB): text fields as UTF-8, files as bytes."""
    from python_multipart import MultipartParser
    from python_multipart.exceptions import FormParserError
    from python_multipart.multipart import parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise bad_request("multipart の boundary がありません")
    parts: list[dict[str, object]] = []
    current: dict[str, object] = {}
    header_name = bytearray()
    header_value = bytearray()

    def on_part_begin() -> None:
        current.clear()
        current.update(headers={}, data=bytearray())

    def on_part_data(chunk: bytes, start: int, end: int) -> None:
        current["data"] += chunk[start:end]  # type: ignore[operator]

    def on_part_end() -> None:
        parts.append(dict(current))

    def on_header_field(chunk: bytes, start: int, end: int) -> None:
        header_name.extend(chunk[start:end])

    def on_header_value(chunk: bytes, start: int, end: int) -> None:
        header_value.extend(chunk[start:end])

    def on_header_end() -> None:
        current["headers"][bytes(header_name).lower()] = bytes(header_value)  # type: ignore[index]
        header_name.clear()
        header_value.clear()

    callbacks = {
        "on_part_begin": on_part_begin,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
    }
    try:
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        parser.write(data)
        parser.finalize()
    except (FormParserError, ValueError, KeyError, IndexError) as exc:
        raise bad_request(f"multipart の形式が正しくありません: {type(exc).__name__}") from None
    fields = Fields()
    for part in parts:
        headers: dict[bytes, bytes] = part["headers"]  # type: ignore[assignment]
        _, options = parse_options_header(headers.get(b"content-disposition", b""))
        raw_name = options.get(b"name")
        if raw_name is None:
            raise bad_request("multipart の部分に name がありません")
        name = decode_utf8(raw_name, "multipart name")
        payload = bytes(part["data"])  # type: ignore[arg-type]
        if b"filename" in options:
            fields.files.setdefault(
                name,
                Upload(
                    filename=options[b"filename"].decode("utf-8", "replace"),
                    content_type=headers.get(b"content-type", b"").decode("latin-1"),
                    data=payload,
                ),
            )
        else:
            fields.values.setdefault(name, decode_utf8(payload, name))
    return fields

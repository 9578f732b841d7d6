"""JSON as people write it in the spec's sample files: trailing commas allowed, a `messages=` prefix allowed."""

from __future__ import annotations

import json
from typing import Any


def strip_trailing_commas(text: str) -> str:
    """Remove commas that directly precede `]` or `}` (ignoring whitespace), outside of strings."""
    out: list[str] = []
    in_string = False
    escaped = False
    pending_comma: int | None = None  # index in `out` of a comma that may turn out to be trailing
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch in " \t\r\n":
            out.append(ch)
            continue
        if ch in "]}" and pending_comma is not None:
            out[pending_comma] = ""
        pending_comma = None
        if ch == ",":
            pending_comma = len(out)
        elif ch == '"':
            in_string = True
        out.append(ch)
    return "".join(out)


def loads(text: str) -> Any:
    """`json.loads` that forgives trailing commas. Raises `json.JSONDecodeError` like the original — also for a
    document nested too deeply to parse (never `RecursionError`) and for integers of more than 4,300 digits."""
    try:
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return json.loads(strip_trailing_commas(text))
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None
    except json.JSONDecodeError:
        raise
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise json.JSONDecodeError(str(exc).split(";")[0], text, 0) from None


def split_field_prefix(text: str, field: str) -> str:
    """`messages=[...]` → `[...]`: the spec's sample files start with the form field name."""
    stripped = text.lstrip("\ufeff").lstrip()
    prefix = field + "="
    if stripped.startswith(prefix):
        return stripped[len(prefix) :]
    return stripped

"""TOML from files the user edits (config.toml, keymap.toml), where every failure is one typed error with a line.

`tomllib` raises more than `TOMLDecodeError` on hostile text: `a = [[[[…` 100,000 deep is a `RecursionError`
(its parser recurses per bracket), and an integer of more than 4,300 digits is the bare `ValueError` of
Python's int conversion limit. A UTF-8 byte-order mark (Notepad on Windows writes one) is refused by
`tomllib` as "Invalid statement": it is dropped here, as every other reader of camtui's files drops it.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")


class TOMLUnreadable(ValueError):
    """The text is not TOML camtui can read: `problem` in words, `line` (1-based) when known."""

    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem if line is None else f"line {line}: {problem}")
        self.problem = problem
        self.line = line


def loads(text: str) -> dict[str, Any]:
    """`tomllib.loads(text)` (BOM dropped); raises `TOMLUnreadable`, never another exception."""
    text = text.removeprefix("\ufeff")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _POSITION.search(message)
        line: int | None = None
        if match:
            line = int(match.group(1)) if match.group(1) else text.count("\n") + 1
        raise TOMLUnreadable(_POSITION.sub("", message), line) from None
    except RecursionError:
        raise TOMLUnreadable("arrays or tables nested too deeply", _first_line(text, _deep_line)) from None
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string conversion: …"
        problem = str(exc).split(";")[0]
        raise TOMLUnreadable(
            f"a number too long to read ({problem})", _first_line(text, _long_number)
        ) from None


def _deep_line(row: str) -> bool:
    return row.count("[") + row.count("{") > 100


def _long_number(row: str) -> bool:
    return re.search(r"[0-9_]{1000}", row) is not None


def _first_line(text: str, test: Any) -> int | None:
    return next((n for n, row in enumerate(text.splitlines(), 1) if test(row)), None)

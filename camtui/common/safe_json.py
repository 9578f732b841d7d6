"""JSON from outside (files, answers) with a nesting limit, so a hostile document is a typed error, not a
`RecursionError` traceback.

Python's parser recurses once per `[` / `{`: 200,000 nested brackets exhaust the interpreter's stack, and a
document that parses just under that limit breaks the next thing that walks it (`json.dumps`, a dataclass
repr). Real camtui documents are a few levels deep, so the nesting is checked on the text first (one regex
walk over strings and brackets, no recursion) and anything deeper than `MAX_DEPTH` is refused with its position.

`JSONTooDeep` and `JSONUnreadable` are `json.JSONDecodeError`s: every caller that already turns a decode error
into its own message (with line and column from `pos`) handles them without a change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 64
"""Deeper than any document camtui reads (a batch file is 4 levels, an API answer at most ~6)."""

_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
"""A whole string literal (its brackets do not count), or one bracket."""


class JSONTooDeep(json.JSONDecodeError):
    """The document nests deeper than the limit; `pos` is where the limit was crossed."""

    def __init__(self, doc: str, pos: int, limit: int) -> None:
        super().__init__(f"nested deeper than {limit} levels", doc, pos)
        self.limit = limit


class JSONUnreadable(json.JSONDecodeError):
    """Valid-looking JSON that Python still cannot turn into values (an integer of more than 4,300 digits)."""


def nesting_error(text: str, limit: int = MAX_DEPTH) -> JSONTooDeep | None:
    """The error for `text` if its brackets (outside strings) nest deeper than `limit`, else None."""
    if text.count("[") + text.count("{") <= limit:
        return None  # cannot be deeper than the number of openers: the common small case costs nothing
    depth = 0
    for m in _TOKENS.finditer(text):
        ch = m.group()
        if ch in "[{":
            depth += 1
            if depth > limit:
                return JSONTooDeep(text, m.start(), limit)
        elif ch in "]}":
            depth -= 1
    return None


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raise `JSONTooDeep` if `text` nests deeper than `limit`."""
    err = nesting_error(text, limit)
    if err is not None:
        raise err


def loads(text: str, *, limit: int = MAX_DEPTH, parse: Callable[[str], Any] = json.loads) -> Any:
    """`parse(text)` (default `json.loads`) after the depth check; every failure is a `json.JSONDecodeError`
    (or subclass): never `RecursionError` or a bare `ValueError`."""
    check_depth(text, limit)
    try:
        return parse(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:  # pragma: no cover - the depth check comes first; kept as the last line of defence
        raise JSONTooDeep(text, 0, limit) from None
    except ValueError as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise JSONUnreadable(str(exc).split(";")[0], text, 0) from None

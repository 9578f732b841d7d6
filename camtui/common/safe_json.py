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
import sys
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


_NUMBERS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|(-?Infinity|NaN)|(-?\d+)(\.\d+)?([eE][-+]?\d+)?')
"""A whole string literal (skipped), a non-JSON constant, or a number (integer part, fraction, exponent)."""
_SUSPECT = re.compile(r"NaN|Infinity|\d{300}|[eE]\+?\d{3}")
"""Cheap first look: only a text with one of these can hold a constant or a number `number_error` refuses."""


def _digit_limit() -> int:
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    return limit or 4300


def number_error(text: str) -> JSONUnreadable | None:
    """The error for the first value outside strings that is not a finite JSON number, else None: `NaN`,
    `Infinity` (Python accepts them, JSON does not, and they cannot be sent back), a float that overflows to
    infinity (`1e999999`) and an integer longer than Python converts (4,300 digits)."""
    if not _SUSPECT.search(text):
        return None  # the common case: one C-level regex search
    digits = _digit_limit()
    for m in _NUMBERS.finditer(text):
        constant, integer, fraction, exponent = m.groups()
        if constant:
            return JSONUnreadable(f"{constant} is not a JSON number", text, m.start())
        if integer is None:
            continue  # a string literal
        if fraction is None and exponent is None and len(integer.lstrip("-")) > digits:
            count = len(integer.lstrip("-"))
            return JSONUnreadable(f"an integer of {count:,} digits (at most {digits:,})", text, m.start())
        if (fraction or exponent) and float(m.group()) in (float("inf"), float("-inf")):
            return JSONUnreadable(f"the number {_clip(m.group())} is too large", text, m.start())
    return None


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
"""A `\\udXXX` escape: JSON may spell half of a UTF-16 pair, which alone is no character (and cannot be printed
or sent as UTF-8: `UnicodeEncodeError`)."""
_SURROGATE = re.compile("[\ud800-\udfff]")
_PAIR_OR_LONE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|(\\u[dD][89a-fA-F][0-9a-fA-F]{2})"
)


def has_surrogate_escape(text: str) -> bool:
    """Whether `text` spells a UTF-16 surrogate escape (paired or not): only then can its values hold one."""
    return _ESCAPED_SURROGATE.search(text) is not None


def replace_surrogates(value: Any) -> Any:
    """`value` with every lone surrogate in its strings (keys too) replaced by U+FFFD, as invalid UTF-8 bytes
    are: the server's text stays readable and can be printed. Lists and dicts are changed in place."""
    if isinstance(value, str):
        return _fixed(value)
    for node in _containers(value):
        if isinstance(node, list):
            node[:] = [_fixed(item) if isinstance(item, str) else item for item in node]
        else:
            for key in [k for k in node if isinstance(k, str) and _SURROGATE.search(k)]:
                node[_fixed(key)] = node.pop(key)
            for key, item in node.items():
                if isinstance(item, str):
                    node[key] = _fixed(item)
    return value


def holds_surrogate(value: Any) -> bool:
    """Whether any string in `value` (keys too) holds a lone surrogate."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    for node in _containers(value):
        items = node if isinstance(node, list) else [*node, *node.values()]
        if any(isinstance(item, str) and _SURROGATE.search(item) for item in items):
            return True
    return False


def _containers(value: Any) -> list[Any]:
    """Every list and dict in `value`, found without recursion (a parsed answer may be ~1,000 levels deep)."""
    found: list[Any] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list | dict):
            found.append(node)
            stack.extend(
                v for v in (node if isinstance(node, list) else node.values()) if isinstance(v, list | dict)
            )
    return found


def _fixed(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _lone_surrogate_error(text: str, value: Any) -> JSONUnreadable | None:
    """The error for a lone surrogate escape in `text`, if `value` (its parse) really holds one."""
    if not holds_surrogate(value):
        return None
    for m in _PAIR_OR_LONE.finditer(text):
        if m.group(1):
            return JSONUnreadable(f"{m.group(1)} is half of a UTF-16 pair, not a character", text, m.start())
    return JSONUnreadable("half of a UTF-16 pair, not a character", text, 0)  # pragma: no cover


def _clip(text: str, width: int = 24) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Raise `JSONTooDeep` if `text` nests deeper than `limit`."""
    err = nesting_error(text, limit)
    if err is not None:
        raise err


def loads(
    text: str, *, limit: int = MAX_DEPTH, parse: Callable[[str], Any] = json.loads, finite: bool = True
) -> Any:
    """`parse(text)` (default `json.loads`) after the depth check; every failure is a `json.JSONDecodeError`
    (or subclass) with the position of the problem: never `RecursionError` or a bare `ValueError`.

    `finite` (the default): NaN, Infinity, overflowing floats and over-long integers are refused too
    (`number_error`); a file the user gave is sent on, and the API takes only JSON's own numbers."""
    check_depth(text, limit)
    if finite:
        err = number_error(text)
        if err is not None:
            raise err
    try:
        value = parse(text)
        if finite and has_surrogate_escape(text):
            err = _lone_surrogate_error(text, value)
            if err is not None:
                raise err
        return value
    except JSONUnreadable:
        raise
    except json.JSONDecodeError as exc:
        if exc.msg == "Invalid control character at" and exc.pos < len(exc.doc):  # Python's words, unfinished
            code = ord(exc.doc[exc.pos])
            raise json.JSONDecodeError(
                f"control character U+{code:04X} inside a string (write it as \\u{code:04x})",
                exc.doc,
                exc.pos,
            ) from None
        raise
    except RecursionError:  # pragma: no cover - the depth check comes first; kept as the last line of defence
        raise JSONTooDeep(text, 0, limit) from None
    except ValueError as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise JSONUnreadable(str(exc).split(";")[0], text, 0) from None

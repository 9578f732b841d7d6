"""What every scripting verb shares: its `Output`, the one-line stderr voice, and reading an input file."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from camtui.cli.support import UsageProblem
from camtui.common.paths import expand_user


@dataclass(frozen=True, slots=True)
class Output:
    """What a verb prints: `text` for people, `data` for `--json`."""

    text: str | None
    data: Any
    code: int = 0
    """The exit code when the verb ran to the end (`users diff`: 2 when the file has problems)."""


def err(text: str) -> None:
    print(f"camtui: {text}", file=sys.stderr)


def error_json(exc: Any) -> dict[str, Any]:
    return {
        "kind": "api",
        "code": exc.code,
        "meaning": exc.meaning,
        "message": exc.message,
        "httpStatus": exc.http_status,
        "index": exc.index,
        "line": exc.line,
    }


def read_input(path_text: str) -> bytes:
    if path_text == "-":
        return sys.stdin.buffer.read()
    path = expand_user(path_text)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UsageProblem(f"{path_text}: no such file") from None
    except IsADirectoryError:
        raise UsageProblem(f"{path_text}: is a directory") from None
    except OSError as exc:
        raise UsageProblem(f"{path_text}: cannot read: {exc.strerror or exc}") from None
    except ValueError:  # a NUL byte in the name
        raise UsageProblem(f"{path_text!r}: not a file name") from None

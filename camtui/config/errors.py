"""The one error type of the configuration: a problem as one line naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path


class ConfigError(Exception):
    """A configuration problem, as one line: `file:line: [section] key: what is wrong`."""

    def __init__(
        self, problem: str, *, path: Path | str | None = None, line: int | None = None, key: str | None = None
    ) -> None:
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.line = line
        self.key = key
        where = ""
        if self.path is not None:
            where = self.path + (f":{line}" if line is not None else "")
        parts = [p for p in (where, key) if p]
        super().__init__(": ".join([*parts, problem]))

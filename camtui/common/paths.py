"""Paths the user typed, with `~` expanded where it can be.

`Path("~nosuchuser/x").expanduser()` raises `RuntimeError` ("Could not determine home directory"), and so does
`~/x` when HOME is unset and the user has no passwd entry (a container). Such a path is kept as typed: the
read or write that follows then fails with the ordinary "no such file" line naming it, never a traceback.
"""

from __future__ import annotations

from pathlib import Path


def expand_user(path: str | Path) -> Path:
    """`Path(path).expanduser()`, or `Path(path)` unchanged when the home directory cannot be determined."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        return Path(path)

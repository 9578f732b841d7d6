"""Edit the message in the user's own editor ($VISUAL / $EDITOR), with the app suspended meanwhile.

The text goes through a temporary UTF-8 file written and read with `newline=""`, so line breaks come back
exactly as the editor saved them. Editors append a final newline on save; if the text we handed over did not
end with one, that single added newline is dropped again.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported


class EditorError(Exception):
    """The editor could not be started or failed; the message in the composer is unchanged."""


def editor_command(environ: dict[str, str] | None = None) -> list[str]:
    """$VISUAL, then $EDITOR, then `vi`; the value may carry arguments (`code --wait`)."""
    env = os.environ if environ is None else environ
    raw = env.get("VISUAL") or env.get("EDITOR") or "vi"
    try:
        parts = shlex.split(raw)
    except ValueError as exc:
        raise EditorError(f"cannot parse $EDITOR {raw!r}: {exc}") from exc
    if not parts:
        raise EditorError("$EDITOR is empty")
    return parts


def restore_trailing_newline(original: str, edited: str) -> str:
    """Drop the one final newline an editor adds on save, unless the original text had it."""
    if not original.endswith("\n"):
        if edited.endswith("\r\n"):
            return edited[:-2]
        if edited.endswith("\n"):
            return edited[:-1]
    return edited


def run_editor(text: str, command: list[str]) -> str:
    """Run `command FILE` on a temporary file holding `text`; returns the saved text."""
    fd, name = tempfile.mkstemp(prefix="camtui-message-", suffix=".txt")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        try:
            result = subprocess.run([*command, str(path)], check=False)
        except OSError as exc:
            raise EditorError(f"cannot start editor {command[0]!r}: {exc.strerror or exc}") from exc
        if result.returncode != 0:
            raise EditorError(
                f"editor {command[0]!r} exited with status {result.returncode}; message unchanged"
            )
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                edited = fh.read()
        except UnicodeDecodeError as exc:
            raise EditorError(
                "the editor saved the file in an encoding other than UTF-8; message unchanged"
            ) from exc
        return restore_trailing_newline(text, edited)
    finally:
        path.unlink(missing_ok=True)


def edit_in_editor(app: App[object], text: str, environ: dict[str, str] | None = None) -> str:
    """Suspend `app`, run the editor, resume; returns the edited text (raises EditorError)."""
    command = editor_command(environ)
    try:
        with app.suspend():
            return run_editor(text, command)
    except SuspendNotSupported:
        if not app.is_headless:
            raise EditorError("this terminal cannot hand the screen to an editor") from None
    # Headless (tests, scripted runs): there is no screen to hand over, the editor runs as is.
    return run_editor(text, command)

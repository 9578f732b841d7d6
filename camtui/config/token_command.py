"""The `[server] api_token_command`: a password manager prints the token, camtui never stores or logs it."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from camtui.config.errors import ConfigError

TOKEN_COMMAND_TIMEOUT = 30.0
"""Seconds a password manager gets to print the token (it may ask for a passphrase)."""


def run_token_command(command: str, *, path: Path | None = None) -> str:
    """Run the password-manager command (no shell) and return the first line it prints; never logged."""
    key = "[server] api_token_command"
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"cannot parse the command: {exc}", path=path, key=key) from None
    if not argv:
        raise ConfigError("the command is empty", path=path, key=key)
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=TOKEN_COMMAND_TIMEOUT, check=False
        )
    except FileNotFoundError:
        raise ConfigError(f"command not found: {argv[0]}", path=path, key=key) from None
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"the command did not finish within {TOKEN_COMMAND_TIMEOUT:.0f} s", path=path, key=key
        ) from None
    if done.returncode != 0:
        # stderr only: stdout might hold (part of) the secret.
        last = (done.stderr or "").strip().splitlines()
        detail = f": {last[-1]}" if last else ""
        raise ConfigError(f"the command failed with exit code {done.returncode}{detail}", path=path, key=key)
    output = done.stdout
    lines = (output or "").strip().splitlines()
    if not lines or not lines[0].strip():
        raise ConfigError("the command printed no token", path=path, key=key)
    return lines[0].strip()

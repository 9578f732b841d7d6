"""`camtui init` (write a first config after checking it works) and `camtui config` (what is in effect, and why).

`init` writes a header with a checksum of what it wrote: a file whose content no longer matches was edited by
hand, and is never overwritten without `--force`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

HEADER_PREFIX = "# written by `camtui init`; sha256="
"""First line of a file `camtui init` wrote; the digest covers everything after that line."""


def register(subparsers: Any) -> None:
    init = subparsers.add_parser(
        "init",
        help="write a config file (asks for server URL and API token, checks them first)",
        description="Ask for the server URL and API token, check them with getConferenceMaster, and write the "
        "config file (mode 0600). A file you edited by hand is never overwritten without --force.",
    )
    add_config_option(init)
    init.add_argument("--url", help="server URL (asked when omitted)")
    init.add_argument(
        "--token-command",
        metavar="CMD",
        help="store a password-manager command that prints the token instead of the token itself",
    )
    init.add_argument("--no-check", action="store_true", help="write without trying the server first")
    init.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="give up the check after this long (10)",
    )
    init.add_argument("--force", action="store_true", help="overwrite a config file edited by hand")
    init.set_defaults(func=run_init)

    config = subparsers.add_parser(
        "config",
        help="show the effective configuration and where each value came from",
        description="Print every setting, its value (token masked) and its source: file, env or default.",
    )
    add_config_option(config)
    config.add_argument("--path", action="store_true", help="print only the config file path")
    config.set_defaults(func=run_config)


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """Accept `--config` after the subcommand too, without clobbering one given before it."""
    parser.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="config file to use")


# ----- camtui config -------------------------------------------------------------------------------------------


def run_config(
    args: argparse.Namespace, *, out: TextIO | None = None, env: dict[str, str] | None = None
) -> int:
    from camtui.config import FIELD_KEYS, ConfigError, load_settings, resolve_config_path

    out = out or sys.stdout
    path, _explicit = resolve_config_path(getattr(args, "config", None), env)
    if args.path:
        print(path, file=out)
        return 0
    try:
        settings = load_settings(getattr(args, "config", None), env=env, resolve_token=False)
    except ConfigError as exc:
        print(f"camtui: config error: {exc}", file=sys.stderr)
        return 2
    state = "exists" if path.exists() else "not found: defaults and environment only"
    print(f"config file: {path} ({state})", file=out)
    rows: list[tuple[str, str, str]] = []
    for name, dotted in FIELD_KEYS.items():
        value = getattr(settings, name)
        source = settings.source_of(name)
        if name == "api_token":
            if value:
                shown = settings.masked_token
            elif settings.api_token_command:
                shown = "(from api_token_command; not run here)"
                source = settings.source_of("api_token_command")
            else:
                shown = "(not set)"
        elif isinstance(value, tuple):
            shown = ", ".join(value) if value else "(none)"
        elif value is None:
            shown = "(not set)"
        elif isinstance(value, bool):
            shown = "true" if value else "false"
        else:
            shown = str(value)
        rows.append((dotted, shown, source))
    width_key = max(len(r[0]) for r in rows)
    width_val = min(48, max(len(r[1]) for r in rows))
    print(f"{'key'.ljust(width_key)}  {'value'.ljust(width_val)}  source", file=out)
    for dotted, shown, source in rows:
        print(f"{dotted.ljust(width_key)}  {shown.ljust(width_val)}  {source}", file=out)
    if settings.source_of("api_token") == "file" and path.exists() and os.name == "posix":
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            print(
                f"\nwarning: {path} holds the API token and is readable by others (mode {mode:o}); "
                f"run: chmod 600 {path}",
                file=out,
            )
    if not settings.server_url or not (settings.api_token or settings.api_token_command):
        print("\nNot configured yet: run `camtui init`, or try `camtui demo` (no account needed).", file=out)
    return 0


# ----- camtui init ---------------------------------------------------------------------------------------------


def run_init(
    args: argparse.Namespace,
    *,
    ask: Any = None,
    ask_secret: Any = None,
    out: TextIO | None = None,
    env: dict[str, str] | None = None,
) -> int:
    """Interactive unless --url and a token (CAMTUI_API_TOKEN or --token-command) are given."""
    import getpass

    from camtui.config import (
        ConfigError,
        Settings,
        check_url,
        resolve_config_path,
        run_token_command,
        settings_to_toml,
    )

    out = out or sys.stdout
    ask = ask or (lambda prompt: input(prompt))
    ask_secret = ask_secret or getpass.getpass
    env = dict(os.environ) if env is None else env
    path, _explicit = resolve_config_path(getattr(args, "config", None), env)

    problem = clobber_problem(path)
    if problem and not args.force:
        print(f"camtui: {path} {problem}; not overwriting it (use --force, or edit it).", file=sys.stderr)
        return 2

    try:
        url = (args.url or ask("Server URL (e.g. https://cam.example.co.jp): ")).strip()
        url = check_url(url, path=None, line=None, key="server URL")
        token_command = args.token_command
        if token_command:
            token = run_token_command(token_command)
        else:
            token = env.get("CAMTUI_API_TOKEN") or ask_secret("API token (input hidden): ")
            token = token.strip()
        if not token:
            print("camtui: an API token is needed (admin screen → API token).", file=sys.stderr)
            return 2
    except ConfigError as exc:
        print(f"camtui: {exc}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\ncamtui: cancelled; nothing written.", file=sys.stderr)
        return 2

    if not args.no_check:
        code = _check_server(url, token, out, budget=args.timeout)
        if code:
            return code

    settings = Settings.defaults().with_changes(
        server_url=url,
        api_token=None if token_command else token,
        api_token_command=token_command,
    )
    write_config(path, settings_to_toml(settings))
    print(f"wrote {path} (mode 0600). Start the dashboard with `camtui`.", file=out)
    return 0


def _check_server(url: str, token: str, out: TextIO, *, budget: float = 10.0) -> int:
    import asyncio
    import warnings

    from camtui.api import CAMAPIError, CAMClient, CAMError, TransportError

    async def probe() -> int:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            client = CAMClient(url, token, timeout=min(10.0, budget), read_budget=budget)
        for w in caught:
            print(f"warning: {w.message}", file=sys.stderr)
        async with client:
            rooms = await client.get_conference_master()
        return len(rooms)

    try:
        count = asyncio.run(probe())
    except CAMAPIError as exc:
        print(f"camtui: the server refused: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"  {exc.hint}", file=sys.stderr)
        print("Nothing written. (Use --no-check to write anyway.)", file=sys.stderr)
        return 1
    except TransportError as exc:
        print(f"camtui: {exc}\nNothing written. (Use --no-check to write anyway.)", file=sys.stderr)
        return 3
    except (CAMError, ValueError) as exc:
        print(f"camtui: {exc}\nNothing written.", file=sys.stderr)
        return 1
    print(f"ok: {url} answered getConferenceMaster with {count} meeting rooms.", file=out)
    return 0


def clobber_problem(path: Path) -> str | None:
    """Why writing `path` would lose the user's work (None: it is absent, or exactly what init wrote)."""
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "exists and cannot be read"
    first, _, rest = text.partition("\n")
    if not first.startswith(HEADER_PREFIX):
        return "exists and was not written by camtui init"
    if first[len(HEADER_PREFIX) :].strip() != _digest(rest):
        return "was edited by hand"
    return None


def render_config(data: dict[str, dict[str, Any]]) -> str:
    import tomli_w

    body = tomli_w.dumps(data)
    note = (
        "# camtui configuration. Every key is documented in config.example.toml.\n"
        "# Edit freely: camtui never rewrites a file you changed (run-time state lives in its own store).\n\n"
    )
    rest = note + body
    return f"{HEADER_PREFIX}{_digest(rest)}\n{rest}"


def write_config(path: Path, data: dict[str, dict[str, Any]]) -> None:
    """Write atomically with mode 0600 (the file may hold the API token)."""
    text = render_config(data)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

"""`camtui init` (write a first config after checking it works) and `camtui config` (what is in effect, and why).

`init` writes a header with a checksum of what it wrote: a file whose content no longer matches was edited by
hand, and is never overwritten without `--force`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
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
    from camtui.config.settings import FIELD_KEYS, ConfigError, load_settings, resolve_config_path

    out = out or sys.stdout
    path, _explicit = resolve_config_path(getattr(args, "config", None), env)
    if args.path:
        print(path, file=out)
        return 0
    try:
        settings = load_settings(getattr(args, "config", None), env=env, resolve_token=False)
        from camtui.alerts.rules import load_rules

        rules = load_rules(settings)
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
    if rules:
        print(f"[[alerts]]: {len(rules)} rule(s), checked (camtui alerts check lists them)", file=out)
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


MAX_TRIES = 3
"""Typing the URL or the token: this many tries when a person answers at a terminal (piped input: one)."""

_HOST_PORT = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}(?:/\S*)?$"
)
"""`127.0.0.1:8080`, `cam.local:8080/`, `[::1]:8080`: a server named without its scheme."""
_HOST_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9\-]*\.)+[A-Za-z]{2,}(?:/\S*)?$")
"""`cam.example.co.jp`: a host name without scheme or port; suggested back with https://."""


def run_init(
    args: argparse.Namespace,
    *,
    ask: Any = None,
    ask_secret: Any = None,
    out: TextIO | None = None,
    env: dict[str, str] | None = None,
    interactive: bool | None = None,
) -> int:
    """Interactive unless --url and a token (CAMTUI_API_TOKEN or --token-command) are given.

    At a terminal (`interactive`, default: stdin is a TTY) a mistyped URL or a token the server refuses (805)
    is asked again, up to MAX_TRIES times; with piped input the first problem is one clear error."""
    from camtui.config.settings import (
        ConfigError,
        Settings,
        resolve_config_path,
        settings_to_toml,
    )
    from camtui.config.token_command import run_token_command

    out = out or sys.stdout
    interactive = sys.stdin.isatty() if interactive is None else interactive
    ask = ask or (lambda prompt: input(prompt))
    ask_secret = ask_secret or (_getpass if interactive else _read_secret_line)
    env = dict(os.environ) if env is None else env
    path, _explicit = resolve_config_path(getattr(args, "config", None), env)

    problem = clobber_problem(path)
    if problem and not args.force:
        print(f"camtui: {path} {problem}; not overwriting it (use --force, or edit it).", file=sys.stderr)
        return 2

    token_command = args.token_command
    typed_token = not token_command and not env.get("CAMTUI_API_TOKEN")
    try:
        url = _get_url(args.url, ask, out, tries=MAX_TRIES if interactive and not args.url else 1)
        if url is None:
            return 2
        token_tries = MAX_TRIES if interactive and typed_token else 1
        for attempt in range(1, token_tries + 1):
            if token_command:
                token = run_token_command(token_command)
            else:
                token = (env.get("CAMTUI_API_TOKEN") or ask_secret("API token (input hidden): ")).strip()
            if not token:
                print("camtui: an API token is needed (admin screen → API token).", file=sys.stderr)
                if attempt < token_tries:
                    continue
                return 2
            if args.no_check:
                break
            code, api_code = _check_server(url, token, out, budget=args.timeout, final=attempt == token_tries)
            if code == 0:
                break
            if api_code != "805" or attempt == token_tries:
                return code
            left = token_tries - attempt
            print(
                f"The server refused this token; type it again ({left} {'try' if left == 1 else 'tries'} "
                "left, Ctrl+C to stop).",
                file=sys.stderr,
            )
    except ConfigError as exc:
        print(f"camtui: {exc}", file=sys.stderr)
        return 2
    except (EOFError, KeyboardInterrupt):
        print("\ncamtui: cancelled; nothing written.", file=sys.stderr)
        return 2
    except UnicodeDecodeError:  # a piped URL or token that is not UTF-8 text
        print("camtui: the input is not UTF-8 text; nothing written.", file=sys.stderr)
        return 2

    settings = Settings.defaults().with_changes(
        server_url=url,
        api_token=None if token_command else token,
        api_token_command=token_command,
    )
    write_config(path, settings_to_toml(settings))
    print(f"wrote {path} (mode 0600). Start the dashboard with `camtui`.", file=out)
    return 0


def _get_url(given: str | None, ask: Any, out: TextIO, *, tries: int) -> str | None:
    """The server URL from --url or asked (`tries` times); None after the last refusal (already reported)."""
    from camtui.config.settings import ConfigError

    for attempt in range(1, tries + 1):
        text = given if given is not None else ask("Server URL (e.g. https://cam.example.co.jp): ")
        try:
            return normalize_url(text, out)
        except ConfigError as exc:
            message = f"camtui: {exc}"
            if _HOST_NAME.match(text.strip()):
                message += f" (did you mean https://{text.strip()} ?)"
            if attempt < tries:
                left = tries - attempt
                message += f"; try again ({left} {'try' if left == 1 else 'tries'} left)"
            print(message, file=sys.stderr)
    return None


def normalize_url(text: str, out: TextIO | None = None) -> str:
    """A checked server URL. `host:port` without a scheme is taken as plain http:// (the spec's on-premises
    servers listen on HTTP port 8080), with a note on `out`; anything else must say http:// or https://."""
    from camtui.config.settings import check_url

    value = text.strip()
    if _HOST_PORT.match(value):
        value = "http://" + value
        if out is not None:
            print(
                f"note: no scheme given: using {value.rstrip('/')} (plain HTTP; type https://… if the server "
                "uses TLS)",
                file=out,
            )
    return check_url(value, path=None, line=None, key="server URL")


def _getpass(prompt: str) -> str:
    import getpass

    return getpass.getpass(prompt)


def _read_secret_line(prompt: str) -> str:
    """The token from piped stdin (`printf 'URL\\nTOKEN\\n' | camtui init`): one line, nothing echoed; the
    prompt goes to stderr. (getpass would open /dev/tty and wait for a person.)"""
    print(prompt, file=sys.stderr)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def _check_server(
    url: str, token: str, out: TextIO, *, budget: float = 10.0, final: bool = True
) -> tuple[int, str | None]:
    """Try getConferenceMaster: (exit code, the API error code if the server refused). `final`: no retry
    follows, so say "Nothing written"."""
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
        if exc.hint and final:
            print(f"  {exc.hint}", file=sys.stderr)
        if final:
            print("Nothing written. (Use --no-check to write anyway.)", file=sys.stderr)
        return 1, exc.code
    except TransportError as exc:
        print(f"camtui: {exc}\nNothing written. (Use --no-check to write anyway.)", file=sys.stderr)
        return 3, None
    except (CAMError, ValueError) as exc:
        print(f"camtui: {exc}\nNothing written.", file=sys.stderr)
        return 1, None
    print(f"ok: {url} answered getConferenceMaster with {count} meeting rooms.", file=out)
    return 0, None


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

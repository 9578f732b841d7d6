"""`camtui web`: the dashboard in a browser; `web-session` (hidden) is what each browser tab runs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from camtui.common.paths import expand_user


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "web",
        help="serve the dashboard to a browser (one app process per tab)",
        description="Serve the dashboard on http://HOST:PORT/ for a browser. Loopback by default; off loopback "
        "a secret key (made once, kept 0600) is required. The API token stays in this machine's processes.",
    )
    add_web_arguments(parser)
    parser.set_defaults(func=run_web)
    session = subparsers.add_parser(SESSION_VERB_NAME, help=argparse.SUPPRESS)
    session.set_defaults(func=run_session)
    demo = subparsers.choices.get("demo")
    if demo is not None:  # `camtui demo --web`: the demo's options plus the web ones
        demo.add_argument(
            "--web", action="store_true", help="serve the demo to a browser instead (see `camtui web --help`)"
        )
        add_web_arguments(demo)
        terminal_demo = demo.get_default("func")
        demo.set_defaults(func=lambda args: run_demo_web(args) if args.web else terminal_demo(args))


SESSION_VERB_NAME = "web-session"


def add_web_arguments(parser: argparse.ArgumentParser, *, prefix: str = "") -> None:
    """The web options; `camtui demo --web` reuses them."""
    parser.add_argument(
        f"--{prefix}host",
        dest="web_host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1)",
    )
    parser.add_argument(
        f"--{prefix}port",
        dest="web_port",
        type=int,
        default=8080,
        help="port (default 8080; 0 = any free port)",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="wall display: no composer, no admin screen, every write refused",
    )
    parser.add_argument(
        "--kiosk",
        action="store_true",
        help="rooms grid and calls only, larger text on a large window (implies --read-only)",
    )
    parser.add_argument(
        "--secret-file",
        metavar="PATH",
        type=Path,
        help="the secret key's file (default: web-secret in camtui's data dir)",
    )
    parser.add_argument(
        "--max-sessions",
        type=_positive,
        default=None,
        metavar="N",
        help="browser tabs served at once (default: config web.max_sessions, else 8)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=None,
        metavar="S",
        help="close a tab's session after S seconds without input "
        "(default: config web.idle_timeout_seconds, else 1800; 0 = never)",
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def plan_from_args(args: argparse.Namespace, settings: Any = None, **extra: Any) -> Any:
    """The web plan: command-line options win, then the config's `[web]` keys, then the defaults."""
    from camtui.config.settings import Settings
    from camtui.web.run import WebPlan

    settings = settings if settings is not None else Settings.defaults()
    idle = args.idle_timeout if args.idle_timeout is not None else settings.web_idle_timeout_seconds

    return WebPlan(
        host=args.web_host,
        port=args.web_port,
        read_only=args.read_only or args.kiosk,
        kiosk=args.kiosk,
        secret_file=args.secret_file,
        max_sessions=args.max_sessions or settings.web_max_sessions,
        idle_timeout=max(0.0, idle),
        config_path=getattr(args, "config", None),
        **extra,
    )


def run_web(args: argparse.Namespace) -> int:
    from camtui.config.settings import ConfigError, load_settings
    from camtui.web.run import serve

    try:
        settings = load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        print(f"camtui: config error: {exc}", file=sys.stderr)
        return 2
    if not settings.is_configured:
        print(
            "camtui web: camtui is not configured (run `camtui init`, or try `camtui demo --web`)",
            file=sys.stderr,
        )
        return 2
    return serve(plan_from_args(args, settings))


ENV_DEMO = "CAMTUI_WEB_DEMO"


def run_session(args: argparse.Namespace) -> int:
    """One browser tab's app: the configured server (or the demo's, from the environment), maybe read-only."""
    from camtui.tui.launch import open_dashboard
    from camtui.web.run import ENV_KIOSK, ENV_READ_ONLY, ENV_STORE

    read_only = os.environ.get(ENV_READ_ONLY) == "1" or os.environ.get(ENV_KIOSK) == "1"
    store_path = os.environ.get(ENV_STORE) or None
    if os.environ.get(ENV_DEMO) == "1":
        return _run_demo_session(args, read_only=read_only, store_path=store_path)
    return open_dashboard(args, read_only=read_only, store_path=store_path)


def _run_demo_session(args: argparse.Namespace, *, read_only: bool, store_path: str | None) -> int:
    """A tab of `camtui demo --web`: the demo's sandbox (URL and admin token from the server's environment,
    never from the page), the demo's display settings, and the calls its simulation starts followed."""
    from camtui.cli.demo import demo_display_settings
    from camtui.config.settings import ENV_API_TOKEN, ENV_SERVER_URL
    from camtui.sandbox.child import DemoServer
    from camtui.tui.calls.demo_follow import follow_demo_calls
    from camtui.tui.launch import run_app

    sandbox = DemoServer(None, Path(os.devnull))
    sandbox.url = os.environ.get(ENV_SERVER_URL, "")
    sandbox.admin_token = os.environ.get(ENV_API_TOKEN, "")
    try:
        watch = tuple(str(call["sid"]) for call in sandbox.calls() if call.get("sid"))
    except Exception:  # the tab still opens; the pane shows what it can reach
        watch = ()
    settings = demo_display_settings(getattr(args, "config", None))
    settings = settings.with_changes(
        server_url=sandbox.url,
        api_token=sandbox.admin_token,
        watch_calls=tuple(dict.fromkeys((*settings.watch_calls, *watch))),
    )
    return run_app(
        settings,
        server_label="demo sandbox (web)",
        store_path=store_path,
        read_only=read_only,
        before_run=lambda app: follow_demo_calls(app, sandbox.calls, known=watch),
    )


def _demo_settings(args: argparse.Namespace) -> Any:
    """The config's `[web]` keys apply to the demo too; a broken config is the demo's own business (defaults)."""
    from camtui.config.settings import ConfigError, Settings, load_settings

    try:
        return load_settings(getattr(args, "config", None), resolve_token=False)
    except ConfigError:
        return Settings.defaults()


def run_demo_web(args: argparse.Namespace) -> int:
    """`camtui demo --web`: one demo sandbox for every tab, then the web server in the foreground."""
    import tempfile

    from camtui.config.settings import ENV_API_TOKEN, ENV_SERVER_URL
    from camtui.sandbox.child import DemoServer
    from camtui.web.run import ENV_STORE, serve

    with tempfile.TemporaryDirectory(prefix="camtui-demo-web-") as tmp:
        sandbox = DemoServer.spawn(args, Path(tmp))
        try:
            sandbox.wait_ready()
        except Exception as exc:
            sandbox.stop()
            print(f"camtui demo: the sandbox did not start: {exc}", file=sys.stderr)
            return 1
        store = expand_user(args.store) if getattr(args, "store", None) else Path(tmp) / "store.db"
        try:
            plan = plan_from_args(
                args,
                _demo_settings(args),
                title="camtui demo",
                extra_env={
                    ENV_SERVER_URL: sandbox.url,
                    ENV_API_TOKEN: sandbox.admin_token,
                    ENV_DEMO: "1",
                    ENV_STORE: str(store),
                },
            )
            print(f"demo sandbox: {sandbox.url}", flush=True)
            return serve(plan)
        finally:
            sandbox.stop()

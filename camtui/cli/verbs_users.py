"""The administrator's user verbs: `camtui users export` (diff and update: `camtui.cli.users_admin`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from camtui.cli.support import Connection, UsageProblem
from camtui.cli.verb_io import Output, err

if TYPE_CHECKING:
    from camtui.api import CAMClient


async def users_export(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    target = args.path
    if target != "-":
        path = Path(target).expanduser()
        if path.is_dir():
            raise UsageProblem(f"{target}: is a directory; give a file name")
        if not path.parent.exists():
            raise UsageProblem(f"{target}: folder {path.parent} does not exist")
    name = "exportUsers.csv" if target == "-" else Path(target).name
    export = await client.export_users(name)
    if target == "-":
        sys.stdout.write(export.csv_text)
        sys.stdout.flush()
        err(f"exported {len(export.users)} users")  # stdout holds only the CSV
        return Output(None, None)
    try:
        # With a BOM, as the server sends it: spreadsheet programs then read the Japanese correctly.
        Path(target).expanduser().write_text(export.csv_text, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise UsageProblem(f"{target}: cannot write: {exc.strerror or exc}") from None
    return Output(
        f"exported {len(export.users)} users to {target}", {"path": target, "users": len(export.users)}
    )

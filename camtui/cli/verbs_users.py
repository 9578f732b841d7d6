"""The administrator's user verbs: `camtui users export` (diff and update: `camtui.cli.users_admin`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from camtui.cli.support import Connection, UsageProblem
from camtui.cli.verb_io import Output, err
from camtui.common.paths import expand_user

if TYPE_CHECKING:
    from camtui.api import CAMClient


async def users_export(args: argparse.Namespace, client: CAMClient, conn: Connection) -> Output:
    target = args.path
    if target != "-":
        path = expand_user(target)
        if path.is_dir():
            raise UsageProblem(f"{target}: is a directory; give a file name")
        if not path.parent.exists():
            raise UsageProblem(f"{target}: folder {path.parent} does not exist")
    name = "exportUsers.csv" if target == "-" else Path(target).name
    raw = await client.export_users_csv(name)  # the bytes as sent, held once (100,000 people: ~10 MB)
    body = raw[3:] if raw.startswith(BOM) else raw
    count = _count_rows(raw)
    if target == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        err(f"exported {count} users")  # stdout holds only the CSV
        return Output(None, None)
    try:
        # With a BOM, as the server sends it: spreadsheet programs then read the Japanese correctly.
        with expand_user(target).open("wb") as out:
            out.write(BOM)
            out.write(body)
    except OSError as exc:
        raise UsageProblem(f"{target}: cannot write: {exc.strerror or exc}") from None
    return Output(f"exported {count} users to {target}", {"path": target, "users": count})


BOM = b"\xef\xbb\xbf"


def _count_rows(raw: bytes) -> int:
    """People in the CSV (rows after the header, quoted line breaks respected), read a row at a time."""
    import csv
    import io

    from camtui.api import MalformedResponse

    reader = csv.reader(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline=""))
    try:
        return max(0, sum(1 for row in reader if any(cell.strip() for cell in row)) - 1)
    except csv.Error as exc:  # a cell over csv's field limit (128 KB): no users CSV camtui could read back
        raise MalformedResponse(
            f"the users CSV cannot be read (line {reader.line_num}: {exc}); nothing written",
            method="exportUsers",
        ) from None

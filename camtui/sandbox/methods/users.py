"""User API (admin token): exportUsers and updateUsersCSV."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from camtui.sandbox.errors import bad_request
from camtui.sandbox.methods.context import Ctx
from camtui.sandbox.users_csv import export_csv, import_csv


def export_users(ctx: Ctx) -> Response:
    path = ctx.fields.get("path") or "exportUsers.csv"
    return export_csv(ctx.conn, path)


def update_users_csv(ctx: Ctx) -> dict[str, Any]:
    upload = ctx.fields.files.get("file")
    if upload is not None:
        data = upload.data
    elif ctx.fields.get("file") is not None:
        data = (ctx.fields.get("file") or "").encode("utf-8")
    else:
        raise bad_request("file (CSV) がありません", field="file")
    created, updated = import_csv(ctx.conn, data)
    return {"created": created, "updated": updated}

"""What every method handler gets (`Ctx`), the table row type (`Method`) and the plain-field readers."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from camtui.sandbox.body import Fields
from camtui.sandbox.errors import bad_request
from camtui.sandbox.schemas import Schema
from camtui.sandbox.state import SandboxState

MAX_ERRORS = 50
MAX_TITLE = 256


@dataclass(slots=True)
class Ctx:
    state: SandboxState
    fields: Fields
    server_url: Callable[[], str]
    """The server URL as the client reached it (scheme://host:port, no trailing slash); computed on demand
    because only createQuickCall needs it and building it costs a noticeable share of a small request."""

    @property
    def conn(self) -> sqlite3.Connection:
        return self.state.conn

    @property
    def base_url(self) -> str:
        return self.server_url()


Handler = Callable[[Ctx], "dict[str, Any] | Response"]


@dataclass(frozen=True, slots=True)
class Arg:
    """One request field as the OpenAPI document describes it (the handler is what enforces it)."""

    name: str
    schema: Schema
    required: bool = False


@dataclass(frozen=True, slots=True)
class Method:
    """One row of the method table: how the sandbox runs the method and how `/_sandbox/openapi.json` shows it."""

    handler: Handler
    admin: bool = False
    """Needs the admin token (800 with the user token)."""
    writes: bool = False
    """Changes something (sends, creates, updates): never run for a HEAD request, which must be safe."""
    group: str = ""
    """The spec's section (Message API, Call API, …)."""
    summary: str = ""
    args: tuple[Arg, ...] = ()
    answer: Schema | None = None
    """The success body's fields besides `status`; None: the answer is a CSV file (exportUsers)."""
    codes: tuple[str, ...] = ()
    """Error codes of this method besides those every method can answer (400, 490, 491, 503, 805; 800)."""
    upload: bool = False
    """The body is multipart/form-data (a file upload) rather than form-urlencoded."""


def text_field(ctx: Ctx, name: str, *, required: bool, limit: int = 10_000) -> str:
    value = ctx.fields.get(name)
    if value is None or (required and not value.strip()):
        if required:
            raise bad_request(f"{name} がありません", field=name)
        return ""
    if len(value) > limit:
        raise bad_request(f"{name} が長すぎます (最大 {limit} 文字)", field=name)
    return value

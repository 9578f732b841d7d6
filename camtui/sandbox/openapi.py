"""The OpenAPI 3.1 document of the API, built from the method table (`methods/table.py`) and the code table
(`camtui/api/codes.py`): served at `/_sandbox/openapi.json`, fuzzed by the contract test against the sandbox.
"""

from __future__ import annotations

from typing import Any

from camtui import __version__
from camtui.api import codes
from camtui.sandbox import schemas as s
from camtui.sandbox.methods import METHODS, Method

COMMON_CODES = ("400", "490", "491", "503", "805")
"""Every method can answer these: bad arguments, lock-out, rate limit, a fault plan's 503 or 491, bad token."""

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def error_codes(method: Method) -> tuple[str, ...]:
    """The codes `method` can answer in a 520 envelope, in the code table's order."""
    wanted = set(COMMON_CODES) | set(method.codes) | ({"800"} if method.admin else set())
    return tuple(code for code in codes.ERROR_CODES if code in wanted)


def _request_body(method: Method) -> dict[str, Any]:
    properties = {arg.name: arg.schema for arg in method.args}
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    required = [arg.name for arg in method.args if arg.required]
    if required:
        schema["required"] = required
    media: dict[str, Any] = {"schema": schema}
    if method.upload:
        media["encoding"] = {arg.name: {"contentType": "text/csv"} for arg in method.args}
    return {"required": bool(required), "content": {MULTIPART if method.upload else FORM: media}}


def _responses(name: str, method: Method) -> dict[str, Any]:
    envelope = s.envelope(error_codes(method))
    if method.answer is None:
        content = {
            "text/csv": {"schema": {"type": "string", "description": "UTF-8 with BOM, header row first"}},
            "application/json": {"schema": envelope},
        }
    else:
        answer = s.success(method.answer)
        content = {"application/json": {"schema": {"oneOf": [answer, envelope]}}}
    retry_after = {"Retry-After": {"schema": {"type": "string"}, "description": "seconds (491, 503)"}}
    return {
        "200": {
            "description": f"{name}'s answer, or the spec's error envelope (`status` 520) with HTTP 200",
            "headers": retry_after,
            "content": content,
        },
        "503": {
            "description": "Service unavailable (the fault plan's `error_503`): the envelope, code 503",
            "headers": retry_after,
            "content": {"application/json": {"schema": s.envelope(("503",))}},
        },
        "500": {
            "description": "An unexpected server error (a sandbox bug: the contract test fails on it)",
            "content": {"application/json": {"schema": s.envelope(("500",))}},
        },
    }


def _operation(name: str, method: Method) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": name,
        "tags": [method.group],
        "summary": method.summary,
        "description": (
            ("Admin token only (800 with the user token). " if method.admin else "")
            + "Error codes: "
            + ", ".join(f"{c} {codes.lookup(c).meaning}" for c in error_codes(method))
            + "."
        ),
        "security": [{"apiToken": []}],
        "responses": _responses(name, method),
    }
    if method.args:
        operation["requestBody"] = _request_body(method)
    return operation


def document(server_url: str | None = None) -> dict[str, Any]:
    """The whole document; `server_url` (as the client reached the sandbox) becomes its only server."""
    groups = list(dict.fromkeys(m.group for m in METHODS.values()))
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Chat&Messenger API (camtui sandbox)",
            "version": __version__,
            "description": "Every method is `POST /{method}` with the `x-cam-apiToken` header. Errors are HTTP "
            "200 with `{status: 520, errors: [{code, message}]}`; codes: "
            + ", ".join(f"{c.code} {c.meaning}" for c in codes.ERROR_CODES.values())
            + ".",
        },
        "tags": [{"name": group} for group in groups],
        "paths": {f"/{name}": {"post": _operation(name, method)} for name, method in METHODS.items()},
        "components": {
            "securitySchemes": {"apiToken": {"type": "apiKey", "in": "header", "name": "x-cam-apiToken"}},
            "schemas": dict(s.COMPONENTS),
        },
    }
    if server_url:
        doc["servers"] = [{"url": server_url}]
    return doc

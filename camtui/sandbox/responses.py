"""JSON responses in the spec's style (UTF-8, not ASCII-escaped) and the token comparison both routers use."""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any

from starlette.responses import Response

from camtui.sandbox.errors import ApiError


def json_response(data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed back: escaped JSON is still valid JSON
        payload = json.dumps(data, separators=(",", ":")).encode("ascii")
    return Response(payload, status_code=status, headers=headers, media_type="application/json")


SHARED = f"\x00shared-{secrets.token_hex(8)}\x00"
"""Stands in for a value that appears more than once in an answer (a per-process nonce: no text can match it)."""


def encode_sharing(data: dict[str, Any], shared: Any) -> bytes:
    """`json_response(data)`'s body where each `SHARED` in `data` stands for `shared`, which is encoded only
    once: getConferenceRoomStatus answers its rooms twice (inside conferenceRoomStatus and the top-level copy)."""
    try:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        value = json.dumps(shared, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # as in json_response: escaped JSON is still valid JSON
        body = json.dumps(data, separators=(",", ":")).encode("ascii")
        value = json.dumps(shared, separators=(",", ":")).encode("ascii")
    return body.replace(json.dumps(SHARED).encode("ascii"), value)


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), status=error.http_status, headers=error.headers or None)


def token_matches(given: str, expected: str) -> bool:
    """Constant-time comparison (header values arrive as Latin-1 text, so any value encodes)."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )

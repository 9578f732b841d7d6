"""JSON responses in the spec's style (UTF-8, not ASCII-escaped) and the token comparison both routers use."""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.responses import Response

from camtui.sandbox.errors import ApiError


def json_response(data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed back: escaped JSON is still valid JSON
        payload = json.dumps(data, separators=(",", ":")).encode("ascii")
    return Response(payload, status_code=status, headers=headers, media_type="application/json")


def error_response(error: ApiError) -> Response:
    return json_response(error.body(), status=error.http_status, headers=error.headers or None)


def token_matches(given: str, expected: str) -> bool:
    """Constant-time comparison (header values arrive as Latin-1 text, so any value encodes)."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )

"""What an HTTP answer means: the decoded body of a success, or the typed error it describes.

Shared by both request paths (httpx's and the read pool's): status, content type, the 520-style envelope
`{"status": …, "errors": […]}`, HTTP errors with the vendor's codes, and bodies that are not what the method
answers (`MalformedResponse`, never a traceback: deeply nested JSON included). The token is redacted from every
text that may reach a message."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from camtui.api import codes, wire
from camtui.api.errors import CAMAPIError, MalformedResponse
from camtui.api.limits import decode_capped
from camtui.api.retry import parse_retry_after
from camtui.common import safe_json


@dataclass(slots=True)
class Answer:
    """What `interpret` needs of an HTTP answer, from either request path."""

    status_code: int
    content: bytes
    content_type: str
    retry_after: str | None
    reason_phrase: str


def direct_answer(response: Any, cap: int) -> Answer:
    """An `Answer` from the read pool's raw response (`http1`): its headers read, a gzip/deflate body decoded,
    never past `cap` (AnswerTooLarge); a body that does not decode is a protocol error, as in httpx."""
    content_type = ""
    retry_after = None
    encoding = None
    for key, value in response.headers:
        low = key.lower()
        if low == b"content-type":
            content_type = value.decode("latin-1")
        elif low == b"retry-after":
            retry_after = value.decode("latin-1")
        elif low == b"content-encoding":
            encoding = value
    raw = response.body
    if encoding is not None and encoding.strip().lower() not in (b"", b"identity"):
        try:
            raw = decode_capped(raw, encoding, cap)  # gzip/deflate, never expanded past the cap
        except (ValueError, zlib.error) as exc:
            raise httpx.RemoteProtocolError(f"the answer could not be decoded ({exc})") from None
    reason = response.reason
    return Answer(
        response.status,
        raw,
        content_type,
        retry_after,
        reason.decode("ascii", errors="ignore") if reason else httpx.codes.get_reason_phrase(response.status),
    )


def answer_of(response: httpx.Response) -> Answer:
    return Answer(
        response.status_code,
        response.content,
        response.headers.get("content-type", ""),
        response.headers.get("retry-after"),
        response.reason_phrase,
    )


def interpret(
    method: str,
    csv: bool,
    response: Answer | httpx.Response,
    redact: Callable[[str], str],
    raw_csv: bool = False,
) -> Any:
    """The decoded body of a successful answer, or the `CAMAPIError` the answer describes."""
    if isinstance(response, httpx.Response):
        response = answer_of(response)
    status = response.status_code
    raw = response.content
    content_type = response.content_type
    if (
        csv
        and status == 200
        and "json" not in content_type
        and not raw[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")
    ):
        return raw if raw_csv else raw.decode("utf-8", errors="replace")  # `raw_csv`: no second copy
    text = raw.decode("utf-8", errors="replace")
    retry_after = parse_retry_after(response.retry_after)
    try:
        body: Any = json.loads(text) if text.strip() else None
    except ValueError:
        body = None
    except RecursionError:  # 200,000 nested "[": a typed error, never a traceback
        raise MalformedResponse(
            "the server's answer is JSON nested too deeply to read", http_status=status, method=method
        ) from None
    if body is not None and safe_json.has_surrogate_escape(text):  # a lone "\ud800": U+FFFD, as bad UTF-8 is
        body = safe_json.replace_surrogates(body)
    if isinstance(body, dict) and (body.get("errors") or _status_of(body) not in (None, 200)):
        raise envelope_error(method, body, status, retry_after, redact)
    if status != 200:
        known = codes.ERROR_CODES.get(str(status))
        meaning = known.meaning if known else f"HTTP {status} {response.reason_phrase}".strip()
        raise CAMAPIError(
            str(status),
            redact(snippet(text)),
            http_status=status,
            meaning=meaning,
            method=method,
            retry_after=retry_after,
        )
    if isinstance(body, dict) and body.get("status") not in (None, "") and _status_of(body) is None:
        # `"status": NaN`, `"status": [1]`: not the vendor's success, and not an error it describes either
        raise MalformedResponse(
            redact(f"the server's answer has a status that is not a number: {snippet(text)!r}"),
            http_status=status,
            method=method,
        )
    if not isinstance(body, dict):
        what = (
            "empty"
            if not text.strip()
            else f"not a JSON object ({content_type or 'no type'}, {len(raw)} bytes"
        )
        what += "" if not text.strip() else f": {snippet(text)!r})"
        raise MalformedResponse(redact(f"the server's answer is {what}"), http_status=status, method=method)
    return body


def envelope_error(
    method: str,
    body: dict[str, Any],
    http_status: int,
    retry_after: float | None,
    redact: Callable[[str], str],
) -> CAMAPIError:
    """The `CAMAPIError` a 520-style envelope (`{"status": …, "errors": [{code, message, …}]}`) describes."""
    errors = body.get("errors")
    if isinstance(errors, dict):
        errors = [errors]
    entries = [
        {k: redact(v) if isinstance(v, str) else v for k, v in e.items()}
        for e in (errors if isinstance(errors, list) else [])
        if isinstance(e, dict)
    ]
    first = entries[0] if entries else {}
    code = str(first.get("code") or _status_of(body) or http_status).strip()

    return CAMAPIError(
        code,
        redact(str(first.get("message") or "")),
        http_status=http_status,
        method=method,
        index=_int_or_none(first.get("index")),
        line=_int_or_none(first.get("line")),
        field=str(first["field"]) if first.get("field") not in (None, "") else None,
        errors=entries,
        retry_after=retry_after,
    )


def _status_of(body: dict[str, Any]) -> int | None:
    return _int_or_none(body.get("status"))


def _int_or_none(value: Any) -> int | None:
    """An envelope number (int or numeric string), or None when absent or unreadable: error details are
    best effort, never a reason to lose the error itself."""
    try:
        return wire.as_int(value, None)
    except wire.MalformedBody:
        return None


def snippet(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""Transport failures in words: what to tell the user (never the token), and which failures prove a request
never left this machine (then even a write may be retried)."""

from __future__ import annotations

import httpx

from camtui.api.answers import snippet

NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Failures where the request certainly never left this machine: safe to retry even for writes."""
GATEWAY_STATUSES = (502, 504)
"""Gateway answers that say nothing about whether the upstream server processed the request."""


def describe_failure(exc: BaseException) -> str:
    """A short, token-free description of a transport failure."""
    name = type(exc).__name__
    detail = str(exc).strip()
    if isinstance(exc, TimeoutError) and not detail:
        detail = "time budget exhausted"
    if is_tls_failure(exc):
        return f"TLS certificate verification failed ({snippet(detail)}); set ca_bundle for a private CA"
    return f"{name}: {snippet(detail)}" if detail else name


def is_tls_failure(exc: BaseException) -> bool:
    return "CERTIFICATE_VERIFY_FAILED" in str(exc)


def short_text(err: BaseException) -> str:
    return snippet(str(err), 120)

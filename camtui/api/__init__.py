"""`camtui.api`: a typed async client for the Chat&Messenger API, usable from any Python script.

from camtui.api import CAMClient
async with CAMClient("https://cam.example.com", token) as client:
    stats = await client.get_call_stats(sid)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from camtui.api import models
from camtui.api.errors import CAMAPIError, CAMError, MalformedResponse, OutcomeUnknown, TransportError
from camtui.api.models import *  # noqa: F403  (the names in models.__all__)
from camtui.api.retry import RetryPolicy

__all__ = [
    "METHODS",
    "CAMAPIError",
    "CAMClient",
    "CAMError",
    "InsecureTokenWarning",
    "MalformedResponse",
    "OutcomeUnknown",
    "RetryPolicy",
    "TransportError",
]
__all__ += models.__all__

if TYPE_CHECKING:
    from camtui.api.client import METHODS, CAMClient, InsecureTokenWarning

_LAZY = frozenset({"METHODS", "CAMClient", "InsecureTokenWarning"})


def __getattr__(name: str) -> Any:
    """The client (and httpx under it) is imported on first use: the sandbox and the store use the models and
    codes of this package without paying ~0.15 s for an HTTP client they never use."""
    if name in _LAZY:
        from camtui.api import client

        return getattr(client, name)
    raise AttributeError(f"module 'camtui.api' has no attribute {name!r}")

"""`camtui.api`: a typed async client for the Chat&Messenger API, usable from any Python script.

from camtui.api import CAMClient
async with CAMClient("https://cam.example.com", token) as client:
    stats = await client.get_call_stats(sid)
"""

from __future__ import annotations

from camtui.api import models
from camtui.api.client import METHODS, CAMClient, InsecureTokenWarning
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

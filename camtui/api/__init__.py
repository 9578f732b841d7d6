"""`camtui.api`: a typed async client for the Chat&Messenger API, usable from any Python script.

from camtui.api import CAMClient
async with CAMClient("https://cam.example.com", token) as client:
    stats = await client.get_call_stats(sid)
"""

from __future__ import annotations

from camtui.api.client import METHODS, CAMClient, InsecureTokenWarning
from camtui.api.errors import CAMAPIError, CAMError, MalformedResponse, OutcomeUnknown, TransportError
from camtui.api.models import (
    MESSENGER,
    BatchItem,
    BatchSendResult,
    CallStats,
    ChatRoom,
    ConferenceRoom,
    QuickCall,
    Reservation,
    RoomStatus,
    SendResult,
    User,
    UsersExport,
    UsersUpdateResult,
)
from camtui.api.retry import RetryPolicy

__all__ = [
    "MESSENGER",
    "METHODS",
    "BatchItem",
    "BatchSendResult",
    "CAMAPIError",
    "CAMClient",
    "CAMError",
    "CallStats",
    "ChatRoom",
    "ConferenceRoom",
    "InsecureTokenWarning",
    "MalformedResponse",
    "OutcomeUnknown",
    "QuickCall",
    "Reservation",
    "RetryPolicy",
    "RoomStatus",
    "SendResult",
    "TransportError",
    "User",
    "UsersExport",
    "UsersUpdateResult",
]

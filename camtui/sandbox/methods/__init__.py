"""The spec's API methods, one function each, with the vendor's error semantics (README "API section").

A handler takes the request context and returns the success body (without `status`, which the dispatcher
adds) or a ready `Response` (exportUsers). It raises `ApiError` for anything the caller got wrong.
Modules by the spec's groups (messages, calls, users, chat_rooms, schedule); `table` is the one method table.
"""

from camtui.sandbox.methods.context import Ctx, Method
from camtui.sandbox.methods.table import METHODS

__all__ = ["METHODS", "Ctx", "Method"]

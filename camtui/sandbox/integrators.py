"""What the sandbox serves to integrators without a token: the JavaScript client and the OpenAPI document.

Neither holds anything secret, and a `<script src>` or a code generator cannot send the admin token, so these
two paths come before the token-guarded `/_sandbox/{name}` endpoints.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from camtui.sandbox import openapi
from camtui.sandbox.responses import json_response

CLIENT_JS = Path(__file__).with_name("static") / "cam-api-client.js"


@cache
def _client_js() -> bytes:
    return CLIENT_JS.read_bytes()


async def client_script(request: Request) -> Response:
    return Response(_client_js(), media_type="text/javascript")


async def openapi_document(request: Request) -> Response:
    return json_response(openapi.document(str(request.base_url).rstrip("/")))


ROUTES = [
    Route("/_sandbox/cam-api-client.js", client_script, methods=["GET", "HEAD"]),
    Route("/_sandbox/openapi.json", openapi_document, methods=["GET", "HEAD"]),
]

"""What the sandbox offers integrators: the JavaScript client and the OpenAPI document (no token), and CORS.

Neither file holds anything secret, and a `<script src>` or a code generator cannot send the admin token, so
these two paths come before the token-guarded `/_sandbox/{name}` endpoints. CORS lets a page on another origin
(an integrator's dev server) call the API with the `x-cam-apiToken` header: every call still needs the token,
and no cookies are involved, so allowing any origin gives a page nothing it could not do without a browser.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

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


def with_cors(app: ASGIApp) -> ASGIApp:
    """The outermost layer, so that fault-plan answers (503, garbage) reach a page's script too."""
    return CORSMiddleware(
        app,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["x-cam-apiToken", "content-type"],
        expose_headers=["Retry-After", "Content-Disposition"],
        max_age=600,
    )

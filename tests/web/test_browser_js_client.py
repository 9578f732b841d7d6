"""A JS integrator's page in a real browser: served from its own origin, it loads the sandbox's client with
`<script src>` and runs the spec's first sendMessage sample, text unchanged, across origins (CORS)."""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "chat-messenger-api.txt"


def first_send_message_sample() -> str:
    if not SPEC.exists():
        pytest.skip("the vendor's page is not next to this checkout")
    text = SPEC.read_text(encoding="utf-8")
    found = re.search(
        r"^let response = await getAPIClient\(\)\.sendMessage\(\n.*?^\t\);\n", text, re.M | re.S
    )
    assert found is not None
    return found.group(0)


@pytest.fixture
def page_origin(tmp_path: Path) -> Iterator[str]:
    """An integrator's dev server: static files from tmp_path on its own port (another origin)."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_sample_runs_in_a_page_on_another_origin(browser, sandbox, page_origin, tmp_path):
    config = {"apiToken": sandbox.user_token, "serverURL": sandbox.url}
    (tmp_path / "index.html").write_text(
        f"""<!doctype html><meta charset="utf-8"><title>integrator</title>
<script src="{sandbox.url}/_sandbox/cam-api-client.js"></script>
<script>
window.CAM_API_CONFIG = {json.dumps(config)};
window.runSample = async () => {{
{first_send_message_sample()}
return response;
}};
</script>""",
        encoding="utf-8",
    )
    page = browser.new_page()
    try:
        page.goto(f"{page_origin}/index.html")
        response = page.evaluate("runSample()")
    finally:
        page.close()
    assert response["status"] == 200 and "errors" not in response
    (delivered,) = sandbox.delivered_messages()
    assert (delivered["destination"], delivered["text"]) == ("messenger", "Hello!")
    assert delivered["recipients"] == ["user1@xxx.com", "user2@xxx.com"]

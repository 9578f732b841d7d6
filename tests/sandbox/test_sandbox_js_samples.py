"""Every JavaScript sample of the vendor's page, text unchanged, run by `node` against the sandbox.

The samples are cut out of `shared/spec/chat-messenger-api.txt` (every line that calls the API is in one; the
test checks that). Each runs with the client the sandbox serves (`/_sandbox/cam-api-client.js`, loaded as a
`<script src>` would); only the first sample's `apiToken` / `serverURL` placeholders are substituted, and the
`getAPIClient()` samples get them from CAM_API_TOKEN / CAM_SERVER_URL. The page's samples are bodies of an async
function (`await`, `return`), so the harness puts each inside one, and then prints `response` as JSON so the
test can read it; node prints objects fully (the depth a browser console unfolds by click).

Two samples are not valid JavaScript as printed: getCallStats passes the call id unquoted
(`8sQYFO2s…`, a number literal cannot start `8s`) and updateChatRoom's object misses the comma after
`"name":"秘密会議"`. The test proves node refuses each verbatim, then runs it with exactly that one repair.

The sandbox's clock is set to 2021-06-01, when the page was written: its createQuickCall sample asks for an
expiry of 1624368868714 (2021-06-22), which is in the past today; its getConferenceRoomStatus sample asks for
201908, within the sandbox's two years of reservations from then. The getCallStats sample's call id is made
to exist (a call row with that id), as the demo data has the updateChatRoom sample's room and people.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from camtui.sandbox.runner import FixedClock, RunningSandbox

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "chat-messenger-api.txt"
SAMPLE_START = re.compile(r"^let \w+ = ")
CODE_LINE = re.compile(r"^(\s|let |console\.|if \(|\}|\)|return\b)")
TOKEN_PLACEHOLDER = '"QIQVOSvRJHrQElDwj20x******"'
URL_PLACEHOLDER = '"https://*****************"'
SAMPLE_SID = "8sQYFO2sPYHb7xSsibpVCKaqrFmTpCureVqKvwKgSZJs"
REPAIRS = {  # the method a sample calls → (the text as printed, the one-character-class repair)
    "getCallStats": (f"\t{SAMPLE_SID}, ", f'\t"{SAMPLE_SID}", '),
    "updateChatRoom": ('"name":"秘密会議"\n', '"name":"秘密会議",\n'),
}
PAGE_DATE = datetime(2021, 6, 1, 0, 0, tzinfo=UTC)
MARK = "@@response "
HARNESS = """require(process.env.CAM_CLIENT_JS);
require("util").inspect.defaultOptions.depth = null;
(async () => {
%s
;console.log("\\n%s" + JSON.stringify(typeof response === "undefined" ? null : response));
})().catch((error) => { console.error(error); process.exit(1); });
"""


def spec_text() -> str:
    if not SPEC.exists():
        pytest.skip("the vendor's page is not next to this checkout")
    return SPEC.read_text(encoding="utf-8")


def js_samples(text: str) -> list[str]:
    """Each run of code lines that starts with `let x = ` (the page prints no other JavaScript)."""
    lines = text.splitlines()
    samples: list[str] = []
    i = 0
    while i < len(lines):
        if not SAMPLE_START.match(lines[i]):
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip() and CODE_LINE.match(lines[j]):
            j += 1
        samples.append("\n".join(lines[i:j]) + "\n")
        i = j
    return samples


def called_method(sample: str) -> str:
    return re.search(r"await (?:client|getAPIClient\(\))\.(\w+)\(", sample).group(1)


def samples_by_method() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for sample in js_samples(spec_text()):
        found.setdefault(called_method(sample), []).append(sample)
    return found


def test_every_javascript_line_of_the_page_is_in_a_sample():
    text = spec_text()
    samples = js_samples(text)
    covered = {line for sample in samples for line in sample.splitlines()}
    api_lines = [line for line in text.splitlines() if re.search(r"await |getAPIClient\(|CAMAPIClient", line)]
    assert api_lines and all(line in covered for line in api_lines)
    assert sorted(called_method(s) for s in samples) == sorted(
        ["getConferenceRooms", "sendMessage", "sendMessage", "createQuickCall", "getCallStats",
         "updateChatRoom", "getConferenceMaster", "getConferenceRoomStatus"]
    )  # fmt: skip


@pytest.fixture
def page_sandbox(sandbox_factory, tmp_path) -> RunningSandbox:
    db = tmp_path / "page.db"
    running = sandbox_factory(now=FixedClock(PAGE_DATE), db_path=db)
    with sqlite3.connect(db) as conn:  # the getCallStats sample's call, three people in it
        start = int(PAGE_DATE.timestamp() * 1000)
        conn.execute(
            "INSERT INTO calls VALUES (?, 'API連携デモ', '', '000000', ?, ?, 3, 8, 'api', 'live')",
            (SAMPLE_SID, start - 600_000, start + 3_600_000),
        )
    return running


def client_script(sandbox: RunningSandbox, tmp_path: Path) -> Path:
    reply = httpx.get(
        f"{sandbox.url}/_sandbox/cam-api-client.js", trust_env=False
    )  # no token: a <script src>
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/javascript")
    path = tmp_path / "cam-api-client.js"
    path.write_bytes(reply.content)
    return path


def node(script: str, tmp_path: Path, env: dict[str, str], *, check_only: bool = False):
    path = tmp_path / "sample.js"
    path.write_text(script, encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    args = ["node", "--check", str(path)] if check_only else ["node", str(path)]
    return subprocess.run(args, cwd=tmp_path, env={**base, **env}, capture_output=True, text=True, timeout=60)


def run_sample(sample: str, sandbox: RunningSandbox, tmp_path: Path, token: str) -> tuple[str, object]:
    script = HARNESS % (sample, MARK)
    env = {"CAM_CLIENT_JS": str(client_script(sandbox, tmp_path)), "CAM_API_TOKEN": token,
           "CAM_SERVER_URL": sandbox.url}  # fmt: skip
    done = node(script, tmp_path, env)
    assert done.returncode == 0, done.stderr
    if MARK not in done.stdout:  # the sample returned early (its `if (errors) { …; return; }`)
        return done.stdout, None
    printed, _, answer = done.stdout.rpartition(MARK)
    return printed, json.loads(answer)


def runnable(method: str, sample: str, tmp_path: Path) -> str:
    """The sample as printed, or (for the two the page misprints) the proof that node refuses it verbatim
    and the sample with its one repair."""
    if method not in REPAIRS:
        return sample
    printed, repaired = REPAIRS[method]
    assert sample.count(printed) == 1
    refused = node(HARNESS % (sample, MARK), tmp_path, {}, check_only=True)
    assert refused.returncode != 0 and "SyntaxError" in refused.stderr
    return sample.replace(printed, repaired)


@pytest.mark.parametrize("index", [0, 1])
def test_send_message_samples(page_sandbox, tmp_path, index):
    sample = samples_by_method()["sendMessage"][index]
    _, response = run_sample(sample, page_sandbox, tmp_path, page_sandbox.user_token)
    assert response["status"] == 200 and "errors" not in response
    (delivered,) = page_sandbox.delivered_messages()
    destination = ["messenger", "ルーム名"][index]
    assert (delivered["destination"], delivered["text"], delivered["seal"]) == (destination, "Hello!", False)
    assert delivered["recipients"] == ["user1@xxx.com", "user2@xxx.com"]
    assert delivered["id"] == response["messageId"]


def test_the_first_sample_with_config_gets_the_conference_rooms(page_sandbox, tmp_path):
    (sample,) = samples_by_method()["getConferenceRooms"]
    assert sample.count(TOKEN_PLACEHOLDER) == 1 and sample.count(URL_PLACEHOLDER) == 1
    sample = sample.replace(TOKEN_PLACEHOLDER, json.dumps(page_sandbox.user_token))
    sample = sample.replace(URL_PLACEHOLDER, json.dumps(page_sandbox.url))
    _, response = run_sample(sample, page_sandbox, tmp_path, "not-used-this-sample-makes-its-own-client")
    assert response["status"] == 200 and len(response["conferenceRooms"]) == 12
    assert page_sandbox.stats()["byMethod"]["getConferenceRooms"] == 1


def test_create_quick_call_sample(page_sandbox, tmp_path):
    (sample,) = samples_by_method()["createQuickCall"]
    _, response = run_sample(sample, page_sandbox, tmp_path, page_sandbox.user_token)
    assert response["status"] == 200 and response["url"].endswith(f"/share/{response['sid']}")
    call = next(c for c in page_sandbox.calls() if c["sid"] == response["sid"])
    assert call["expiredDate"] == 1624368868714
    joined = httpx.get(f"{response['url']}?userName=太郎&password=password!", trust_env=False)
    assert joined.status_code == 200  # the sample's password is the call's


def test_get_call_stats_sample(page_sandbox, tmp_path):
    (sample,) = samples_by_method()["getCallStats"]
    _, response = run_sample(runnable("getCallStats", sample, tmp_path), page_sandbox, tmp_path,
                             page_sandbox.user_token)  # fmt: skip
    assert response["status"] == 200 and response["roomName"] == SAMPLE_SID
    assert (response["participants"], response["inProgress"]) == (3, True)


def test_update_chat_room_sample_prints_the_room(page_sandbox, tmp_path):
    (sample,) = samples_by_method()["updateChatRoom"]
    printed, response = run_sample(runnable("updateChatRoom", sample, tmp_path), page_sandbox, tmp_path,
                                   page_sandbox.admin_token)  # fmt: skip
    room = response["chatRoom"]
    assert room["id"] == "1564831284702237059" and room["name"] == "秘密会議" and room["isPublic"] is False
    assert len(room["memberUids"]) == 5
    assert "1564831284702237059" in printed and "秘密会議" in printed and "errors" not in printed
    stored = next(r for r in page_sandbox.chat_rooms() if r["id"] == "1564831284702237059")
    assert stored["memberUids"] == room["memberUids"]


def test_update_chat_room_sample_with_the_user_token_prints_the_errors(page_sandbox, tmp_path):
    (sample,) = samples_by_method()["updateChatRoom"]
    printed, response = run_sample(runnable("updateChatRoom", sample, tmp_path), page_sandbox, tmp_path,
                                   page_sandbox.user_token)  # fmt: skip
    assert response is None  # the sample took its `return` after printing the errors
    assert "800" in printed and "この機能は管理者しか利用できません" in printed


def test_get_conference_master_sample_prints_the_rooms(page_sandbox, tmp_path):
    (sample,) = samples_by_method()["getConferenceMaster"]
    printed, response = run_sample(sample, page_sandbox, tmp_path, page_sandbox.user_token)
    names = [room["name"] for room in response["conferenceRooms"]]
    assert len(names) == 12 and all(name in printed for name in names)


def test_get_conference_room_status_sample_prints_the_reservations(page_sandbox, tmp_path):
    (sample,) = samples_by_method()["getConferenceRoomStatus"]
    printed, response = run_sample(sample, page_sandbox, tmp_path, page_sandbox.user_token)
    status = response["conferenceRoomStatus"]
    assert status["period"] == "201908"
    reservations = [r for room in status["conferenceRooms"] for r in room["reservedSchedules"]]
    assert len(reservations) > 100
    assert all(r["start"] < status["to"] and r["end"] > status["from"] for r in reservations)
    assert "reservedSchedules" in printed and "[Array]" not in printed
    assert all(r["title"] in printed and r["organizerEmail"] in printed for r in reservations[:20])

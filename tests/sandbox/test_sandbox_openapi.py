"""The OpenAPI 3.1 contract at `/_sandbox/openapi.json`, fuzzed by schemathesis against the live sandbox.

Schemathesis (as a library) generates valid and invalid requests for each of the ten operations from the served
document, with bounded examples: no answer is a server error, and every answer (status, content type, headers,
body) matches the document. Fuzzed requests are mostly refused, so real requests check the success branches too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jsonschema_rs
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from camtui.api import codes
from camtui.sandbox.methods import METHODS
from camtui.sandbox.openapi import document
from camtui.sandbox.runner import RunningSandbox, start_sandbox

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 60, GenerationMode.NEGATIVE: 40}
"""Per operation and mode: ten operations × 100 cases take ~12 s on this machine (bound: 40 s)."""


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[RunningSandbox]:
    running = start_sandbox(
        db_path=tmp_path_factory.mktemp("openapi") / "openapi.db",
        seed=7,
        rooms=12,
        users=300,
        simulation=False,
    )
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def served(live) -> dict[str, Any]:
    reply = httpx.get(f"{live.url}/_sandbox/openapi.json", trust_env=False)  # no token needed
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("application/json")
    return reply.json()


def test_the_document_is_the_method_table(served, live):
    assert served["openapi"] == "3.1.0" and served["servers"] == [{"url": live.url}]
    assert served == json.loads(json.dumps(document(live.url)))
    assert sorted(path[1:] for path in served["paths"]) == sorted(METHODS)
    for name, method in METHODS.items():
        operation = served["paths"][f"/{name}"]["post"]
        assert operation["operationId"] == name and operation["security"] == [{"apiToken": []}]
        envelope = operation["responses"]["200"]["content"]["application/json"]["schema"]
        envelope = envelope["oneOf"][1] if "oneOf" in envelope else envelope
        listed = envelope["properties"]["errors"]["items"]["allOf"][1]["properties"]["code"]["enum"]
        assert ("800" in listed) == method.admin and set(listed) <= set(codes.ERROR_CODES)
    every_code = served["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
    assert every_code == sorted(codes.ERROR_CODES)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_schemathesis_fuzzes_each_operation(live, served, name):
    schema = schemathesis.openapi.from_dict(served)  # the document as served
    operation = next(r.ok() for r in schema.get_all_operations() if r.ok().path == f"/{name}")
    session = requests.Session()
    session.trust_env = False  # never a proxy for loopback
    headers = {"x-cam-apiToken": live.admin_token}  # the admin token may call every method
    seen: set[int] = set()
    answered: set[str] = set()
    for mode, examples in EXAMPLES.items():

        @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=operation.as_strategy(generation_mode=mode))
        def fuzz(case) -> None:
            live.unlock()  # invalid cases may send bad tokens: keep the 490 lock-out from hiding the method
            response = case.call(base_url=live.url, session=session, headers=headers)
            seen.add(response.status_code)
            body = {} if response.content.startswith(b"\xef\xbb\xbf") else response.json()
            answered.update(e["code"] for e in body.get("errors", ()))
            answered.add(str(body.get("status", "csv")))
            case.validate_response(response, checks=CHECKS, headers=headers)

        fuzz()
    session.close()
    assert seen and 500 not in seen
    assert "520" in answered  # the refusals were answered as the envelope the document describes
    if not any(arg.required for arg in METHODS[name].args):
        assert ("csv" if METHODS[name].answer is None else "200") in answered  # and successes as answers
    assert live.stats()["byCode"].get("500", 0) == 0


def validator(served: dict[str, Any], name: str, branch: int) -> Any:
    """The success (0) or envelope (1) schema of `name`'s HTTP 200 JSON answer, refs resolvable."""
    schema = served["paths"][f"/{name}"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    schema = schema["oneOf"][branch] if "oneOf" in schema else schema
    return jsonschema_rs.Draft202012Validator({**schema, "components": served["components"]})


def test_real_answers_match_the_success_schemas(live, served):
    """Valid requests for every method: each answer is the document's success shape (not just any branch)."""
    expiry = int((datetime.now(UTC) + timedelta(hours=1)).timestamp() * 1000)
    message = {"panelName": "messenger", "message": "契約", "isOpened": True,
               "generalPurposes": {"users": "user1@xxx.com,user2@xxx.com"}}  # fmt: skip
    csv_text = "uid,email,name,romaji,department,position,admin\n,n.e@example.co.jp,新 一,Hajime Shin,総務部,一般,false\n"
    calls: list[tuple[str, dict[str, Any]]] = [
        ("sendMessage", {"data": {"message": json.dumps(message)}}),
        ("sendMessage", {"data": {"message": json.dumps({**message, "panelName": "ルーム名"})}}),
        ("sendMessages", {"data": {"messages": '[{"message":"a","property":{"users":"user1@test.com"}},'
                                               '{"send":"test","message":"b"}]'}}),
        ("createQuickCall", {"data": {"expiredDate": str(expiry), "title": "定例", "password": "pw"}}),
        ("updateUsersCSV", {"files": {"file": ("u.csv", csv_text.encode(), "text/csv")}}),
        ("updateChatRoom", {"data": {"chatRoom": json.dumps({"name": "新しい部屋", "memberUids": ["11u1pu9d32p8vuvjoZdd"]})}}),
        ("getConferenceMaster", {}),
        ("getConferenceRooms", {}),
        ("getConferenceRoomStatus", {}),
        ("getConferenceRoomStatus", {"data": {"yyyyMMdd": datetime.now(UTC).strftime("%Y%m")}}),
        ("getConferenceRoomStatus", {"data": {"yyyyMMdd": datetime.now(UTC).strftime("%Y%m%d")}}),
    ]  # fmt: skip
    with httpx.Client(
        base_url=live.url, trust_env=False, headers={"x-cam-apiToken": live.admin_token}
    ) as http:
        answers = [(name, http.post(f"/{name}", **kwargs)) for name, kwargs in calls]
        assert answers[3][1].json()["status"] == 200, answers[3][1].text
        sid = answers[3][1].json()["sid"]
        answers.append(("getCallStats", http.post("/getCallStats", data={"roomName": sid})))
        exported = http.post("/exportUsers", data={"path": "x.csv"})
        refused = [(name, http.post(f"/{name}", data={"chatRoom": "{"})) for name in ("updateChatRoom",)]
    for name, reply in answers:
        body = reply.json()
        errors = list(validator(served, name, 0).iter_errors(body))
        assert not errors, (name, body, [e.message for e in errors])
    assert {name for name, _ in answers} == set(METHODS) - {"exportUsers"}
    assert exported.headers["content-type"].startswith("text/csv") and exported.content.startswith(
        b"\xef\xbb\xbf"
    )
    for name, reply in refused:
        assert validator(served, name, 1).is_valid(reply.json()), reply.text

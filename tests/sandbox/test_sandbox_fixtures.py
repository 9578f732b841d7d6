"""The fixtures other engineers build on: a sandbox answers the read methods over real HTTP."""

from __future__ import annotations

import httpx


def test_sandbox_fixture_answers(sandbox):
    with httpx.Client(base_url=sandbox.url, trust_env=False) as client:
        reply = client.post("/getConferenceRooms", headers={"x-cam-apiToken": sandbox.user_token})
    assert reply.status_code == 200
    body = reply.json()
    assert body["status"] == 200
    assert len(body["conferenceRooms"]) == 12


def test_factory_gives_independent_sandboxes(sandbox_factory):
    a = sandbox_factory()
    b = sandbox_factory(rooms=3, admin_token="adm", user_token="usr")
    assert a.url != b.url
    with httpx.Client(trust_env=False) as client:
        reply = client.get(f"{b.url}/getConferenceMaster", headers={"x-cam-apiToken": "usr"})
    assert [r["id"] for r in reply.json()["conferenceRooms"]] == ["room-001", "room-002", "room-003"]

"""CORS: a page on another origin (an integrator's dev server) can call the sandbox with its token header."""

from __future__ import annotations

import httpx
import pytest

ORIGIN = "http://127.0.0.1:5173"


def test_the_preflight_allows_the_token_header(api):
    reply = api.http.options(
        "/sendMessage",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-cam-apitoken",
        },
    )
    assert reply.status_code == 200
    assert "x-cam-apitoken" in reply.headers["access-control-allow-headers"].lower()
    assert "POST" in reply.headers["access-control-allow-methods"]
    assert reply.headers["access-control-allow-origin"] == "*"


def test_answers_and_refusals_carry_the_allow_origin_header(api):
    ok = api.post("getConferenceRooms", headers={"Origin": ORIGIN})
    refused = api.post("getConferenceRooms", token="wrong", headers={"Origin": ORIGIN})
    assert ok.json()["status"] == 200 and ok.headers["access-control-allow-origin"] == "*"
    assert (
        refused.json()["errors"][0]["code"] == "805" and refused.headers["access-control-allow-origin"] == "*"
    )
    plain = api.post("getConferenceRooms")
    assert "access-control-allow-origin" not in plain.headers  # no Origin, no CORS headers: as before


def test_a_fault_plan_answer_reaches_a_page_too(sandbox, api):
    sandbox.set_faults({"error_503": 1.0, "methods": ["getConferenceRooms"], "times": 1})
    reply = api.post("getConferenceRooms", headers={"Origin": ORIGIN})
    assert reply.status_code == 503 and reply.headers["access-control-allow-origin"] == "*"
    assert reply.headers["access-control-expose-headers"].lower().count("retry-after") == 1


def test_a_reset_fault_is_still_a_reset_under_the_cors_layer(sandbox, api):
    sandbox.set_faults({"reset_before": 1.0, "methods": ["getConferenceRooms"], "times": 1})
    with pytest.raises(httpx.TransportError):
        api.post("getConferenceRooms", headers={"Origin": ORIGIN})
    assert sandbox.stats()["byCode"].get("500", 0) == 0

"""The fault plan: latency, 503, 491, resets before and after commit, garbage; `methods`, `times`, `seed`."""

from __future__ import annotations

import json

import httpx
import pytest

from camtui.sandbox.faults import FaultPlan, parse_spec

HELLO = {
    "message": json.dumps(
        {
            "panelName": "messenger",
            "message": "Hello",
            "isOpened": False,
            "generalPurposes": {"users": "user1@xxx.com"},
        }
    )
}


def test_reset_before_drops_the_connection_and_sends_nothing(api, sandbox):
    sandbox.set_faults({"reset_before": 1, "times": 1})
    with pytest.raises(httpx.TransportError):
        api.post("sendMessage", data=HELLO)
    assert sandbox.delivered_messages() == []
    assert api.ok("sendMessage", data=HELLO)["status"] == 200  # the plan is spent; the server is fine
    assert sandbox.stats()["faults"]["reset_before"] == 1


def test_reset_after_drops_the_connection_after_committing(api, sandbox):
    sandbox.set_faults({"reset_after": 1, "times": 1, "methods": ["sendMessage"]})
    with pytest.raises(httpx.TransportError):
        api.post("sendMessage", data=HELLO)
    [delivered] = sandbox.delivered_messages()  # the write happened although the client saw nothing
    assert delivered["text"] == "Hello"


def test_garbage_is_a_200_that_is_not_json(api, sandbox):
    sandbox.set_faults({"garbage": 1, "times": 1})
    reply = api.post("sendMessage", data=HELLO)
    assert reply.status_code == 200
    with pytest.raises(ValueError):
        reply.json()
    assert len(sandbox.delivered_messages()) == 1


def test_error_503_is_http_503_with_envelope_and_retry_after(api, sandbox):
    sandbox.set_faults({"error_503": 1})
    reply = api.post("getCallStats", data={"roomName": "x"})
    assert reply.status_code == 503
    assert reply.headers["retry-after"] == "1"
    assert reply.json() == {
        "status": 520,
        "errors": [{"code": "503", "message": "サービスが利用できません。"}],
    }
    sandbox.clear_faults()
    assert api.ok("getConferenceMaster")["status"] == 200


def test_error_491_fault(api, sandbox):
    sandbox.set_faults({"error_491": 1, "times": 2})
    assert api.error("getConferenceMaster", "491")
    assert api.post("getConferenceMaster").headers["retry-after"] == "1"
    assert api.ok("getConferenceMaster")["status"] == 200


def test_methods_limits_the_plan(api, sandbox):
    sandbox.set_faults({"error_503": 1, "methods": ["sendMessage"]})
    assert api.ok("getConferenceMaster")["status"] == 200
    assert api.post("sendMessage", data=HELLO).status_code == 503


def test_latency_delays_but_answers(api, sandbox):
    sandbox.set_faults({"latency_ms": 30, "times": 2})
    assert api.ok("getConferenceMaster")["status"] == 200
    assert sandbox.stats()["faults"]["latency"] == 1


def test_sandbox_endpoints_are_never_faulted(api, sandbox):
    sandbox.set_faults({"reset_before": 1, "error_503": 1})
    assert sandbox.stats()["faultPlan"]["reset_before"] == 1
    assert sandbox.delivered_messages() == []
    sandbox.clear_faults()
    assert sandbox.stats()["faultPlan"] == {}


def test_seeded_plans_repeat(sandbox_factory, make_api):
    outcomes = []
    for _ in range(2):
        sandbox = sandbox_factory(faults={"error_503": 0.5, "seed": 42})
        api = make_api(sandbox)
        outcomes.append([api.post("getConferenceMaster").status_code for _ in range(16)])
    assert outcomes[0] == outcomes[1]
    assert set(outcomes[0]) == {200, 503}


def test_plan_given_at_start(sandbox_factory, make_api):
    sandbox = sandbox_factory(faults={"error_503": 1, "times": 1})
    api = make_api(sandbox)
    assert api.post("getConferenceMaster").status_code == 503
    assert api.post("getConferenceMaster").status_code == 200


def test_serve_spec_syntax():
    plan = parse_spec(
        "error_503=0.1, latency_ms=200,methods=sendMessage+getCallStats|exportUsers,times=5,seed=3"
    )
    assert plan == {
        "error_503": 0.1,
        "latency_ms": 200.0,
        "methods": ["sendMessage", "getCallStats", "exportUsers"],
        "times": 5,
        "seed": 3,
    }
    assert parse_spec("") == {}


@pytest.mark.parametrize(
    "spec",
    ["nonsense", "error_503", "error_503=2", "error_503=-0.1", "latency_ms=abc", "times=x", "colour=red"],
)
def test_serve_spec_errors_are_clear(spec):
    with pytest.raises(ValueError):
        parse_spec(spec)


@pytest.mark.parametrize(
    "plan",
    [[], {"error_503": "0.5"}, {"error_503": True}, {"methods": [1]}, {"latency_ms": float("nan")}, {"x": 1}],
)
def test_bad_plans_are_refused(plan):
    with pytest.raises(ValueError):
        FaultPlan.from_mapping(plan)  # type: ignore[arg-type]


def test_times_counts_matching_requests_only():
    plan = FaultPlan.from_mapping({"error_503": 1, "times": 2, "methods": ["sendMessage"]})
    assert plan.decide("getCallStats").before is None
    assert [plan.decide("sendMessage").before for _ in range(3)] == ["503", "503", None]
    assert not plan.active

"""The HTTP API fuzzed from its own OpenAPI document with schemathesis, offline: the schema is
the app's own, requests go to the app in process (a real dev server, worker and SQLite archive
behind it), each with a valid token (mostly the office's), half of them aimed at a live case.
No answer is a 5xx, and every answer conforms to the schema: its status code, content type,
headers and body. Then the message fuzzing's broken payloads through the API: 409 or 422, the
case unchanged. REPAIRDESK_FUZZ_EXAMPLES scales how many requests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from temporalio.testing import WorkflowEnvironment

from tests.payloads import CASE_ACTIONS
from tests.strategies import EXAMPLES, invalid
from tests.web_harness import Stack, api_client, new_case, running_stack
from web.app import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
BASE = "http://repairdesk.test"


@pytest.fixture(scope="module")
async def stack(
    dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async for running in running_stack(dev_env, Path(tmp_path_factory.mktemp("fuzz-api"))):
        yield running


@pytest.fixture(scope="module")
def operations(stack: Stack) -> list[schemathesis.APIOperation]:
    app = create_app(stack.settings, client=stack.env.client)
    schema = schemathesis.openapi.from_dict(app.openapi())
    return [result.ok() for result in schema.get_all_operations()]


@pytest.fixture
async def http(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(stack) as client:
        yield client


@settings(
    max_examples=EXAMPLES * 4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_no_answer_is_a_server_error_and_every_answer_fits_the_schema(
    stack, operations, http, data
):
    operation = data.draw(st.sampled_from(operations))
    case = data.draw(operation.as_strategy())
    if case.path_parameters and data.draw(st.booleans()):
        live = await http.post("/api/cases", json=new_case(), headers=stack.headers("office"))
        for name in case.path_parameters:
            case.path_parameters[name] = live.json()["case_id"]
    who = data.draw(st.sampled_from(["office", "office", "technician", "manager", "call_centre"]))
    sent = case.as_transport_kwargs(base_url=BASE, headers=stack.headers(who))
    note(f"{sent['method']} {sent['url']} {str(sent.get('json'))[:500]}")
    answer = await http.request(
        sent["method"],
        sent["url"],
        params=sent.get("params"),
        headers=sent.get("headers"),
        json=sent.get("json"),
        content=sent.get("data"),
    )
    note(f"{answer.status_code} {answer.text[:500]}")
    event(f"{operation.label} as {who} -> {answer.status_code}")
    case.validate_response(answer, checks=CHECKS)


@pytest.fixture(scope="module")
def live_case_id() -> dict[str, str]:
    return {}


@pytest.mark.parametrize("name", sorted(CASE_ACTIONS))
@settings(
    max_examples=max(EXAMPLES // 4, 5),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_an_invalid_action_over_http_is_refused_and_changes_nothing(
    stack, http, live_case_id, name, data
):
    """The message fuzzing's broken payloads, through the API: 409 or 422, never a 5xx."""
    if not live_case_id:
        opened = await http.post("/api/cases", json=new_case(), headers=stack.headers("office"))
        live_case_id["id"] = case_id = opened.json()["case_id"]
        dispatch = {"technician_id": "T-3"}
        await http.post(f"/api/cases/{case_id}/dispatch", json=dispatch, headers=OFFICE(stack))
    case = f"/api/cases/{live_case_id['id']}"
    broken = data.draw(invalid(CASE_ACTIONS[name]))
    note(repr(broken)[:2000])
    who = "technician" if name in ("arrive", "repaired") else "office"
    before = (await http.get(case, headers=OFFICE(stack))).json()
    # As text: httpx refuses to encode a NaN or an infinity, which a careless client still sends
    body = json.dumps(broken.payload)
    headers = {**stack.headers(who), "Content-Type": "application/json"}
    answer = await http.post(f"{case}/{name}", content=body, headers=headers)
    payload = broken.payload if isinstance(broken.payload, dict) else {}
    for_another = who == "technician" and payload.get("technician_id", "T-3") != "T-3"
    assert answer.status_code in ((403,) if for_another else ()) + (409, 422), answer.text[:2000]
    assert answer.json()["error"]
    assert (await http.get(case, headers=OFFICE(stack))).json() == before


def OFFICE(stack: Stack) -> dict[str, str]:  # noqa: N802 - reads as the role it names
    return stack.headers("office")

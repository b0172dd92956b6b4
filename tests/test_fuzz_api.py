"""The HTTP API fuzzed from its own OpenAPI document with schemathesis, offline: the schema is
the app's own, requests go to the app in process (a real dev server, worker and SQLite archive
behind it), each with a valid token (mostly the office's), half of them aimed at a live case.
No answer is a 5xx, and every answer conforms to the schema: its status code, content type,
headers and body. REPAIRDESK_FUZZ_EXAMPLES sets how many requests (five per example)."""

from __future__ import annotations

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

from tests.strategies import EXAMPLES
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
    max_examples=EXAMPLES * 5,
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

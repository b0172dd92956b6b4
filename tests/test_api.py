"""The HTTP API against a real dev server, worker and SQLite archive: every status code of the
contract's table, each role's allowed and refused calls, idempotent retries, bad tokens."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.archive.db import archive
from activities.archive.tokens import Role, create_token, revoke_token
from tests.web_harness import EXPIRED, Stack, api_client, new_case, running_stack


@pytest.fixture(scope="module")
async def stack(
    dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async for running in running_stack(dev_env, Path(tmp_path_factory.mktemp("api"))):
        yield running


@pytest.fixture
async def http(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(stack) as client:
        yield client


async def opened(http: httpx.AsyncClient, stack: Stack, **extra: object) -> dict[str, object]:
    answer = await http.post("/api/cases", json=new_case(**extra), headers=stack.headers("office"))
    assert answer.status_code == 201, answer.text
    return answer.json()


async def act(
    http: httpx.AsyncClient, stack: Stack, who: str, case_id: object, action: str, **body: object
) -> httpx.Response:
    return await http.post(
        f"/api/cases/{case_id}/{action}",
        json=body,
        headers=stack.headers(who, body.pop("key", None)),  # type: ignore[arg-type]
    )


async def on_site(http: httpx.AsyncClient, stack: Stack) -> str:
    case_id = (await opened(http, stack))["case_id"]
    assert (await act(http, stack, "office", case_id, "dispatch", technician_id="T-3")).is_success
    assert (await act(http, stack, "technician", case_id, "arrive", technician_id="T-3")).is_success
    return str(case_id)


async def test_opening_answers_once_the_case_is_placed(http: httpx.AsyncClient, stack: Stack):
    state = await opened(http, stack)
    assert state["status"] == "awaiting_reply"
    assert state["coverage"] == "in_warranty" and state["deadlines"]["reply_due"]

    made = await http.post(
        "/api/cases",
        json={k: v for k, v in new_case().items() if k != "case_id"},
        headers=stack.headers("call_centre"),
    )
    assert made.status_code == 201, made.text
    assert made.json()["case_id"].startswith("C-")


async def test_opening_refusals(http: httpx.AsyncClient, stack: Stack):
    first = await opened(http, stack)
    again = await http.post(
        "/api/cases", json=new_case(first["case_id"]), headers=stack.headers("office")
    )
    assert again.status_code == 409
    assert f"case id {first['case_id']} already names a case" in again.json()["error"]

    invalid = await http.post(
        "/api/cases", json={"customer_id": "CUST-7", "qty": 1}, headers=stack.headers("office")
    )
    assert invalid.status_code == 422
    fields = {e["field"] for e in invalid.json()["errors"]}
    assert {"equipment_serial", "fault"} <= fields

    unknown = await http.post(
        "/api/cases", json=new_case(serial="SN-404"), headers=stack.headers("office")
    )
    assert unknown.status_code == 422, unknown.text
    assert "SN-404" in unknown.json()["error"]
    assert unknown.json()["state"]["status"] == "rejected"


async def test_read_and_unknown(http: httpx.AsyncClient, stack: Stack):
    case_id = (await opened(http, stack))["case_id"]
    got = await http.get(f"/api/cases/{case_id}", headers=stack.headers("manager"))
    assert got.status_code == 200 and got.json()["case_id"] == case_id
    missing = await http.get("/api/cases/C-NOPE", headers=stack.headers("manager"))
    assert missing.status_code == 404
    assert missing.json() == {"error": "no case C-NOPE", "errors": []}
    action = await act(http, stack, "office", "C-NOPE", "reply", by="Wang", message="hi")
    assert action.status_code == 404


async def test_a_case_no_worker_serves_is_a_504_that_says_so(
    http: httpx.AsyncClient, stack: Stack, monkeypatch: pytest.MonkeyPatch
):
    """A case whose task queue no worker polls (a worker that is down): the call waits its
    timeout and says what to check, against a real server as against the test server."""
    monkeypatch.setattr("web.gateway.ANSWER_TIMEOUT", timedelta(seconds=2))
    case_id = f"C-{uuid.uuid4().hex[:8]}"
    await stack.env.client.start_workflow(
        "RepairCase", new_case(case_id=case_id), id=f"case-{case_id}", task_queue="unserved"
    )
    got = await http.get(f"/api/cases/{case_id}", headers=stack.headers("manager"))
    assert got.status_code == 504, got.text
    assert got.json()["error"].startswith(f"case {case_id}: no worker answered within 2 s")


async def test_actions_misfits_and_ended_cases(http: httpx.AsyncClient, stack: Stack):
    case_id = (await opened(http, stack))["case_id"]
    replied = await act(http, stack, "office", case_id, "reply", by="Wang", message="coming")
    assert replied.status_code == 200 and replied.json()["status"] == "awaiting_technician"

    early = await act(
        http,
        stack,
        "office",
        case_id,
        "third_party_repair",
        vendor="V",
        invoice_ref="I-1",
        amount="10.00",
    )
    assert early.status_code == 409 and "third_party_repair rejected" in early.json()["error"]

    bad = await act(http, stack, "office", case_id, "dispatch", technician_id="T 3")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "technician_id"

    cancelled = await act(http, stack, "call_centre", case_id, "cancel", by="Li", reason="fixed")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    ended = None
    for _ in range(100):  # the workflow completes once its last letters are written
        ended = await act(http, stack, "office", case_id, "reply", by="Wang", message="again")
        if "has ended" in ended.json()["error"]:
            break
        await asyncio.sleep(0.1)
    assert ended is not None and ended.status_code == 409
    assert (
        ended.json()["error"] == f"case {case_id} has ended (cancelled); it takes no more actions"
    )


async def test_an_idempotency_key_applies_a_retry_once(http: httpx.AsyncClient, stack: Stack):
    case_id = (await opened(http, stack))["case_id"]
    key = str(uuid.uuid4())
    answers = [
        await act(http, stack, "office", case_id, "reply", by="Wang", message="first", key=key)
        for _ in range(2)
    ]
    async with api_client(stack) as restarted:  # another `repairdesk serve`, or a restart
        answers.append(
            await act(restarted, stack, "office", case_id, "reply", by="Wang", message="first",
                      key=key)
        )  # fmt: skip
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert "timeline" not in answers[0].json()  # the summary (contract v1.2)
    state = (await http.get(f"/api/cases/{case_id}", headers=stack.headers("office"))).json()
    assert [e["kind"] for e in state["timeline"]].count("reply") == 1


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (("reply", {"by": "Wang", "message": "on it"}), ("cancel", {"by": "Li", "reason": "x"})),
        (("dispatch", {"technician_id": "T-3"}), ("dispatch", {"technician_id": "T-4"})),
        (("reply", {"by": "Wang", "message": "one"}), ("reply", {"by": "Wang", "message": "two"})),
    ],
)
async def test_an_idempotency_key_reused_for_another_request_is_refused(
    http: httpx.AsyncClient, stack: Stack, first, then
):
    """The audit's probe: the second request is 422 and nothing of it is applied."""
    case_id = (await opened(http, stack))["case_id"]
    key = str(uuid.uuid4())
    applied = await act(http, stack, "office", case_id, first[0], **first[1], key=key)
    assert applied.status_code == 200, applied.text
    reused = await act(http, stack, "office", case_id, then[0], **then[1], key=key)
    assert reused.status_code == 422
    assert reused.json()["error"] == "Idempotency-Key reused for a different request"
    other_case = (await opened(http, stack))["case_id"]
    elsewhere = await act(http, stack, "office", other_case, first[0], **first[1], key=key)
    assert elsewhere.status_code == 422
    state = (await http.get(f"/api/cases/{case_id}", headers=stack.headers("office"))).json()
    assert state["status"] != "cancelled" and state["technician_id"] in (None, "T-3")
    assert [e["kind"] for e in state["timeline"]].count(first[0]) == 1


async def test_an_ended_case_id_is_refused_and_its_record_kept(
    http: httpx.AsyncClient, stack: Stack
):
    """The audit's probe: reopening C-x after it was cancelled would have replaced its row."""
    case_id = (await opened(http, stack))["case_id"]
    cancelled = await act(http, stack, "office", case_id, "cancel", by="Li", reason="fixed")
    assert cancelled.status_code == 200
    for _ in range(100):
        ended = await http.get(f"/api/cases/{case_id}", headers=stack.headers("office"))
        if ended.json()["status"] == "cancelled":
            break
        await asyncio.sleep(0.1)
    again = await http.post("/api/cases", json=new_case(case_id), headers=stack.headers("office"))
    assert again.status_code == 409
    assert f"case id {case_id} already names a case (cancelled" in again.json()["error"]
    customer = (await http.get("/api/customers/CUST-7", headers=stack.headers("office"))).json()
    assert [c for c in customer["cases"] if c["case_id"] == case_id]


async def test_a_repair_report_retried_after_the_case_ended_gets_its_first_answer(
    http: httpx.AsyncClient, stack: Stack
):
    case_id = await on_site(http, stack)
    report = {
        "technician_id": "T-3",
        "cause": "wear_and_tear",
        "labour_hours": "1.5",
        "key": str(uuid.uuid4()),
    }
    first = await act(http, stack, "technician", case_id, "repaired", **dict(report))
    assert first.status_code == 200, first.text
    await asyncio.sleep(1)  # let the workflow complete
    retry = await act(http, stack, "technician", case_id, "repaired", **dict(report))
    assert (retry.status_code, retry.json()["status"]) == (200, "repaired")


async def test_a_technician_sees_and_acts_only_on_their_cases(
    http: httpx.AsyncClient, stack: Stack
):
    case_id = await on_site(http, stack)
    mine = await http.get(f"/api/cases/{case_id}", headers=stack.headers("technician"))
    assert mine.status_code == 200
    theirs = await http.get(f"/api/cases/{case_id}", headers=stack.headers("other_tech"))
    assert theirs.status_code == 403
    spoof = await act(
        http, stack, "technician", case_id, "repaired", technician_id="T-4", cause="unknown"
    )
    assert spoof.status_code == 403
    for action, body in (
        ("reply", {"by": "T", "message": "x"}),
        ("cancel", {"by": "T", "reason": "x"}),
    ):
        refused = await act(http, stack, "technician", case_id, action, **body)
        assert refused.status_code == 403, action
    listed = await http.get("/api/cases?technician_id=T-4", headers=stack.headers("technician"))
    assert listed.status_code == 403
    for path in ("/api/report", "/api/customers/CUST-7"):
        assert (await http.get(path, headers=stack.headers("technician"))).status_code == 403


@pytest.mark.parametrize(
    ("who", "action", "body", "allowed"),
    [
        ("call_centre", "reply", {"by": "W", "message": "m"}, False),
        ("call_centre", "dispatch", {"technician_id": "T-3"}, False),
        ("office", "dispatch", {"technician_id": "T-3"}, True),
        ("manager", "reply", {"by": "W", "message": "m"}, False),
        ("manager", "cancel", {"by": "W", "reason": "r"}, False),
        ("call_centre", "cancel", {"by": "W", "reason": "r"}, True),
    ],
)
async def test_roles_on_actions(
    http: httpx.AsyncClient, stack: Stack, who: str, action: str, body: dict, allowed: bool
):
    case_id = (await opened(http, stack))["case_id"]
    answer = await act(http, stack, who, case_id, action, **body)
    assert answer.status_code == (200 if allowed else 403), answer.text


async def test_reads_by_role(http: httpx.AsyncClient, stack: Stack):
    assert (
        await http.post("/api/cases", json=new_case(), headers=stack.headers("manager"))
    ).status_code == 403
    assert (await http.get("/api/report", headers=stack.headers("office"))).status_code == 403
    report = await http.get("/api/report?from=2026-01-01", headers=stack.headers("manager"))
    assert report.status_code == 200
    assert report.json()["period"] == {
        "from": "2026-01-01",
        "to": None,
        "timezone": "Asia/Shanghai",
    }
    assert [row["sla"] for row in report.json()["by_sla"]] == ["reply", "onsite", "repair_24h"]
    bad = await http.get("/api/report?from=yesterday", headers=stack.headers("manager"))
    assert bad.status_code == 422

    customer = await http.get("/api/customers/CUST-7", headers=stack.headers("call_centre"))
    assert customer.status_code == 200
    serials = {e["serial"]: e for e in customer.json()["equipment"]}
    assert serials["SN-42"]["warranty_start"] == "2026-01-15"
    assert serials["SN-42"]["coverage_today"] == "in_warranty"
    unknown = await http.get("/api/customers/CUST-404", headers=stack.headers("manager"))
    assert unknown.status_code == 404


async def test_the_list_is_filtered_newest_first(http: httpx.AsyncClient, stack: Stack):
    case_id = await on_site(http, stack)
    query = "/api/cases?status=on_site&customer_id=CUST-7&breached=false&limit=50"
    for _ in range(100):  # visibility follows the workflow a moment later
        listed = await http.get(query, headers=stack.headers("technician"))
        assert listed.status_code == 200
        rows = listed.json()["cases"]
        if any(row["case_id"] == case_id for row in rows):
            break
        await asyncio.sleep(0.1)
    row = next(row for row in rows if row["case_id"] == case_id)
    assert row["technician_id"] == "T-3" and row["reported_at"]
    assert all(r["technician_id"] == "T-3" for r in rows)
    bad = await http.get("/api/cases?status=lost", headers=stack.headers("manager"))
    assert bad.status_code == 422


async def test_tokens_missing_unknown_expired_revoked(http: httpx.AsyncClient, stack: Stack):
    assert (await http.get("/api/cases")).status_code == 401
    unknown = await http.get("/api/cases", headers={"Authorization": "Bearer rdt_nope"})
    assert unknown.status_code == 401 and unknown.json()["error"]
    expired = stack.token(Role.manager, lifetime=EXPIRED)
    answer = await http.get("/api/cases", headers={"Authorization": f"Bearer {expired}"})
    assert answer.status_code == 401

    made = create_token(stack.sessions, Role.manager)
    headers = {"Authorization": f"Bearer {made.token}"}
    assert (await http.get("/api/cases?limit=1", headers=headers)).status_code == 200
    revoke_token(stack.sessions, made.record.token_id)
    assert (await http.get("/api/cases?limit=1", headers=headers)).status_code == 401


async def test_a_cookie_post_from_another_site_is_refused(http: httpx.AsyncClient, stack: Stack):
    case_id = (await opened(http, stack))["case_id"]
    http.cookies.set("repairdesk_token", stack.tokens["office"])
    forged = await http.post(
        f"/api/cases/{case_id}/reply",
        json={"by": "x", "message": "y"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 403
    own = await http.post(
        f"/api/cases/{case_id}/reply",
        json={"by": "x", "message": "y"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert own.status_code == 200


async def test_health_and_openapi(http: httpx.AsyncClient, stack: Stack):
    health = await http.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"temporal": "ok", "archive": "ok"})
    spec = (await http.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/cases/{case_id}/repaired" in spec["paths"]
    assert "/api/ip-disputes/{dispute_id}/settle" in spec["paths"]
    assert "HTTPValidationError" not in str(spec["paths"])  # every error is the contract's shape
    for blank_offline in ("/docs", "/redoc"):  # Swagger UI and ReDoc would load from a CDN
        assert (await http.get(blank_offline)).status_code == 404


async def test_validation_is_told_in_repairdesks_words(http: httpx.AsyncClient, stack: Stack):
    office = stack.headers("office") | {"Content-Type": "application/json"}
    not_json = await http.post("/api/cases", content=b"{nope", headers=office)
    assert not_json.status_code == 422
    assert not_json.json()["errors"] == [{"field": "body", "message": "is not JSON"}]
    case_id = await on_site(http, stack)
    bad = await http.post(
        f"/api/cases/{case_id}/repaired",
        json={"technician_id": "T-3", "cause": "unknown", "labour_hours": "abc"},
        headers=stack.headers("technician"),
    )
    assert bad.status_code == 422 and "Value error" not in bad.text, bad.text
    assert bad.json()["errors"][0]["field"] == "labour_hours"
    other = await http.post(
        f"/api/cases/{case_id}/arrive",
        json={"technician_id": "T-4"},
        headers=stack.headers("technician"),
    )
    assert other.status_code == 403
    assert other.json()["error"] == "you may send arrive only as T-3, not for another technician"


async def test_health_names_an_archive_that_does_not_answer(stack: Stack, tmp_path: Path):
    settings = replace(stack.settings, database_url=f"sqlite:///{tmp_path / 'gone.db'}")
    broken = Stack(settings, stack.sessions, stack.env, stack.tokens)
    async with api_client(broken) as http:
        (tmp_path / "gone.db").unlink()
        (tmp_path / "gone.db").mkdir()
        archive(settings.database_url).kw["bind"].dispose()  # drop the pooled connection
        answer = await http.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["archive"].startswith("does not answer")
    assert answer.json()["temporal"] == "ok"


async def test_ip_dispute_routes_check_roles_and_bodies(http: httpx.AsyncClient, stack: Stack):
    dispute = {
        "customer_id": "CUST-7",
        "claimant": "Acme GmbH",
        "right": "patent",
        "description": "Claims the controller firmware infringes EP1234567",
    }
    refused = await http.post(
        "/api/ip-disputes", json=dispute, headers=stack.headers("call_centre")
    )
    assert refused.status_code == 403
    invalid = await http.post(
        "/api/ip-disputes", json={**dispute, "right": "moral"}, headers=stack.headers("office")
    )
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "right"
    unknown = await http.get("/api/ip-disputes/IP-NOPE", headers=stack.headers("manager"))
    assert (unknown.status_code, unknown.json()["error"]) == (404, "no dispute IP-NOPE")
    tech = await http.get("/api/ip-disputes/IP-NOPE", headers=stack.headers("technician"))
    assert tech.status_code == 403
    note = await http.post(
        "/api/ip-disputes/IP-NOPE/note", json={"by": "Wang"}, headers=stack.headers("office")
    )
    assert note.status_code == 422 and note.json()["errors"][0]["field"] == "text"


async def test_the_customers_archive_lists_their_ip_disputes(http: httpx.AsyncClient, stack: Stack):
    dispute = {
        "customer_id": "CUST-7",
        "claimant": "Acme GmbH",
        "right": "patent",
        "description": "Claims the controller firmware infringes EP1234567",
    }
    opened = await http.post("/api/ip-disputes", json=dispute, headers=stack.headers("office"))
    assert opened.status_code == 201, opened.text
    dispute_id = opened.json()["dispute_id"]
    customer = await http.get("/api/customers/CUST-7", headers=stack.headers("manager"))
    listed = {d["dispute_id"]: d for d in customer.json()["disputes"]}
    assert listed[dispute_id]["status"] == "open"
    assert listed[dispute_id]["claimant"] == "Acme GmbH"
    assert "cases" in customer.json()
    other = await http.get("/api/customers/CUST-8", headers=stack.headers("manager"))
    assert other.json()["disputes"] == []

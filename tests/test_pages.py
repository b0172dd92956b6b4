"""The technician's phone, in a real Chromium at 360x740 against a real uvicorn, worker, dev
server and archive: sign in, see the case, tap arrived, send a repair report; then the same
with the phone offline at the moment of sending: each action is applied exactly once."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from temporalio.testing import WorkflowEnvironment

from tests.browser import DESKTOP, PHONE, chromium, chromium_or_skip, served
from tests.web_harness import Stack, api_client, new_case, running_stack


@pytest.fixture(scope="module")
async def stack(
    dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async for running in running_stack(dev_env, Path(tmp_path_factory.mktemp("pages"))):
        yield running


@pytest.fixture(scope="module")
async def site(stack: Stack) -> AsyncIterator[str]:
    async with served(stack) as base:
        yield base


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium(chromium_or_skip()) as running:
        yield running


@pytest.fixture
async def phone(browser: Browser, site: str, stack: Stack) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(viewport=PHONE, locale="en-US", base_url=site)
    yield context
    await context.close()


async def dispatched_case(stack: Stack) -> str:
    async with api_client(stack) as http:
        opened = await http.post("/api/cases", json=new_case(), headers=stack.headers("office"))
        case_id = opened.json()["case_id"]
        sent = await http.post(
            f"/api/cases/{case_id}/dispatch",
            json={"technician_id": "T-3", "technician_name": "Zhao Lei"},
            headers=stack.headers("office"),
        )
        assert sent.status_code == 200, sent.text
    return case_id


async def state_of(stack: Stack, case_id: str) -> dict[str, Any]:
    async with api_client(stack) as http:
        return (await http.get(f"/api/cases/{case_id}", headers=stack.headers("office"))).json()


async def until_status(stack: Stack, case_id: str, status: str) -> dict[str, Any]:
    for _ in range(200):
        state = await state_of(stack, case_id)
        if state["status"] == status:
            return state
        await asyncio.sleep(0.1)
    raise AssertionError(f"{case_id} stayed {state['status']}, never {status}")


def kinds(state: dict[str, Any]) -> list[str]:
    return [entry["kind"] for entry in state["timeline"]]


async def signed_in(phone: BrowserContext, stack: Stack, case_id: str) -> Page:
    page = await phone.new_page()
    await page.goto(f"/signin?token={stack.tokens['technician']}")
    await expect(page).to_have_url(re.compile(r"/tech$"))
    await expect(page.locator(f"#case-{case_id}")).to_be_visible()
    return page


async def fill_report(card: Any) -> None:
    await card.get_by_label("Cause").select_option("customer_modification")
    await card.get_by_label("Part no.").first.fill("P-100")
    await card.get_by_label("Description").first.fill("pressure switch")
    await card.get_by_label("Qty").first.fill("1")
    await card.get_by_label("Unit price").first.fill("320.00")
    await card.get_by_label("Labour hours").fill("2.5")


async def test_a_technician_arrives_and_reports_the_repair(
    phone: BrowserContext, stack: Stack
) -> None:
    case_id = await dispatched_case(stack)
    page = await signed_in(phone, stack, case_id)
    card = page.locator(f"#case-{case_id}")
    await expect(card.locator(".deadlines")).to_contain_text("left")
    link = await card.get_by_role("link", name=case_id).bounding_box()
    assert link is not None and link["height"] >= 48
    await card.get_by_role("button", name="Arrived").click()
    await until_status(stack, case_id, "on_site")

    await expect(card.get_by_label("Cause")).to_be_visible()
    await fill_report(card)
    await card.get_by_role("button", name="Send").click()
    state = await until_status(stack, case_id, "repaired")
    assert state["charges"][0]["amount"] == "1070.00"
    assert kinds(state).count("arrive") == 1 and kinds(state).count("repaired") == 1


async def test_a_bad_report_shows_the_apis_message(phone: BrowserContext, stack: Stack) -> None:
    case_id = await dispatched_case(stack)
    page = await signed_in(phone, stack, case_id)
    card = page.locator(f"#case-{case_id}")
    await card.get_by_role("button", name="Arrived").click()
    await until_status(stack, case_id, "on_site")
    await expect(card.get_by_label("Cause")).to_be_visible()
    await fill_report(card)
    await card.get_by_label("Unit price").first.fill("3.333")
    await card.get_by_role("button", name="Send").click()
    await expect(card.locator(".form-status")).to_contain_text("parts.0.unit_price")
    assert (await state_of(stack, case_id))["status"] == "on_site"


async def test_actions_sent_offline_are_applied_once_when_back_online(
    phone: BrowserContext, stack: Stack
) -> None:
    case_id = await dispatched_case(stack)
    page = await signed_in(phone, stack, case_id)
    card = page.locator(f"#case-{case_id}")

    await phone.set_offline(True)
    await card.get_by_role("button", name="Arrived").click()
    await expect(page.locator("#outbox-banner")).to_contain_text("kept on this phone")
    assert (await state_of(stack, case_id))["status"] == "technician_dispatched"
    await phone.set_offline(False)
    await until_status(stack, case_id, "on_site")

    await expect(card.get_by_label("Cause")).to_be_visible()
    await fill_report(card)
    await phone.set_offline(True)
    await card.get_by_role("button", name="Send").click()
    await expect(page.locator("#outbox-banner")).to_contain_text("kept on this phone")
    await phone.set_offline(False)
    state = await until_status(stack, case_id, "repaired")
    assert kinds(state).count("arrive") == 1 and kinds(state).count("repaired") == 1
    await expect(page.locator("#outbox-banner")).to_be_hidden()


async def test_pages_are_refused_without_a_token(site: str) -> None:
    async with httpx.AsyncClient(base_url=site) as http:
        answer = await http.get("/tech")
        assert (answer.status_code, answer.headers["location"]) == (303, "/signin")
        bad = await http.get("/signin?token=rdt_nope")
        assert bad.status_code == 401


async def test_the_desk_opens_a_case_picked_from_the_archive(
    browser: Browser, site: str, stack: Stack
) -> None:
    context = await browser.new_context(viewport=PHONE, locale="en-US", base_url=site)
    page = await context.new_page()
    await page.goto(f"/signin?token={stack.tokens['call_centre']}")
    await expect(page).to_have_url(re.compile(r"/desk$"))
    form = page.locator("details.open-case")
    await form.get_by_label("Customer").select_option("CUST-7")
    await expect(page.locator("#equipment option[value='SN-43']")).to_be_attached()
    await form.get_by_label("Equipment").select_option("SN-43")
    await form.get_by_label("Fault").fill("Compressor noise")
    await form.get_by_role("button", name="Open a case").click()
    await expect(page).to_have_url(re.compile(r"/cases/C-\d{8}-[0-9A-F]{4}$"))
    await expect(page.locator("h1 .status")).to_have_text("awaiting reply")
    await expect(page.get_by_text("Times in Asia/Shanghai")).to_be_visible()
    await page.get_by_role("link", name="中文").click()
    await expect(page.locator("h1")).to_contain_text("维修单")
    await context.close()


async def test_a_technician_cannot_open_another_technicians_case_page(
    site: str, stack: Stack
) -> None:
    case_id = await dispatched_case(stack)
    cookies = {"repairdesk_token": stack.tokens["other_tech"]}
    async with httpx.AsyncClient(base_url=site, cookies=cookies) as http:
        theirs = await http.get(f"/cases/{case_id}")
        assert theirs.status_code == 403 and "not dispatched to you" in theirs.text
        assert (await http.get("/cases/C-NOPE")).status_code == 404
        assert (await http.get("/desk")).status_code == 403
        assert (await http.get("/")).headers["location"] == "/tech"


async def test_the_office_replies_one_click_from_the_board(
    browser: Browser, site: str, stack: Stack
) -> None:
    async with api_client(stack) as http:
        opened = await http.post("/api/cases", json=new_case(), headers=stack.headers("office"))
    case_id = opened.json()["case_id"]
    context = await browser.new_context(viewport=DESKTOP, locale="en-US", base_url=site)
    page = await context.new_page()
    await page.goto(f"/signin?token={stack.tokens['office']}")
    await page.locator("table.board").get_by_role("link", name=case_id).click()
    await expect(page).to_have_url(re.compile(f"/cases/{case_id}$"))
    reply = page.locator("details", has=page.locator("summary", has_text="Reply"))
    await reply.locator("summary").click()
    await reply.get_by_label("By").fill("Wang")
    await reply.get_by_label("Message").fill("A technician is on the way")
    await reply.get_by_role("button", name="Send").click()
    state = await until_status(stack, case_id, "awaiting_technician")
    assert kinds(state).count("reply") == 1
    await context.close()


async def test_the_customer_page_lists_ip_disputes_beside_the_cases(
    site: str, stack: Stack
) -> None:
    dispute = {
        "customer_id": "CUST-7",
        "claimant": "Acme GmbH",
        "right": "patent",
        "description": "Claims the controller firmware infringes EP1234567",
    }
    async with api_client(stack) as http:
        opened = await http.post("/api/ip-disputes", json=dispute, headers=stack.headers("office"))
    dispute_id = opened.json()["dispute_id"]
    cookies = {"repairdesk_token": stack.tokens["manager"], "repairdesk_lang": "en"}
    async with httpx.AsyncClient(base_url=site, cookies=cookies) as http:
        page = await http.get("/customers/CUST-7")
    assert page.status_code == 200
    assert "IP disputes" in page.text and dispute_id in page.text and "Acme GmbH" in page.text


async def test_a_rejected_case_page_shows_no_none_and_its_reason_once(
    site: str, stack: Stack
) -> None:
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    async with api_client(stack) as http:
        opened = await http.post(
            "/api/cases", json=new_case(reported_at=future), headers=stack.headers("office")
        )
    assert opened.status_code == 422, opened.text
    case_id = opened.json()["state"]["case_id"]
    cookies = {"repairdesk_token": stack.tokens["office"], "repairdesk_lang": "en"}
    async with httpx.AsyncClient(base_url=site, cookies=cookies) as http:
        page = await http.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert "None" not in page.text and "/customers/" not in page.text
    assert page.text.count("reported_at: is in the future") == 2  # the outcome, the timeline
    assert "(reported_at: is in the future)" not in page.text
    assert '<span class="status status-rejected">rejected</span>' in page.text


async def test_a_met_deadline_shows_when_it_was_met(site: str, stack: Stack) -> None:
    case_id = await dispatched_case(stack)
    state = await state_of(stack, case_id)
    met = datetime.fromisoformat(state["met"]["reply"]).astimezone(ZoneInfo("Asia/Shanghai"))
    cookies = {"repairdesk_token": stack.tokens["office"], "repairdesk_lang": "en"}
    async with httpx.AsyncClient(base_url=site, cookies=cookies) as http:
        page = await http.get(f"/cases/{case_id}")
    assert f"met {met:%Y-%m-%d %H:%M}" in page.text


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
async def test_the_report_is_readable_on_a_phone_and_a_desktop(
    browser: Browser, site: str, stack: Stack, viewport: dict[str, int]
) -> None:
    """Chart labels at least 11 px high as drawn (never scaled down), and every column of every
    table reachable: a chart or a table wider than the screen scrolls on its own."""
    async with api_client(stack) as http:
        opened = await http.post("/api/cases", json=new_case(), headers=stack.headers("office"))
        case_id = opened.json()["case_id"]
        reply = {"by": "Wang", "message": "on it"}
        await http.post(f"/api/cases/{case_id}/reply", json=reply, headers=stack.headers("office"))
    await until_status(stack, case_id, "awaiting_technician")
    context = await browser.new_context(viewport=viewport, locale="en-US", base_url=site)
    page = await context.new_page()
    await page.goto(f"/signin?token={stack.tokens['manager']}")
    await page.goto("/report")
    labels = page.locator(".report svg text")
    assert await labels.count() > 0
    heights = await labels.evaluate_all("all => all.map(t => t.getBoundingClientRect().height)")
    assert min(heights) >= 11, heights
    for table in await page.locator(".report table").all():
        reachable = await table.evaluate(
            "t => { const box = t.closest('.scroll'); "
            "return box !== null && box.scrollWidth >= t.scrollWidth; }"
        )
        assert reachable
        last = table.locator("th").last
        await last.scroll_into_view_if_needed()
        assert await last.is_visible() and (await last.inner_text()) == "open"
    await context.close()

"""A time typed on a page in a zone with daylight saving (contract v1.2): one the clocks skip, or
pass twice, is refused on the page with the reason, and nothing is sent; Chromium at 360 px."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from temporalio.testing import WorkflowEnvironment

from tests.browser import PHONE, chromium, chromium_or_skip, served
from tests.web_harness import Stack, api_client, new_case, running_stack


@pytest.fixture(scope="module")
async def stack(
    dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    folder = Path(tmp_path_factory.mktemp("berlin"))
    async for running in running_stack(dev_env, folder, timezone="Europe/Berlin"):
        yield running


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2027-03-28T02:30", "this time does not exist (the clocks go forward then)"),
        ("2026-10-25T02:15", "this time happens twice (the clocks go back then)"),
    ],
)
async def test_a_local_time_that_names_no_single_moment_is_refused_on_the_page(
    stack: Stack, typed: str, reason: str
) -> None:
    async with api_client(stack) as http:
        opened = await http.post("/api/cases", json=new_case(), headers=stack.headers("office"))
        case_id = opened.json()["case_id"]
    async with served(stack) as site, chromium(chromium_or_skip()) as browser:
        await refused_on_the_page(browser, site, stack, case_id, typed, reason)
    async with api_client(stack) as http:
        state = (await http.get(f"/api/cases/{case_id}", headers=stack.headers("office"))).json()
    assert state["technician_id"] is None and state["status"] == "awaiting_reply"


async def refused_on_the_page(
    browser: Browser, site: str, stack: Stack, case_id: str, typed: str, reason: str
) -> None:
    context = await browser.new_context(viewport=PHONE, locale="en-US", base_url=site)
    page = await context.new_page()
    await page.goto(f"/signin?token={stack.tokens['office']}")
    await page.goto(f"/cases/{case_id}")
    form = page.locator(f"form[data-url='/api/cases/{case_id}/dispatch']")
    await page.locator("details", has=form).locator("summary").click()
    await form.locator("input[name=technician_id]").fill("T-3")
    await form.locator("input[name=eta]").fill(typed)
    await form.locator("button").click()
    await expect(form.locator(".form-status")).to_contain_text(reason)
    waiting = await page.evaluate("localStorage.getItem('repairdesk.outbox') || '[]'")
    assert waiting == "[]"
    await context.close()

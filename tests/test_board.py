"""The office's board in a real Chromium against a real uvicorn, worker, dev server and
archive: fifty-five open cases at 1280x800, breached first, then by the next deadline, the
ones in their warning share amber, fifty rows on one screen; filtered; refreshed without a
reload; the card list at 360 px."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from temporalio.testing import WorkflowEnvironment

from tests.browser import PHONE, chromium, chromium_or_skip, served
from tests.web_harness import Stack, api_client, new_case, running_stack

SCREEN = {"width": 1280, "height": 800}
BREACHED, WARNED, FRESH = 5, 10, 40


@pytest.fixture(scope="module")
async def stack(
    dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async for running in running_stack(dev_env, Path(tmp_path_factory.mktemp("board"))):
        yield running


@pytest.fixture(scope="module")
async def site(stack: Stack) -> AsyncIterator[str]:
    async with served(stack) as base:
        yield base


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium(chromium_or_skip()) as running:
        yield running


async def open_cases(stack: Stack, count: int, age: timedelta) -> list[str]:
    """`count` cases reported `age` ago (the reply is due an hour after the report)."""
    reported = (datetime.now(UTC) - age).isoformat()
    async with api_client(stack) as http:
        opened = await asyncio.gather(
            *(
                http.post(
                    "/api/cases",
                    json=new_case(reported_at=reported),
                    headers=stack.headers("office"),
                )
                for _ in range(count)
            )
        )
    assert all(answer.status_code == 201 for answer in opened), opened[0].text
    return [answer.json()["case_id"] for answer in opened]


@pytest.fixture(scope="module")
async def cases(stack: Stack) -> dict[str, list[str]]:
    shown = {
        "breached": await open_cases(stack, BREACHED, timedelta(hours=2)),
        "warned": await open_cases(stack, WARNED, timedelta(minutes=50)),
        "fresh": await open_cases(stack, FRESH, timedelta(minutes=1)),
    }
    await asyncio.sleep(1)  # the archive rows follow the workflows
    return shown


async def board_page(browser: Browser, site: str, stack: Stack) -> Page:
    context = await browser.new_context(viewport=SCREEN, locale="en-US", base_url=site)
    page = await context.new_page()
    await page.goto(f"/signin?token={stack.tokens['office']}")
    return page


async def test_fifty_cases_fit_one_screen_breached_first_then_by_deadline(
    browser: Browser, site: str, stack: Stack, cases: dict[str, list[str]]
) -> None:
    page = await board_page(browser, site, stack)
    rows = page.locator("table.board tbody tr")
    await expect(rows).to_have_count(BREACHED + WARNED + FRESH)
    fiftieth = await rows.nth(49).bounding_box()
    assert fiftieth is not None and fiftieth["y"] + fiftieth["height"] <= SCREEN["height"]

    ids = await rows.locator("td:first-child a").all_inner_texts()
    assert set(ids[:BREACHED]) == set(cases["breached"])
    assert set(ids[BREACHED : BREACHED + WARNED]) == set(cases["warned"])
    for row in (await rows.all())[:BREACHED]:
        await expect(row).to_have_class(re.compile(r"\bhas-breach\b"))
        await expect(row.locator(".tag.breach").first).to_have_text("reply")
    for row in (await rows.all())[BREACHED : BREACHED + WARNED]:
        await expect(row).to_have_class(re.compile(r"\bwarned\b"))
        await expect(row.locator(".countdown")).to_contain_text("left")
    dues = await rows.locator(".countdown").evaluate_all("(c) => c.map((e) => e.dataset.due)")
    running = dues[BREACHED:]
    assert running == sorted(running)
    await expect(rows.first.locator(".status")).to_have_text("awaiting reply")
    await page.context.close()


async def test_the_board_filters_and_refreshes_itself(
    browser: Browser, site: str, stack: Stack, cases: dict[str, list[str]]
) -> None:
    page = await board_page(browser, site, stack)
    rows = page.locator("table.board tbody tr")
    await page.get_by_label("Breaches").select_option("yes")
    await expect(rows).to_have_count(BREACHED)
    assert "breached=yes" in page.url
    await page.get_by_label("Breaches").select_option("")
    await expect(rows).to_have_count(BREACHED + WARNED + FRESH)

    (late,) = await open_cases(stack, 1, timedelta(hours=3))
    arrived = rows.filter(has=page.get_by_role("link", name=late))
    await expect(arrived).to_have_class(re.compile(r"\bhas-breach\b"), timeout=20_000)
    ids = await rows.locator("td:first-child a").all_inner_texts()
    assert ids.index(late) <= BREACHED  # among the breached, which come first
    await page.get_by_role("link", name="Customer", exact=True).click()
    await expect(page).to_have_url(
        f"{site}/desk?status=&customer_id=&technician_id=&breached=&sort=customer"
    )
    await page.context.close()


async def test_at_360_px_the_desk_stays_a_card_list(
    browser: Browser, site: str, stack: Stack, cases: dict[str, list[str]]
) -> None:
    context = await browser.new_context(viewport=PHONE, locale="en-US", base_url=site)
    page = await context.new_page()
    await page.goto(f"/signin?token={stack.tokens['office']}")
    await expect(page.locator("table.board")).to_be_hidden()
    await expect(page.locator(".cards article.case").first).to_be_visible()
    await expect(page.get_by_label("Fault")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    await context.close()

"""The customer follows their case from the link under a letter: the letter taken from the
archive's outbox, the link opened in a real Chromium at 360 px against a real uvicorn, worker,
dev server and archive; a link altered in one character is refused."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, expect
from temporalio.testing import WorkflowEnvironment

from activities.archive.schema import Notice
from activities.notices import outbox
from tests.browser import PHONE, chromium, chromium_or_skip, served
from tests.ports import free_port
from tests.web_harness import Stack, api_client, new_case, running_stack

PORT = free_port()
PUBLIC = f"http://127.0.0.1:{PORT}"
LINK = re.compile(re.escape(PUBLIC) + r"/c/\S+")
CONTACT = {"name": "Li Wei", "email": "liwei@example.com", "language": "en"}


@pytest.fixture(scope="module")
async def stack(
    dev_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    folder = Path(tmp_path_factory.mktemp("status"))
    async for running in running_stack(
        dev_env,
        folder,
        public_url=PUBLIC,
        public_link_secret="k" * 40,
        office_email="office@vendor.example",
    ):
        yield running


@pytest.fixture(scope="module")
async def site(stack: Stack) -> AsyncIterator[str]:
    async with served(stack, PORT) as base:
        yield base


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium(chromium_or_skip()) as running:
        yield running


async def a_case(stack: Stack, contact: dict[str, str]) -> str:
    office = stack.headers("office")
    eta = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    async with api_client(stack) as http:
        opened = await http.post("/api/cases", json=new_case(contact=contact), headers=office)
        case_id = opened.json()["case_id"]
        for action, body in (
            ("reply", {"by": "Wang", "message": "A technician comes today."}),
            ("dispatch", {"technician_id": "T-3", "technician_name": "Zhao Lei", "eta": eta}),
        ):
            sent = await http.post(f"/api/cases/{case_id}/{action}", json=body, headers=office)
            assert sent.status_code == 200, sent.text
    return case_id


async def letters_of(stack: Stack, case_id: str, kind: str) -> list[Notice]:
    """The case's letters once the one of `kind` to the customer is in the outbox."""
    for _ in range(100):
        found = await asyncio.to_thread(outbox.listing, stack.sessions, case_id)
        if any(n.kind == kind and n.audience == "customer" for n in found):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {kind} letter to the customer of {case_id}")


def customer_link(letters: list[Notice]) -> str:
    return LINK.findall(next(n for n in letters if n.audience == "customer").body)[0]


async def test_a_customer_follows_their_case_from_a_letter_on_a_phone(
    browser: Browser, site: str, stack: Stack
) -> None:
    case_id = await a_case(stack, CONTACT)
    letters = await letters_of(stack, case_id, "dispatched")
    for letter in letters:
        carries = LINK.findall(letter.body)
        assert len(carries) == (1 if letter.audience == "customer" else 0), letter.key
    link = LINK.findall(next(n for n in letters if n.kind == "dispatched").body)[0]
    assert {LINK.findall(n.body)[0] for n in letters if n.audience == "customer"} == {link}

    context = await browser.new_context(viewport=PHONE, locale="zh-CN")
    page = await context.new_page()
    answer = await page.goto(link)
    assert answer is not None and answer.status == 200
    assert answer.headers["referrer-policy"] == "no-referrer"
    await expect(page.locator("h1")).to_contain_text(f"Your case {case_id}")
    await expect(page.locator("h1 .status")).to_have_text("technician on the way")
    await expect(page.get_by_text("Chiller trips on high pressure")).to_be_visible()
    await expect(page.locator(".deadlines .met")).to_contain_text("1-hour reply")
    await expect(page.get_by_text("Expected arrival")).to_be_visible()
    await expect(page.get_by_text("A technician comes today.")).to_be_visible()
    text = await page.locator("body").inner_text()
    for internal in ("@", "office@vendor.example", "CUST-7", "notice", "warning", "T-3"):
        assert internal not in text, internal
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    async with api_client(stack) as http:
        arrived = await http.post(
            f"/api/cases/{case_id}/arrive",
            json={"technician_id": "T-3"},
            headers=stack.headers("technician"),
        )
        assert arrived.status_code == 200, arrived.text
    await page.reload()
    await expect(page.get_by_text("Arrived on site")).to_be_visible()
    await expect(page.locator(".deadlines .met")).to_have_count(2)
    await context.close()


async def test_the_page_is_in_the_contacts_language(
    browser: Browser, site: str, stack: Stack
) -> None:
    case_id = await a_case(stack, CONTACT | {"language": "zh"})
    letters = await letters_of(stack, case_id, "acknowledgement")
    context = await browser.new_context(viewport=PHONE, locale="en-US")
    page = await context.new_page()
    await page.goto(customer_link(letters))
    await expect(page.locator("h1")).to_contain_text(f"您的维修单 {case_id}")
    await context.close()


async def test_a_link_altered_in_one_character_is_refused(
    browser: Browser, site: str, stack: Stack
) -> None:
    case_id, other_id = await a_case(stack, CONTACT), await a_case(stack, CONTACT)
    link = customer_link(await letters_of(stack, case_id, "acknowledgement"))
    flipped = "0" if link[-1] != "0" else "1"
    context = await browser.new_context(viewport=PHONE, locale="en-US")
    page = await context.new_page()
    answer = await page.goto(link[:-1] + flipped)
    assert answer is not None and answer.status == 404
    await expect(page.get_by_role("alert")).to_contain_text("This link is not valid")
    await context.close()

    _, expires, signature = link.rsplit("/", 1)[1].split(".")
    other = customer_link(await letters_of(stack, other_id, "acknowledgement"))
    other_case = other.rsplit("/", 1)[1].split(".")[0]
    async with httpx.AsyncClient(base_url=site) as http:
        swapped = await http.get(f"/c/{other_case}.{expires}.{signature}")
        assert swapped.status_code == 404 and other_id not in swapped.text
        assert (await http.get("/c/nothing")).status_code == 404

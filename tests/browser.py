"""A real uvicorn serving the app on a free loopback port, and Debian's Chromium driven by
Playwright (never `playwright install`: the browser is the system's)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from playwright.async_api import Browser, async_playwright

from tests.ports import free_port
from tests.web_harness import Stack
from web.app import create_app
from web.server import serve_beside

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def chromium_or_skip() -> str:
    """Skipped without Chromium, except under CI, where it must be there."""
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


@asynccontextmanager
async def served(stack: Stack, port: int | None = None) -> AsyncIterator[str]:
    """The app under uvicorn on `port` (else a free one), in this event loop; yields its base
    URL."""
    address = ("127.0.0.1", port or free_port())
    server, serving = await serve_beside(create_app(stack.settings, stack.env.client), address)
    try:
        yield f"http://{address[0]}:{address[1]}"
    finally:
        server.should_exit = True
        await serving


@asynccontextmanager
async def chromium(executable: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield browser
        finally:
            await browser.close()

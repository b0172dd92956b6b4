"""Screenshots of every page at 360 px and 1280 px wide, for docs/http-api.md:
`python -m tests.screenshots [docs/screenshots]` (a dev server, worker, archive and uvicorn of
its own; Debian's Chromium)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.public_link import case_link
from starter.dev_server import installed_binary
from tests.browser import CHROMIUM, DESKTOP, PHONE, chromium, served
from tests.web_harness import Stack, api_client, new_case, running_stack
from workflows.messages import CaseState
from workflows.search_attributes import ALL_KEYS

PUBLIC = "http://repairdesk.test"
SECRET = "s" * 40  # the screenshots' own: their links are never sent


async def cases(stack: Stack) -> dict[str, str]:
    """A few cases in different states; returns the one to show on its page."""
    office = stack.headers("office")
    async with api_client(stack) as http:
        ids = []
        for extra in ({}, {"emergency": True}, {"serial": "SN-43"}):
            opened = await http.post("/api/cases", json=new_case(**extra), headers=office)
            ids.append(opened.json()["case_id"])
        await http.post(
            f"/api/cases/{ids[0]}/reply",
            json={"by": "Wang", "message": "on our way"},
            headers=office,
        )
        for case_id in ids[:2]:
            await http.post(
                f"/api/cases/{case_id}/dispatch",
                json={"technician_id": "T-3", "technician_name": "Zhao Lei"},
                headers=office,
            )
        await http.post(
            f"/api/cases/{ids[1]}/arrive",
            json={"technician_id": "T-3"},
            headers=stack.headers("technician"),
        )
        done = (await http.post("/api/cases", json=new_case(), headers=office)).json()["case_id"]
        for action, body in (
            ("dispatch", {"technician_id": "T-3"}),
            ("arrive", {"technician_id": "T-3"}),
            (
                "repaired",
                {
                    "technician_id": "T-3",
                    "cause": "customer_modification",
                    "labour_hours": "2.5",
                    "parts": [
                        {
                            "part_no": "P-100",
                            "description": "pressure switch",
                            "qty": 1,
                            "unit_price": "320.00",
                        }
                    ],
                },
            ),
        ):
            who = "office" if action == "dispatch" else "technician"
            await http.post(f"/api/cases/{done}/{action}", json=body, headers=stack.headers(who))
    await asyncio.sleep(2)  # the archive rows and letters follow the workflow
    return {"case": ids[0], "done": done}


async def shoot(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=installed_binary("temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=ALL_KEYS,
    ) as env:
        async for stack in running_stack(
            env, Path(tempfile.mkdtemp()), public_url=PUBLIC, public_link_secret=SECRET
        ):
            shown = await cases(stack)
            state = await http_state(stack, shown["done"])
            link = case_link(PUBLIC, SECRET, CaseState.model_validate(state))
            assert link is not None
            pages = [
                ("signin", None, "/signin"),
                ("tech", "technician", "/tech"),
                ("desk", "office", "/desk"),
                ("case", "office", f"/cases/{shown['done']}"),
                ("customer", "office", "/customers/CUST-7"),
                ("report", "manager", "/report"),
                ("status", None, link.removeprefix(PUBLIC)),
            ]
            async with served(stack) as site, chromium(CHROMIUM) as browser:
                for width, viewport in (("360", PHONE), ("1280", DESKTOP)):
                    context = await browser.new_context(
                        viewport=viewport, locale="zh-CN", base_url=site
                    )
                    page = await context.new_page()
                    for name, who, path in pages:
                        if who:
                            await page.goto(f"/signin?token={stack.tokens[who]}")
                        await page.goto(path)
                        await page.screenshot(
                            path=str(folder / f"{name}-{width}.png"), full_page=True
                        )
                    await context.close()
            break


async def http_state(stack: Stack, case_id: str) -> dict:
    async with api_client(stack) as http:
        answer = await http.get(f"/api/cases/{case_id}", headers=stack.headers("office"))
        return answer.json()


if __name__ == "__main__":
    asyncio.run(shoot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))

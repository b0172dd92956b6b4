"""`repairdesk serve` as a person runs it: its own process, a token from `repairdesk token`,
a clear line when Temporal cannot be reached, a clean stop on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import httpx
from temporalio.testing import WorkflowEnvironment

from tests.conftest import venv_binary
from tests.ports import free_port
from tests.test_dev_server import run, wait_for_line


def environment(tmp_path: Path, temporal: str, http_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "REPAIRDESK_"))}
    return env | {
        "TEMPORAL_ADDRESS": temporal,
        "REPAIRDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'archive.db'}",
        "REPAIRDESK_HTTP_ADDRESS": f"127.0.0.1:{http_port}",
    }


async def test_serve_answers_with_a_token_and_stops_on_ctrl_c(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    port = free_port()
    env = environment(tmp_path, dev_env.client.service_client.config.target_host, port)
    token = (await run("token create --role manager", tmp_path, env)).splitlines()[-1]
    serve = await asyncio.create_subprocess_exec(
        venv_binary("repairdesk"),
        "serve",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert serve.stdout
        await wait_for_line(serve.stdout, f"http://127.0.0.1:{port}/", 20)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(100):
                try:
                    health = await http.get("/healthz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            assert health.status_code == 200
            listed = await http.get(
                "/api/cases?limit=1&customer_id=nobody",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert (listed.status_code, listed.json()) == (200, {"cases": []})
            signed_in = await http.get(f"/signin?token={token}")
            assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/report")
        serve.send_signal(signal.SIGINT)
        _, err = await asyncio.wait_for(serve.communicate(), 20)
        assert serve.returncode == 0
        log = err.decode()
        assert '"path": "/signin"' in log and token not in log  # the path, never the token
    finally:
        if serve.returncode is None:
            serve.terminate()
            await serve.wait()


async def test_serve_names_an_unreachable_temporal(tmp_path: Path) -> None:
    env = environment(tmp_path, f"127.0.0.1:{free_port()}", free_port())
    serve = await asyncio.create_subprocess_exec(
        venv_binary("repairdesk"),
        "serve",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(serve.communicate(), 30)
    assert serve.returncode == 2
    assert err.decode().startswith("repairdesk: cannot reach the Temporal server")

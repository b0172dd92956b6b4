"""Connecting through TLS as to a secured cluster or Temporal Cloud: a TLS-terminating proxy
on loopback in front of the dev server, certificates made by a throwaway CA.

Each client is built by `connect(Settings.from_env(env))`, the path every repairdesk process
takes, from the same variables (or config-file profile) the `temporal` CLI reads.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.archive.db import archive
from activities.archive.importer import import_equipment
from activities.settings import Settings, SettingsError
from client.cases import act, case_state, open_case
from client.connection import ConnectionFailed, connect
from tests.tls import SERVER_NAME, Authority, server_context, tls_proxy
from worker import build_worker
from workflows.messages import CaseRequest

SAMPLE = Path(__file__).parent.parent / "starter" / "data" / "sample-archive.csv"


def upstream(dev_env: WorkflowEnvironment) -> str:
    return dev_env.client.service_client.config.target_host


async def run_a_case(env: dict[str, str], database_url: str, task_queue: str) -> None:
    """A worker and a starter connected with `env` carry a case from opening to a reply."""
    settings = Settings.from_env({**env, "REPAIRDESK_DATABASE_URL": database_url})
    client = await connect(settings)
    case_id = f"C-TLS-{uuid.uuid4().hex[:8]}"
    async with build_worker(client, settings, task_queue):
        await open_case(
            client,
            task_queue,
            CaseRequest(
                case_id=case_id, customer_id="CUST-7", equipment_serial="SN-42", fault="trips"
            ),
        )
        answer = await act(client, case_id, "reply", {"by": "Wang", "message": "on our way"})
        state = await case_state(client, case_id)
    assert answer.status.value == "awaiting_technician"
    assert [entry.kind for entry in state.timeline if entry.kind == "reply"] == ["reply"]


@pytest.fixture
def authority(tmp_path: Path) -> Authority:
    return Authority(tmp_path)


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    import_equipment(archive(sqlite_url), SAMPLE)
    return sqlite_url


async def test_server_verified_against_its_ca(
    dev_env: WorkflowEnvironment, authority: Authority, database_url: str, task_queue: str
) -> None:
    async with tls_proxy(upstream(dev_env), server_context(authority.server(), None)) as address:
        env = {
            "TEMPORAL_ADDRESS": address,
            "TEMPORAL_TLS": "true",
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(authority.pem),
            "TEMPORAL_TLS_SERVER_NAME": SERVER_NAME,
        }
        await run_a_case(env, database_url, task_queue)


async def test_mutual_tls_from_a_config_file_profile(
    dev_env: WorkflowEnvironment,
    authority: Authority,
    database_url: str,
    task_queue: str,
    tmp_path: Path,
) -> None:
    client_pair = authority.client()
    config = tmp_path / "temporal.toml"
    config.write_text(
        "[profile.secured]\n"
        'namespace = "default"\n'
        "[profile.secured.tls]\n"
        f'server_ca_cert_path = "{authority.pem}"\n'
        f'server_name = "{SERVER_NAME}"\n'
        f'client_cert_path = "{client_pair.cert}"\n'
        f'client_key_path = "{client_pair.key}"\n'
    )
    context = server_context(authority.server(), client_ca=authority.pem)
    async with tls_proxy(upstream(dev_env), context) as address:
        env = {
            "TEMPORAL_CONFIG_FILE": str(config),
            "TEMPORAL_PROFILE": "secured",
            "TEMPORAL_ADDRESS": address,
        }
        await run_a_case(env, database_url, task_queue)


async def test_mutual_tls_refuses_a_client_without_certificate(
    dev_env: WorkflowEnvironment, authority: Authority, database_url: str
) -> None:
    context = server_context(authority.server(), client_ca=authority.pem)
    async with tls_proxy(upstream(dev_env), context) as address:
        settings = Settings.from_env(
            {
                "TEMPORAL_ADDRESS": address,
                "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(authority.pem),
                "TEMPORAL_TLS_SERVER_NAME": SERVER_NAME,
            }
        )
        with pytest.raises(ConnectionFailed, match="the client certificate or API key"):
            await connect(settings)


async def test_a_wrong_ca_is_refused_with_a_clear_message(
    dev_env: WorkflowEnvironment, authority: Authority, tmp_path: Path
) -> None:
    stranger = Authority(tmp_path, "some other CA")
    async with tls_proxy(upstream(dev_env), server_context(authority.server(), None)) as address:
        settings = Settings.from_env(
            {
                "TEMPORAL_ADDRESS": address,
                "TEMPORAL_TLS": "true",
                "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(stranger.pem),
                "TEMPORAL_TLS_SERVER_NAME": SERVER_NAME,
            }
        )
        with pytest.raises(ConnectionFailed) as refused:
            await connect(settings)
    message = str(refused.value)
    assert f"cannot reach the Temporal server at {address}" in message
    assert "not signed by the CA in TEMPORAL_TLS_SERVER_CA_CERT_PATH" in message


async def test_a_wrong_server_name_is_refused_with_a_clear_message(
    dev_env: WorkflowEnvironment, authority: Authority
) -> None:
    async with tls_proxy(upstream(dev_env), server_context(authority.server(), None)) as address:
        settings = Settings.from_env(
            {
                "TEMPORAL_ADDRESS": address,
                "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(authority.pem),
                "TEMPORAL_TLS_SERVER_NAME": "someone-else.test",
            }
        )
        with pytest.raises(ConnectionFailed, match="set TEMPORAL_TLS_SERVER_NAME to a name"):
            await connect(settings)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"TEMPORAL_TLS": "maybe"}, "TEMPORAL_TLS"),
        ({"TEMPORAL_TLS_SERVER_CA_CERT_PATH": "/no/such/ca.pem"}, "/no/such/ca.pem"),
        ({"TEMPORAL_PROFILE": "nowhere"}, "nowhere"),
    ],
)
def test_unusable_connection_settings_name_the_culprit(env: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        Settings.from_env(env)


def test_an_api_key_turns_tls_on_and_the_profile_names_the_server(tmp_path: Path) -> None:
    config = tmp_path / "temporal.toml"
    config.write_text(
        '[profile.cloud]\naddress = "repairdesk.a1b2c.tmprl.cloud:7233"\n'
        'namespace = "repairdesk.a1b2c"\n'
    )
    settings = Settings.from_env(
        {"TEMPORAL_CONFIG_FILE": str(config), "TEMPORAL_PROFILE": "cloud", "TEMPORAL_API_KEY": "k"}
    )
    assert (settings.temporal_address, settings.namespace) == (
        "repairdesk.a1b2c.tmprl.cloud:7233",
        "repairdesk.a1b2c",
    )
    options = settings.temporal_profile.to_client_connect_config()
    assert (options["api_key"], options["tls"]) == ("k", True)

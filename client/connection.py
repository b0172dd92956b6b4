"""Connecting to Temporal: the connection profile, the pydantic data converter with payload
encryption when keys are set, and the case search attributes."""

from __future__ import annotations

import dataclasses

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode

from activities.encryption import EncryptionCodec
from activities.settings import Settings
from workflows.search_attributes import ALL_KEYS

# What the TLS library says, and what to do about it.
TLS_HINTS = {
    "UnknownIssuer": "the server's certificate is not signed by the CA in "
    "TEMPORAL_TLS_SERVER_CA_CERT_PATH (or, without it, by a CA this machine trusts)",
    "NotValidForName": "the server's certificate does not name the server; set "
    "TEMPORAL_TLS_SERVER_NAME to a name it holds",
}


class ConnectionFailed(RuntimeError):
    """The Temporal server could not be reached."""


def data_converter(settings: Settings) -> DataConverter:
    """pydantic JSON; with payload keys, every payload and every failure's message and stack
    trace encrypted as well."""
    if not settings.payload_keys:
        return pydantic_data_converter
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(settings.payload_keys),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """A client for the profile's server (TLS, API key, mTLS as `temporal` would use them)."""
    options = settings.temporal_profile.to_client_connect_config()
    options["target_host"] = settings.temporal_address
    options["namespace"] = settings.namespace
    try:
        return await Client.connect(
            **options, data_converter=data_converter(settings), runtime=runtime
        )
    except RuntimeError as e:
        raise ConnectionFailed(_failure(settings, e)) from e


def _failure(settings: Settings, error: RuntimeError) -> str:
    where = f"cannot reach the Temporal server at {settings.temporal_address} (TEMPORAL_ADDRESS)"
    tls = settings.temporal_profile.to_client_connect_config().get("tls")
    if not tls:
        return f"{where}: {error}. Is it running? `repairdesk dev` starts one locally."
    known = [hint for symptom, hint in TLS_HINTS.items() if symptom in str(error)]
    return (
        f"{where} over TLS: "
        + (
            known[0]
            if known
            else "check TEMPORAL_TLS_SERVER_CA_CERT_PATH (the CA that signed the server's "
            "certificate), TEMPORAL_TLS_SERVER_NAME, and the client certificate or API key the "
            "server expects"
        )
        + f" ({error})"
    )


async def ensure_search_attributes(client: Client, namespace: str) -> list[str]:
    """Register the case search attributes that the namespace lacks; returns those added."""
    try:
        existing = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
        known = set(existing.custom_attributes) | set(existing.system_attributes)
    except RPCError as e:
        if e.status != RPCStatusCode.UNIMPLEMENTED:
            raise
        known = set()  # the time-skipping test server cannot list them, only add them
    missing = {
        key.name: IndexedValueType.ValueType(int(key.indexed_value_type))
        for key in ALL_KEYS
        if key.name not in known
    }
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)

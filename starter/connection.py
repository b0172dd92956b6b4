"""Connecting to Temporal with the pydantic data converter, and the case search attributes."""

from __future__ import annotations

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode

from activities.settings import Settings
from workflows.search_attributes import ALL_KEYS


class ConnectionFailed(RuntimeError):
    """The Temporal server could not be reached."""


async def connect(settings: Settings) -> Client:
    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.namespace,
            data_converter=pydantic_data_converter,
        )
    except RuntimeError as e:
        raise ConnectionFailed(
            f"cannot reach the Temporal server at {settings.temporal_address} "
            f"(TEMPORAL_ADDRESS): {e}. Is it running? `repairdesk dev` starts one locally."
        ) from e


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

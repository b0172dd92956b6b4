"""Payload encryption: the codec, the key list, and the remote codec endpoint."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter

from activities.encryption import (
    ENCODING,
    KEY_ID,
    DecryptError,
    EncryptionCodec,
    KeysError,
    new_key_entry,
    parse_keys,
)
from activities.settings import Settings, SettingsError
from tests.codec_app import UI_ORIGIN, codec_client

KEY_A, KEY_B = new_key_entry("a"), new_key_entry("b")
CONTACT = {"name": "Li Wei", "phone": "+86 10 5555 0100"}


def plain(value: object) -> Payload:
    return pydantic_data_converter.payload_converter.to_payloads([value])[0]


def as_json(payload: Payload) -> dict[str, object]:
    return {
        "metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
        "data": base64.b64encode(payload.data).decode(),
    }


async def test_sealed_under_the_first_key_and_opened_after_rotation() -> None:
    [sealed] = await EncryptionCodec(parse_keys(KEY_A)).encode([plain(CONTACT)])
    assert sealed.metadata["encoding"] == ENCODING and sealed.metadata[KEY_ID] == b"a"
    assert b"Li Wei" not in sealed.data

    rotated = EncryptionCodec(parse_keys(f"{KEY_B},{KEY_A}"))
    assert await rotated.decode([sealed]) == [plain(CONTACT)]
    [resealed] = await rotated.encode([plain(CONTACT)])
    assert resealed.metadata[KEY_ID] == b"b"


async def test_plain_json_passes_through_and_a_foreign_key_is_named() -> None:
    codec = EncryptionCodec(parse_keys(KEY_B))
    assert await codec.decode([plain(CONTACT)]) == [plain(CONTACT)]
    [sealed] = await EncryptionCodec(parse_keys(KEY_A)).encode([plain(CONTACT)])
    with pytest.raises(DecryptError, match="'a'"):
        await codec.decode([sealed])


async def test_an_altered_payload_is_refused() -> None:
    codec = EncryptionCodec(parse_keys(KEY_A))
    [sealed] = await codec.encode([plain(CONTACT)])
    sealed.data = sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    with pytest.raises(DecryptError, match="integrity"):
        await codec.decode([sealed])


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("just-base64", "entry 1 is not id:base64"),
        ("a:not base64!", "key 'a' is not valid base64"),
        (f"a:{base64.b64encode(bytes(16)).decode()}", "key 'a' is 16 bytes; AES-256 needs 32"),
        (f"{KEY_A},{KEY_A}", "key id 'a' appears twice"),
    ],
)
def test_a_malformed_key_list_is_refused_by_name(raw: str, reason: str) -> None:
    with pytest.raises(KeysError, match=reason):
        parse_keys(raw)
    with pytest.raises(SettingsError, match=f"REPAIRDESK_PAYLOAD_KEYS: {reason}"):
        Settings.from_env({"REPAIRDESK_PAYLOAD_KEYS": raw})


def test_keys_never_appear_in_the_settings_repr() -> None:
    settings = Settings.from_env({"REPAIRDESK_PAYLOAD_KEYS": KEY_A})
    assert KEY_A.split(":")[1] not in repr(settings)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with codec_client(EncryptionCodec(parse_keys(KEY_A))) as client:
        yield client


async def post(
    http: httpx.AsyncClient, operation: str, payloads: list[Payload], token: str | None
) -> httpx.Response:
    headers = {"Origin": UI_ORIGIN, "X-Namespace": "default"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await http.post(
        f"/codec/{operation}",
        content=json.dumps({"payloads": [as_json(p) for p in payloads]}),
        headers={**headers, "Content-Type": "application/json"},
    )


async def test_encode_then_decode_through_the_endpoint(http: httpx.AsyncClient) -> None:
    encoded = await post(http, "encode", [plain(CONTACT)], "t-office")
    assert encoded.status_code == 200
    [sealed] = encoded.json()["payloads"]
    assert base64.b64decode(sealed["metadata"]["encoding"]) == ENCODING
    assert encoded.headers["access-control-allow-origin"] == UI_ORIGIN

    decoded = await http.post(
        "/codec/decode",
        json={"payloads": [sealed]},
        headers={"Authorization": "Bearer t-manager"},
    )
    [opened] = decoded.json()["payloads"]
    assert json.loads(base64.b64decode(opened["data"])) == CONTACT


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("t-tech", 403), ("nope", 401)])
async def test_decoding_needs_a_manager_or_office_token(
    http: httpx.AsyncClient, token: str | None, status: int
) -> None:
    assert (await post(http, "decode", [plain(CONTACT)], token)).status_code == status


async def test_a_malformed_body_is_400_and_an_unknown_key_422(http: httpx.AsyncClient) -> None:
    bad = await http.post(
        "/codec/decode", json={"payloads": "x"}, headers={"Authorization": "Bearer t-office"}
    )
    assert bad.status_code == 400
    not_json = await http.post(
        "/codec/decode", content=b"{", headers={"Authorization": "Bearer t-office"}
    )
    assert not_json.status_code == 400
    [sealed] = await EncryptionCodec(parse_keys(KEY_B)).encode([plain(CONTACT)])
    assert (await post(http, "decode", [sealed], "t-office")).status_code == 422


async def test_cors_preflight_answers_the_ui_origin_only(http: httpx.AsyncClient) -> None:
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }
    ui = await http.options("/codec/decode", headers={"Origin": UI_ORIGIN, **asked})
    assert ui.status_code == 204
    assert ui.headers["access-control-allow-origin"] == UI_ORIGIN
    assert "X-Namespace" in ui.headers["access-control-allow-headers"]
    other = await http.options("/codec/decode", headers={"Origin": "http://evil.test", **asked})
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(("host", "status"), [("127.0.0.1", 200), ("::1", 200), ("10.0.0.7", 401)])
async def test_under_dev_loopback_decodes_without_a_token(host: str, status: int) -> None:
    async with codec_client(EncryptionCodec(parse_keys(KEY_A)), True, host) as dev:
        assert (await post(dev, "decode", [plain(CONTACT)], None)).status_code == status

"""Payload encryption: AES-256-GCM over every payload repairdesk writes to Temporal.

`REPAIRDESK_PAYLOAD_KEYS` is `id:base64[,id:base64...]`: the first key encrypts, every key
decrypts, so a new key is put first and the old ones stay until no open case needs them. An
encrypted payload has `encoding: binary/encrypted` and the key's id in `encryption-key-id`; a
payload without that encoding (plain JSON from a raw client) passes through untouched.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


class KeysError(ValueError):
    """A key list that cannot be used; the message says which entry and why."""


class DecryptError(ValueError):
    """A payload under a key this process does not hold, or altered since it was sealed."""


@dataclass(frozen=True)
class PayloadKey:
    key_id: str
    secret: bytes = field(repr=False)


def parse_keys(raw: str) -> tuple[PayloadKey, ...]:
    """`id:base64[,id:base64...]` to keys, the encrypting one first."""
    keys: list[PayloadKey] = []
    for number, entry in enumerate(raw.split(","), start=1):
        key_id, colon, encoded = entry.strip().partition(":")
        if not colon or not KEY_ID_PATTERN.fullmatch(key_id):
            raise KeysError(f"entry {number} is not id:base64 (id: 1-64 of A-Z a-z 0-9 . _ -)")
        try:
            secret = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            raise KeysError(f"key {key_id!r} is not valid base64") from None
        if len(secret) != KEY_BYTES:
            raise KeysError(f"key {key_id!r} is {len(secret)} bytes; AES-256 needs {KEY_BYTES}")
        if any(key.key_id == key_id for key in keys):
            raise KeysError(f"key id {key_id!r} appears twice")
        keys.append(PayloadKey(key_id, secret))
    return tuple(keys)


def new_key_entry(key_id: str) -> str:
    """A fresh `id:base64` entry, for operators and tests."""
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


class EncryptionCodec(PayloadCodec):
    """Encrypts with the first key; decrypts with whichever key the payload names."""

    def __init__(self, keys: Sequence[PayloadKey]) -> None:
        if not keys:
            raise KeysError("no payload key given")
        self._encrypting = keys[0]
        self._ciphers = {key.key_id: AESGCM(key.secret) for key in keys}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encrypt(payload) for payload in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._decrypt(payload) for payload in payloads]

    def _encrypt(self, payload: Payload) -> Payload:
        key_id = self._encrypting.key_id
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(), key_id.encode())
        return Payload(
            metadata={"encoding": ENCODING, KEY_ID: key_id.encode()}, data=nonce + sealed
        )

    def _decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload
        key_id = payload.metadata.get(KEY_ID, b"").decode()
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DecryptError(
                f"payload encrypted under key {key_id!r}, which REPAIRDESK_PAYLOAD_KEYS lacks"
            )
        nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
        try:
            return Payload.FromString(cipher.decrypt(nonce, sealed, key_id.encode()))
        except InvalidTag:
            raise DecryptError(f"payload under key {key_id!r} fails its integrity check") from None

"""The signed link under every letter to a customer: `<REPAIRDESK_PUBLIC_URL>/c/<token>`, a
read-only page of their case that needs no account (docs/pages.md).

The token is `<case id, base64url>.<expiry, Unix seconds>.<signature>`, the signature being the
first 128 bits of HMAC-SHA256 under REPAIRDESK_PUBLIC_LINK_SECRET, in lower-case hex, over the
token's own text before it. The text is checked as it stands, before anything is decoded, so a
link altered in any character is refused. The link expires `VALID_FOR` after the report: a
letter is written while the case runs, before anyone knows when it ends. Everything in it comes
from the case, never from the clock, so a letter composed twice carries the same link.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime, timedelta

from workflows.messages import CaseState

VALID_FOR = timedelta(days=90)
_PURPOSE = b"repairdesk case page v1\n"
_SIGNATURE_HEX = 32


class LinkRefused(ValueError):
    """A link that was not signed here, was altered, or has expired."""

    def __init__(self, message: str, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def _signature(secret: str, signed: str) -> str:
    digest = hmac.new(secret.encode(), _PURPOSE + signed.encode(), hashlib.sha256)
    return digest.hexdigest()[:_SIGNATURE_HEX]


def token(secret: str, case_id: str, expires: datetime) -> str:
    encoded = base64.urlsafe_b64encode(case_id.encode()).decode().rstrip("=")
    signed = f"{encoded}.{int(expires.timestamp())}"
    return f"{signed}.{_signature(secret, signed)}"


def case_link(public_url: str | None, secret: str | None, case: CaseState) -> str | None:
    """The link to `case`'s page, or None without a public URL (or a report time to date it)."""
    if not public_url or not secret or case.reported_at is None:
        return None
    return f"{public_url}/c/{token(secret, case.case_id, case.reported_at + VALID_FOR)}"


def verify(secret: str, presented: str, now: datetime) -> str:
    """The case id a link names; LinkRefused when it is not exactly one signed here, or expired."""
    signed, _, signature = presented.rpartition(".")
    if not hmac.compare_digest(signature.encode(), _signature(secret, signed).encode()):
        raise LinkRefused("this link is not valid")
    encoded, _, expires = signed.partition(".")
    try:
        case_id = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise LinkRefused("this link is not valid") from None
    if int(expires) < now.timestamp():
        raise LinkRefused("this link has expired", expired=True)
    return case_id

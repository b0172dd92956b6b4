"""Posting a finance event to the finance webhook, signed, and sorting the answer.

Plain `http.client`: one POST, no redirects followed (a redirected POST would lose its body
or its signature), short timeouts so a stuck receiver cannot hold an activity slot.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from activities.finance.cloudevents import CONTENT_TYPE
from activities.tls import client_tls

SIGNATURE_HEADER = "X-Repairdesk-Signature"
TIMEOUT_SECONDS = 10
SNIPPET_BYTES = 500
# Worth asking again, besides every 5xx: the receiver timed out (408) or is throttling (429).
TRANSIENT_STATUSES = frozenset({408, 429})
# A receiver's Retry-After is honoured up to the workflow's longest back-off between attempts.
LONGEST_RETRY_AFTER = timedelta(minutes=5)


class WebhookUnreachable(Exception):
    """No HTTP answer at all (refused, reset, timed out): finance may accept a later attempt."""


class WebhookMisconfigured(ValueError):
    """REPAIRDESK_FINANCE_WEBHOOK_URL is not an http(s) URL: no retry can fix that."""


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    snippet: str
    retry_after: timedelta | None = None

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    @property
    def transient(self) -> bool:
        return self.status in TRANSIENT_STATUSES or self.status >= 500


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 of the exact body bytes under the shared secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookMisconfigured(f"REPAIRDESK_FINANCE_WEBHOOK_URL {url!r} is not an http(s) URL")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme == "https":
        secure = http.client.HTTPSConnection(
            parts.netloc, timeout=TIMEOUT_SECONDS, context=client_tls()
        )
        return secure, path
    return http.client.HTTPConnection(parts.netloc, timeout=TIMEOUT_SECONDS), path


def _retry_after(value: str | None) -> timedelta | None:
    if value is None or not value.strip().isdigit():
        return None
    return min(timedelta(seconds=int(value.strip())), LONGEST_RETRY_AFTER)


def post(url: str, secret: str, body: bytes) -> WebhookAnswer:
    """POST `body` once; raises WebhookUnreachable when no HTTP answer came back."""
    connection, path = _connection(url)
    headers = {"Content-Type": CONTENT_TYPE, SIGNATURE_HEADER: signature(secret, body)}
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        snippet = response.read(SNIPPET_BYTES).decode("utf-8", errors="replace")
        return WebhookAnswer(
            status=response.status,
            snippet=snippet,
            retry_after=_retry_after(response.getheader("Retry-After")),
        )
    except (OSError, http.client.HTTPException) as e:
        raise WebhookUnreachable(f"{type(e).__name__}: {e}") from e
    finally:
        connection.close()

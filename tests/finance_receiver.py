"""A real finance webhook on loopback, for the delivery tests: no HTTP mocks.

It verifies each request's signature the way a receiver should (HMAC-SHA256 of the exact body
bytes, compared in constant time), keeps everything it received, and answers from a script:
the statuses given first, then 202 Accepted for good. With `retry_after` set, a 429 or 503
carries a Retry-After header of that many seconds. Besides a status, a scripted answer may be
`HANG` (hold the request past the sender's timeout, then close) or `CLOSE` (close the connection
without an answer); such a request is kept with status 0.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal

from activities.finance.webhook import TIMEOUT_SECONDS

HANG: Literal["hang"] = "hang"
CLOSE: Literal["close"] = "close"
Answer = int | Literal["hang", "close"]


@dataclass(frozen=True)
class Received:
    body: bytes
    content_type: str | None
    signed: bool
    status: int

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


class FinanceReceiver:
    def __init__(
        self, secret: str, first_answers: Iterable[Answer] = (), retry_after: int | None = None
    ) -> None:
        self.secret = secret
        self.retry_after = retry_after
        self.received: list[Received] = []
        self._answers = list(first_answers)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/finance/events"

    @property
    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.status < 300]

    def answer_next(self, *statuses: Answer) -> None:
        with self._lock:
            self._answers.extend(statuses)

    def verify(self, body: bytes, header: str | None) -> bool:
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, header or "")

    def _answer(self, body: bytes, content_type: str | None, header: str | None) -> Answer:
        signed = self.verify(body, header)
        with self._lock:
            answer = 401 if not signed else self._answers.pop(0) if self._answers else 202
            status = answer if isinstance(answer, int) else 0
            self.received.append(Received(body, content_type, signed, status))
        return answer

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the name http.server looks for)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                signature = self.headers.get("X-Repairdesk-Signature")
                status = receiver._answer(body, self.headers.get("Content-Type"), signature)
                if not isinstance(status, int):
                    if status == HANG:
                        time.sleep(TIMEOUT_SECONDS + 1)
                    self.close_connection = True
                    return
                reply = json.dumps({"status": status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                if receiver.retry_after is not None and status in (429, 503):
                    self.send_header("Retry-After", str(receiver.retry_after))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test asserts on what was received instead."""

        return Handler

    def __enter__(self) -> FinanceReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

"""The TLS context of repairdesk's outgoing connections: SMTP (STARTTLS or implicit TLS) and an
https finance webhook."""

from __future__ import annotations

import ssl
from functools import cache


@cache
def client_tls() -> ssl.SSLContext:
    """The system's trusted CAs, with hostname checks: built once per process and shared by
    every connection (building one loads every CA certificate, tens of milliseconds of CPU,
    which a relay retrying a server that is down paid at each attempt)."""
    return ssl.create_default_context()

"""Settings from the environment variables the public contract names.

A bad value stops the worker or the command at once with a message naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from temporalio.envconfig import ClientConfigProfile

from activities.encryption import KeysError, PayloadKey, parse_keys
from activities.temporal_profile import (
    DEFAULT_ADDRESS,
    DEFAULT_NAMESPACE,
    ProfileError,
    load_profile,
)
from workflows import term_values
from workflows.messages import Language, Terms

DEFAULT_DATABASE_URL = "sqlite:///./.repairdesk/archive.db"
DEFAULT_HTTP_ADDRESS = "127.0.0.1:8000"
DEFAULT_UI_ORIGIN = "http://localhost:8233"
# The longest a dead relay's claim and the next poll may hold a delivery up (contract v1.2:
# attempted again within 60 s), leaving 10 s for the claim and the connection.
LONGEST_CRASH_DELAY = timedelta(seconds=50)
MIN_SECRET = 32


class SettingsError(ValueError):
    """An environment variable holds a value repairdesk cannot use."""


def _decimal(
    env: Mapping[str, str], name: str, default: str, read: Callable[[str], Decimal]
) -> Decimal:
    raw = env.get(name) or default
    try:
        return read(raw)
    except ValueError as e:
        raise SettingsError(f"{name}={e}") from None


def _duration(env: Mapping[str, str], name: str, default: str) -> timedelta:
    raw = env.get(name) or default
    try:
        return term_values.sla_span(raw)
    except ValueError as e:
        raise SettingsError(f"{name}={e}") from None


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name) or str(default)
    if not raw.strip().isdigit() or int(raw) < 1:
        raise SettingsError(f"{name}={raw!r} must be a whole number of at least 1")
    return int(raw)


def _language(env: Mapping[str, str], name: str) -> Language:
    raw = env.get(name) or Language.zh.value
    try:
        return Language(raw.strip().lower())
    except ValueError:
        known = ", ".join(language.value for language in Language)
        raise SettingsError(f"{name}={raw!r} is not one of {known}") from None


def _payload_keys(env: Mapping[str, str]) -> tuple[PayloadKey, ...]:
    raw = env.get("REPAIRDESK_PAYLOAD_KEYS", "").strip()
    try:
        return parse_keys(raw) if raw else ()
    except KeysError as e:
        raise SettingsError(f"REPAIRDESK_PAYLOAD_KEYS: {e}") from None


def _host_port(env: Mapping[str, str], name: str) -> str | None:
    raw = env.get(name)
    if not raw:
        return None
    host, colon, port = raw.rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"{name}={raw!r} is not host:port")
    return raw


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name) or DEFAULT_UI_ORIGIN
    origins = tuple(origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip())
    bad = [o for o in origins if not o.startswith(("http://", "https://")) or "/" in o[8:]]
    if bad:
        raise SettingsError(f"{name}: {bad[0]!r} is not an origin like https://ui.example.com")
    return origins


def _retried_soon_after_a_crash(settings: Settings) -> None:
    """A row whose relay died is claimed again at most a lease and a poll after the relay's last
    renewal; contract v1.2 wants it attempted within 60 s, connecting included."""
    lease, poll = settings.delivery_lease, settings.delivery_poll
    if lease + poll > LONGEST_CRASH_DELAY:
        raise SettingsError(
            f"REPAIRDESK_DELIVERY_LEASE ({lease.total_seconds():g}s) and REPAIRDESK_DELIVERY_POLL"
            f" ({poll.total_seconds():g}s) add up to more than"
            f" {LONGEST_CRASH_DELAY.total_seconds():g}s: a letter or finance event that a dead"
            " worker had taken must be attempted again within 60s"
        )


def _public_url(env: Mapping[str, str]) -> str | None:
    raw = (env.get("REPAIRDESK_PUBLIC_URL") or "").strip().rstrip("/")
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(
            f"REPAIRDESK_PUBLIC_URL={raw!r} is not a base URL like https://repairdesk.example.com"
        )
    return raw


def _public_link_secret(env: Mapping[str, str], public_url: str | None) -> str | None:
    """The secret customer links are signed with; required with a public URL, since links
    signed by a worker must be checked by every HTTP server (docs/pages.md)."""
    secret = env.get("REPAIRDESK_PUBLIC_LINK_SECRET") or None
    if public_url and secret is None:
        raise SettingsError(
            "REPAIRDESK_PUBLIC_URL is set but REPAIRDESK_PUBLIC_LINK_SECRET is not: set it to "
            "the same random text (at least 32 characters) for every worker and HTTP server"
        )
    if secret is not None and len(secret) < MIN_SECRET:
        raise SettingsError(
            f"REPAIRDESK_PUBLIC_LINK_SECRET must be at least {MIN_SECRET} characters long"
        )
    return secret


def _profile(env: Mapping[str, str]) -> ClientConfigProfile:
    try:
        return load_profile(env)
    except ProfileError as e:
        raise SettingsError(str(e)) from None


def terms_from_env(env: Mapping[str, str]) -> Terms:
    """The worker's default service terms; a customer's contract in the archive overrides them."""
    return Terms(
        reply=_duration(env, "REPAIRDESK_SLA_REPLY", "1h"),
        onsite=_duration(env, "REPAIRDESK_SLA_ONSITE", "3h"),
        repair=_duration(env, "REPAIRDESK_SLA_REPAIR", "24h"),
        emergency_onsite=_duration(env, "REPAIRDESK_SLA_EMERGENCY_ONSITE", "4h"),
        warn_at=_decimal(env, "REPAIRDESK_SLA_WARN_AT", "0.75", term_values.warn_at),
        discount=_decimal(env, "REPAIRDESK_POST_WARRANTY_DISCOUNT", "0.10", term_values.discount),
        labour_rate=_decimal(env, "REPAIRDESK_LABOUR_RATE", "300.00", term_values.labour_rate),
    )


@dataclass(frozen=True)
class Settings:
    temporal_address: str = DEFAULT_ADDRESS
    namespace: str = DEFAULT_NAMESPACE
    # API key, TLS and gRPC metadata of the Temporal profile; address and namespace above win.
    temporal_profile: ClientConfigProfile = field(default_factory=ClientConfigProfile, repr=False)
    task_queue: str = "repair-cases"
    database_url: str = DEFAULT_DATABASE_URL
    terms: Terms = field(default_factory=Terms)
    timezone: str = "Asia/Shanghai"
    smtp_url: str | None = None
    mail_from: str = "repairdesk@localhost"
    office_email: str | None = None
    manager_email: str | None = None
    executive_email: str | None = None
    staff_language: Language = Language.zh
    finance_webhook_url: str | None = None
    finance_webhook_secret: str | None = None
    log_format: str = "json"
    # the delivery relay (activities/delivery): how often it looks for rows other processes
    # wrote, the wait after a first failed attempt (doubled each time up to the longest), how
    # long a claimed row is left to its relay after the relay last renewed the claim (a third
    # of it), and after how many failures the case is warned
    delivery_poll: timedelta = timedelta(seconds=2)
    delivery_backoff: timedelta = timedelta(seconds=5)
    delivery_backoff_max: timedelta = timedelta(minutes=5)
    delivery_lease: timedelta = timedelta(seconds=30)
    delivery_warn_after: int = 5
    # archive writes a worker runs at once (worker.py, bench/README.md "Activity slots")
    activity_slots: int = 8
    payload_keys: tuple[PayloadKey, ...] = ()
    metrics_address: str | None = None
    http_address: str = DEFAULT_HTTP_ADDRESS
    # Browser origins of the Temporal UI allowed to call the remote codec (CORS).
    ui_origins: tuple[str, ...] = (DEFAULT_UI_ORIGIN,)
    # Where customers reach the HTTP server, and the secret their case links are signed with.
    public_url: str | None = None
    public_link_secret: str | None = field(default=None, repr=False)

    @property
    def http_host_port(self) -> tuple[str, int]:
        """REPAIRDESK_HTTP_ADDRESS split into host and port."""
        host, _, port = self.http_address.rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        profile = _profile(env)
        public_url = _public_url(env)
        settings = cls(
            temporal_address=profile.address or DEFAULT_ADDRESS,
            namespace=profile.namespace or DEFAULT_NAMESPACE,
            temporal_profile=profile,
            task_queue=env.get("REPAIRDESK_TASK_QUEUE") or "repair-cases",
            database_url=env.get("REPAIRDESK_DATABASE_URL") or DEFAULT_DATABASE_URL,
            terms=terms_from_env(env),
            timezone=env.get("REPAIRDESK_TIMEZONE") or "Asia/Shanghai",
            smtp_url=env.get("REPAIRDESK_SMTP_URL") or None,
            mail_from=env.get("REPAIRDESK_MAIL_FROM") or "repairdesk@localhost",
            office_email=env.get("REPAIRDESK_OFFICE_EMAIL") or None,
            manager_email=env.get("REPAIRDESK_MANAGER_EMAIL") or None,
            executive_email=env.get("REPAIRDESK_EXECUTIVE_EMAIL") or None,
            staff_language=_language(env, "REPAIRDESK_STAFF_LANGUAGE"),
            finance_webhook_url=env.get("REPAIRDESK_FINANCE_WEBHOOK_URL") or None,
            finance_webhook_secret=env.get("REPAIRDESK_FINANCE_WEBHOOK_SECRET") or None,
            log_format=env.get("REPAIRDESK_LOG_FORMAT") or "json",
            delivery_poll=_duration(env, "REPAIRDESK_DELIVERY_POLL", "2s"),
            delivery_backoff=_duration(env, "REPAIRDESK_DELIVERY_BACKOFF", "5s"),
            delivery_backoff_max=_duration(env, "REPAIRDESK_DELIVERY_BACKOFF_MAX", "5m"),
            delivery_lease=_duration(env, "REPAIRDESK_DELIVERY_LEASE", "30s"),
            delivery_warn_after=_count(env, "REPAIRDESK_DELIVERY_WARN_AFTER", 5),
            activity_slots=_count(env, "REPAIRDESK_ACTIVITY_SLOTS", 8),
            payload_keys=_payload_keys(env),
            metrics_address=_host_port(env, "REPAIRDESK_METRICS_ADDRESS"),
            http_address=_host_port(env, "REPAIRDESK_HTTP_ADDRESS") or DEFAULT_HTTP_ADDRESS,
            ui_origins=_origins(env, "REPAIRDESK_UI_ORIGINS"),
            public_url=public_url,
            public_link_secret=_public_link_secret(env, public_url),
        )
        _retried_soon_after_a_crash(settings)
        try:
            settings.zone  # noqa: B018
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"REPAIRDESK_TIMEZONE={settings.timezone!r} is not a time zone"
            ) from None
        return settings

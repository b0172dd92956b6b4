"""Settings from the environment variables the public contract names.

A bad value stops the worker or the command at once with a message naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflows.messages import Language, Terms
from workflows.rules import parse_duration

DEFAULT_DATABASE_URL = "sqlite:///./.repairdesk/archive.db"


class SettingsError(ValueError):
    """An environment variable holds a value repairdesk cannot use."""


def _decimal(env: Mapping[str, str], name: str, default: str, low: str, high: str) -> Decimal:
    raw = env.get(name) or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if not Decimal(low) <= value <= Decimal(high):
        raise SettingsError(f"{name}={raw!r} must be between {low} and {high}")
    return value


def _duration(env: Mapping[str, str], name: str, default: str) -> timedelta:
    raw = env.get(name) or default
    try:
        return parse_duration(raw)
    except ValueError as e:
        raise SettingsError(f"{name}: {e}") from None


def _language(env: Mapping[str, str], name: str) -> Language:
    raw = env.get(name) or Language.zh.value
    try:
        return Language(raw.strip().lower())
    except ValueError:
        known = ", ".join(language.value for language in Language)
        raise SettingsError(f"{name}={raw!r} is not one of {known}") from None


def _address(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or default).strip()
    host, _, port = raw.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"{name}={raw!r} must be host:port, e.g. 127.0.0.1:8000")
    return raw


def terms_from_env(env: Mapping[str, str]) -> Terms:
    """The worker's default service terms; a customer's contract in the archive overrides them."""
    return Terms(
        reply=_duration(env, "REPAIRDESK_SLA_REPLY", "1h"),
        onsite=_duration(env, "REPAIRDESK_SLA_ONSITE", "3h"),
        repair=_duration(env, "REPAIRDESK_SLA_REPAIR", "24h"),
        emergency_onsite=_duration(env, "REPAIRDESK_SLA_EMERGENCY_ONSITE", "4h"),
        warn_at=_decimal(env, "REPAIRDESK_SLA_WARN_AT", "0.75", "0", "1"),
        discount=_decimal(env, "REPAIRDESK_POST_WARRANTY_DISCOUNT", "0.10", "0", "1"),
        labour_rate=_decimal(env, "REPAIRDESK_LABOUR_RATE", "300.00", "0", "1000000"),
    )


@dataclass(frozen=True)
class Settings:
    temporal_address: str = "localhost:7233"
    namespace: str = "default"
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
    http_address: str = "127.0.0.1:8000"

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
        settings = cls(
            temporal_address=env.get("TEMPORAL_ADDRESS") or "localhost:7233",
            namespace=env.get("TEMPORAL_NAMESPACE") or "default",
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
            http_address=_address(env, "REPAIRDESK_HTTP_ADDRESS", "127.0.0.1:8000"),
        )
        try:
            settings.zone  # noqa: B018
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"REPAIRDESK_TIMEZONE={settings.timezone!r} is not a time zone"
            ) from None
        return settings

"""Who receives a notice, and in which language.

Customers read theirs in the contact's language; the engineering office, the service manager
and the executive read theirs in REPAIRDESK_STAFF_LANGUAGE (default zh), which this module
reads because `Settings` does not carry it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from activities.settings import Settings, SettingsError
from workflows.activity_io import Audience
from workflows.messages import CaseState, Language

STAFF_LANGUAGE = "REPAIRDESK_STAFF_LANGUAGE"


def staff_language(env: Mapping[str, str] | None = None) -> Language:
    """The staff's language from the environment; a bad value stops the worker at once."""
    raw = (os.environ if env is None else env).get(STAFF_LANGUAGE) or Language.zh.value
    try:
        return Language(raw.strip().lower())
    except ValueError:
        known = ", ".join(language.value for language in Language)
        raise SettingsError(f"{STAFF_LANGUAGE}={raw!r} is not one of {known}") from None


@dataclass(frozen=True)
class Addressee:
    """Where a notice goes; `email` is None when nobody of that audience has an address."""

    email: str | None
    language: Language


def addressee(
    audience: Audience, case: CaseState, settings: Settings, staff: Language
) -> Addressee:
    if audience == "customer":
        return Addressee(case.contact.email, case.contact.language)
    emails = {
        "office": settings.office_email,
        "manager": settings.manager_email,
        "executive": settings.executive_email,
    }
    return Addressee(emails[audience], staff)

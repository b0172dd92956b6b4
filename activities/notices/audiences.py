"""Who receives a notice, and in which language.

Customers read theirs in the contact's language; the engineering office, the service manager
and the executive read theirs in REPAIRDESK_STAFF_LANGUAGE (default zh).
"""

from __future__ import annotations

from dataclasses import dataclass

from activities.settings import Settings
from workflows.activity_io import Audience
from workflows.messages import CaseState, Language


@dataclass(frozen=True)
class Addressee:
    """Where a notice goes; `email` is None when nobody of that audience has an address."""

    email: str | None
    language: Language


def addressee(audience: Audience, case: CaseState, settings: Settings) -> Addressee:
    if audience == "customer":
        return Addressee(case.contact.email, case.contact.language)
    emails = {
        "office": settings.office_email,
        "manager": settings.manager_email,
        "executive": settings.executive_email,
    }
    return Addressee(emails[audience], settings.staff_language)

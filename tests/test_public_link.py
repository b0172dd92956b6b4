"""The signed link under a customer's letters: deterministic, refused when altered in any
character or expired, only under customer letters, only with REPAIRDESK_PUBLIC_URL set."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from activities.notices import outbox
from activities.notices.wording import Wording
from activities.public_link import VALID_FOR, LinkRefused, case_link, token, verify
from activities.settings import Settings, SettingsError
from tests import notice_cases
from web.customer_view import customer_view
from workflows.messages import Language

SECRET = "s" * 40
PUBLIC = "https://service.example.com"
NOW = datetime(2026, 11, 25, tzinfo=UTC)
LINKED = replace(Settings(), public_url=PUBLIC, public_link_secret=SECRET)
LINK = re.compile(r"https://service\.example\.com/c/(\S+)")


def test_a_link_names_its_case_until_it_expires() -> None:
    signed = token(SECRET, "C-1001/a.b:c", NOW + timedelta(days=1))
    assert verify(SECRET, signed, NOW) == "C-1001/a.b:c"
    with pytest.raises(LinkRefused) as expired:
        verify(SECRET, signed, NOW + timedelta(days=2))
    assert expired.value.expired


def test_a_link_altered_in_any_character_is_refused() -> None:
    signed = token(SECRET, "C-1001", NOW + timedelta(days=1))
    for position, character in enumerate(signed):
        for other in {"0", "a", "A", "-", "_", "."} - {character}:
            altered = signed[:position] + other + signed[position + 1 :]
            with pytest.raises(LinkRefused):
                verify(SECRET, altered, NOW)
    for altered in (signed[:-1], signed + "0", "", ".", signed.replace(".", "", 1)):
        with pytest.raises(LinkRefused):
            verify(SECRET, altered, NOW)
    with pytest.raises(LinkRefused):
        verify("t" * 40, signed, NOW)


def test_customer_letters_carry_the_same_link_and_staff_letters_none() -> None:
    requests = notice_cases.late_repair(Language.en)
    for request in requests:
        args = (request.key, request.kind, request.audience, request.sla, request.case)
        first, again = outbox.draft(*args, LINKED), outbox.draft(*args, LINKED)
        assert first == again, request.key
        found = LINK.findall(first.body)
        if request.audience == "customer":
            assert found == [case_link(PUBLIC, SECRET, request.case).rsplit("/", 1)[1]]
            assert verify(SECRET, found[0], NOW) == request.case.case_id
        else:
            assert found == [] and "/c/" not in first.body, request.key
        assert "/c/" not in outbox.draft(*args, Settings()).body


def test_a_link_is_valid_for_ninety_days_after_the_report() -> None:
    case = notice_cases.late_repair(Language.en)[0].case
    assert case.reported_at is not None
    signed = case_link(PUBLIC, SECRET, case).rsplit("/", 1)[1]
    verify(SECRET, signed, case.reported_at + VALID_FOR - timedelta(seconds=1))
    with pytest.raises(LinkRefused):
        verify(SECRET, signed, case.reported_at + VALID_FOR + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REPAIRDESK_PUBLIC_URL": PUBLIC}, "REPAIRDESK_PUBLIC_LINK_SECRET is not"),
        (
            {"REPAIRDESK_PUBLIC_URL": PUBLIC, "REPAIRDESK_PUBLIC_LINK_SECRET": "short"},
            "at least 32 characters",
        ),
        ({"REPAIRDESK_PUBLIC_URL": "service.example.com"}, "is not a base URL"),
    ],
)
def test_a_public_url_needs_a_long_secret(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_the_public_url_is_read_without_its_trailing_slash() -> None:
    settings = Settings.from_env(
        {"REPAIRDESK_PUBLIC_URL": PUBLIC + "/", "REPAIRDESK_PUBLIC_LINK_SECRET": SECRET}
    )
    assert (settings.public_url, settings.public_link_secret) == (PUBLIC, SECRET)
    assert SECRET not in repr(settings)


def test_the_customer_view_holds_nothing_internal() -> None:
    """The page is drawn from the view: no staff address, letter, timeline or vendor cost."""
    case = notice_cases.late_repair(Language.en)[-1].case
    view = customer_view(case, Wording(Language.en, LINKED.zone))
    shown = repr(view)
    for internal in ("@", "warning", "notice", "warranty_cost", "deadline is near", "T-3"):
        assert internal not in shown, internal
    assert [c.state for c in view.commitments] == ["breached", "met", "breached"]
    assert view.explanation is not None and view.explanation.reason is None

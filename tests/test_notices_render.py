"""Every notice renders in both languages from its template, with the case's own facts:
times in the configured zone with the zone named, money with its currency, no placeholder left.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from activities.notices.context import KINDS
from activities.notices.letters import Letter, render
from activities.notices.wording import template_folder
from tests import notice_cases
from tests.notice_cases import the
from workflows.activity_io import NoticeRequest
from workflows.messages import Language

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLACEHOLDER = re.compile(r"[{}]|\$\{?\w")
SIGNATURE = {Language.en: "Engineering Department", Language.zh: "工程部"}


def _letters(language: Language) -> list[tuple[NoticeRequest, Letter]]:
    return [(r, render(r, language, SHANGHAI)) for r in notice_cases.every_notice(language)]


@pytest.mark.parametrize("language", list(Language))
def test_every_kind_renders_signed_with_the_case_id_and_no_placeholder_left(
    language: Language,
) -> None:
    letters = _letters(language)
    assert {request.kind for request, _ in letters} == set(KINDS)
    for request, letter in letters:
        text = f"{letter.subject}\n{letter.body}"
        assert letter.subject.startswith(f"[{request.case.case_id}] "), request.key
        assert not PLACEHOLDER.search(text), (request.key, text)
        assert "None" not in text, request.key
        assert SIGNATURE[language] in letter.body and "010-87206221" in letter.body


@pytest.mark.parametrize("language", list(Language))
def test_both_languages_have_the_same_templates_and_phrases(language: Language) -> None:
    other = Language.en if language is Language.zh else Language.zh
    names = {entry.name for entry in template_folder(language).iterdir()}
    assert names == {entry.name for entry in template_folder(other).iterdir()}
    assert {f"{kind}.txt" for kind in KINDS} <= names

    def keys(lang: Language) -> set[str]:
        text = (template_folder(lang) / "phrases.txt").read_text(encoding="utf-8")
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        return {line.split(" = ")[0] for line in lines}

    assert keys(language) == keys(other)


def test_times_are_shown_in_the_configured_zone_with_the_zone_named() -> None:
    request = the(notice_cases.late_repair(Language.en), "acknowledgement", "customer")
    shanghai = render(request, Language.en, SHANGHAI).body
    assert "report of 2026-11-24 16:00 Asia/Shanghai" in shanghai
    assert "by 2026-11-24 17:00 Asia/Shanghai (clause 2)" in shanghai
    berlin = render(request, Language.en, ZoneInfo("Europe/Berlin")).body
    assert "report of 2026-11-24 09:00 +01:00 Europe/Berlin" in berlin
    assert "Asia/Shanghai" not in berlin


def test_the_written_explanation_says_so_in_its_subject() -> None:
    for language, word in ((Language.en, "explanation"), (Language.zh, "书面说明")):
        requests = notice_cases.late_repair(language)
        for audience in ("customer", "executive"):
            letter = render(the(requests, "written_explanation", audience), language, SHANGHAI)
            assert word in letter.subject


def test_the_written_explanation_tells_history_reason_and_measures() -> None:
    request = the(notice_cases.late_repair(Language.en), "written_explanation", "customer")
    body = render(request, Language.en, SHANGHAI).body
    assert "Chiller trips on high pressure" in body
    assert "2026-11-24 17:12 Asia/Shanghai Wang Fang of the engineering office replied" in body
    assert "technician Zhao Lei arrived on site" in body
    assert "we missed a deadline: 1-hour reply" in body
    assert "Zhao Lei (T-3) is on site and the repair is in progress" in body
    assert "Zhang Ming, Vice General Manager" in body
    assert "priority" in body
    assert "third party repair the equipment at our cost (clause 4)" in body


@pytest.mark.parametrize(
    ("steps", "reason"),
    [
        (0, "has not yet replied"),
        (1, "no technician has been sent"),
        (2, "is on the way to your site"),
        (3, "is on site and the repair is in progress"),
    ],
)
def test_the_explanation_derives_why_from_how_far_the_case_got(steps: int, reason: str) -> None:
    body = render(notice_cases.explanation_after(Language.en, steps), Language.en, SHANGHAI).body
    assert reason in body


def test_the_chinese_explanation_is_written_in_chinese() -> None:
    request = notice_cases.explanation_after(Language.zh, 0)
    body = render(request, Language.zh, SHANGHAI).body
    assert "工程部尚未答复您的报修" in body
    assert "副总经理张明" in body
    assert "第4条" in body


def test_a_charged_repair_shows_the_work_and_the_amount_with_its_currency() -> None:
    request = the(notice_cases.late_repair(Language.en), "repaired", "customer")
    body = render(request, Language.en, SHANGHAI).body
    assert "pressure switch (P-100) × 1 at 320.00 CNY: 320.00 CNY" in body
    assert "labour: 2.5 h at 300.00 CNY per hour: 750.00 CNY" in body
    assert "(clause 5); the amount due is 1,070.00 CNY" in body
    zh = render(
        the(notice_cases.late_repair(Language.zh), "repaired", "customer"), Language.zh, SHANGHAI
    )
    assert "应付金额:1,070.00 CNY" in zh.body


def test_a_post_warranty_repair_shows_the_favourable_price() -> None:
    request = the(notice_cases.post_warranty_repair(Language.en), "repaired", "customer")
    body = render(request, Language.en, SHANGHAI).body
    assert "favourable post-warranty price (clause 8): -60.00 CNY" in body
    assert "is 540.00 CNY" in body


def test_a_warranty_repair_is_free_and_tells_of_the_extension() -> None:
    for language, free, extended in (
        (Language.en, "free of charge under your warranty", "until 2027-07-01 (clause 7)"),
        (Language.zh, "免费", "至 2027-07-01(第7条)"),
    ):
        body = render(notice_cases.free_repair(language), language, SHANGHAI).body
        assert free in body and extended in body
        assert "CNY" not in body


def test_a_case_another_case_brought_under_the_warranty_is_repaired_free() -> None:
    for language, free in (
        (Language.en, "free of charge under your warranty"),
        (Language.zh, "免费"),
    ):
        body = render(notice_cases.covered_by_another_case(language), language, SHANGHAI).body
        assert free in body and "CNY" not in body
        assert "clause 7" not in body and "第7条" not in body  # not this repair's extension


def test_staff_letters_carry_what_they_must_act_on() -> None:
    requests = notice_cases.emergency_third_party(Language.en, currency="USD")
    breach = render(the(requests, "breach", "manager"), Language.en, SHANGHAI)
    assert "Deadline missed: 1-hour reply" in breach.subject
    assert "Due: 2026-11-24 17:00 Asia/Shanghai" in breach.body
    assert "Late by: under a minute" in breach.body
    third_party = render(the(requests, "third_party_repair", "executive"), Language.en, SHANGHAI)
    assert "4,800.00 USD" in third_party.subject
    assert "Huabei Refrigeration" in third_party.body and "INV-88" in third_party.body
    late = the(notice_cases.post_warranty_repair(Language.en), "breach", "manager")
    assert "Late by: 36 min" in render(late, Language.en, SHANGHAI).body


def test_remote_support_names_the_phone_and_the_deadlines() -> None:
    request = the(notice_cases.emergency_third_party(Language.en), "remote_support", "customer")
    body = render(request, Language.en, SHANGHAI).body
    assert "telephone and remote support now (clause 9)" in body
    assert "+86 10 5555 0100" in body
    assert "Technician on site: by 2026-11-24 20:00 Asia/Shanghai" in body


def test_a_rejection_gives_the_reason_and_the_hotline() -> None:
    requests = notice_cases.unknown_equipment(Language.zh)
    customer = render(the(requests, "rejected", "customer"), Language.zh, SHANGHAI)
    assert "serial SN-42 is not in the archive" in customer.body
    assert "请拨打服务热线 010-87206221" in customer.body
    office = render(the(requests, "rejected", "office"), Language.zh, SHANGHAI)
    assert "未知设备 SN-42" in office.subject

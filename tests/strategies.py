"""Hypothesis strategies for the contract's JSON payloads, valid and subtly invalid.

A payload is described field by field (`Field`: its kind and whether it is required); `valid`
draws a payload that validates (unknown extra keys included: the models ignore them), and
`invalid` draws a valid one and breaks it in exactly one place, returning the payload and the
field it broke, so a test can check that the refusal names it. The limits are the contract's
(workflows/messages.py, workflows/ip_messages.py); nothing here imports repairdesk, like the
call-centre software it stands for.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("REPAIRDESK_FUZZ_EXAMPLES", "40"))
HUGE = "x" * 1_000_000  # 1 MB: a text no field accepts
ODD_TEXT = [
    "李伟 报修",
    "مرحبا بالعالم",
    "שלום",
    "🔧🧊❄️",
    "\u202eRTL\u202c",
    "e\u0301",
    "\x07\x1b[0m",
]
NUL = "a\x00b"  # refused in every text: PostgreSQL stores no NUL

identifiers = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,30}", fullmatch=True)


def texts(max_size: int) -> st.SearchStrategy[str]:
    """Any unicode but NUL (CJK, RTL, emoji, controls, combining marks) that is not blank."""
    chars = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
    drawn = st.text(chars, min_size=1, max_size=min(max_size, 60)) | st.sampled_from(ODD_TEXT)
    return drawn.filter(lambda s: s.strip() != "")


def now() -> datetime:
    return datetime.now(UTC)


def iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def times(earliest: timedelta, latest: timedelta = timedelta(0)) -> st.SearchStrategy[str]:
    """An RFC 3339 time between `earliest` ago and `latest` ago, in some zone."""
    seconds = st.integers(int(latest.total_seconds()), int(earliest.total_seconds()))
    zones = st.sampled_from(["Z", "+08:00", "-05:30"])

    def at(ago: int, zone: str) -> str:
        moment = now() - timedelta(seconds=ago)
        if zone == "Z":
            return iso(moment)
        hours, minutes = int(zone[1:3]), int(zone[4:])
        offset = timedelta(hours=hours, minutes=minutes) * (1 if zone[0] == "+" else -1)
        return (moment + offset).replace(tzinfo=None).isoformat() + zone

    return st.builds(at, seconds, zones)


def money(low_cents: int, high_cents: int) -> st.SearchStrategy[Any]:
    """A decimal string with 0-2 decimals, or a JSON number that reads the same."""
    cents = st.integers(low_cents, high_cents)
    return st.one_of(
        cents.map(lambda c: f"{c // 100}.{c % 100:02d}"),
        cents.filter(lambda c: c % 10 == 0).map(lambda c: f"{c // 100}.{c % 100 // 10}"),
        cents.map(lambda c: c // 100),
        cents.filter(lambda c: c < 10**9).map(lambda c: c / 100),
    )


BAD_ANY = [None, [], {}, True, 12, [1, 2], {"a": 1}]
BAD_DECIMAL = [
    "1.005", "0.001", "1E+1", "1e2", "NaN", "nan", "Infinity", "-Infinity", float("nan"),
    float("inf"), True, False, "-1", -1, -0.01, "-0.5", "1" + "0" * 40, 10**40, "", "abc",
    "1,000.00", "1 000", "٣٢٠", "１２", "+1", ".5", "1.", "0x10", 1.005, "12.3.4", "-0", "-0.00",
    HUGE, "9" * 100_000,
]  # fmt: skip
BAD_QTY = [0, -1, True, False, "1", 1.5, 1.0, 100_001, 10**40, "NaN", float("nan")]
BAD_TIME = [
    "2026-11-24T08:00:00", "2026-11-24", "yesterday", "", "24/11/2026 08:00", True,
    "2026-13-40T25:61:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
]  # fmt: skip
TOO_FAR_AHEAD = timedelta(hours=2)  # well past the 5 minutes of clock skew allowed


def bad_strings(limit: int) -> list[Any]:
    return ["", "   ", "x" * (limit + 1), HUGE, NUL, 7, False, ["a"], {"text": "a"}]


def bad_ids() -> list[Any]:
    return ["", " ", "-T", "T 3", "T" * 65, "技术员", "T\x00", "T-3\n;DROP", 3, True, ["T-3"]]


@dataclass(frozen=True)
class Field:
    valid: st.SearchStrategy[Any]
    invalid: Callable[[], st.SearchStrategy[Any]]
    required: bool = True


def field(
    valid: st.SearchStrategy[Any], bad: list[Any], required: bool = True, nullable: bool = False
) -> Field:
    """A field whose invalid values are `bad`, and null unless the field may be null."""
    nulls = [] if nullable else [None]
    return Field(valid, lambda: st.sampled_from(bad + nulls), required)


def ident(required: bool = True) -> Field:
    return field(identifiers, bad_ids(), required, nullable=not required)


def name(required: bool = True) -> Field:
    return field(texts(200), bad_strings(200), required, nullable=not required)


def text(required: bool = True) -> Field:
    return field(texts(10_000), bad_strings(10_000), required, nullable=not required)


def amount(high_cents: int, required: bool = True, low_cents: int = 0) -> Field:
    """Money or hours: never null; "0" is refused too where the least is a cent."""
    bad = BAD_DECIMAL + [f"{high_cents // 100 + 1}.00"] + (["0", "0.00", 0] if low_cents else [])
    return field(money(low_cents, high_cents), bad, required)


def choice(values: list[str], required: bool = True) -> Field:
    bad = ["", "LIGHTNING", values[0].upper(), f" {values[0]}x", 1, True, values]
    return field(st.sampled_from(values), bad, required)


def flag() -> Field:
    """A yes/no; pydantic's lax reading takes 1, 0, "true" and "yes" too, as the contract allows."""
    return field(st.booleans(), ["maybe", "", 2, -1, [], {}], required=False)


def past_time(earliest: timedelta, too_early: timedelta | None = None) -> Field:
    """An optional time that may not lie in the future (nor before `too_early` ago)."""
    wrong = [TOO_FAR_AHEAD] + ([-too_early] if too_early else [])
    out_of_range = st.sampled_from(wrong).map(lambda ahead: iso(now() + ahead))
    return Field(times(earliest), lambda: st.sampled_from(BAD_TIME) | out_of_range, False)


def any_time() -> Field:
    """An optional time, past or future (an expected arrival)."""
    return field(
        times(timedelta(hours=1), -timedelta(hours=4)), BAD_TIME, required=False, nullable=True
    )


def listing(
    item: st.SearchStrategy[Any], bad_item: st.SearchStrategy[Any], most: int, least: int = 0
) -> Field:
    """A list of objects: invalid as a whole (not a list, too short or long) or in one item."""
    valid = st.lists(item, min_size=least, max_size=3)
    sizes = [most + 1] + ([least - 1] if least else [])
    wrong_size = st.tuples(item, st.sampled_from(sizes)).map(lambda t: [t[0]] * t[1])
    bad_list = st.sampled_from(["P-100", {"part_no": "P-100"}, 3, True, None]) | wrong_size
    with_bad_item = st.tuples(valid, bad_item).map(lambda t: [*t[0], t[1]])
    return Field(valid, lambda: bad_list | with_bad_item, required=least > 0)


Shape = dict[str, Field]

_UNKNOWN_KEYS = st.dictionaries(
    st.sampled_from(["extra", "note_v2", "优先级", "parts_v9", "__proto__"]),
    st.none() | st.integers() | st.text(max_size=5),
    max_size=2,
)


def valid(shape: Shape) -> st.SearchStrategy[dict[str, Any]]:
    """A payload that validates; unknown keys ride along, as a newer caller's would."""
    required = {k: f.valid for k, f in shape.items() if f.required}
    optional = {k: f.valid for k, f in shape.items() if not f.required}
    known = st.fixed_dictionaries(required, optional=optional)
    return st.tuples(_UNKNOWN_KEYS, known).map(lambda t: {**t[0], **t[1]})


@dataclass(frozen=True)
class Broken:
    """A payload broken in one place: `field` names it ("payload" for the whole)."""

    payload: Any
    field: str


@st.composite
def invalid(draw: st.DrawFn, shape: Shape) -> Broken:
    if draw(st.integers(0, 9)) == 0:
        return Broken(draw(st.sampled_from([*BAD_ANY, "reply", HUGE])), "payload")
    payload = draw(valid(shape))
    key = draw(st.sampled_from(sorted(shape)))
    if shape[key].required and draw(st.booleans()):
        payload.pop(key, None)
    else:
        payload[key] = draw(shape[key].invalid())
    return Broken(payload, key)

"""The values of the service terms a person sets (env settings, contract cells), checked once.

`activities/settings.py` and `repairdesk archive contracts` read the same values with the same
limits through these functions; each raises a ValueError whose message starts with the value
as written, so the caller only puts the variable or column name in front. Pure: no I/O.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from workflows.decimals import plain_decimal
from workflows.rules import format_duration, parse_duration

MAX_LABOUR_RATE = Decimal("1000000")
SHORTEST_SPAN = timedelta(seconds=1)
LONGEST_SPAN = timedelta(days=30)


def labour_rate(text: str) -> Decimal:
    """A labour rate per hour: 0 to 1 000 000, at most two decimals."""
    rate = plain_decimal(text, 2)
    if not Decimal(0) <= rate <= MAX_LABOUR_RATE:
        raise ValueError(f"{text!r} must be from 0 to {MAX_LABOUR_RATE}")
    return rate


def discount(text: str) -> Decimal:
    """The post-warranty favourable price, a share off list: 0 <= d < 1, at most four decimals."""
    share = plain_decimal(text, 4)
    if not Decimal(0) <= share < Decimal(1):
        raise ValueError(f"{text!r} must be at least 0 and less than 1 (0.10 is 10 % off)")
    return share


def warn_at(text: str) -> Decimal:
    """The share of a deadline's span at which the office is warned: 0 < w < 1, four decimals."""
    share = plain_decimal(text, 4)
    if not Decimal(0) < share < Decimal(1):
        raise ValueError(f"{text!r} must be more than 0 and less than 1 (0.75 is at 3/4)")
    return share


def sla_span(text: str) -> timedelta:
    """A deadline's span, like `45m` or `2h`: whole seconds, from 1 s to 30 days."""
    span = parse_duration(text)
    if span > LONGEST_SPAN or span < SHORTEST_SPAN or span % SHORTEST_SPAN:
        longest = format_duration(LONGEST_SPAN)
        raise ValueError(f"{text!r} must be whole seconds, from 1s to {longest}")
    return span

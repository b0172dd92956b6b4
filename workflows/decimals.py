"""Plain decimals: how repairdesk reads a number a person typed (a setting, a contract cell).

A plain decimal is ASCII digits, optionally a point and more digits: `300`, `300.10`, `0.75`.
Exponents (`1E+1`), `NaN`, infinities, signs other than a leading minus, spaces inside, thousands
separators and other scripts' digits (`٣٢٠`, `１２`) are refused, so what a person reads is
exactly the number repairdesk uses. Pure: no I/O, safe in workflow code.
"""

from __future__ import annotations

import re
from decimal import Decimal

_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def shown(text: str) -> str:
    """`text` quoted for an error message, cut short: a refusal never echoes a huge input
    (a misfit signal's reason is kept in the case's timeline)."""
    return repr(text if len(text) <= 40 else f"{text[:40]}…")


def plain_decimal(text: str, places: int) -> Decimal:
    """`text` as a Decimal with at most `places` decimals; a ValueError says what is wrong."""
    cleaned = text.strip()
    if not _PLAIN.fullmatch(cleaned):
        raise ValueError(f"{shown(text)} is not a plain decimal number like 300.00")
    _, _, fraction = cleaned.partition(".")
    if len(fraction.rstrip("0")) > places:
        raise ValueError(f"{shown(text)} has more than {places} decimals")
    return Decimal(cleaned)

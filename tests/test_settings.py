"""Settings from the environment: a bad number stops everything with the variable named."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from activities.settings import Settings, SettingsError

REFUSED = {
    "REPAIRDESK_LABOUR_RATE": ["NaN", "inf", "-inf", "300.005", "-1", "1E+1", "1,000", "0x10"],
    "REPAIRDESK_POST_WARRANTY_DISCOUNT": ["1", "1.0", "-0.1", "0.12345", "NaN", "1e-1"],
    "REPAIRDESK_SLA_WARN_AT": ["0", "1", "1.5", "Infinity", "0.12345"],
    "REPAIRDESK_SLA_REPLY": ["0s", "31d", "0.5s", "soon", "99999999999999999999d"],
}


@pytest.mark.parametrize(
    ("name", "value"), [(name, value) for name, values in REFUSED.items() for value in values]
)
def test_a_bad_value_is_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({name: value})
    assert str(refused.value).startswith(f"{name}={value!r} "), refused.value


def test_plain_decimals_within_the_limits_are_read_exactly() -> None:
    terms = Settings.from_env(
        {
            "REPAIRDESK_LABOUR_RATE": "300.10",
            "REPAIRDESK_POST_WARRANTY_DISCOUNT": "0.1250",
            "REPAIRDESK_SLA_WARN_AT": "0.5",
            "REPAIRDESK_SLA_REPLY": "45m",
        }
    ).terms
    assert (terms.labour_rate, terms.discount, terms.warn_at) == (
        Decimal("300.10"),
        Decimal("0.1250"),
        Decimal("0.5"),
    )
    assert terms.reply == timedelta(minutes=45)
    assert Settings.from_env({"REPAIRDESK_POST_WARRANTY_DISCOUNT": "0"}).terms.discount == 0


def test_the_defaults_are_the_contract_s() -> None:
    terms = Settings.from_env({}).terms
    assert (terms.labour_rate, terms.discount, terms.warn_at) == (
        Decimal("300.00"),
        Decimal("0.10"),
        Decimal("0.75"),
    )

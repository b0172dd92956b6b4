"""Active ISO 4217 currency codes accepted in money fields, and their minor units."""

from decimal import Decimal

ISO_4217 = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
    """.split()  # noqa: SIM905 - a block of codes reads better than 150 quoted strings
)

# ISO 4217 currencies without a minor unit: their amounts are whole numbers. (The others have
# two or three decimals; repairdesk's payloads carry at most two.)
WITHOUT_MINOR_UNIT = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()  # noqa: SIM905
)


def decimals_of(currency: str) -> int:
    """How many decimals an amount in `currency` has: 0 for JPY or KRW, else 2."""
    return 0 if currency in WITHOUT_MINOR_UNIT else 2


def minor_unit_problem(amount: Decimal, currency: str) -> str | None:
    """Why `amount` cannot be an amount of `currency`: a fraction of a yen, say."""
    if decimals_of(currency) == 0 and amount != amount.to_integral_value():
        return f"{currency} has no minor unit: {amount} must be a whole number"
    return None

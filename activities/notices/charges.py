"""How a letter reads a charge: the work done, and what the customer owes or that it is free.

The amounts are those the workflow priced (`workflows.rules`); nothing is recomputed here.
"""

from __future__ import annotations

from activities.notices.wording import Wording
from workflows.messages import CaseState, Charge, ChargeLine, Coverage

REPAIR_KINDS = ("chargeable_repair", "warranty_cost")


def charge_of(case: CaseState, kinds: tuple[str, ...]) -> Charge | None:
    return next((charge for charge in reversed(case.charges) if charge.kind in kinds), None)


def repair(case: CaseState, words: Wording) -> dict[str, str]:
    """The repair's work lines, priced only when the customer pays, and the cost in a sentence."""
    charge = charge_of(case, REPAIR_KINDS)
    if charge is None:
        return {"work": words.phrase("work_none"), "cost": words.phrase("cost_none")}
    customer_pays = charge.payer == "customer"
    lines = [_line(line, charge.currency, customer_pays, words) for line in charge.lines]
    return {
        "work": "\n".join(f"- {line}" for line in lines) or words.phrase("work_none"),
        "cost": _cost(charge, customer_pays, words),
    }


def _line(line: ChargeLine, currency: str, priced: bool, words: Wording) -> str:
    """A line of `rules.price_repair`: a part (has a part number), the favourable-price
    reduction (negative), or the labour (the rest, its quantity in hours)."""
    amount = words.money(line.amount, currency)
    if line.amount < 0:
        return words.phrase("line_discount", amount=amount)
    qty, unit = words.number(line.qty), words.money(line.unit_price, currency)
    if line.part_no:
        named = line.description not in (None, line.part_no)
        what = f"{line.description} ({line.part_no})" if named else line.part_no
        key = "line_part_priced" if priced else "line_part"
        return words.phrase(key, part=what, qty=qty, unit=unit, amount=amount)
    key = "line_labour_priced" if priced else "line_labour"
    return words.phrase(key, hours=qty, unit=unit, amount=amount)


def _cost(charge: Charge, customer_pays: bool, words: Wording) -> str:
    amount = words.money(charge.amount, charge.currency)
    if customer_pays and charge.coverage is Coverage.post_warranty:
        return words.phrase("cost_post_warranty", amount=amount)
    if customer_pays:
        return words.phrase("cost_customer_caused", amount=amount)
    if charge.coverage is Coverage.post_warranty:
        return words.phrase("cost_free_our_fault")
    return words.phrase("cost_free_in_warranty")

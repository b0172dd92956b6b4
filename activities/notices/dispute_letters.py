"""The letters of an IP dispute (clause 10), rendered from the templates beside the cases'.

Kinds: `ip_opened` (executive in charge, service manager), `ip_acknowledgement` (customer),
`ip_settled` (customer; `ip_settled.executive.txt` for the executive). Same template rules as
`letters.py`: subject on the first line, `{name}` placeholders, the signature appended.
"""

from __future__ import annotations

import re

from activities.notices.case_facts import HOTLINE
from activities.notices.letters import Letter
from activities.notices.wording import Wording, template_folder
from workflows.activity_io import NoticeOrder
from workflows.ip_messages import DisputeState
from workflows.messages import Language, TimelineEntry

KINDS = ("ip_opened", "ip_acknowledgement", "ip_settled")
_BLANK_LINES = re.compile(r"\n{3,}")


def _template(order: NoticeOrder, language: Language) -> str:
    folder = template_folder(language)
    for name in (f"{order.kind}.{order.audience}.txt", f"{order.kind}.txt"):
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    raise LookupError(f"no template for notice kind {order.kind!r} in {language.value}")


def _last(dispute: DisputeState, kind: str) -> TimelineEntry | None:
    return next((e for e in reversed(dispute.timeline) if e.kind == kind), None)


def _settlement(dispute: DisputeState, words: Wording) -> dict[str, str]:
    settled = _last(dispute, "settle")
    data = dict(settled.data or {}) if settled else {}
    charge = next((c for c in dispute.charges if c.kind == "ip_indemnity"), None)
    if charge is None:
        return {"settled_by": "-", "settlement": "-", "amount": "-", "costs": "-"}
    costs = "\n".join(
        f"- {line.description}: {words.money(line.amount, charge.currency)}"
        for line in charge.lines
    )
    return {
        "settled_by": str(data.get("by", "-")),
        "settlement": str(data.get("outcome", "-")),
        "amount": words.money(charge.amount, charge.currency),
        "costs": costs,
    }


def dispute_context(dispute: DisputeState, words: Wording) -> dict[str, str]:
    contact = dispute.contact
    serial = dispute.equipment_serial
    equipment = (
        f"{dispute.equipment_model} ({serial})" if dispute.equipment_model and serial else serial
    )
    right = dispute.right.value if dispute.right else "other"
    return {
        "dispute_id": dispute.dispute_id,
        "hotline": HOTLINE,
        "customer": dispute.customer_name or dispute.customer_id or "-",
        "customer_id": dispute.customer_id or "-",
        "contact_name": contact.name or words.phrase("customer"),
        "contact": ", ".join(filter(None, [contact.name, contact.phone, contact.email])) or "-",
        "equipment": equipment or words.phrase("ip_equipment_none"),
        "site": dispute.site or "-",
        "claimant": dispute.claimant or "-",
        "right": words.phrase(f"ip_right_{right}"),
        "description": dispute.description or "-",
        "reported_at": words.time(dispute.reported_at) if dispute.reported_at else "-",
        **_settlement(dispute, words),
    }


def render_dispute(order: NoticeOrder, dispute: DisputeState, words: Wording) -> Letter:
    """The letter for `order` about `dispute`, in the language and zone of `words`."""
    context = dispute_context(dispute, words)
    template = _template(order, words.language)
    subject, _, body = template.format_map(context).partition("\n")
    signature = (template_folder(words.language) / "signature.txt").read_text(encoding="utf-8")
    text = f"{body.strip()}\n\n{signature.format_map(context).strip()}\n"
    return Letter(subject.strip(), _BLANK_LINES.sub("\n\n", text), words.language)

"""Turning command-line words into the contract's payloads, with messages a person can act on.

Values are checked here against the same pydantic models the workflow uses, so a typo is
refused at the keyboard, with the flag named, before anything reaches Temporal.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from client.cases import IDENTIFIER
from workflows.clock_text import local_time_problem
from workflows.messages import Language
from workflows.repair_case import WORKFLOW_ID_PREFIX
from workflows.validation import PYDANTIC_PREFIX

# `open` and `ip open`: when it was reported, and whom to write to.
REPORT_FLAGS = {
    "reported_at": "--reported-at",
    "contact.name": "--contact-name",
    "contact.phone": "--contact-phone",
    "contact.email": "--contact-email",
    "contact.language": "--language",
}
PART_FORMAT = "PART_NO:QTY:UNIT_PRICE[:DESCRIPTION]"
M = TypeVar("M", bound=BaseModel)
_PATTERN_HINT = "must be 1-64 letters, digits or . _ : / - and start with a letter or digit"


class BadArgument(ValueError):
    """A command-line value repairdesk cannot use; the message names the flag and the reason."""


def identifier(what: str, text: str) -> str:
    """An id as the contract spells them; safe to place in a visibility query."""
    if not IDENTIFIER.match(text.strip()):
        raise BadArgument(f"{what} {text!r} {_PATTERN_HINT}")
    return text.strip()


def case_id_of(text: str) -> str:
    """The case id from `C-1001` or its workflow id `case-C-1001`."""
    return identifier("case id", text.strip().removeprefix(WORKFLOW_ID_PREFIX))


def parse_time(flag: str, text: str, zone: ZoneInfo) -> datetime:
    """An RFC 3339 time; one written without a zone is read in REPAIRDESK_TIMEZONE."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadArgument(
            f"{flag} {text!r} is not a time; write it like 2026-11-24T08:00:00Z "
            f"or 2026-11-24T16:00 (read in {zone.key})"
        ) from None
    if moment.tzinfo:
        return moment
    if problem := local_time_problem(moment, zone.key):
        raise BadArgument(f"{flag} {text!r}: {problem}")
    return moment.replace(tzinfo=zone)


def parse_part(text: str) -> dict[str, Any]:
    """One `--part`: the description may itself contain colons; the quantity a whole number."""
    fields = text.split(":", 3)
    if len(fields) < 3 or not all(f.strip() for f in fields[:3]):
        raise BadArgument(f"--part {text!r} must be written {PART_FORMAT}, e.g. P-100:1:320.00")
    if not fields[1].strip().isdigit():
        raise BadArgument(f"--part {text!r}: the quantity {fields[1]!r} is not a whole number")
    part = {"part_no": fields[0], "qty": int(fields[1]), "unit_price": fields[2]}
    if len(fields) == 4 and fields[3].strip():
        part["description"] = fields[3]
    return part


def validated(model: type[M], payload: Mapping[str, Any], flags: Mapping[str, str]) -> M:
    """`payload` as `model`, or BadArgument listing every problem under its command-line flag."""
    try:
        return model.model_validate(payload)
    except ValidationError as e:
        raise BadArgument("; ".join(_problem(error, flags) for error in e.errors())) from None


def _problem(error: Mapping[str, Any], flags: Mapping[str, str]) -> str:
    location = [str(step) for step in error["loc"]]
    path = ".".join(location)
    if location[:1] in (["parts"], ["costs"]) and len(location) > 1:
        repeated = {"parts": "--part", "costs": "--cost"}[location[0]]
        flag = f"{repeated} #{int(location[1]) + 1}" + (
            f" {location[2]}" if len(location) > 2 else ""
        )
    else:
        flag = flags.get(path, path or "payload")
    pattern = error["type"] == "string_pattern_mismatch"
    message = _PATTERN_HINT if pattern else error["msg"].removeprefix(PYDANTIC_PREFIX)
    return f"{flag}: {message}"


def add_report_arguments(p: argparse.ArgumentParser) -> None:
    """The flags of `REPORT_FLAGS`."""
    p.add_argument("--reported-at", metavar="TIME", help="when it was reported (default: now)")
    p.add_argument("--contact-name")
    p.add_argument("--contact-phone")
    p.add_argument("--contact-email")
    p.add_argument("--language", choices=[lang.value for lang in Language], default="zh")


def report_fields(args: argparse.Namespace, zone: ZoneInfo) -> dict[str, Any]:
    """A request's `contact` and, when given, `reported_at`, from `REPORT_FLAGS`."""
    contact = {
        "name": args.contact_name,
        "phone": args.contact_phone,
        "email": args.contact_email,
        "language": args.language,
    }
    fields: dict[str, Any] = {"contact": {k: v for k, v in contact.items() if v is not None}}
    if args.reported_at:
        fields["reported_at"] = parse_time("--reported-at", args.reported_at, zone)
    return fields

"""Rendering a notice into a letter from its template: subject on the first line, then body.

Templates are `templates/<language>/<kind>.txt`; `<kind>.<audience>.txt` takes precedence
where one audience needs a different letter (the office's copy of a rejection). Placeholders
are `{name}` (`str.format_map`) over plain strings prepared in `context`; every letter ends
with `signature.txt`. A customer's letter may carry the link to their case's page
(activities/public_link.py) between its body and the signature.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

from activities.notices.context import LetterRequest, letter_context
from activities.notices.wording import Wording, template_folder
from workflows.messages import Language

_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str
    language: Language


def _template(request: LetterRequest, language: Language) -> str:
    for name in (f"{request.kind}.{request.audience}.txt", f"{request.kind}.txt"):
        if (text := _read(language, name)) is not None:
            return text
    raise LookupError(f"no template for notice kind {request.kind!r} in {language.value}")


@cache
def _read(language: Language, name: str) -> str | None:
    """A template shipped with the package, read once per worker (not once per letter)."""
    path = template_folder(language) / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


def render(
    request: LetterRequest, language: Language, zone: ZoneInfo, link: str | None = None
) -> Letter:
    """The letter for `request` in `language`, times shown in `zone`, with `link` to the
    case's page under the body when one is given."""
    words = Wording(language, zone)
    context = letter_context(request, words)
    subject, _, body = _template(request, language).format_map(context).partition("\n")
    signature = _read(language, "signature.txt")
    if signature is None:
        raise LookupError(f"no signature template in {language.value}")
    follow = f"\n\n{words.phrase('follow_case', link=link)}" if link else ""
    text = f"{body.strip()}{follow}\n\n{signature.format_map(context).strip()}\n"
    return Letter(subject=subject.strip(), body=_BLANK_LINES.sub("\n\n", text), language=language)

"""Rendering a notice into a letter from its template: subject on the first line, then body.

Templates are `templates/<language>/<kind>.txt`; `<kind>.<audience>.txt` takes precedence
where one audience needs a different letter (the office's copy of a rejection). Placeholders
are `{name}` (`str.format_map`) over plain strings prepared in `context`; every letter ends
with `signature.txt`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    folder = template_folder(language)
    for name in (f"{request.kind}.{request.audience}.txt", f"{request.kind}.txt"):
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    raise LookupError(f"no template for notice kind {request.kind!r} in {language.value}")


def render(request: LetterRequest, language: Language, zone: ZoneInfo) -> Letter:
    """The letter for `request` in `language`, times shown in `zone`."""
    words = Wording(language, zone)
    context = letter_context(request, words)
    subject, _, body = _template(request, language).format_map(context).partition("\n")
    signature = (template_folder(language) / "signature.txt").read_text(encoding="utf-8")
    text = f"{body.strip()}\n\n{signature.format_map(context).strip()}\n"
    return Letter(subject=subject.strip(), body=_BLANK_LINES.sub("\n\n", text), language=language)

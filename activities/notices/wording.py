"""The shared phrases of the letters in one language, and how times, money and spans read.

Phrases come from `templates/<language>/phrases.txt` (`key = text`, `{name}` placeholders),
so every word a reader sees is in the template folder of that language.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from zoneinfo import ZoneInfo

from workflows.clock_text import shown
from workflows.messages import Language

TEMPLATES = files("activities.notices") / "templates"


def template_folder(language: Language) -> Traversable:
    return TEMPLATES / language.value


@cache
def _phrases(language: Language) -> dict[str, str]:
    text = (template_folder(language) / "phrases.txt").read_text(encoding="utf-8")
    phrases = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        key, separator, value = line.partition(" = ")
        if not separator:
            raise ValueError(f"{language.value}/phrases.txt line {number}: expected `key = text`")
        phrases[key.strip()] = value.strip()
    return phrases


class Wording:
    """Phrases, times, money and durations as readers of `language` expect them."""

    def __init__(self, language: Language, zone: ZoneInfo) -> None:
        self.language = language
        self.zone = zone
        self._phrases = _phrases(language)

    def phrase(self, key: str, **values: str) -> str:
        return self._phrases[key].format_map(values)

    def time(self, moment: datetime) -> str:
        """A moment in the configured zone, the zone named: `2026-11-24 16:00 Asia/Shanghai`."""
        return shown(moment, self.zone.key)

    def money(self, amount: Decimal, currency: str) -> str:
        return f"{amount:,.2f} {currency}"

    def number(self, value: Decimal) -> str:
        return f"{value.normalize():f}"

    def span(self, length: timedelta) -> str:
        """A span to the minute: `2 h 5 min`, or `under a minute`."""
        minutes = int(length.total_seconds() // 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return self.phrase("span_hours", hours=str(hours), minutes=str(minutes))
        if minutes:
            return self.phrase("span_minutes", minutes=str(minutes))
        return self.phrase("span_short")

"""Reading an import file: a UTF-8 CSV (a BOM is fine) whose first line names its columns.

Imports are all or nothing, so reading never stops at the first problem: every problem found is
collected with its line number (line 1 is the header) and the whole file is refused at once.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from workflows.messages import Identifier

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_IDENTIFIER: TypeAdapter[str] = TypeAdapter(Identifier)


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: `line` is None when it concerns the whole file."""

    line: int | None
    reason: str

    def __str__(self) -> str:
        return self.reason if self.line is None else f"line {self.line}: {self.reason}"


class ImportRefused(Exception):
    """The file has problems; nothing of it was stored."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.line or 0)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Row:
    """One record of the file, by column name; `line` is where the record starts."""

    line: int
    cells: dict[str, str]


def read_text(path: Path) -> str:
    """The file's text; a file that is missing or not UTF-8 (say, GBK from an old Excel) is a
    problem to report, not a crash."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ImportRefused([Problem(None, f"cannot read the file: {e.strerror}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        reason = "the file is not UTF-8 text: save it as 'CSV UTF-8'"
        raise ImportRefused([Problem(line, reason)]) from None


def parse_table(text: str, columns: Sequence[str]) -> list[Row]:
    """The records of a CSV text with exactly `columns` (in any order); blank lines are skipped."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        reason = f"the file is empty; expected columns {','.join(columns)}"
        raise ImportRefused([Problem(1, reason)])
    names = [name.strip() for name in header]
    _check_header(names, columns)
    rows, problems = [], []
    start = reader.line_num + 1
    for record in reader:
        if any(cell.strip() for cell in record):
            if len(record) != len(names):
                reason = f"expected {len(names)} cells, found {len(record)}"
                problems.append(Problem(start, reason))
            else:
                cells = {n: c.strip() for n, c in zip(names, record, strict=True)}
                rows.append(Row(start, cells))
        start = reader.line_num + 1
    if problems:
        raise ImportRefused(problems)
    return rows


def _check_header(names: list[str], columns: Sequence[str]) -> None:
    problems = []
    missing = [c for c in columns if c not in names]
    if missing:
        problems.append(Problem(1, f"missing column(s): {', '.join(missing)}"))
    unknown = [n for n in names if n not in columns]
    if unknown:
        problems.append(Problem(1, f"unknown column(s): {', '.join(repr(n) for n in unknown)}"))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append(Problem(1, f"column(s) given twice: {', '.join(repeated)}"))
    if problems:
        raise ImportRefused(problems)


class Cells:
    """Typed reading of one row's cells; each bad cell adds a problem instead of raising."""

    def __init__(self, row: Row, problems: list[Problem]) -> None:
        self.row, self.problems = row, problems

    def problem(self, reason: str) -> None:
        self.problems.append(Problem(self.row.line, reason))

    def text(self, column: str, max_length: int, required: bool = True) -> str | None:
        value = self.row.cells[column]
        if not value:
            if required:
                self.problem(f"{column} is empty")
            return None
        if len(value) > max_length:
            self.problem(f"{column} is longer than {max_length} characters")
            return None
        if "\x00" in value:  # PostgreSQL stores no NUL in text: refused alike on every archive
            self.problem(f"{column} holds a NUL character")
            return None
        return value

    def identifier(self, column: str) -> str | None:
        """An id as a case quotes it: the same rule as `CaseRequest`, or no case could use it."""
        value = self.text(column, 64)
        if value is None:
            return None
        try:
            return _IDENTIFIER.validate_python(value)
        except ValidationError:
            self.problem(f"{column} {value!r} may hold only letters, digits and . _ : / -")
            return None

    def date(self, column: str, earliest: date, latest: date) -> date | None:
        value = self.text(column, 10)
        if value is None:
            return None
        try:
            if _ISO_DATE.match(value):
                day = date.fromisoformat(value)
                if earliest <= day <= latest:
                    return day
                self.problem(f"{column} {value!r} must be from {earliest} to {latest}")
                return None
        except ValueError:
            pass
        self.problem(f"{column} {value!r} is not a date YYYY-MM-DD")
        return None

    def whole_number(self, column: str, low: int, high: int) -> int | None:
        value = self.text(column, 20)
        if value is None:
            return None
        if not re.fullmatch(r"[+-]?\d+", value) or not low <= int(value) <= high:
            self.problem(f"{column} {value!r} must be a whole number from {low} to {high}")
            return None
        return int(value)

    def decimal(self, column: str, read: Callable[[str], Decimal]) -> Decimal | None:
        """An optional number read by `read` (one of `workflows.decimals`); empty is None."""
        value = self.text(column, 30, required=False)
        if value is None:
            return None
        try:
            return read(value)
        except ValueError as e:
            self.problem(f"{column} {e}")
            return None

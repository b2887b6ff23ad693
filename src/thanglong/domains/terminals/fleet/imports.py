"""Household registry import from CSV: every row checked, then all kept or none.

All or nothing, because a registry half-imported is worse than none: the operator fixes the file and
runs it again, and a second run of a good file is refused row by row as duplicates rather than
silently doubling anything. Every bad row is reported with its line number, not only the first.
Columns: code, head_name, address, then commune_code or lon and lat (or all three), optional phone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from thanglong.core.errors import ThangLongError
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.fleet.services import add_household

REQUIRED = ("code", "head_name", "address")
MAX_ROWS = 200_000


class UnreadableFile(Exception):
    """A file that is not a readable UTF-8 CSV with the expected header."""


@dataclass(frozen=True)
class Row:
    """One data row and its line number in the file (the header is line 1)."""

    line: int
    values: dict[str, str]


@dataclass
class ImportReport:
    """What an import did: rows read, households registered (0 when any row was bad), the bad rows."""

    read: int = 0
    imported: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, vi, en)

    def to_dict(self) -> dict[str, object]:
        """Return the report as JSON."""
        return {
            "read": self.read,
            "imported": self.imported,
            "errors": [{"line": line, "message_vi": vi, "message_en": en} for line, vi, en in self.errors],
        }


def read_rows(path: Path) -> list[Row]:
    """Read the CSV file's rows; raise UnreadableFile for a missing file, bad encoding or header."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableFile(f"{path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise UnreadableFile(f"{path}: missing column(s) {', '.join(missing)} in the header")
    rows = []
    for values in reader:
        if reader.line_num - 1 > MAX_ROWS:
            raise UnreadableFile(f"{path}: more than {MAX_ROWS} rows; split the file")
        clean = {(k or "").strip(): (v or "").strip() for k, v in values.items() if k is not None}
        if any(clean.values()):
            rows.append(Row(reader.line_num, clean))
    return rows


def _number(text: str, name: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise ValueError(name) from None


def import_rows(
    uow: UnitOfWork, *, actor: str, rows: list[Row], progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Check and register every row in one transaction; commit only when no row was bad."""
    report = ImportReport(read=len(rows))
    for done, row in enumerate(rows, start=1):
        values = row.values
        try:
            lon, lat = _number(values.get("lon", ""), "lon"), _number(values.get("lat", ""), "lat")
        except ValueError as exc:
            report.errors.append((row.line, f"{exc} không phải là số", f"{exc} is not a number"))
            continue
        try:
            add_household(
                uow,
                actor=actor,
                code=values.get("code", ""),
                head_name=values.get("head_name", ""),
                address=values.get("address", ""),
                commune_code=values.get("commune_code") or None,
                lon=lon,
                lat=lat,
                phone=values.get("phone") or None,
            )
        except ThangLongError as exc:
            report.errors.append((row.line, exc.message_vi, exc.message_en))
        if progress is not None:
            progress(done)
    if report.errors:
        uow.rollback()
        return report
    report.imported = len(rows)
    uow.commit()
    return report


def iter_lines(report: ImportReport) -> Iterator[str]:
    """Yield one line per bad row: `line N: vi / en`."""
    for line, vi, en in report.errors:
        yield f"dòng / line {line}: {vi} / {en}"

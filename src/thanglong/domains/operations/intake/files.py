"""Files of readings for the bulk import: CSV (long or wide) and JSON lines, read row by row.

A file that cannot be read as a whole (missing, not UTF-8, no header, no device or time column) raises
UnreadableFile; a row that cannot be read becomes a BadRow and the others carry on.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LONG_COLUMNS = ("attribute", "value")
TIME_COLUMN = "at"


class UnreadableFile(Exception):
    """The file cannot be imported at all; the message is Vietnamese / English."""


@dataclass(frozen=True)
class Row:
    """One reading read from the file: its line, its device (None: found by the entity id), its payload."""

    line: int
    device_id: str | None
    data: Any


@dataclass(frozen=True)
class BadRow:
    """A line that cannot be read."""

    line: int
    code: str
    message_vi: str
    message_en: str


def _number(text: str, name: str, line: int) -> float | BadRow:
    try:
        value = float(text)
    except ValueError:
        return BadRow(
            line, "bad_value", f"{name} không phải số: {text!r}", f"{name} is not a number: {text!r}"
        )
    if not math.isfinite(value):
        return BadRow(line, "bad_value", f"{name} không hữu hạn", f"{name} is not finite")
    return value


def _values(pairs: list[tuple[str, str]], line: int) -> dict[str, float] | BadRow:
    values: dict[str, float] = {}
    for name, cell in pairs:
        if not cell:
            continue
        number = _number(cell, name, line)
        if isinstance(number, BadRow):
            return number
        values[name] = number
    return values


def count_lines(path: Path) -> int:
    """Return the number of lines of a file (for the progress bar)."""
    try:
        with path.open("rb") as handle:
            return sum(1 for _ in handle)
    except OSError as exc:
        raise UnreadableFile(
            f"không đọc được tệp / cannot read the file {path}: {exc.strerror or exc}"
        ) from None


def read_csv(path: Path, device_column: str = "device_id") -> Iterator[Row | BadRow]:
    """Yield the readings of a CSV file, long (attribute, value) or wide (one column per attribute)."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise UnreadableFile(
            f"không đọc được tệp / cannot read the file {path}: {exc.strerror or exc}"
        ) from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = [h.strip() for h in (reader.fieldnames or [])]
        except UnicodeDecodeError:
            raise UnreadableFile(f"tệp không phải UTF-8 / the file is not UTF-8: {path}") from None
        reader.fieldnames = header
        missing = [c for c in (device_column, TIME_COLUMN) if c not in header]
        if missing:
            raise UnreadableFile(
                f"thiếu cột / missing columns {', '.join(missing)} trong / in {path}: "
                f"dòng đầu phải là tiêu đề / the first line must be the header"
            )
        long = all(c in header for c in LONG_COLUMNS)
        attributes = [h for h in header if h not in (device_column, TIME_COLUMN) and h]
        try:
            for record in reader:
                line = reader.line_num
                device = (record.get(device_column) or "").strip()
                at = (record.get(TIME_COLUMN) or "").strip()
                if not device or not at:
                    yield BadRow(line, "bad_row", "thiếu mã thiết bị hoặc thời điểm", "no device id or time")
                    continue
                if None in record:
                    yield BadRow(line, "bad_row", "thừa ô so với tiêu đề", "more cells than the header")
                    continue
                pairs = (
                    [((record.get("attribute") or "").strip(), (record.get("value") or "").strip())]
                    if long
                    else [(name, (record.get(name) or "").strip()) for name in attributes]
                )
                values = _values(pairs, line)
                if isinstance(values, BadRow):
                    yield values
                elif not values:
                    yield BadRow(line, "bad_row", "dòng không có giá trị", "the row holds no value")
                else:
                    yield Row(line, device, {"at": at, "values": values})
        except UnicodeDecodeError:
            raise UnreadableFile(f"tệp không phải UTF-8 / the file is not UTF-8: {path}") from None
        except csv.Error as exc:
            raise UnreadableFile(f"CSV hỏng / broken CSV at line {reader.line_num}: {exc}") from None


def read_jsonl(path: Path) -> Iterator[Row | BadRow]:
    """Yield the readings of a JSON-lines file: an NGSI-LD entity or a compact reading per line."""
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise UnreadableFile(
            f"không đọc được tệp / cannot read the file {path}: {exc.strerror or exc}"
        ) from None
    with handle:
        try:
            for line, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    data = json.loads(text)
                except ValueError as exc:
                    yield BadRow(line, "bad_json", "dòng không phải JSON", f"the line is not JSON: {exc}")
                    continue
                if not isinstance(data, dict):
                    yield BadRow(
                        line, "bad_payload", "dòng phải là đối tượng JSON", "the line must be an object"
                    )
                    continue
                device = data.pop("device_id", None)
                if device is not None and not isinstance(device, str):
                    yield BadRow(line, "bad_payload", "device_id phải là chuỗi", "device_id must be a string")
                    continue
                yield Row(line, device, data)
        except UnicodeDecodeError:
            raise UnreadableFile(f"tệp không phải UTF-8 / the file is not UTF-8: {path}") from None

"""Where bills come from: a utility's file or a utility's HTTP API, behind one small interface.

An adapter yields raw bills (a mapping of the documented field names to text, with the line or record
number it came from); the import use case checks and stores them. An adapter raises `MalformedSource`
when the source itself cannot be read (not UTF-8, no header, a row with the wrong number of columns,
an API answering an error): the import then stores nothing of it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from thanglong.domains.terminals.bills.plausibility import FIELDS, REQUIRED


class MalformedSource(Exception):
    """The source cannot be read as bills; nothing of it is imported."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en

    def text(self) -> str:
        """Return the one-line reason, Vietnamese then English."""
        return f"{self.message_vi} / {self.message_en}"


@dataclass(frozen=True, slots=True)
class RawBill:
    """One bill as the source gave it."""

    line: int
    values: Mapping[str, str]


class BillSource(Protocol):
    """What an adapter offers: its kind ("file", "api"), a size hint for progress, and the bills."""

    kind: str

    def size_hint(self) -> int | None:
        """Return how many bills to expect, when known before reading."""

    def read(self) -> Iterator[RawBill]:
        """Yield the bills in order; raise MalformedSource when the source cannot be read."""


class CsvFile:
    """A utility's CSV export: UTF-8 (a BOM from spreadsheets is fine), ',' or ';', a header line."""

    kind = "file"

    def __init__(self, data: bytes, name: str = "") -> None:
        self.name = name
        try:
            self.text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MalformedSource(
                f"Tệp {name} không phải UTF-8 (byte {exc.start}).",
                f"The file {name} is not UTF-8 (byte {exc.start}).",
            ) from None

    def size_hint(self) -> int | None:
        """Return the number of data lines (lines after the header)."""
        return max(self.text.count("\n") - (0 if self.text.endswith("\n") else -1) - 1, 0)

    def read(self) -> Iterator[RawBill]:
        """Yield each data row as a mapping of the header's field names."""
        first = self.text.split("\n", 1)[0]
        # Spreadsheets set to Vietnamese write ';' between fields (',' is the decimal separator there).
        delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=delimiter, strict=True)
        try:
            header = [h.strip().lower() for h in next(reader, [])]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                raise MalformedSource(
                    f"Dòng tiêu đề thiếu cột: {', '.join(missing)} (cần {', '.join(FIELDS)}).",
                    f"The header lacks the columns {', '.join(missing)} (expected {', '.join(FIELDS)}).",
                )
            if len(set(header)) != len(header):
                raise MalformedSource("Dòng tiêu đề có cột trùng tên.", "The header repeats a column.")
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != len(header):
                    raise MalformedSource(
                        f"Dòng {reader.line_num} có {len(row)} cột, tiêu đề có {len(header)}.",
                        f"Line {reader.line_num} has {len(row)} columns, the header {len(header)}.",
                    )
                yield RawBill(reader.line_num, dict(zip(header, row, strict=True)))
        except csv.Error as exc:
            raise MalformedSource(
                f"Dòng {reader.line_num} không đọc được như CSV: {exc}.",
                f"Line {reader.line_num} cannot be read as CSV: {exc}.",
            ) from None


class HttpApi:
    """A utility's bill API: `GET {base}/v1/bills?page=N`, bearer token, JSON pages.

    Each page is `{"bills": [{<the documented fields>}...], "next_page": <int or null>}`. The client is
    given, so tests and the offline demo pass one over the local fake (fakeapi.transport).
    """

    kind = "api"
    MAX_PAGES = 10_000

    def __init__(self, client: httpx.Client, base_url: str, token: str = "") -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.token = token

    def size_hint(self) -> int | None:
        """Return None: an API tells its size page by page."""
        return None

    def _page(self, page: int) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            answer = self.client.get(f"{self.base_url}/v1/bills", params={"page": page}, headers=headers)
        except httpx.HTTPError as exc:
            raise MalformedSource(
                f"Không gọi được API của đơn vị: {exc}.", f"The utility's API cannot be reached: {exc}."
            ) from None
        if answer.status_code != 200:
            raise MalformedSource(
                f"API của đơn vị trả lời {answer.status_code} ở trang {page}.",
                f"The utility's API answered {answer.status_code} on page {page}.",
            )
        try:
            data = answer.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("bills"), list):
            raise MalformedSource(
                f"API của đơn vị trả về trang {page} không đúng dạng.",
                f"The utility's API returned a malformed page {page}.",
            )
        return data

    def read(self) -> Iterator[RawBill]:
        """Yield the bills of every page, numbered from 1 across pages."""
        page: Any = 1
        number = 0
        for _ in range(self.MAX_PAGES):
            data = self._page(int(page))
            for item in data["bills"]:
                number += 1
                if not isinstance(item, dict):
                    raise MalformedSource(
                        f"Bản ghi {number} của API không phải một đối tượng.",
                        f"Record {number} of the API is not an object.",
                    )
                yield RawBill(number, {k: "" if v is None else str(v) for k, v in item.items()})
            page = data.get("next_page")
            if page is None:
                return
            if not isinstance(page, int) or isinstance(page, bool):
                raise MalformedSource("API trả về next_page sai.", "The API returned a bad next_page.")
        raise MalformedSource("API trả về quá nhiều trang.", "The API returned too many pages.")

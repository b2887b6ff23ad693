"""Read and check the data a form needs, collecting every problem into one bilingual error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from thanglong.core.errors import InvalidInput
from thanglong.domains.procedures.documents.pdf import HANOI

# Returned for a bad instant so layout code never sees None; check() raises before it is drawn.
_NO_INSTANT = datetime.min.replace(tzinfo=UTC)


class FormData:
    """Typed accessors over the caller's mapping that remember what is missing or malformed."""

    def __init__(self, kind: str, data: Mapping[str, Any]) -> None:
        self.kind = kind
        self.data = data
        self.missing: list[str] = []
        self.invalid: list[str] = []

    def _raw(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None or (isinstance(value, str | list | tuple) and not value):
            if required:
                self.missing.append(key)
            return None
        return value

    def text(self, key: str) -> str:
        """Return a required non-empty string field ("" when missing, recorded for the error)."""
        return self.opt_text(key, required=True) or ""

    def opt_text(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        """Return an optional string field, stripped."""
        value = self._raw(key, required)
        if value is None:
            return default
        if not isinstance(value, str | int):
            self.invalid.append(key)
            return default
        text = str(value).strip()
        if not text and required:
            self.missing.append(key)
        return text or default

    def instant(self, key: str) -> datetime:
        """Return a required timezone-aware datetime (ISO 8601 strings are accepted)."""
        value = self._raw(key, True)
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                self.invalid.append(key)
                return _NO_INSTANT
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value
        if value is not None:
            self.invalid.append(key)
        return _NO_INSTANT

    def day(self, key: str) -> date:
        """Return a required date; an aware datetime counts as its Hanoi calendar day."""
        value = self._raw(key, True)
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                self.invalid.append(key)
                return date.min
        if isinstance(value, datetime):
            if value.tzinfo is None:
                self.invalid.append(key)
                return date.min
            return value.astimezone(HANOI).date()
        if isinstance(value, date):
            return value
        if value is not None:
            self.invalid.append(key)
        return date.min

    def texts(self, key: str, *, required: bool = True) -> list[str]:
        """Return a list of non-empty strings; a single string counts as a one-item list."""
        value = self._raw(key, required)
        if value is None:
            return []
        if isinstance(value, str):
            return [value.strip()]
        if not isinstance(value, Sequence) or not all(isinstance(v, str) and v.strip() for v in value):
            self.invalid.append(key)
            return []
        return [v.strip() for v in value]

    def records(self, key: str, fields: Sequence[str], *, required: bool = True) -> list[Mapping[str, Any]]:
        """Return a list of mappings, each carrying the given required fields."""
        value = self._raw(key, required)
        if value is None:
            return []
        if not isinstance(value, Sequence) or isinstance(value, str):
            self.invalid.append(key)
            return []
        out: list[Mapping[str, Any]] = []
        for index, item in enumerate(value):
            if not isinstance(item, Mapping):
                self.invalid.append(f"{key}.{index}")
                continue
            for name in fields:
                if item.get(name) in (None, ""):
                    self.missing.append(f"{key}.{index}.{name}")
            out.append(item)
        return out

    def check(self) -> None:
        """Raise InvalidInput naming every missing or malformed field, if any."""
        if not self.missing and not self.invalid:
            return
        parts_vi, parts_en = [], []
        if self.missing:
            names = ", ".join(self.missing)
            parts_vi.append(f"thiếu thông tin bắt buộc: {names}")
            parts_en.append(f"missing required fields: {names}")
        if self.invalid:
            names = ", ".join(self.invalid)
            parts_vi.append(f"thông tin không hợp lệ: {names}")
            parts_en.append(f"invalid fields: {names}")
        raise InvalidInput(
            "procedures.document_data_invalid",
            f"Không lập được biểu mẫu {self.kind}: " + "; ".join(parts_vi) + ".",
            f"Cannot draw form {self.kind}: " + "; ".join(parts_en) + ".",
            kind=self.kind,
            missing=list(self.missing),
            invalid=list(self.invalid),
        )

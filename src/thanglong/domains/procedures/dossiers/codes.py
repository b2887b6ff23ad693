"""Dossier codes: agency e-ID code, receipt date and a per-agency per-day sequence, by template."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from thanglong.core.errors import Conflict, InvalidInput

# Circular 01/2018/TT-VPCP Art. 19, carried into the one-stop rules of Decree 118/2025 and
# Circular 03/2025/TT-VPCP: V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX (agency e-ID code, receipt date,
# four-digit sequence of the day).
DEFAULT_TEMPLATE = "{agency}-{yymmdd}-{seq}"
DEFAULT_SEQ_WIDTH = 4
AGENCY_PATTERN = r"[0-9A-Z]{1,5}(?:\.[0-9A-Z]{1,5}){0,4}"
_TOKEN_RE = re.compile(r"\{(agency|yymmdd|yyyymmdd|seq)\}")


@dataclass(frozen=True)
class ParsedCode:
    """The parts of a dossier code."""

    agency_code: str
    day: date
    sequence: int


@dataclass(frozen=True)
class CodeFormat:
    """A dossier code template with the tokens {agency}, {yymmdd} or {yyyymmdd}, and {seq}."""

    template: str = DEFAULT_TEMPLATE
    seq_width: int = DEFAULT_SEQ_WIDTH

    def __post_init__(self) -> None:
        tokens = _TOKEN_RE.findall(self.template)
        dates = [t for t in tokens if t in ("yymmdd", "yyyymmdd")]
        if (
            sorted(set(tokens)) != sorted(tokens)
            or "agency" not in tokens
            or "seq" not in tokens
            or len(dates) != 1
        ):
            raise ValueError(
                "a dossier code template needs {agency}, {seq} and one of {yymmdd}/{yyyymmdd}, each once"
            )
        leftover = _TOKEN_RE.sub("", self.template)
        if "{" in leftover or "}" in leftover:
            raise ValueError(f"unknown token in dossier code template {self.template!r}")
        if not 1 <= self.seq_width <= 9:
            raise ValueError("the sequence width must be between 1 and 9 digits")

    @property
    def max_sequence(self) -> int:
        """Return the largest sequence number the template can hold."""
        return int(10**self.seq_width) - 1

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        parts: list[str] = []
        pos = 0
        for match in _TOKEN_RE.finditer(self.template):
            parts.append(re.escape(self.template[pos : match.start()]))
            parts.append(self._part_patterns()[match.group(1)])
            pos = match.end()
        parts.append(re.escape(self.template[pos:]))
        return re.compile("".join(parts))

    def _part_patterns(self) -> dict[str, str]:
        return {
            "agency": f"(?P<agency>{AGENCY_PATTERN})",
            "yymmdd": r"(?P<yymmdd>[0-9]{6})",
            "yyyymmdd": r"(?P<yyyymmdd>[0-9]{8})",
            "seq": f"(?P<seq>[0-9]{{{self.seq_width}}})",
        }

    def format(self, agency_code: str, day: date, sequence: int) -> str:
        """Return the code of the `sequence`-th dossier an agency received on a day."""
        if not re.fullmatch(AGENCY_PATTERN, agency_code):
            raise InvalidInput(
                "invalid_agency_code",
                f"Mã định danh cơ quan không hợp lệ: {agency_code}.",
                f"Invalid agency e-ID code: {agency_code}.",
                agency_code=agency_code,
            )
        if sequence < 1:
            raise ValueError("dossier sequences start at 1")
        if sequence > self.max_sequence:
            raise Conflict(
                "dossier_sequence_exhausted",
                f"Cơ quan đã tiếp nhận quá {self.max_sequence} hồ sơ trong ngày {day:%d/%m/%Y}.",
                f"The agency has received more than {self.max_sequence} dossiers on {day.isoformat()}.",
            )
        return self.template.format(
            agency=agency_code,
            yymmdd=day.strftime("%y%m%d"),
            yyyymmdd=day.strftime("%Y%m%d"),
            seq=str(sequence).zfill(self.seq_width),
        )

    def parse(self, code: str) -> ParsedCode:
        """Split a code into its parts, or raise InvalidInput when it does not follow the template."""
        match = self._regex.fullmatch(code.strip().upper())
        if match is None:
            raise self._invalid(code)
        groups = match.groupdict()
        try:
            if groups.get("yymmdd"):
                text = groups["yymmdd"]
                day = date(2000 + int(text[:2]), int(text[2:4]), int(text[4:]))
            else:
                text = groups["yyyymmdd"]
                day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            raise self._invalid(code) from None
        sequence = int(groups["seq"])
        if sequence < 1:
            raise self._invalid(code)
        return ParsedCode(groups["agency"], day, sequence)

    def is_valid(self, code: str) -> bool:
        """Tell whether a code follows the template."""
        try:
            self.parse(code)
        except InvalidInput:
            return False
        return True

    def _invalid(self, code: str) -> InvalidInput:
        example = self.format("000.00.61.H26", date(2026, 3, 2), 1)
        return InvalidInput(
            "invalid_dossier_code",
            f"Mã hồ sơ không đúng cấu trúc (ví dụ {example}).",
            f"The dossier code does not follow the format (e.g. {example}).",
            dossier_code=code[:64],
        )


DEFAULT_FORMAT = CodeFormat()

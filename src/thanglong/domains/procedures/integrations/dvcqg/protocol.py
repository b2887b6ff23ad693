"""The DVCQG status sync, as pure computation: payload, retry schedule, reading the portal's answers.

Field names follow the national portal's one-stop progress call `CapNhatTienDoHoSoMC` as public
provincial integrations send it (see docs/procedures-dvcqg.md for what is real and what is assumed).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from thanglong.core.backoff import backoff_delay as core_backoff
from thanglong.domains.procedures.dossiers.clock import ICT, to_hanoi
from thanglong.domains.procedures.dossiers.states import DossierStatus

SERVICE = "CapNhatTienDoHoSoMC"
TIME_FORMAT = "%Y%m%d%H%M%S"
_TIME_RE = re.compile(r"^\d{14}$")
# The portal's codes for "no error": integrations compare with "00"; some answers carry 0.
_OK_ERROR_CODES = frozenset({"0", "00"})
# Request timeout and throttling are the portal's way of saying "later", not "never".
_RETRYABLE_4XX = frozenset({408, 425, 429})
TEXT_MAX = 2000

BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0


@dataclass(frozen=True)
class StatusChange:
    """One status change of a dossier, with what the portal's progress entry carries."""

    dossier_code: str
    status: DossierStatus
    at: datetime
    agency_code: str
    handler: str = ""
    note: str = ""
    received_at: datetime | None = None
    due_at: datetime | None = None


def portal_time(moment: datetime | None) -> str:
    """Return a moment as the portal writes it: yyyyMMddHHmmss in Hanoi time ("" for none)."""
    if moment is None:
        return ""
    return to_hanoi(moment).strftime(TIME_FORMAT)


def parse_portal_time(text: str) -> datetime:
    """Return the aware moment of a yyyyMMddHHmmss Hanoi time, or raise ValueError."""
    if not _TIME_RE.match(text):
        raise ValueError(f"not a yyyyMMddHHmmss time: {text!r}")
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=ICT)


def build_payload(change: StatusChange) -> dict[str, Any]:
    """Return the JSON body that reports one status change to the portal."""
    entry = {
        "MaHoSo": change.dossier_code,
        "NguoiXuLy": change.handler[:200],
        "ChucDanh": "",
        "ThoiDiemXuLy": portal_time(change.at),
        "PhongBanXuLy": "",
        "NoiDungXuLy": (change.note or change.status.label_vi)[:TEXT_MAX],
        "TrangThai": str(change.status.dvcqg_code),
        "NgayBatDau": portal_time(change.received_at),
        "NgayKetThucTheoQuyDinh": portal_time(change.due_at),
    }
    return {"service": SERVICE, "madonvi": change.agency_code, "data": [entry]}


@dataclass(frozen=True)
class SyncKey:
    """What makes a status change unique on the portal: dossier code, status and time (to the second)."""

    dossier_code: str
    status: int
    at: str


def payload_errors(payload: Any) -> list[str]:
    """Return what is wrong with a status-change body (empty when it is well formed)."""
    if not isinstance(payload, Mapping):
        return ["the body is not a JSON object"]
    errors = []
    if payload.get("service") != SERVICE:
        errors.append(f"service must be {SERVICE}")
    if not isinstance(payload.get("madonvi"), str) or not payload["madonvi"].strip():
        errors.append("madonvi is missing")
    data = payload.get("data")
    if not isinstance(data, list) or not data:
        return [*errors, "data must be a non-empty list"]
    for i, entry in enumerate(data):
        if not isinstance(entry, Mapping):
            errors.append(f"data[{i}] is not an object")
            continue
        if not isinstance(entry.get("MaHoSo"), str) or not entry["MaHoSo"].strip():
            errors.append(f"data[{i}].MaHoSo is missing")
        status = entry.get("TrangThai")
        if not (isinstance(status, str) and status.isdigit() and 1 <= int(status) <= len(DossierStatus)):
            errors.append(f"data[{i}].TrangThai must be a status code 1..{len(DossierStatus)}")
        for field in ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh"):
            value = entry.get(field, "")
            required = field == "ThoiDiemXuLy"
            if not isinstance(value, str) or ((value or required) and not _TIME_RE.match(value)):
                errors.append(f"data[{i}].{field} must be yyyyMMddHHmmss")
    return errors


def keys_of(payload: Mapping[str, Any]) -> list[SyncKey]:
    """Return the sync keys of a well-formed body (see payload_errors)."""
    return [SyncKey(e["MaHoSo"], int(e["TrangThai"]), e["ThoiDiemXuLy"]) for e in payload["data"]]


def backoff_delay(
    attempts: int,
    rng: random.Random,
    *,
    base: float = BACKOFF_BASE_SECONDS,
    cap: float = BACKOFF_CAP_SECONDS,
) -> float:
    """Return the seconds to wait after the n-th failed report (spreads the workers after an outage)."""
    return core_backoff(attempts, rng, base=base, cap=cap)


class Outcome(StrEnum):
    """What one attempt to report a status change came to."""

    SENT = "sent"
    DUPLICATE = "duplicate"
    RETRY = "retry"
    FAILED = "failed"

    @property
    def acknowledged(self) -> bool:
        """Tell whether the portal now holds the status change."""
        return self in (Outcome.SENT, Outcome.DUPLICATE)


@dataclass(frozen=True)
class Verdict:
    """An outcome and the reason kept in last_error (empty when acknowledged)."""

    outcome: Outcome
    reason: str = ""


def _body_error_code(body: str) -> str | None:
    try:
        parsed = json.loads(body) if body.strip() else None
    except ValueError:
        return None
    if isinstance(parsed, Mapping) and "error_code" in parsed:
        return str(parsed["error_code"])
    return None


def _is_duplicate(body: str) -> bool:
    code = _body_error_code(body)
    return code is not None and code.lower() in ("duplicate", "trung", "exists")


def _classify_2xx(status: int, body: str, snippet: str) -> Verdict:
    code = _body_error_code(body)
    if code is None or code in _OK_ERROR_CODES:
        return Verdict(Outcome.SENT)
    if _is_duplicate(body):
        return Verdict(Outcome.DUPLICATE)
    # A success status whose body names an error is a refusal of the content.
    return Verdict(Outcome.FAILED, f"HTTP {status} error_code {code}: {snippet}")


def classify(status: int | None, body: str = "", *, error: str | None = None) -> Verdict:
    """Read the portal's answer: acknowledged, to retry later, or failed for good.

    2xx and 409 (the portal already holds it) acknowledge; 5xx, 408, 425, 429 and network errors
    (status None) are retried; every other 4xx is permanent.
    """
    snippet = body.strip().replace("\n", " ")[:300]
    if status is None:
        return Verdict(Outcome.RETRY, error or "no answer from the portal")
    if 200 <= status < 300:
        return _classify_2xx(status, body, snippet)
    if status == 409:
        return Verdict(Outcome.DUPLICATE)
    if status in _RETRYABLE_4XX or status >= 500:
        return Verdict(Outcome.RETRY, f"HTTP {status}: {snippet}")
    return Verdict(Outcome.FAILED, f"HTTP {status}: {snippet}")


@dataclass(frozen=True)
class Difference:
    """One dossier on which we and the portal disagree."""

    dossier_code: str
    ours: int | None
    portal: int | None


@dataclass(frozen=True)
class Comparison:
    """Our latest status per dossier against the portal's."""

    missing_on_portal: list[Difference]
    status_differs: list[Difference]
    unknown_to_us: list[Difference]
    matching: int


def compare(ours: Mapping[str, int], portal: Mapping[str, int]) -> Comparison:
    """Compare our latest status codes per dossier with the portal's, sorted by dossier code."""
    missing = [Difference(c, s, None) for c, s in sorted(ours.items()) if c not in portal]
    differs = [Difference(c, s, portal[c]) for c, s in sorted(ours.items()) if c in portal and portal[c] != s]
    unknown = [Difference(c, None, s) for c, s in sorted(portal.items()) if c not in ours]
    matching = sum(1 for c, s in ours.items() if portal.get(c) == s)
    return Comparison(missing, differs, unknown, matching)


def read_listing(body: Any) -> dict[str, int]:
    """Return the status per dossier code of a portal listing ({"result": [{MaHoSo, TrangThai}]})."""
    result = body.get("result") if isinstance(body, Mapping) else None
    if not isinstance(result, list):
        raise ValueError("the portal's listing has no result list")
    out: dict[str, int] = {}
    for entry in result:
        if not isinstance(entry, Mapping):
            raise ValueError("the portal's listing has an entry that is not an object")
        code, status = entry.get("MaHoSo"), entry.get("TrangThai")
        if not isinstance(code, str) or not str(status).isdigit():
            raise ValueError(f"the portal's listing has a malformed entry: {dict(entry)!r}"[:300])
        out[code] = int(str(status))
    return out

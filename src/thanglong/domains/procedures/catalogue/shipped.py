"""Load and validate the shipped catalogue of administrative procedures."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

LEVELS = frozenset({"tinh", "xa", "lien_thong"})
SERVICE_LEVELS = frozenset({"toan_trinh", "mot_phan"})
TIME_UNITS = frozenset({"working_days", "working_hours"})
CLOCK_POLICIES = frozenset({"continue", "reset"})
CODE_PATTERN = re.compile(r"^\d\.\d{6}$")
CATALOGUE_FILE = "catalogue.json"


class CatalogueError(ValueError):
    """Raised when the shipped catalogue file is malformed."""


FEE_CHANNELS = ("online", "counter")


@dataclass(frozen=True)
class Fee:
    """One fee or charge of a procedure, in whole đồng.

    `channel` limits a line to dossiers filed that way (Hanoi charges less for online filing); lines
    sharing a `group` are alternatives (rates by vehicle value, by category of applicant): the first
    applies unless the officer picks another; an `optional` line (per extra page or copy) is charged
    only when the officer adds it.
    """

    name: str
    amount_vnd: int
    channel: str | None = None
    group: str | None = None
    optional: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the stored form of the line (only the keys that are set)."""
        out: dict[str, Any] = {"name": self.name, "amount_vnd": self.amount_vnd}
        if self.channel is not None:
            out["channel"] = self.channel
        if self.group is not None:
            out["group"] = self.group
        if self.optional:
            out["optional"] = True
        return out


def default_fee_vnd(fees: Iterable[Mapping[str, Any]], channel: str) -> int:
    """Return what a dossier filed through `channel` owes by default under a fee schedule."""
    total = 0
    groups: set[str] = set()
    for fee in fees:
        if fee.get("optional") or fee.get("channel") not in (None, channel):
            continue
        group = fee.get("group")
        if group is not None:
            if group in groups:
                continue
            groups.add(group)
        total += int(fee.get("amount_vnd", 0))
    return total


@dataclass(frozen=True)
class RequiredDocument:
    """One document the applicant must (or may) attach."""

    name: str
    copies: int
    required: bool


@dataclass(frozen=True)
class ProcedureSpec:
    """One administrative procedure as published in the national catalogue."""

    code: str
    name: str
    sector: str
    level: str
    service_level: str
    competent_agency: str
    receiving_agency: str
    legal_basis: tuple[str, ...]
    time_unit: str
    time_amount: int
    fees: tuple[Fee, ...]
    documents: tuple[RequiredDocument, ...]
    eform: dict[str, Any]
    keywords: tuple[str, ...]
    effective_from: date
    clock_policy: str
    source: str
    # False: the procedure is withdrawn (not listed, not filed); older files have no such key.
    active: bool = True

    @property
    def total_fee_vnd(self) -> int:
        """Return the default fee of a dossier filed online."""
        return default_fee_vnd((fee.as_dict() for fee in self.fees), "online")

    @property
    def verified(self) -> bool:
        """Return whether the entry's source is marked as checked."""
        return not self.source.startswith("unverified")


# Column sizes of procedures_procedure: a longer value is refused here, not by the database.
MAX_LENGTHS = {"code": 40, "name": 500, "sector": 200, "competent_agency": 300, "receiving_agency": 300}


def _require(condition: bool, code: str, message: str) -> None:
    if not condition:
        raise CatalogueError(f"{code}: {message}")


def _text(raw: dict[str, Any], key: str, code: str, where: str = "") -> str:
    value = raw.get(key)
    name = f"{where}{key}"
    _require(isinstance(value, str) and value.strip() != "", code, f"'{name}' must be a non-empty string")
    limit = MAX_LENGTHS.get(name)
    _require(limit is None or len(str(value)) <= limit, code, f"'{name}' is longer than {limit} characters")
    return str(value)


def _integer(value: object, code: str, minimum: int, message: str) -> int:
    # bool is an int subclass; a fee of True is a data error, not 1 đồng.
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise CatalogueError(f"{code}: {message}")
    return value


def _objects(raw: dict[str, Any], key: str, code: str) -> list[dict[str, Any]]:
    items = raw.get(key, [])
    _require(isinstance(items, list), code, f"'{key}' must be a list")
    for index, item in enumerate(items):
        _require(isinstance(item, dict), code, f"'{key}[{index}]' must be a JSON object")
    return list(items)


def _fees(raw: dict[str, Any], code: str) -> tuple[Fee, ...]:
    fees: list[Fee] = []
    for index, fee in enumerate(_objects(raw, "fees", code)):
        where = f"fees[{index}]."
        value = _integer(
            fee.get("amount_vnd"), code, 0, f"'{where}amount_vnd': fees must be non-negative integers of đồng"
        )
        channel, group = fee.get("channel"), fee.get("group")
        _require(channel in (None, *FEE_CHANNELS), code, f"'{where}channel': unknown fee channel {channel!r}")
        _require(
            group is None or (isinstance(group, str) and group != ""), code, f"'{where}group' must be a name"
        )
        optional = fee.get("optional", False)
        _require(isinstance(optional, bool), code, f"'{where}optional': fee optional must be true or false")
        fees.append(
            Fee(
                name=_text(fee, "name", code, where),
                amount_vnd=value,
                channel=channel,
                group=group,
                optional=bool(optional),
            )
        )
    return tuple(fees)


def _documents(raw: dict[str, Any], code: str) -> tuple[RequiredDocument, ...]:
    documents: list[RequiredDocument] = []
    for index, doc in enumerate(_objects(raw, "documents", code)):
        where = f"documents[{index}]."
        copies = _integer(
            doc.get("copies"), code, 1, f"'{where}copies': document copies must be a positive integer"
        )
        _require(isinstance(doc.get("required"), bool), code, f"'{where}required' must be a boolean")
        documents.append(
            RequiredDocument(name=_text(doc, "name", code, where), copies=copies, required=doc["required"])
        )
    return tuple(documents)


def _strings(raw: dict[str, Any], key: str, code: str, *, non_empty: bool) -> tuple[str, ...]:
    items = raw.get(key, [])
    ok = isinstance(items, list) and all(isinstance(item, str) and item.strip() for item in items)
    _require(ok, code, f"'{key}' must be a list of non-empty strings")
    _require(not non_empty or len(items) > 0, code, f"'{key}' must list at least one document")
    return tuple(items)


def parse_entry(raw: dict[str, Any], *, check_schemas: bool = True) -> ProcedureSpec:
    """Validate one raw catalogue entry and build its spec.

    Each error names the entry's code and the field. Keys the format does not know are ignored, so a
    file written by a newer version still loads. `check_schemas=False` skips the meta-validation of the
    e-form (the slow part: about 18 ms each); only for the catalogue shipped in the package, whose
    e-forms the test suite checks in full.
    """
    raw_code = raw.get("code")
    code = raw_code if isinstance(raw_code, str) else str(raw_code)
    _require(
        isinstance(raw_code, str) and bool(CODE_PATTERN.match(code)),
        code,
        "'code': code must look like d.dddddd",
    )
    level = _text(raw, "level", code)
    _require(level in LEVELS, code, f"'level': unknown level {level!r}")
    service_level = _text(raw, "service_level", code)
    _require(
        service_level in SERVICE_LEVELS, code, f"'service_level': unknown service level {service_level!r}"
    )
    time_unit = _text(raw, "time_unit", code)
    _require(time_unit in TIME_UNITS, code, f"'time_unit': unknown time unit {time_unit!r}")
    amount = _integer(raw.get("time_amount"), code, 1, "'time_amount' must be a positive integer")
    policy = _text(raw, "clock_policy", code)
    _require(policy in CLOCK_POLICIES, code, f"'clock_policy': unknown clock policy {policy!r}")
    fees = _fees(raw, code)
    documents = _documents(raw, code)
    eform = raw.get("eform")
    if not isinstance(eform, dict):
        raise CatalogueError(f"{code}: 'eform' must be a JSON object")
    if check_schemas:
        # Imported here: reading the shipped catalogue (search, every start) never meta-validates.
        from jsonschema import Draft202012Validator  # noqa: PLC0415
        from jsonschema.exceptions import SchemaError  # noqa: PLC0415

        try:
            Draft202012Validator.check_schema(eform)
        except SchemaError as exc:
            at = "/".join(str(part) for part in exc.path)
            raise CatalogueError(
                f"{code}: 'eform' is not a valid JSON Schema (at '{at}'): {exc.message}"
            ) from exc
    _require(eform.get("type") == "object" and "properties" in eform, code, "'eform' must describe an object")
    legal = _strings(raw, "legal_basis", code, non_empty=True)
    keywords = _strings(raw, "keywords", code, non_empty=False)
    active = raw.get("active", True)
    _require(isinstance(active, bool), code, "'active' must be true or false")
    try:
        effective = date.fromisoformat(_text(raw, "effective_from", code))
    except ValueError as exc:
        raise CatalogueError(f"{code}: 'effective_from' is not an ISO date") from exc
    return ProcedureSpec(
        code=code,
        name=_text(raw, "name", code),
        sector=_text(raw, "sector", code),
        level=level,
        service_level=service_level,
        competent_agency=_text(raw, "competent_agency", code),
        receiving_agency=_text(raw, "receiving_agency", code),
        legal_basis=legal,
        time_unit=time_unit,
        time_amount=amount,
        fees=fees,
        documents=documents,
        eform=eform,
        keywords=keywords,
        effective_from=effective,
        clock_policy=policy,
        source=_text(raw, "source", code),
        active=active,
    )


def parse_catalogue(document: Any, *, check_schemas: bool = True) -> tuple[ProcedureSpec, ...]:
    """Validate a whole catalogue document and return its specs in file order.

    An error names the entry by its position (`procedures[3]`, counted from 0) and its code.
    """
    entries = document.get("procedures") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CatalogueError("catalogue: 'procedures' must be a non-empty list")
    specs: list[ProcedureSpec] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise CatalogueError(f"procedures[{index}]: the entry must be a JSON object")
        try:
            specs.append(parse_entry(entry, check_schemas=check_schemas))
        except CatalogueError as exc:
            raise CatalogueError(f"procedures[{index}] {exc}") from exc
    seen: set[tuple[str, date]] = set()
    for index, spec in enumerate(specs):
        key = (spec.code, spec.effective_from)
        if key in seen:
            raise CatalogueError(
                f"procedures[{index}] {spec.code}: duplicate version effective {spec.effective_from}"
            )
        seen.add(key)
    return tuple(specs)


@lru_cache(maxsize=1)
def load_catalogue() -> tuple[ProcedureSpec, ...]:
    """Return the shipped catalogue, validated (its e-forms' schemas are checked by the test suite,
    tests/domains/procedures/test_catalogue_data.py, not at every start); read once per process."""
    return parse_catalogue(json.loads(shipped_text()), check_schemas=False)


def shipped_text() -> str:
    """Return the text of the catalogue shipped in the package."""
    return resources.files("thanglong.domains.procedures").joinpath("data", CATALOGUE_FILE).read_text("utf-8")


def get_procedure(code: str, on: date | None = None) -> ProcedureSpec | None:
    """Return the version of a procedure in force on a date (latest when no date), or None."""
    versions = sorted(
        (spec for spec in load_catalogue() if spec.code == code), key=lambda spec: spec.effective_from
    )
    if on is not None:
        versions = [spec for spec in versions if spec.effective_from <= on]
    return versions[-1] if versions else None

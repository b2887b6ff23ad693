"""Fleet use cases: register households, provision terminals, find the terminals of communes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from enum import StrEnum

from sqlalchemy import func, select

from thanglong.core import audit, geo
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.fleet.dto import HouseholdDTO, Provisioned, TerminalDTO
from thanglong.domains.terminals.fleet.models import Household, Terminal
from thanglong.domains.terminals.fleet.passwords import hash_password, new_password

# A serial is also the terminal's MQTT user name and part of its topics: no '/', '+', '#' or spaces.
SERIAL_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")
HOUSEHOLD_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")


class TerminalStatus(StrEnum):
    """Where a terminal is in its life (stored values)."""

    PROVISIONED = "provisioned"
    ACTIVE = "active"
    RETIRED = "retired"


def _commune(code: str) -> str:
    try:
        return geo.get(code).code
    except NotFound:
        raise InvalidInput(
            "unknown_commune",
            f"Không có phường, xã mã {code!r} ở Hà Nội.",
            f"No Hanoi ward or commune has the code {code!r}.",
        ) from None


def register_household(
    uow: UnitOfWork,
    *,
    actor: str,
    code: str,
    head_name: str,
    address: str,
    commune_code: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    phone: str | None = None,
) -> HouseholdDTO:
    """Register a household; its commune is given, or found from its location when only that is."""
    dto = add_household(
        uow,
        actor=actor,
        code=code,
        head_name=head_name,
        address=address,
        commune_code=commune_code,
        lon=lon,
        lat=lat,
        phone=phone,
    )
    uow.commit()
    return dto


def add_household(
    uow: UnitOfWork,
    *,
    actor: str,
    code: str,
    head_name: str,
    address: str,
    commune_code: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    phone: str | None = None,
) -> HouseholdDTO:
    """Register a household in the caller's transaction (no commit: an import commits all or nothing)."""
    code = code.strip().upper()
    if not HOUSEHOLD_CODE_RE.match(code):
        raise InvalidInput(
            "invalid_household_code",
            "Mã hộ gia đình gồm 4–40 chữ in hoa, chữ số hoặc dấu gạch ngang.",
            "A household code is 4 to 40 capital letters, digits or hyphens.",
        )
    if not head_name.strip() or not address.strip():
        raise InvalidInput(
            "missing_household_fields",
            "Cần tên chủ hộ và địa chỉ.",
            "The head of household's name and the address are required.",
        )
    if (lon is None) != (lat is None):
        raise InvalidInput(
            "invalid_location", "Cần cả kinh độ và vĩ độ.", "Give both longitude and latitude."
        )
    located = None
    if lon is not None and lat is not None:
        lon, lat = geo.parse_point(lon, lat)
        located = geo.locate(lon, lat)
        if located is None:
            raise InvalidInput("outside_hanoi", "Vị trí nằm ngoài Hà Nội.", "The location is outside Hanoi.")
    if commune_code is not None:
        commune = _commune(commune_code)
        if located is not None and located.code != commune:
            raise InvalidInput(
                "commune_mismatch",
                f"Vị trí thuộc {located.name}, không thuộc mã {commune}.",
                f"The location is in {located.name}, not in commune {commune}.",
            )
    elif located is not None:
        commune = located.code
    else:
        raise InvalidInput(
            "missing_commune",
            "Cần mã phường, xã hoặc vị trí của hộ.",
            "Give the household's commune code or its location.",
        )
    if uow.session.scalar(select(Household.id).where(Household.code == code)) is not None:
        raise Conflict(
            "household_exists", f"Đã có hộ mã {code}.", f"A household with the code {code} exists."
        )
    row = Household(
        id=uuid.uuid4(),
        code=code,
        head_name=head_name.strip(),
        address=address.strip(),
        commune_code=commune,
        lon=lon,
        lat=lat,
        phone=phone,
        created_at=uow.clock(),
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="terminals.household.registered",
        object_type="terminals_household",
        object_id=str(row.id),
        after={"code": code, "commune_code": commune},
    )
    return HouseholdDTO.of(row)


def provision_terminal(
    uow: UnitOfWork, *, actor: str, serial: str, household_code: str, password: str | None = None
) -> Provisioned:
    """Provision a terminal for a household: its broker credentials (the password is returned once)."""
    serial = serial.strip().upper()
    if not SERIAL_RE.match(serial):
        raise InvalidInput(
            "invalid_serial",
            "Số sê-ri gồm 4–40 chữ in hoa, chữ số hoặc dấu gạch ngang.",
            "A serial is 4 to 40 capital letters, digits or hyphens.",
        )
    household = uow.session.scalar(select(Household).where(Household.code == household_code.strip().upper()))
    if household is None:
        raise NotFound(
            "household_not_found", f"Không có hộ mã {household_code}.", f"No household {household_code}."
        )
    if uow.session.scalar(select(Terminal.id).where(Terminal.serial == serial)) is not None:
        raise Conflict(
            "terminal_exists", f"Đã có thiết bị {serial}.", f"A terminal with serial {serial} exists."
        )
    secret = password if password is not None else new_password()
    row = Terminal(
        id=uuid.uuid4(),
        serial=serial,
        household_id=household.id,
        commune_code=household.commune_code,
        status=TerminalStatus.PROVISIONED.value,
        password_hash=hash_password(secret),
        provisioned_at=uow.clock(),
        provisioned_by=actor,
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="terminals.terminal.provisioned",
        object_type="terminals_terminal",
        object_id=str(row.id),
        after={"serial": serial, "household": household.code, "commune_code": household.commune_code},
    )
    dto = TerminalDTO.of(row)
    uow.commit()
    return Provisioned(dto, secret)


def count_by_commune(uow: UnitOfWork, communes: Collection[str] | None = None) -> dict[str, int]:
    """Count the terminals in service per commune (all communes, or those given), in one query."""
    query = (
        select(Terminal.commune_code, func.count())
        .where(Terminal.status != TerminalStatus.RETIRED.value)
        .group_by(Terminal.commune_code)
    )
    if communes is not None:
        query = query.where(Terminal.commune_code.in_(list(communes)))
    return {code: int(n) for code, n in uow.session.execute(query)}


def terminals_in(uow: UnitOfWork, communes: Collection[str]) -> list[TerminalDTO]:
    """Return the terminals in service in the given communes, by serial."""
    rows = uow.session.scalars(
        select(Terminal)
        .where(Terminal.commune_code.in_(list(communes)), Terminal.status != TerminalStatus.RETIRED.value)
        .order_by(Terminal.serial)
    )
    return [TerminalDTO.of(row) for row in rows]

"""Idempotent Hanoi demo data: agencies, the demo administrator and one user per role."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from thanglong.core.config import PLACEHOLDER_SECRET, Settings
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, RoleName
from thanglong.domains.identity import agencies, services
from thanglong.domains.identity.roles import (
    ADMINISTRATOR,
    AGENCY_HEAD,
    CITIZEN,
    OFFICER,
    OPERATOR,
    SECURITY_ANALYST,
)

logger = logging.getLogger(__name__)

DEFAULT_DEMO_ADMIN_PASSWORD = "ThangLong@2025"  # noqa: S105 - the documented demo password


@dataclass(frozen=True)
class DemoAgency:
    """An agency of the demo data; `parent` is the code of the agency above it."""

    code: str
    name: str
    short_name: str
    parent: str | None = None
    commune_code: str | None = None  # the ward or commune a commune-level agency serves


# 000.00.00.H26 is the code of the Hanoi People's Committee; the codes under it follow the QCVN
# 102:2016 structure but are illustrative: a deployment imports the codes the city actually issued.
DEMO_AGENCIES = (
    DemoAgency("000.00.00.H26", "Ủy ban nhân dân Thành phố Hà Nội", "UBND TP Hà Nội"),
    DemoAgency("000.00.12.H26", "Sở Khoa học và Công nghệ Hà Nội", "Sở KH&CN", "000.00.00.H26"),
    DemoAgency("000.00.05.H26", "Sở Nội vụ Hà Nội", "Sở Nội vụ", "000.00.00.H26"),
    DemoAgency(
        "000.00.30.H26",
        "Trung tâm Phục vụ hành chính công Thành phố Hà Nội",
        "TT PVHCC",
        "000.00.00.H26",
    ),
    DemoAgency(
        "000.00.61.H26", "Ủy ban nhân dân Phường Hoàn Kiếm", "UBND P. Hoàn Kiếm", "000.00.00.H26", "00070"
    ),
    DemoAgency(
        "000.00.62.H26", "Ủy ban nhân dân Phường Ba Đình", "UBND P. Ba Đình", "000.00.00.H26", "00004"
    ),
)


@dataclass(frozen=True)
class DemoUser:
    """A demo account; its password is only set in the development environment."""

    username: str
    password: str
    role: RoleName
    full_name: str
    agency: str | None
    email: str


DEMO_USERS = (
    DemoUser("congdan", "CongDan@2025", CITIZEN, "Nguyễn Văn An", None, "congdan@example.vn"),
    DemoUser("canbo", "CanBo@2025", OFFICER, "Trần Thị Bình", "000.00.61.H26", "canbo@example.vn"),
    DemoUser(
        "thutruong",
        "ThuTruong@2025",
        AGENCY_HEAD,
        "Lê Văn Cường",
        "000.00.12.H26",
        "thutruong@example.vn",
    ),
    DemoUser(
        "chutich",
        "ChuTich@2025",
        AGENCY_HEAD,
        "Vũ Thị Giang",
        "000.00.61.H26",
        "chutich@example.vn",
    ),
    DemoUser("dieuhanh", "DieuHanh@2025", OPERATOR, "Phạm Thị Dung", "000.00.00.H26", "dieuhanh@example.vn"),
    DemoUser("anninh", "AnNinh@2025", SECURITY_ANALYST, "Hoàng Văn Em", "000.00.12.H26", "anninh@example.vn"),
)


def _admin_password(settings: Settings) -> str | None:
    password = settings.demo_admin_password.get_secret_value()
    if settings.env == "production" and password in (DEFAULT_DEMO_ADMIN_PASSWORD, PLACEHOLDER_SECRET):
        # A published password on a production administrator would be an open door.
        logger.warning("demo administrator created without a password: set THANGLONG_DEMO_ADMIN_PASSWORD")
        return None
    return password


def load_demo(platform: Platform) -> None:
    """Create the demo agencies and accounts that do not exist yet (running twice changes nothing)."""
    settings = platform.settings
    codes: dict[str, agencies.AgencyDTO] = {}
    for item in DEMO_AGENCIES:
        with platform.uow() as uow:
            found = agencies.find_agency(uow, item.code)
            if found is None:
                parent = codes[item.parent].id if item.parent else None
                found = agencies.create_agency(
                    uow,
                    actor=SYSTEM_ACTOR,
                    code=item.code,
                    name=item.name,
                    short_name=item.short_name,
                    parent_id=parent,
                    commune_code=item.commune_code,
                )
            codes[item.code] = found
    with platform.uow() as uow:
        if services.find_user(uow, settings.demo_admin_username) is None:
            services.create_user(
                uow,
                actor=SYSTEM_ACTOR,
                username=settings.demo_admin_username,
                password=_admin_password(settings),
                roles=[ADMINISTRATOR],
                full_name="Quản trị viên hệ thống",
                email="admin@example.vn",
                agency_id=codes["000.00.12.H26"].id,
            )
    for user in DEMO_USERS:
        with platform.uow() as uow:
            if services.find_user(uow, user.username) is not None:
                continue
            services.create_user(
                uow,
                actor=SYSTEM_ACTOR,
                username=user.username,
                password=user.password if settings.env == "development" else None,
                roles=[user.role],
                full_name=user.full_name,
                email=user.email,
                agency_id=codes[user.agency].id if user.agency else None,
            )

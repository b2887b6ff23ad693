"""Tests of agencies (QCVN 102:2016 codes) and of the idempotent demo loader."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.domains.identity.helpers import make_user
from thanglong.core.errors import Conflict, InvalidInput
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform, load_demo_data
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import agencies, api, demo, services
from thanglong.domains.identity.api import ADMINISTRATOR, OPERATOR
from thanglong.domains.identity.models import Agency, User
from thanglong.domains.identity.roles import ROLES


@pytest.mark.parametrize("code", ["000.00.00.H26", "000.00.12.H26", "000.01.02.G12", " 001.02.03.h26 "])
def test_valid_codes_follow_qcvn_102(code: str) -> None:
    assert agencies.normalize_agency_code(code) == code.strip().upper()


@pytest.mark.parametrize(
    "code", ["H26", "000.00.00.26H", "00.00.00.H26", "000.00.00.H2", "000-00-00-H26", "000.00.00.H26.1", ""]
)
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        agencies.normalize_agency_code(code)
    assert err.value.code == "invalid_agency_code"


def test_agency_crud_with_parent_and_audit(platform: Platform) -> None:
    with platform.uow() as uow:
        city = agencies.create_agency(uow, actor=SYSTEM_ACTOR, code="000.00.00.H99", name="UBND Thử")
        ward = agencies.create_agency(
            uow,
            actor=SYSTEM_ACTOR,
            code="000.00.70.h99",
            name="UBND Phường Thử",
            parent_id=city.id,
            commune_code="00070",
        )
        assert ward.code == "000.00.70.H99" and ward.parent_id == city.id
        assert agencies.find_agency(uow, "000.00.70.h99") == ward
        with pytest.raises(Conflict):
            agencies.create_agency(uow, actor=SYSTEM_ACTOR, code="000.00.70.H99", name="Trùng")
        with pytest.raises(Conflict) as err:
            agencies.delete_agency(uow, actor=SYSTEM_ACTOR, agency_id=city.id)
        assert err.value.code == "agency_in_use"
        renamed = agencies.update_agency(uow, actor=SYSTEM_ACTOR, agency_id=ward.id, short_name="P. Thử")
        assert renamed.short_name == "P. Thử"
        agencies.delete_agency(uow, actor=SYSTEM_ACTOR, agency_id=ward.id)
        assert agencies.get_agency(uow, ward.id) is None
        actions = list(
            uow.session.scalars(
                select(AuditRecord.action)
                .where(AuditRecord.object_id == str(ward.id))
                .order_by(AuditRecord.seq)
            )
        )
    assert actions == ["identity.agency.create", "identity.agency.update", "identity.agency.delete"]


def test_demo_loader_is_idempotent_and_admin_can_sign_in(platform: Platform) -> None:
    platform.settings = platform.settings.model_copy(update={"env": "development"})
    assert "identity" in load_demo_data(platform)

    def counts() -> tuple[int, int, int]:
        with platform.uow() as uow:
            return (
                uow.session.scalar(select(func.count()).select_from(User)) or 0,
                uow.session.scalar(select(func.count()).select_from(Agency)) or 0,
                uow.session.scalar(select(func.count()).select_from(AuditRecord)) or 0,
            )

    before = counts()
    demo.load_demo(platform)
    assert counts() == before, "a second run adds nothing, not even audit records"
    with platform.uow() as uow:
        city = api.find_agency(uow, "000.00.00.H26")
        assert city is not None and city.name == "Ủy ban nhân dân Thành phố Hà Nội"
        admin = services.authenticate(
            uow,
            username=platform.settings.demo_admin_username,
            password=platform.settings.demo_admin_password.get_secret_value(),
            ip=None,
            max_failures=5,
            window_seconds=900,
        )
        assert admin.roles == (ADMINISTRATOR,)
        held = {r for u in services.list_users(uow) for r in u.roles}
    assert held == {role.name for role in ROLES}, "one demo user per role identity declares"
    for item in demo.DEMO_USERS:
        with platform.uow() as uow:
            assert services.authenticate(
                uow,
                username=item.username,
                password=item.password,
                ip=None,
                max_failures=5,
                window_seconds=900,
            ).roles == (item.role,)


def test_demo_passwords_are_only_set_in_development(platform: Platform) -> None:
    assert platform.settings.env == "test"
    demo.load_demo(platform)
    with platform.uow() as uow:
        officer = services.find_user(uow, "canbo")
        admin = services.find_user(uow, platform.settings.demo_admin_username)
    assert officer is not None and not officer.has_password
    assert admin is not None and admin.has_password


def test_existing_users_are_left_alone_by_the_demo(platform: Platform) -> None:
    mine = make_user(platform, OPERATOR, username="dieuhanh")
    demo.load_demo(platform)
    with platform.uow() as uow:
        found = services.find_user(uow, "dieuhanh")
    assert found is not None and found.id == mine.id and found.full_name == "Người Thử"

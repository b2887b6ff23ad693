"""Fleet use cases: households are placed in their commune, terminals get broker credentials."""

from __future__ import annotations

import pytest

from thanglong.core.errors import Conflict, InvalidInput
from thanglong.core.platform import Platform
from thanglong.domains.terminals.fleet import services
from thanglong.domains.terminals.fleet.models import Terminal
from thanglong.domains.terminals.fleet.passwords import check_password, hash_password

# Hoàn Kiếm ward (00070) holds this point near the lake; Ba Đình ward is 00004.
HOAN_KIEM = "00070"
LAKE = (105.8522, 21.0288)


def test_household_commune_found_from_location(platform: Platform) -> None:
    with platform.uow() as uow:
        household = services.register_household(
            uow,
            actor="op",
            code="hn-0001",
            head_name="Nguyễn Văn A",
            address="1 Đinh Tiên Hoàng",
            lon=LAKE[0],
            lat=LAKE[1],
        )
    assert household.code == "HN-0001"
    assert household.commune_code == HOAN_KIEM


def test_household_location_must_agree_with_commune(platform: Platform) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        services.register_household(
            uow,
            actor="op",
            code="HN-0002",
            head_name="B",
            address="x",
            commune_code="00004",
            lon=LAKE[0],
            lat=LAKE[1],
        )
    assert caught.value.code == "commune_mismatch"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"commune_code": "99999"}, "unknown_commune"),
        ({"lon": 106.9, "lat": 20.0}, "outside_hanoi"),
        ({}, "missing_commune"),
    ],
)
def test_household_refused(platform: Platform, kwargs: dict[str, object], code: str) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        services.register_household(uow, actor="op", code="HN-0003", head_name="C", address="y", **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_provisioned_terminal_keeps_only_a_hash(platform: Platform) -> None:
    with platform.uow() as uow:
        services.register_household(
            uow, actor="op", code="HN-0004", head_name="D", address="z", commune_code=HOAN_KIEM
        )
    with platform.uow() as uow:
        provisioned = services.provision_terminal(
            uow, actor="op", serial="tl-000001", household_code="hn-0004"
        )
    assert provisioned.terminal.serial == "TL-000001"
    assert provisioned.terminal.commune_code == HOAN_KIEM
    with platform.uow() as uow:
        row = uow.session.get(Terminal, provisioned.terminal.id)
        assert row is not None
        assert provisioned.password not in row.password_hash
        assert check_password(provisioned.password, row.password_hash)
        assert not check_password(provisioned.password + "x", row.password_hash)
        assert services.count_by_commune(uow) == {HOAN_KIEM: 1}
        with pytest.raises(Conflict):
            services.provision_terminal(uow, actor="op", serial="TL-000001", household_code="HN-0004")


def test_password_hash_is_mosquittos_format() -> None:
    # Mosquitto 2 reads `$7$iterations$salt$hash` with PBKDF2-SHA512; a fixed salt gives a fixed value.
    hashed = hash_password("secret", salt=b"0123456789ab")
    assert hashed.startswith("$7$101$MDEyMzQ1Njc4OWFi$")
    assert check_password("secret", hashed)
    assert not check_password("secret", "$6$x$y")

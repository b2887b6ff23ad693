"""Fee schedules: lines by filing channel, alternative rates, optional charges, the officer's amount."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import pytest

from tests.domains.procedures.helpers import VALID_FORM, make_world, spec
from thanglong.core.errors import InvalidInput
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.domains.procedures.catalogue.services import get_procedure, load_specs
from thanglong.domains.procedures.catalogue.shipped import (
    CatalogueError,
    Fee,
    default_fee_vnd,
    load_catalogue,
    parse_entry,
)
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.payments import request_payment
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.dossiers.states import DossierStatus as S

RESIDENCE = [
    {"name": "Lệ phí nộp trực tiếp", "amount_vnd": 20000, "channel": "counter"},
    {"name": "Lệ phí nộp trực tuyến", "amount_vnd": 10000, "channel": "online"},
]


def test_channel_lines_apply_only_to_their_channel() -> None:
    assert default_fee_vnd(RESIDENCE, "online") == 10000
    assert default_fee_vnd(RESIDENCE, "counter") == 20000


def test_alternatives_charge_the_first_line_of_a_group_and_optional_lines_nothing() -> None:
    fees = [
        {"name": "Xe đến 15 triệu", "amount_vnd": 1_000_000, "group": "tri_gia"},
        {"name": "Xe trên 15 triệu", "amount_vnd": 2_000_000, "group": "tri_gia"},
        {"name": "Phí thẩm định", "amount_vnd": 50_000},
        {"name": "Từ trang thứ ba (mỗi trang)", "amount_vnd": 1_000, "optional": True},
    ]
    assert default_fee_vnd(fees, "online") == 1_050_000
    assert default_fee_vnd([], "counter") == 0


def test_shipped_catalogue_charges_residence_online_less_than_at_the_counter() -> None:
    by_code = {p.code: p for p in load_catalogue()}
    permanent = by_code["1.004222"]
    assert permanent.total_fee_vnd == 10000
    as_stored = [f.as_dict() for f in permanent.fees]
    assert default_fee_vnd(as_stored, "counter") == 20000
    # A copy certified page by page: the first two pages are the default, later pages are the officer's.
    assert by_code["2.000815"].total_fee_vnd == 2000


def test_catalogue_refuses_an_unknown_fee_channel() -> None:
    text = resources.files("thanglong.domains.procedures").joinpath("data/catalogue.json").read_text("utf-8")
    first = json.loads(text)["procedures"][0]
    raw = {**first, "fees": [{"name": "Lệ phí", "amount_vnd": 1000, "channel": "fax"}]}
    with pytest.raises(CatalogueError, match="fee channel"):
        parse_entry(raw)


def test_payment_request_uses_the_dossiers_channel_and_the_officers_amount(platform: Platform) -> None:
    world = make_world(platform)
    residence = replace(
        spec(),
        fees=(Fee("Trực tiếp", 20000, channel="counter"), Fee("Trực tuyến", 10000, channel="online")),
    )
    with platform.uow() as uow:
        load_specs(uow, [residence], actor=SYSTEM_ACTOR)

    def filed_by(principal: Principal) -> services.DossierDTO:
        with platform.uow() as uow:
            d = services.submit_dossier(
                uow,
                principal=principal,
                procedure_code=residence.code,
                receiving_agency_id=world.agency_id,
                form_data=dict(VALID_FORM),
            )
        with platform.uow() as uow:
            return services.act(uow, principal=world.officer, ref=d.id, action=A.RECEIVE)

    online, counter = filed_by(world.citizen), filed_by(world.officer)
    assert (online.channel, counter.channel) == ("online", "counter")
    with platform.uow() as uow:
        assert get_procedure(uow, residence.code).fee_for("counter") == 20000
        _, payment = request_payment(uow, principal=world.officer, ref=online.id)
    assert payment.amount_vnd == 10000
    with platform.uow() as uow:
        _, payment = request_payment(uow, principal=world.officer, ref=counter.id)
    assert payment.amount_vnd == 20000

    third = filed_by(world.citizen)
    for wrong in (0, -5, 100_000_001):
        with platform.uow() as uow, pytest.raises(InvalidInput) as err:
            request_payment(uow, principal=world.officer, ref=third.id, amount_vnd=wrong)
        assert err.value.code == "invalid_amount"
    with platform.uow() as uow:
        assert services.get_dossier(uow, third.id).status is S.RECEIVED
        dto, payment = request_payment(uow, principal=world.officer, ref=third.id, amount_vnd=14000)
    assert payment.amount_vnd == 14000 and dto.status is S.PAYMENT_REQUESTED

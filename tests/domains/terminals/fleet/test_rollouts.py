"""Rollout use cases with a controlled clock: waves start with signed update commands, halt on bad health."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from tests.domains.terminals.fleet.helpers import BA_DINH, HOAN_KIEM, Clock, beat, deliver, fleet
from thanglong.core.errors import Conflict, InvalidInput
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.domains.terminals.fleet import commands, rollouts
from thanglong.domains.terminals.fleet.models import Command

SHA = "ab" * 32
TAY_HO = "00103"


def _setup(platform: Platform, clock: Clock) -> dict[str, list[str]]:
    platform.clock = clock
    out = {
        HOAN_KIEM: fleet(platform, HOAN_KIEM, 10),
        BA_DINH: fleet(platform, BA_DINH, 12, prefix="BD"),
        TAY_HO: fleet(platform, TAY_HO, 20, prefix="TH"),
    }
    deliver(platform, [beat(s) for serials in out.values() for s in serials])
    return out


def _create(platform: Platform, **kw: object) -> rollouts.RolloutDTO:
    with platform.uow() as uow:
        return rollouts.create(
            uow,
            actor="user:op1",
            name="Firmware 2.0",
            kind="firmware",
            version="2.0.0",
            url="https://fw.example.vn/2.0.0.bin",
            sha256=SHA,
            soak_minutes=60,
            **kw,  # type: ignore[arg-type]
        )


def _step(platform: Platform, rollout: rollouts.RolloutDTO, signer: commands.Signer) -> rollouts.RolloutDTO:
    with platform.uow() as uow:
        return rollouts.step(uow, rollout.id, signer=signer, actor="system:test")


def _updates(platform: Platform) -> int:
    with platform.uow() as uow:
        return int(
            uow.session.scalar(select(func.count()).select_from(Command).where(Command.command == "update"))
            or 0
        )


def test_waves_advance_after_soak_and_halt_when_updated_terminals_fail(platform: Platform) -> None:
    clock = Clock()
    fleet_by = _setup(platform, clock)
    signer = commands.KeySigner(Ed25519PrivateKey.generate())
    created = _create(platform)
    # Hoàn Kiếm (10) is the canary, Ba Đình (12 ≤ 2 × 10), then Tây Hồ (20 ≤ 2 × 12).
    assert created.waves == [[HOAN_KIEM], [BA_DINH], [TAY_HO]]
    started = _step(platform, created, signer)
    assert started.current_wave == 0 and _updates(platform) == 10  # Hoàn Kiếm's ten terminals
    # The canary updates and stays healthy; soak not over at 30 min, over at 61.
    clock.at(30)
    deliver(platform, [beat(s, firmware="2.0.0") for s in fleet_by[HOAN_KIEM]])
    deliver(platform, [beat(s) for s in fleet_by[BA_DINH] + fleet_by[TAY_HO]])
    assert _step(platform, created, signer).current_wave == 0
    clock.at(61)
    deliver(platform, [beat(s) for s in fleet_by[BA_DINH] + fleet_by[TAY_HO]])
    deliver(platform, [beat(s, firmware="2.0.0") for s in fleet_by[HOAN_KIEM]])
    advanced = _step(platform, created, signer)
    assert advanced.current_wave == 1 and advanced.status == "running"
    assert _updates(platform) == 10 + 12 and advanced.last_check["updated_share"] == 1.0
    # The second wave's terminals go into fault with the new version: halted at the next step.
    clock.at(70)
    second = [s for code in created.waves[1] for s in fleet_by[code]]
    deliver(platform, [beat(s, firmware="2.0.0", health="fault") for s in second])
    halted = _step(platform, created, signer)
    assert halted.status == "halted" and "report ok" in halted.halt_reason
    with platform.uow() as uow:
        actions = uow.session.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.object_id == str(created.id))
            .order_by(AuditRecord.at)
        ).all()
    assert actions[0] == "terminals.rollout.created" and actions[-1] == "terminals.rollout.halted"
    # The operator resumes (soak from now), then aborts.
    with platform.uow() as uow:
        resumed = rollouts.resume(uow, created.id, actor="user:op2", note="fault was a power cut")
    assert resumed.status == "running" and resumed.halt_reason == ""
    with platform.uow() as uow:
        aborted = rollouts.abort(uow, created.id, actor="user:op2")
    assert aborted.status == "aborted"
    with platform.uow() as uow, pytest.raises(Conflict):
        rollouts.resume(uow, created.id, actor="user:op2")


def test_last_wave_completes(platform: Platform) -> None:
    clock = Clock()
    fleet_by = _setup(platform, clock)
    signer = commands.KeySigner(Ed25519PrivateKey.generate())
    created = _create(platform, canary=[TAY_HO], growth=100.0)
    assert created.waves[0] == [TAY_HO] and len(created.waves) == 2
    _step(platform, created, signer)
    everyone = [s for serials in fleet_by.values() for s in serials]
    for minute, wave in ((61, 1), (122, 1)):
        clock.at(minute)
        deliver(platform, [beat(s, firmware="2.0.0") for s in everyone])
        result = _step(platform, created, signer)
        assert result.current_wave == wave
    assert result.status == "completed"


def test_bad_rollouts_refused(platform: Platform) -> None:
    _setup(platform, Clock())
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        rollouts.create(
            uow,
            actor="op",
            name="x",
            kind="firmware",
            version="2",
            url="https://x",
            sha256=SHA,
            canary=["00001"],
        )
    assert caught.value.code == "invalid_canary"
    with platform.uow() as uow, pytest.raises(InvalidInput) as caught:
        rollouts.create(
            uow,
            actor="op",
            name="x",
            kind="firmware",
            version="2",
            url="https://x",
            sha256=SHA,
            soak_minutes=0,
        )
    assert caught.value.code == "invalid_policy"

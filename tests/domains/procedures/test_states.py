"""Exhaustive tests of the dossier state machine: every status against every action."""

from __future__ import annotations

import itertools

import pytest

from thanglong.core.errors import Conflict, Forbidden, InvalidInput
from thanglong.domains.procedures.dossiers.states import (
    DVCQG_CODES,
    FINAL_STATUSES,
    PERM_FILE,
    PERM_PROCESS,
    PERM_SIGN,
    DossierAction,
    DossierStatus,
    TransitionContext,
    allowed_actions,
    parse_action,
    transition,
)

S = DossierStatus
A = DossierAction
ALL_PERMS = frozenset({PERM_FILE, PERM_PROCESS, PERM_SIGN})

# The expected table, written out by hand from the legal paths (not derived from the engine's rules).
EXPECTED: dict[tuple[DossierStatus, DossierAction], DossierStatus] = {
    (S.NEW, A.RECEIVE): S.RECEIVED,
    (S.NEW, A.REJECT): S.NOT_RECEIVED,
    (S.NEW, A.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,
    (S.NEW, A.WITHDRAW): S.WITHDRAWN,
    (S.RECEIVED, A.TRANSFER): S.RECEIVED,
    (S.RECEIVED, A.ASSIGN): S.PROCESSING,
    (S.RECEIVED, A.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,
    (S.RECEIVED, A.REQUEST_PAYMENT): S.PAYMENT_REQUESTED,
    (S.RECEIVED, A.RESCHEDULE): S.RECEIVED,
    (S.RECEIVED, A.REFUSE): S.STOPPED,
    (S.RECEIVED, A.STOP): S.STOPPED,
    (S.RECEIVED, A.WITHDRAW): S.WITHDRAWN,
    (S.PROCESSING, A.TRANSFER): S.PROCESSING,
    (S.PROCESSING, A.ASSIGN): S.PROCESSING,
    (S.PROCESSING, A.REQUEST_SUPPLEMENT): S.SUPPLEMENT_REQUESTED,
    (S.PROCESSING, A.REQUEST_PAYMENT): S.PAYMENT_REQUESTED,
    (S.PROCESSING, A.RESCHEDULE): S.PROCESSING,
    (S.PROCESSING, A.APPROVE): S.PROCESSED,
    (S.PROCESSING, A.REFUSE): S.STOPPED,
    (S.PROCESSING, A.STOP): S.STOPPED,
    (S.PROCESSING, A.WITHDRAW): S.WITHDRAWN,
    (S.SUPPLEMENT_REQUESTED, A.SUPPLEMENT): S.PROCESSING,
    (S.SUPPLEMENT_REQUESTED, A.RESCHEDULE): S.SUPPLEMENT_REQUESTED,
    (S.SUPPLEMENT_REQUESTED, A.REFUSE): S.STOPPED,
    (S.SUPPLEMENT_REQUESTED, A.STOP): S.STOPPED,
    (S.SUPPLEMENT_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.PAYMENT_REQUESTED, A.RECORD_PAYMENT): S.PROCESSING,
    (S.PAYMENT_REQUESTED, A.RESCHEDULE): S.PAYMENT_REQUESTED,
    (S.PAYMENT_REQUESTED, A.REFUSE): S.STOPPED,
    (S.PAYMENT_REQUESTED, A.STOP): S.STOPPED,
    (S.PAYMENT_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.PROCESSED, A.RETURN_RESULT): S.RETURNED,
}


@pytest.mark.parametrize(("status", "action"), list(itertools.product(S, A)))
def test_every_status_and_action(status: DossierStatus, action: DossierAction) -> None:
    ctx = TransitionContext(permissions=ALL_PERMS, received=True, transferable=True)
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(Conflict) as err:
            transition(status, action, context=ctx)
        assert err.value.code == "transition_not_allowed"
        assert status.label_vi in err.value.message_vi
        assert status.label_en in err.value.message_en
    else:
        assert transition(status, action, context=ctx) is expected
        # The platform itself (permissions None) may perform every legal move too.
        platform_ctx = TransitionContext(received=True, transferable=True)
        assert transition(status, action, context=platform_ctx) is expected


def test_ten_statuses_with_dvcqg_codes_one_to_ten() -> None:
    assert sorted(DVCQG_CODES.values()) == list(range(1, 11))
    assert S.NEW.dvcqg_code == 1 and S.NEW.label_vi == "Mới đăng ký"
    assert S.RETURNED.dvcqg_code == 10 and S.RETURNED.label_vi == "Đã trả kết quả"
    assert S.from_dvcqg(5) is S.SUPPLEMENT_REQUESTED
    with pytest.raises(InvalidInput):
        S.from_dvcqg(11)


def test_final_statuses_allow_nothing() -> None:
    ctx = TransitionContext(permissions=ALL_PERMS, received=True)
    for status in FINAL_STATUSES:
        assert allowed_actions(status, ctx) == []


def test_supplement_returns_to_new_before_receipt() -> None:
    ctx = TransitionContext(permissions=frozenset({PERM_FILE}), received=False)
    assert transition(S.SUPPLEMENT_REQUESTED, A.SUPPLEMENT, context=ctx) is S.NEW


def test_second_supplement_request_refused() -> None:
    ctx = TransitionContext(permissions=ALL_PERMS, supplement_count=1, received=True)
    for status in (S.NEW, S.RECEIVED, S.PROCESSING):
        with pytest.raises(Conflict) as err:
            transition(status, A.REQUEST_SUPPLEMENT, context=ctx)
        assert err.value.code == "supplement_limit"
        assert "một lần" in err.value.message_vi


def test_second_reschedule_refused() -> None:
    ctx = TransitionContext(permissions=ALL_PERMS, reschedule_count=1, received=True)
    with pytest.raises(Conflict) as err:
        transition(S.PROCESSING, A.RESCHEDULE, context=ctx)
    assert err.value.code == "reschedule_limit"


@pytest.mark.parametrize(
    ("status", "action", "perms"),
    [
        (S.NEW, A.RECEIVE, {PERM_FILE}),
        (S.PROCESSING, A.APPROVE, {PERM_PROCESS}),
        (S.PROCESSING, A.REFUSE, {PERM_PROCESS}),
        (S.PROCESSING, A.RESCHEDULE, {PERM_PROCESS}),
        (S.PROCESSING, A.WITHDRAW, {PERM_PROCESS, PERM_SIGN}),
        (S.PROCESSED, A.RETURN_RESULT, {PERM_FILE}),
        (S.RECEIVED, A.TRANSFER, {PERM_FILE, PERM_SIGN}),
        (S.PAYMENT_REQUESTED, A.RECORD_PAYMENT, {PERM_FILE}),
        (S.SUPPLEMENT_REQUESTED, A.SUPPLEMENT, set()),
    ],
)
def test_role_required(status: DossierStatus, action: DossierAction, perms: set[str]) -> None:
    with pytest.raises(Forbidden):
        transition(status, action, context=TransitionContext(permissions=frozenset(perms), received=True))


def test_citizen_and_officer_can_supplement() -> None:
    for perm in (PERM_FILE, PERM_PROCESS):
        ctx = TransitionContext(permissions=frozenset({perm}), received=True)
        assert transition(S.SUPPLEMENT_REQUESTED, "supplement", context=ctx) is S.PROCESSING


def test_unknown_action_is_invalid_input() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_action("teleport")
    assert err.value.code == "unknown_action"
    with pytest.raises(InvalidInput):
        transition(S.NEW, "teleport", context=TransitionContext())


def test_allowed_actions_for_officer_on_new() -> None:
    ctx = TransitionContext(permissions=frozenset({PERM_PROCESS}))
    assert allowed_actions(S.NEW, ctx) == [A.RECEIVE, A.REJECT, A.REQUEST_SUPPLEMENT]


def test_transfer_keeps_the_status_and_its_dvcqg_code() -> None:
    ctx = TransitionContext(permissions=frozenset({PERM_PROCESS}), received=True, transferable=True)
    for status in (S.RECEIVED, S.PROCESSING):
        after = transition(status, A.TRANSFER, context=ctx)
        assert after is status and after.dvcqg_code == status.dvcqg_code
    assert A.TRANSFER in allowed_actions(S.RECEIVED, ctx)


def test_transfer_refused_when_receiving_agency_decides_itself() -> None:
    ctx = TransitionContext(permissions=ALL_PERMS, received=True)
    with pytest.raises(Conflict) as err:
        transition(S.RECEIVED, A.TRANSFER, context=ctx)
    assert err.value.code == "transfer_not_applicable"
    assert A.TRANSFER not in allowed_actions(S.RECEIVED, ctx)
    assert A.TRANSFER not in allowed_actions(S.PROCESSING, ctx)

"""The dossier state machine: the ten DVCQG statuses and the legal moves between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from thanglong.core.errors import Conflict, Forbidden, InvalidInput

PERM_FILE = "procedures.dossier.file"
PERM_PROCESS = "procedures.dossier.process"
PERM_SIGN = "procedures.dossier.sign"


class DossierStatus(StrEnum):
    """The ten dossier statuses of the National Public Service Portal (stable values stored)."""

    NEW = "new"
    RECEIVED = "received"
    NOT_RECEIVED = "not_received"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    PAYMENT_REQUESTED = "payment_requested"
    WITHDRAWN = "withdrawn"
    STOPPED = "stopped"
    PROCESSED = "processed"
    RETURNED = "returned"

    @property
    def dvcqg_code(self) -> int:
        """Return the numeric status code synchronised to the national portal."""
        return DVCQG_CODES[self]

    @property
    def label_vi(self) -> str:
        """Return the Vietnamese label."""
        return STATUS_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """Return the English label."""
        return STATUS_LABELS[self][1]

    @classmethod
    def from_dvcqg(cls, code: int) -> DossierStatus:
        """Return the status of a national-portal code, or raise InvalidInput."""
        for status, value in DVCQG_CODES.items():
            if value == code:
                return status
        raise InvalidInput(
            "unknown_dvcqg_status",
            f"Mã trạng thái DVCQG không tồn tại: {code}.",
            f"Unknown DVCQG status code: {code}.",
            dvcqg_code=code,
        )


DVCQG_CODES: Mapping[DossierStatus, int] = {
    DossierStatus.NEW: 1,
    DossierStatus.RECEIVED: 2,
    DossierStatus.NOT_RECEIVED: 3,
    DossierStatus.PROCESSING: 4,
    DossierStatus.SUPPLEMENT_REQUESTED: 5,
    DossierStatus.PAYMENT_REQUESTED: 6,
    DossierStatus.WITHDRAWN: 7,
    DossierStatus.STOPPED: 8,
    DossierStatus.PROCESSED: 9,
    DossierStatus.RETURNED: 10,
}

STATUS_LABELS: Mapping[DossierStatus, tuple[str, str]] = {
    DossierStatus.NEW: ("Mới đăng ký", "Newly filed"),
    DossierStatus.RECEIVED: ("Được tiếp nhận", "Received"),
    DossierStatus.NOT_RECEIVED: ("Không được tiếp nhận", "Not received"),
    DossierStatus.PROCESSING: ("Đang xử lý", "Being processed"),
    DossierStatus.SUPPLEMENT_REQUESTED: ("Yêu cầu bổ sung giấy tờ", "Supplement requested"),
    DossierStatus.PAYMENT_REQUESTED: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Payment requested"),
    DossierStatus.WITHDRAWN: ("Công dân yêu cầu rút hồ sơ", "Withdrawn by the applicant"),
    DossierStatus.STOPPED: ("Dừng xử lý", "Processing stopped"),
    DossierStatus.PROCESSED: ("Đã xử lý xong", "Processed"),
    DossierStatus.RETURNED: ("Đã trả kết quả", "Result returned"),
}

# While a dossier waits for the applicant (documents or money) the statutory clock stands still.
PAUSED_STATUSES = frozenset({DossierStatus.SUPPLEMENT_REQUESTED, DossierStatus.PAYMENT_REQUESTED})
FINAL_STATUSES = frozenset(
    {DossierStatus.NOT_RECEIVED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED, DossierStatus.RETURNED}
)
# Statuses in which the agency holds a received dossier and the clock runs.
OPEN_STATUSES = frozenset({DossierStatus.RECEIVED, DossierStatus.PROCESSING})

MAX_SUPPLEMENT_REQUESTS = 1
MAX_RESCHEDULES = 1


class DossierAction(StrEnum):
    """What someone can do to a dossier (stable values used in the API and the audit log)."""

    RECEIVE = "receive"
    REJECT = "reject"
    TRANSFER = "transfer"
    ASSIGN = "assign"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    REQUEST_PAYMENT = "request_payment"
    RECORD_PAYMENT = "record_payment"
    RESCHEDULE = "reschedule"
    APPROVE = "approve"
    REFUSE = "refuse"
    STOP = "stop"
    WITHDRAW = "withdraw"
    RETURN_RESULT = "return_result"


ACTION_LABELS: Mapping[DossierAction, tuple[str, str]] = {
    DossierAction.RECEIVE: ("Tiếp nhận", "Receive"),
    DossierAction.REJECT: ("Không tiếp nhận", "Refuse to receive"),
    DossierAction.TRANSFER: ("Chuyển cơ quan giải quyết", "Transfer to the competent agency"),
    DossierAction.ASSIGN: ("Chuyển xử lý", "Assign"),
    DossierAction.REQUEST_SUPPLEMENT: ("Yêu cầu bổ sung", "Request a supplement"),
    DossierAction.SUPPLEMENT: ("Bổ sung hồ sơ", "Supplement"),
    DossierAction.REQUEST_PAYMENT: ("Yêu cầu nộp phí, lệ phí", "Request payment"),
    DossierAction.RECORD_PAYMENT: ("Ghi nhận đã nộp phí", "Record payment"),
    DossierAction.RESCHEDULE: ("Gia hạn, hẹn lại ngày trả", "Reschedule"),
    DossierAction.APPROVE: ("Phê duyệt kết quả", "Approve the result"),
    DossierAction.REFUSE: ("Từ chối giải quyết", "Refuse"),
    DossierAction.STOP: ("Dừng xử lý", "Stop processing"),
    DossierAction.WITHDRAW: ("Rút hồ sơ", "Withdraw"),
    DossierAction.RETURN_RESULT: ("Trả kết quả", "Return the result"),
}


@dataclass(frozen=True)
class Rule:
    """One legal move: from which statuses, to which status, by whom (any of the permissions)."""

    action: DossierAction
    sources: frozenset[DossierStatus]
    target: DossierStatus | None  # None: back to NEW or PROCESSING depending on prior receipt
    permissions: frozenset[str]


_S = DossierStatus
_A = DossierAction
_WAITING = frozenset({_S.SUPPLEMENT_REQUESTED, _S.PAYMENT_REQUESTED})

RULES: Mapping[DossierAction, Rule] = {
    rule.action: rule
    for rule in (
        Rule(_A.RECEIVE, frozenset({_S.NEW}), _S.RECEIVED, frozenset({PERM_PROCESS})),
        Rule(_A.REJECT, frozenset({_S.NEW}), _S.NOT_RECEIVED, frozenset({PERM_PROCESS})),
        # The one-stop office hands the dossier to the competent agency: the holder changes, the
        # status does not (the national portal has no "transferred" status).
        Rule(_A.TRANSFER, OPEN_STATUSES, None, frozenset({PERM_PROCESS})),
        Rule(_A.ASSIGN, OPEN_STATUSES, _S.PROCESSING, frozenset({PERM_PROCESS})),
        Rule(
            _A.REQUEST_SUPPLEMENT,
            frozenset({_S.NEW}) | OPEN_STATUSES,
            _S.SUPPLEMENT_REQUESTED,
            frozenset({PERM_PROCESS}),
        ),
        Rule(_A.SUPPLEMENT, frozenset({_S.SUPPLEMENT_REQUESTED}), None, frozenset({PERM_FILE, PERM_PROCESS})),
        Rule(_A.REQUEST_PAYMENT, OPEN_STATUSES, _S.PAYMENT_REQUESTED, frozenset({PERM_PROCESS})),
        Rule(_A.RECORD_PAYMENT, frozenset({_S.PAYMENT_REQUESTED}), _S.PROCESSING, frozenset({PERM_PROCESS})),
        # A rescheduling moves the due date, not the status; only the head signs the apology letter.
        Rule(_A.RESCHEDULE, OPEN_STATUSES | _WAITING, None, frozenset({PERM_SIGN})),
        Rule(_A.APPROVE, frozenset({_S.PROCESSING}), _S.PROCESSED, frozenset({PERM_SIGN})),
        Rule(_A.REFUSE, OPEN_STATUSES | _WAITING, _S.STOPPED, frozenset({PERM_SIGN})),
        Rule(_A.STOP, OPEN_STATUSES | _WAITING, _S.STOPPED, frozenset({PERM_PROCESS})),
        Rule(
            _A.WITHDRAW,
            frozenset({_S.NEW}) | OPEN_STATUSES | _WAITING,
            _S.WITHDRAWN,
            frozenset({PERM_FILE}),
        ),
        Rule(_A.RETURN_RESULT, frozenset({_S.PROCESSED}), _S.RETURNED, frozenset({PERM_PROCESS})),
    )
}


@dataclass(frozen=True)
class TransitionContext:
    """What the engine needs to know beyond the current status.

    `permissions` None means the platform itself acts (a payment callback, a scheduled job).
    `transferable` tells that the receiving agency is not the competent one, so a transfer makes sense.
    """

    permissions: frozenset[str] | None = None
    supplement_count: int = 0
    reschedule_count: int = 0
    received: bool = False
    transferable: bool = False


def parse_action(value: str) -> DossierAction:
    """Return the action of a stable value, or raise InvalidInput."""
    try:
        return DossierAction(value)
    except ValueError:
        known = ", ".join(a.value for a in DossierAction)
        raise InvalidInput(
            "unknown_action",
            f"Thao tác không tồn tại: {value}. Các thao tác: {known}.",
            f"Unknown action: {value}. Known actions: {known}.",
            action=value,
        ) from None


def allowed_actions(current: DossierStatus, context: TransitionContext) -> list[DossierAction]:
    """Return the actions that would succeed from a status in a context, in declaration order."""
    out = []
    for action in DossierAction:
        try:
            transition(current, action, context=context)
        except (Conflict, Forbidden):
            continue
        out.append(action)
    return out


def transition(
    current: DossierStatus, action: DossierAction | str, *, context: TransitionContext
) -> DossierStatus:
    """Return the status after an action, or raise when the move is not legal."""
    act = action if isinstance(action, DossierAction) else parse_action(action)
    rule = RULES[act]
    label_vi, label_en = ACTION_LABELS[act]
    if current not in rule.sources:
        raise Conflict(
            "transition_not_allowed",
            f"Không thể thực hiện thao tác “{label_vi}” khi hồ sơ đang ở trạng thái “{current.label_vi}”.",
            f"The action “{label_en}” is not allowed while the dossier is “{current.label_en}”.",
            status=current.value,
            action=act.value,
        )
    if context.permissions is not None and not (rule.permissions & context.permissions):
        raise Forbidden(
            "forbidden",
            f"Bạn không có quyền thực hiện thao tác “{label_vi}”.",
            f"You are not allowed to perform “{label_en}”.",
            action=act.value,
            required=sorted(rule.permissions),
        )
    if act is DossierAction.TRANSFER and not context.transferable:
        raise Conflict(
            "transfer_not_applicable",
            "Hồ sơ không cần chuyển: cơ quan tiếp nhận cũng là cơ quan giải quyết.",
            "No transfer needed: the receiving agency is also the competent agency.",
        )
    if act is DossierAction.REQUEST_SUPPLEMENT and context.supplement_count >= MAX_SUPPLEMENT_REQUESTS:
        raise Conflict(
            "supplement_limit",
            "Hồ sơ chỉ được yêu cầu bổ sung một lần.",
            "A dossier may be sent back for a supplement only once.",
        )
    if act is DossierAction.RESCHEDULE and context.reschedule_count >= MAX_RESCHEDULES:
        raise Conflict(
            "reschedule_limit",
            "Hồ sơ chỉ được gia hạn (hẹn lại ngày trả kết quả) một lần.",
            "A dossier may be rescheduled only once.",
        )
    if rule.target is not None:
        return rule.target
    if act is DossierAction.SUPPLEMENT:
        return DossierStatus.PROCESSING if context.received else DossierStatus.NEW
    return current

"""Idempotent demo data: the catalogue, six months of history, the demo citizens' dossiers in every state."""

from __future__ import annotations

import hashlib
import logging
import random
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from thanglong.core import audit
from thanglong.core.calendar import WorkingCalendar
from thanglong.core.calendar_store import load_calendar
from thanglong.core.clock import HANOI, Clock
from thanglong.core.errors import ThangLongError
from thanglong.core.jobs import JobRunner
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal, permissions_for
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.catalogue.services import ProcedureDTO, list_procedures, load_specs
from thanglong.domains.procedures.catalogue.shipped import load_catalogue
from thanglong.domains.procedures.documents.pdf import FormPdf
from thanglong.domains.procedures.documents.reactions import DOCUMENTS_JOB
from thanglong.domains.procedures.dossiers import clock
from thanglong.domains.procedures.dossiers.attachments import ContentStore
from thanglong.domains.procedures.dossiers.codes import DEFAULT_FORMAT
from thanglong.domains.procedures.dossiers.files import store_for
from thanglong.domains.procedures.dossiers.payments import request_payment
from thanglong.domains.procedures.dossiers.services import DossierDTO, act, list_for_applicant, submit_dossier
from thanglong.domains.procedures.dossiers.states import DossierAction
from thanglong.domains.procedures.dossiers.tracking_secret import new_secret
from thanglong.domains.procedures.models import (
    Attachment,
    Dossier,
    DossierRating,
    DossierSequence,
    DossierStep,
)

logger = logging.getLogger(__name__)

DEMO_AGENCY = "000.00.61.H26"
DEMO_CITIZENS = ("congdan",)
DEMO_OFFICER = "canbo"
DEMO_HEAD = "chutich"
DOCUMENT_ROUNDS = 10


# Values tried, in order, for a text field with a pattern: phone numbers, personal and tax numbers, codes.
# Plausible, not only well-typed (catalogue.plausibility): a mobile number first; personal IDs are made
# to match the birth date of their group (sample_object).
PATTERN_SAMPLES = (
    "0912345678",
    "001090012345",
    "0101234567",
    "001090012",
    "29A12345",
    "01",
    "1",
    *("0" * n for n in range(2, 21)),
)
PERSONAL_ID = "^[0-9]{12}$"
# Sample dates that pass the e-forms' rules: adults born in 1990, children in 2025 (at least 12 years
# after their parents), a death after the birth, periods that end after they start, expiries ahead.
ADULT_BIRTH = "1990-05-12"
CHILD_GROUPS = frozenset({"tre"})
SCHOOL_GROUPS = frozenset({"hoc_sinh"})
DATE_SAMPLES = {
    "ngay_chet": "2025-08-20",
    "den_ngay": "2026-09-01",
    "ngay_het_han": "2030-12-31",
}
DEFAULT_DATE = "2025-09-02"


def _date_sample(path: tuple[str, ...]) -> str:
    name = path[-1] if path else ""
    group = next((p for p in reversed(path[:-1]) if p != "[]"), "")
    if name == "ngay_sinh":
        if group in CHILD_GROUPS:
            return DEFAULT_DATE
        return "2015-09-05" if group in SCHOOL_GROUPS else ADULT_BIRTH
    return DATE_SAMPLES.get(name, DEFAULT_DATE)


def _personal_id(birth: str) -> str:
    """Return a Hanoi (001) personal ID of a man born on `birth` (century and sex digit, then the year)."""
    century_digit = {19: "0", 20: "2"}[int(birth[:2])]
    return f"001{century_digit}{birth[2:4]}012345"


def _text_sample(schema: dict[str, Any]) -> str:
    pattern = schema.get("pattern")
    if pattern:
        for candidate in PATTERN_SAMPLES:
            if re.search(pattern, candidate):
                return candidate
    text = "Nguyễn Văn An, số 12 phố Hàng Bạc"[: schema.get("maxLength", 200)]
    return text.ljust(int(schema.get("minLength", 1)), ".") or "A"


def sample_value(  # noqa: PLR0911 - one return per schema type reads best
    schema: dict[str, Any], path: tuple[str, ...] = ()
) -> Any:
    """Return a plausible value for a JSON Schema node (first enum, a date, a number, text) at `path`."""
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object":
        return sample_object(schema, path)
    if kind == "array":
        return [sample_value(schema.get("items", {}), (*path, "[]"))] * max(1, int(schema.get("minItems", 1)))
    if kind in ("integer", "number"):
        return max(1, int(schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return _date_sample(path)
    if fmt == "email":
        return "congdan@example.vn"
    return _text_sample(schema)


def sample_object(schema: dict[str, Any], path: tuple[str, ...] = ()) -> dict[str, Any]:
    """Fill every property of an object schema (the optional ones too: conditions may require them)."""
    props = schema.get("properties", {})
    names = [*props, *(n for n in schema.get("required", []) if n not in props)]
    out = {name: sample_value(props.get(name, {}), (*path, name)) for name in names}
    birth = out.get("ngay_sinh")
    for name in names:
        if props.get(name, {}).get("pattern") == PERSONAL_ID and isinstance(birth, str):
            out[name] = _personal_id(birth)
    return out


def _principal(platform: Platform, user: identity.UserDTO) -> Principal:
    return Principal(
        kind="user",
        id=user.id,
        name=user.username,
        roles=frozenset(user.roles),
        agency_id=user.agency_id,
        permissions=permissions_for(frozenset(user.roles), platform.permissions),
    )


def load_demo(platform: Platform) -> None:
    """Load the catalogue, the history and the demo citizens' dossiers (running twice changes nothing)."""
    with platform.uow() as uow:
        load_specs(uow, load_catalogue(), actor=SYSTEM_ACTOR)
    # History first: it fills past days' sequences only where none exist, and the overdue demo dossier
    # is received on a past day.
    load_history(platform)
    for username in DEMO_CITIZENS:
        file_demo_dossiers(platform, username)


@dataclass(frozen=True)
class Scenario:
    """One demo dossier: its procedure, the actions taken on it in order, and how long ago it was filed."""

    key: str
    procedure_code: str
    actions: tuple[DossierAction, ...]
    days_ago: int = 0
    note: str = ""
    # Another ward decides it: filed at the citizen's nearest office (Decree 118/2025), to be transferred.
    competent_agency: str | None = None


_A = DossierAction
# Each demo citizen gets one dossier per scenario, in a distinct state, through the real use cases, so every
# path of the README can be tried at once (docs/handbook/citizen.md). A scenario is present when the
# citizen has a dossier of its procedure; only missing ones are filed, so a second load adds nothing.
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("new", "1.001193", ()),
    Scenario("received", "1.000894", (_A.RECEIVE,), competent_agency="000.00.62.H26"),
    Scenario("processing", "1.004194", (_A.RECEIVE, _A.ASSIGN)),
    Scenario(
        "supplement",
        "1.004884",
        (_A.RECEIVE, _A.REQUEST_SUPPLEMENT),
        note="Bổ sung bản sao Giấy chứng sinh (bản chụp rõ nét).",
    ),
    Scenario("payment", "1.004222", (_A.RECEIVE, _A.ASSIGN, _A.REQUEST_PAYMENT)),
    Scenario("returned", "1.010041", (_A.RECEIVE, _A.ASSIGN, _A.APPROVE, _A.RETURN_RESULT)),
    Scenario(
        "refused",
        "1.003677",
        (_A.RECEIVE, _A.ASSIGN, _A.REFUSE),
        note="Người khai báo không thuộc trường hợp phải khai báo tạm vắng.",
    ),
    # Filed and received five weeks ago, on a procedure of five working days: past its due date.
    Scenario("overdue", "1.004746", (_A.RECEIVE, _A.ASSIGN), days_ago=35),
)
# The signed and the head's actions; every other action is the ward officer's.
HEAD_ACTIONS = frozenset({_A.APPROVE, _A.REFUSE, _A.RESCHEDULE})


def _past_clock(platform: Platform, days_ago: int) -> Clock:
    """Return a clock standing at 09:00 Hanoi on a weekday `days_ago` days back (for a past filing)."""
    local = (platform.clock() - timedelta(days=days_ago)).astimezone(HANOI)
    while local.weekday() >= 5:
        local -= timedelta(days=1)
    moment = local.replace(hour=9, minute=0, second=0, microsecond=0)
    return lambda: moment


def _uow_at(platform: Platform, clock: Clock | None) -> UnitOfWork:
    if clock is None:
        return platform.uow()
    return UnitOfWork(
        platform.session_factory,
        platform.bus,
        clock,
        platform.settings,
        roles=platform.roles,
        job_kinds=frozenset(platform.job_kinds),
    )


def _run_scenario(
    platform: Platform,
    scenario: Scenario,
    *,
    citizen: Principal,
    officer: Principal,
    head: Principal | None,
    agency_id: uuid.UUID,
) -> DossierDTO | None:
    clock = _past_clock(platform, scenario.days_ago) if scenario.days_ago else None
    with _uow_at(platform, clock) as uow:
        procedure = next(iter(list_procedures(uow, codes=[scenario.procedure_code])), None)
        if procedure is None:
            logger.info(
                "procedures demo scenario %s skipped: no procedure %s", scenario.key, scenario.procedure_code
            )
            return None
        competent = (
            identity.find_agency(uow, scenario.competent_agency) if scenario.competent_agency else None
        )
        dossier = submit_dossier(
            uow,
            principal=citizen,
            procedure_code=procedure.code,
            receiving_agency_id=agency_id,
            form_data=sample_object(procedure.eform),
            competent_agency_id=competent.id if competent is not None else None,
        )
    for action in scenario.actions:
        actor = head if action in HEAD_ACTIONS else officer
        if actor is None:
            logger.info("procedures demo scenario %s stopped: no agency head", scenario.key)
            break
        with _uow_at(platform, clock) as uow:
            if action is _A.REQUEST_PAYMENT:
                dossier, _ = request_payment(uow, principal=actor, ref=dossier.id, note=scenario.note)
            else:
                dossier = act(
                    uow,
                    principal=actor,
                    ref=dossier.id,
                    action=action,
                    officer_id=officer.id if action is _A.ASSIGN else None,
                    note=scenario.note if action in (_A.REQUEST_SUPPLEMENT, _A.REFUSE) else "",
                )
    return dossier


def file_demo_dossiers(platform: Platform, username: str) -> list[DossierDTO]:
    """File the scenarios a demo citizen does not have yet, through the real use cases; return them."""
    with platform.uow() as uow:
        citizen = identity.find_user(uow, username)
        officer = identity.find_user(uow, DEMO_OFFICER)
        head = identity.find_user(uow, DEMO_HEAD)
        agency = identity.find_agency(uow, DEMO_AGENCY)
        if citizen is None or officer is None or agency is None or identity.CITIZEN not in citizen.roles:
            logger.info("procedures demo dossiers skipped: identity demo data missing")
            return []
        have = {d.procedure_code for d in list_for_applicant(uow, citizen.id, limit=500)}
    filed = []
    for scenario in SCENARIOS:
        if scenario.procedure_code in have:
            continue
        try:
            dossier = _run_scenario(
                platform,
                scenario,
                citizen=_principal(platform, citizen),
                officer=_principal(platform, officer),
                head=_principal(platform, head) if head is not None else None,
                agency_id=agency.id,
            )
        except ThangLongError as exc:
            logger.warning("procedures demo scenario %s not completed: %s", scenario.key, exc.code)
            continue
        if dossier is not None:
            filed.append(dossier)
    if filed and DOCUMENTS_JOB in platform.job_kinds:
        # Draw and sign the forms and the result now, so the demo citizen can download them at once.
        runner = JobRunner(platform, platform.job_kinds)
        for _ in range(DOCUMENT_ROUNDS):
            if runner.run_once(kinds=[DOCUMENTS_JOB]).claimed == 0:
                break
    return filed


# Six months of past dossiers for the statistics page. They are inserted in bulk, not through the
# use cases: history cannot be replayed through "now"-stamped actions, and a demo start must stay
# fast. They carry this note, which also makes the load idempotent, and one audit record.
HISTORY_NOTE = "Dữ liệu minh hoạ thống kê (lịch sử 6 tháng)"
HISTORY_AGENCIES = ("000.00.61.H26", "000.00.62.H26", "000.00.30.H26")
HISTORY_DAYS = 182
HISTORY_SIZE = 420
HISTORY_SEED = 766
# No PDF is generated: every digitised demo result points at this one short text file.
HISTORY_RESULT_NOTE = "Kết quả minh hoạ của dữ liệu mẫu thống kê (không phải văn bản ký số)."


def history_result_pdf() -> bytes:
    """Return the one PDF every past demo dossier's result points at (served like any attachment)."""
    pdf = FormPdf(title="Kết quả minh hoạ")
    pdf.multi_cell(
        0,
        6,
        HISTORY_RESULT_NOTE + "\nIllustrative result of the statistics demo data (not a signed document).",
    )
    return pdf.render()


def _moment(rng: random.Random, now: datetime, days_ago: int) -> datetime:
    """Return a working-hours moment (Hanoi) `days_ago` days before now, moved off weekends."""
    local = (now - timedelta(days=days_ago)).astimezone(HANOI)
    while local.weekday() >= 5:
        local -= timedelta(days=1)
    local = local.replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59), second=0, microsecond=0)
    return min(local.astimezone(now.tzinfo), now - timedelta(minutes=5))


def _history_rows(
    rng: random.Random,
    now: datetime,
    calendar: WorkingCalendar,
    procedures: list[ProcedureDTO],
    agencies: list[tuple[uuid.UUID, str]],
    officer_id: uuid.UUID | None,
    result_sha: str,
    result_size: int,
) -> dict[str, list[dict[str, Any]]]:
    """Make the rows of the history: dossiers, their control-slip steps, ratings, result files."""
    rows: dict[str, list[dict[str, Any]]] = {"dossier": [], "step": [], "rating": [], "attachment": []}
    sequences: dict[tuple[uuid.UUID, Any], int] = {}
    officer = f"user:{officer_id}:{DEMO_OFFICER}" if officer_id else SYSTEM_ACTOR
    for _ in range(HISTORY_SIZE):
        days_ago = int(HISTORY_DAYS * rng.random() ** 0.9) + 1
        received = _moment(rng, now, days_ago)
        agency_id, agency_code = rng.choice(agencies)
        proc = rng.choice(procedures)
        # Online filing grows month after month, as it did after Decision 766.
        channel = "online" if rng.random() < 0.85 - 0.3 * days_ago / HISTORY_DAYS else "counter"
        due = clock.due_at(received, unit=proc.time_unit, amount=proc.time_amount, calendar=calendar)
        day = received.astimezone(HANOI).date()
        seq = sequences[(agency_id, day)] = sequences.get((agency_id, day), 0) + 1
        dossier_id = uuid.uuid4()
        steps: list[tuple[str, str, datetime, str]] = [("receive", "received", received, officer)]
        status, finished, paused, paid = "processing", None, None, False
        late = rng.random() < 0.12
        span = due - received
        if due < now - timedelta(days=2) or rng.random() < 0.3:
            finished = received + span * (1.1 + rng.random() if late else 0.2 + 0.75 * rng.random())
        if finished is not None and finished >= now:
            finished = None
        if proc.total_fee_vnd > 0 and rng.random() < 0.9:
            paid = True
            online_paid = channel == "online" and rng.random() < 0.8
            # The payments domain's confirmation is applied by the platform itself; a counter payment
            # is recorded by the officer (statistics.services tells online payments by this actor).
            payer = SYSTEM_ACTOR if online_paid else officer
            steps.append(("record_payment", "processing", received + span * 0.1, payer))
        if finished is None:
            if rng.random() < 0.15:
                status, paused = "supplement_requested", min(received + span * 0.3, now)
        else:
            roll = rng.random()
            status = "stopped" if roll < 0.03 else "withdrawn" if roll < 0.05 else "returned"
            if status == "returned" and finished > now - timedelta(days=3):
                status = "processed"
            closing = "approve" if status in ("returned", "processed") else status.removesuffix("ed")
            steps.append((closing, status, finished, officer))
            if status in ("returned", "processed"):
                if channel == "online" or rng.random() < 0.5:
                    rows["attachment"].append(
                        {
                            "id": uuid.uuid4(),
                            "dossier_id": dossier_id,
                            "sha256": result_sha,
                            "size": result_size,
                            "media_type": "application/pdf",
                            "filename": "ket-qua-minh-hoa.pdf",
                            "kind": "result",
                            "uploaded_by": SYSTEM_ACTOR,
                            "created_at": finished,
                        }
                    )
                rated_at = finished + timedelta(hours=rng.randint(2, 72))
                if status == "returned" and rng.random() < 0.45 and rated_at < now:
                    score = rng.choices((5, 4, 3, 2, 1), weights=(55, 28, 10, 4, 3))[0]
                    score = max(1, score - 2) if late and rng.random() < 0.5 else score
                    rows["rating"].append(
                        {
                            "id": uuid.uuid4(),
                            "dossier_id": dossier_id,
                            "applicant_id": None,
                            "score": score,
                            "comment": "",
                            "created_at": rated_at,
                        }
                    )
        for index, (action, step_status, started, actor) in enumerate(steps, start=1):
            rows["step"].append(
                {
                    "id": uuid.uuid4(),
                    "dossier_id": dossier_id,
                    "seq": index,
                    "action": action,
                    "status": step_status,
                    "holder_id": officer_id,
                    "holder_agency_id": agency_id,
                    "actor": actor,
                    "started_at": started,
                    "ended_at": steps[index][2] if index < len(steps) else finished,
                    "due_at": due,
                    "outcome": None,
                    "note": "",
                }
            )
        rows["dossier"].append(
            {
                "id": dossier_id,
                "code": DEFAULT_FORMAT.format(agency_code, day, seq),
                "tracking_secret": new_secret(),
                "procedure_version_id": proc.version_id,
                "applicant_id": None,
                "receiving_agency_id": agency_id,
                "competent_agency_id": agency_id,
                "assigned_officer_id": officer_id,
                "status": status,
                "form_data": {},
                "delivery": "online",
                "channel": channel,
                "submitted_at": received - timedelta(minutes=rng.randint(5, 600))
                if channel == "online"
                else received,
                "received_at": received,
                "effective_receipt_at": received,
                "due_at": due,
                "paused_at": paused,
                "pauses": [[paused.isoformat(), None]] if paused else [],
                "supplement_count": 1 if paused else 0,
                "reschedule_count": 0,
                "extension_working_days": 0,
                "paid": paid,
                "finished_at": finished,
                "note": HISTORY_NOTE,
                "updated_at": finished or paused or received,
                "version_id": 1,
            }
        )
    rows["sequence"] = [
        {"agency_id": agency, "day": day, "last_number": n} for (agency, day), n in sequences.items()
    ]
    return rows


def load_history(platform: Platform) -> int:
    """Insert six months of past dossiers for the statistics, once; return how many were added."""
    with platform.uow() as uow:
        if uow.session.scalar(select(Dossier.id).where(Dossier.note == HISTORY_NOTE).limit(1)):
            return 0
        agencies = [a for a in (identity.find_agency(uow, code) for code in HISTORY_AGENCIES) if a]
        officer = identity.find_user(uow, DEMO_OFFICER)
        procedures = [p for p in list_procedures(uow, limit=200) if p.time_amount > 0][:40]
        if not agencies or not procedures:
            logger.info("procedures demo history skipped: identity demo data or catalogue missing")
            return 0
        now = uow.clock()
        # Today's numbers are the real use cases' to give; the history stops the day before.
        today = now.astimezone(HANOI).date()
        taken = uow.session.scalar(
            select(DossierSequence.agency_id).where(
                DossierSequence.agency_id.in_([a.id for a in agencies]),
                DossierSequence.day >= today - timedelta(days=HISTORY_DAYS + 7),
                DossierSequence.day < today,
            )
        )
        if taken is not None:
            logger.info("procedures demo history skipped: these agencies already have past dossiers")
            return 0
        store: ContentStore = store_for(platform)
        result = history_result_pdf()
        sha = hashlib.sha256(result).hexdigest()
        store.put(result, sha)
        rows = _history_rows(
            random.Random(HISTORY_SEED),  # noqa: S311 - a reproducible demo, not a secret
            now,
            load_calendar(uow),
            procedures,
            [(a.id, a.code) for a in agencies],
            officer.id if officer else None,
            sha,
            len(result),
        )
        session = uow.session
        session.execute(insert(Dossier), rows["dossier"])
        session.execute(insert(DossierStep), rows["step"])
        session.execute(insert(DossierSequence), rows["sequence"])
        if rows["attachment"]:
            session.execute(insert(Attachment), rows["attachment"])
        if rows["rating"]:
            session.execute(insert(DossierRating), rows["rating"])
        audit.record(
            uow,
            actor=SYSTEM_ACTOR,
            action="procedures.demo.history",
            object_type="procedures_dossier",
            object_id="demo-history",
            after={"dossiers": len(rows["dossier"]), "ratings": len(rows["rating"]), "note": HISTORY_NOTE},
        )
        uow.commit()
    return len(rows["dossier"])

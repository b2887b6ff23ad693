"""Check a filing before it is stored: the e-form (types and plausibility) and the agencies' competence.

`check_filing` is the one call the filing use case makes; it raises one InvalidInput (422) listing every
problem, each pointing at its field, so a form is corrected in one round trip.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput
from thanglong.core.text import check_tree
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.catalogue import competence, plausibility
from thanglong.domains.procedures.catalogue.eform import FieldError
from thanglong.domains.procedures.catalogue.services import ProcedureDTO

RECEIVING_FIELD = "receiving_agency_id"
COMPETENT_FIELD = "competent_agency_id"


@dataclass(frozen=True)
class AgencyProblem:
    """Why an agency cannot take a dossier of a procedure."""

    field: str
    message_vi: str
    message_en: str


def pointer(field: str, *, in_form: bool = True) -> str:
    """Return the JSON pointer (RFC 6901) of a field in the filing's body: /form_data/tre/ngay_sinh."""
    parts = (["form_data"] if in_form else []) + (field.split(".") if field else [])
    return "/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def field_entry(error: FieldError) -> dict[str, str]:
    """Return the `details.fields` entry of an e-form problem."""
    return {
        "field": error.field,
        "pointer": pointer(error.field),
        "message": error.message_vi,
        "message_en": error.message_en,
    }


def check_filing(
    uow: UnitOfWork,
    procedure: ProcedureDTO,
    *,
    receiving_agency_id: uuid.UUID,
    competent_agency_id: uuid.UUID | None,
    form_data: dict[str, Any],
) -> uuid.UUID:
    """Refuse a filing with an implausible e-form or an agency not competent; return the deciding agency.

    Without a competent agency named, the receiving agency decides when it may, else the one agency of the
    deciding kind in its commune (or the city) is chosen; when none is registered, the receiving office
    keeps the dossier as the deciding agency until an officer re-routes it.
    """
    check_tree(form_data, field="form_data")
    today = to_hanoi(uow.clock()).date()
    problems = plausibility.form_problems(procedure.eform, form_data, today, key=procedure.version_id)
    deciding, agency = resolve_agencies(uow, procedure, receiving_agency_id, competent_agency_id)
    if agency is None and not problems:
        return deciding
    fields = [field_entry(e) for e in problems]
    parts_vi = [f"{e.field}: {e.message_vi}" for e in problems[:10]]
    parts_en = [f"{e.field}: {e.message_en}" for e in problems[:10]]
    if agency is not None:
        fields.insert(
            0,
            {
                "field": agency.field,
                "pointer": pointer(agency.field, in_form=False),
                "message": agency.message_vi,
                "message_en": agency.message_en,
            },
        )
        vi = agency.message_vi + (" Tờ khai chưa hợp lệ: " + "; ".join(parts_vi) if parts_vi else "")
        en = agency.message_en + (" The form is not valid: " + "; ".join(parts_en) if parts_en else "")
        raise InvalidInput("agency_not_competent", vi, en, fields=fields)
    raise InvalidInput(
        "invalid_form",
        "Tờ khai chưa hợp lệ: " + "; ".join(parts_vi),
        "The form is not valid: " + "; ".join(parts_en),
        fields=fields,
    )


def competence_of(procedure: ProcedureDTO) -> competence.Competence | None:
    """Return who receives and who decides a procedure, or None when the catalogue's words are unknown."""
    return competence.competence_of(procedure.level, procedure.competent_agency, procedure.receiving_agency)


def receiving_choices(
    uow: UnitOfWork, procedure: ProcedureDTO, commune_code: str | None = None
) -> list[identity.AgencyDTO]:
    """Return the agencies that may receive the procedure's dossiers for a commune (the form's list)."""
    return competence.receivers(competence_of(procedure), identity.list_agencies(uow), commune_code)


def resolve_agencies(
    uow: UnitOfWork,
    procedure: ProcedureDTO,
    receiving_id: uuid.UUID,
    competent_id: uuid.UUID | None,
) -> tuple[uuid.UUID, AgencyProblem | None]:
    """Return the deciding agency of a filing and the agency problem, if any (agencies exist already)."""
    rules = competence_of(procedure)
    # Both were just found by agency_exists: read from the same per-process cache (5 s, docs/identity.md).
    receiving = identity.recent_agency(uow, receiving_id)
    named = identity.recent_agency(uow, competent_id) if competent_id is not None else None
    if rules is None or receiving is None:
        return competent_id or receiving_id, None
    if not competence.may_receive(rules, receiving):
        return receiving_id, _not_receiving(uow, procedure, rules, receiving)
    if named is not None:
        return named.id, _named_problem(uow, procedure, rules, receiving, named)
    if competence.may_decide(rules, receiving):
        return receiving.id, None
    return _default_decider(uow, procedure, rules, receiving)


def _default_decider(
    uow: UnitOfWork, procedure: ProcedureDTO, rules: competence.Competence, receiving: identity.AgencyDTO
) -> tuple[uuid.UUID, AgencyProblem | None]:
    """Return the one deciding agency for what `receiving` took in, or the office when none is known."""
    found = competence.deciders(rules, identity.list_agencies(uow), receiving)
    exact = [a for a in found if receiving.commune_code and a.commune_code == receiving.commune_code]
    chosen = exact if len(exact) == 1 else found
    if len(chosen) == 1:
        return chosen[0].id, None
    if not chosen:
        return receiving.id, None
    return receiving.id, AgencyProblem(
        COMPETENT_FIELD,
        f"Có nhiều cơ quan có thẩm quyền giải quyết thủ tục {procedure.code}; hãy chọn một: "
        f"{competence.names(found)}.",
        f"Several agencies may decide procedure {procedure.code}; name one: {competence.names(found)}.",
    )


def _named_problem(
    uow: UnitOfWork,
    procedure: ProcedureDTO,
    rules: competence.Competence,
    receiving: identity.AgencyDTO,
    named: identity.AgencyDTO,
) -> AgencyProblem | None:
    if competence.may_decide(rules, named):
        return None
    found = competence.deciders(rules, identity.list_agencies(uow), receiving)
    if named.id == receiving.id and not found:
        return None
    return _refusal(procedure, rules, named, found, COMPETENT_FIELD, "giải quyết", "decide")


def _not_receiving(
    uow: UnitOfWork, procedure: ProcedureDTO, rules: competence.Competence, receiving: identity.AgencyDTO
) -> AgencyProblem:
    found = competence.receivers(rules, identity.list_agencies(uow))
    return _refusal(procedure, rules, receiving, found, RECEIVING_FIELD, "tiếp nhận", "receive")


def _refusal(
    procedure: ProcedureDTO,
    rules: competence.Competence,
    agency: identity.AgencyDTO,
    found: list[identity.AgencyDTO],
    field: str,
    verb_vi: str,
    verb_en: str,
) -> AgencyProblem:
    kinds_vi, kinds_en = "; ".join(rules.labels("vi")), "; ".join(rules.labels("en"))
    vi = (
        f"Cơ quan '{agency.name}' không có thẩm quyền {verb_vi} hồ sơ thủ tục {procedure.code} "
        f"({procedure.name}). Cơ quan có thẩm quyền giải quyết: {kinds_vi}"
    )
    en = (
        f"The agency '{agency.name}' may not {verb_en} dossiers of procedure {procedure.code}. "
        f"Competent to decide: {kinds_en}"
    )
    if found:
        where_vi, where_en = (
            ("Nơi nộp", "Where to file") if field == RECEIVING_FIELD else ("Cơ quan", "Agencies")
        )
        vi += f". {where_vi} trên hệ thống: {competence.names(found)}"
        en += f". {where_en} on the platform: {competence.names(found)}"
    return AgencyProblem(field, vi + ".", en + ".")

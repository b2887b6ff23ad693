"""Idempotent demo data: the shipped catalogue and a few dossiers of the demo citizen."""

from __future__ import annotations

import logging
from typing import Any

from thanglong.core.errors import ThangLongError
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal, Role
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures import eform
from thanglong.domains.procedures.catalogue import load_catalogue
from thanglong.domains.procedures.services import act, list_for_applicant, submit_dossier
from thanglong.domains.procedures.services_catalogue import list_procedures, load_specs
from thanglong.domains.procedures.states import DossierAction

logger = logging.getLogger(__name__)

DEMO_AGENCY = "000.00.61.H26"
DEMO_CITIZEN = "congdan"
DEMO_OFFICER = "canbo"
DEMO_PERMISSIONS_CITIZEN = frozenset({"procedures.dossier.file"})
DEMO_PERMISSIONS_OFFICER = frozenset({"procedures.dossier.process"})


def sample_value(schema: dict[str, Any]) -> Any:  # noqa: PLR0911 - one return per schema type reads best
    """Return a plausible value for a JSON Schema node (first enum, a date, a number, text)."""
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object":
        return sample_object(schema)
    if kind == "array":
        return [sample_value(schema.get("items", {}))] * max(1, int(schema.get("minItems", 1)))
    if kind in ("integer", "number"):
        return max(1, int(schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return "2025-09-02"
    if fmt == "email":
        return "congdan@example.vn"
    pattern = schema.get("pattern", "")
    if "0-9" in pattern or "\\d" in pattern:
        return "0" * max(int(schema.get("minLength", 12)), 1)
    return "Nguyễn Văn An"[: schema.get("maxLength", 200)] or "A"


def sample_object(schema: dict[str, Any]) -> dict[str, Any]:
    """Fill the required properties of an object schema."""
    props = schema.get("properties", {})
    return {name: sample_value(props.get(name, {})) for name in schema.get("required", [])}


def _principal(user: identity.UserDTO, perms: frozenset[str]) -> Principal:
    return Principal(
        kind="user",
        id=user.id,
        name=user.username,
        roles=frozenset(user.roles),
        agency_id=user.agency_id,
        permissions=perms,
    )


def load_demo(platform: Platform) -> None:
    """Load the catalogue (running twice changes nothing) and file three demo dossiers once."""
    with platform.uow() as uow:
        load_specs(uow, load_catalogue(), actor=SYSTEM_ACTOR)
    with platform.uow() as uow:
        citizen = identity.find_user(uow, DEMO_CITIZEN)
        officer = identity.find_user(uow, DEMO_OFFICER)
        agency = identity.find_agency(uow, DEMO_AGENCY)
        if citizen is None or officer is None or agency is None or Role.CITIZEN not in citizen.roles:
            logger.info("procedures demo dossiers skipped: identity demo data missing")
            return
        if list_for_applicant(uow, citizen.id, limit=1):
            return
        candidates = [p for p in list_procedures(uow, limit=50) if p.level == "xa"] or list_procedures(
            uow, limit=50
        )
    citizen_p = _principal(citizen, DEMO_PERMISSIONS_CITIZEN)
    officer_p = _principal(officer, DEMO_PERMISSIONS_OFFICER)
    filed = []
    for procedure in candidates:
        data = sample_object(procedure.eform)
        if eform.validate(procedure.eform, data):
            continue
        with platform.uow() as uow:
            try:
                filed.append(
                    submit_dossier(
                        uow,
                        principal=citizen_p,
                        procedure_code=procedure.code,
                        receiving_agency_id=agency.id,
                        form_data=data,
                    )
                )
            except ThangLongError:
                continue
        if len(filed) == 3:
            break
    for dossier, steps in zip(
        filed, ([], [DossierAction.RECEIVE], [DossierAction.RECEIVE, DossierAction.ASSIGN]), strict=False
    ):
        for action in steps:
            with platform.uow() as uow:
                act(uow, principal=officer_p, ref=dossier.id, action=action, officer_id=officer.id)

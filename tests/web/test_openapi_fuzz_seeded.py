"""Schemathesis over every operation again, on the Hanoi demo data, with the path parameters pointing
at objects that exist (dossiers, attachments, payments, users, jobs, notices...).

The fuzz on an empty database (test_openapi_fuzz.py) mostly reaches "not found"; here each generated
request is sent once with the parameters the generator made and once with real identifiers, so the
handlers behind them run on real rows with fuzzed bodies and queries. Checked as there: no 5xx and
every answer as the document describes it, as each role. Afterwards the audit chain still verifies:
whatever the fuzz was refused or allowed, it left no broken record behind.

Budget: half of THANGLONG_FUZZ_EXAMPLES examples per operation (default 4) x 6 callers x 2 parameter sets.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import given, settings
from sqlalchemy import text

from tests.web.test_openapi_fuzz import DESIGNED_5XX, EXAMPLES, EXCLUDED, FUZZ_SETTINGS, ROLES
from thanglong.core import audit, geo
from thanglong.core.platform import Platform, load_demo_data
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.testing.plugin import committing_platform
from thanglong.domains.identity import credentials
from thanglong.web.app import create_app

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "openapi-fuzz-seeded.txt"
# Path parameters -> the SQL that lists real values for them; parameters that belong together (an
# attachment and its dossier) come from one row.
REAL_VALUES: dict[tuple[str, ...], str] = {
    ("ref",): "SELECT CAST(id AS TEXT) FROM procedures_dossier UNION ALL SELECT code FROM procedures_dossier",
    ("code",): "SELECT code FROM procedures_dossier UNION ALL SELECT code FROM procedures_procedure "
    "UNION ALL SELECT code FROM core_geo_commune UNION ALL SELECT code FROM traffic_road_segment",
    ("procedure_code",): "SELECT code FROM procedures_procedure",
    ("ref", "attachment_id"): "SELECT CAST(dossier_id AS TEXT), CAST(id AS TEXT) FROM procedures_attachment",
    ("consultation_id",): "SELECT CAST(id AS TEXT) FROM procedures_consultation",
    ("payment_id",): "SELECT CAST(id AS TEXT) FROM payments_payment",
    ("message_id",): "SELECT CAST(id AS TEXT) FROM notify_message",
    ("item_id",): "SELECT CAST(id AS TEXT) FROM notify_inbox_item",
    ("job_id",): "SELECT CAST(id AS TEXT) FROM core_job",
    ("user_id",): "SELECT CAST(id AS TEXT) FROM identity_user",
    # The callers' own keys are left alone: revoking them would silence every later request.
    ("prefix",): "SELECT prefix FROM identity_api_key WHERE name NOT LIKE 'fuzz-%'",
    ("series",): "SELECT name FROM core_ts_series WHERE name LIKE 'operations.%'",
}
# Reads no demo object can answer 2xx for an API-key caller, and why.
NOT_REACHABLE = {
    "GET /api/v1/procedures/drafts/{procedure_code}": "drafts belong to signed-in citizens, not to API keys",
    "GET /api/v1/procedures/dossiers/{ref}/shipment": "no demo dossier is sent by post",
    "GET /api/v1/procedures/track/{code}": "tracking needs the dossier's secret, which the fuzz cannot know",
}


def _substitute(generated: dict[str, Any], real: Real, pick: random.Random) -> dict[str, Any]:
    """Replace generated path parameters with real ones, filling the widest group of them first."""
    out = dict(generated)
    filled: set[str] = set()
    for names in sorted(real, key=len, reverse=True):
        if real[names] and set(names) <= out.keys() and not filled & set(names):
            out.update(zip(names, pick.choice(real[names]), strict=True))
            filled.update(names)
    return out


def _canonical(value: str) -> str:
    """Return a UUID in its hyphenated form (SQLite stores them as 32 hex digits), other values as-is."""
    try:
        return str(uuid.UUID(value)) if len(value) == 32 else value
    except ValueError:
        return value


Real = dict[tuple[str, ...], list[tuple[str, ...]]]
Seeded = tuple[Platform, FastAPI, dict[str, dict[str, str]], Real]


@pytest.fixture
def seeded_app(tmp_path: Path) -> Iterator[Seeded]:
    with committing_platform(tmp_path, "fuzzseed") as platform:
        yield _seed(platform)


def _seed(platform: Platform) -> Seeded:
    load_demo_data(platform)
    callers: dict[str, dict[str, str]] = {"anonymous": {}}
    with platform.uow() as uow:
        for role in ROLES:
            _, key = credentials.create_api_key(uow, actor=SYSTEM_ACTOR, name=f"fuzz-{role}", role=role)
            callers[role] = {"Authorization": f"Bearer {key}"}
            # A key of each role for the fuzz to read and revoke.
            credentials.create_api_key(uow, actor=SYSTEM_ACTOR, name=f"spare-{role}", role=role)
        uow.commit()
    real: Real = {}
    with platform.engine.connect() as conn:
        for names, sql in REAL_VALUES.items():
            rows = [tuple(_canonical(str(v)) for v in row) for row in conn.execute(text(sql))]
            # A spread of each kind, not only the first rows the database returns.
            real[names] = random.Random(" ".join(names)).sample(rows, min(len(rows), 25))
    real[("name",)] = [(layer.name,) for m in platform.manifests for layer in m.map_layers]
    real[("key",)] = [(kpi.key,) for m in platform.manifests for kpi in m.kpis]
    real[("name_or_code",)] = [(d.short_name,) for d in geo.legacy_districts()]
    real[("day",)] = [("2026-09-02",), ("2026-12-03",), ("2027-02-17",)]
    return platform, create_app(platform=platform), callers, real


def test_every_operation_on_the_demo_data(seeded_app: Seeded) -> None:
    platform, app, callers, real = seeded_app
    assert len(real[("ref",)]) >= 10 and real[("procedure_code",)], (
        "the demo data has dossiers and procedures"
    )
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    problems: dict[str, str] = {}
    reached: set[str] = set()

    def fuzz(operation: Any) -> None:
        label = operation.label
        pick = random.Random(label)

        # Half the examples of the empty-database run: each is sent twice (generated and real
        # identifiers), to every caller, so the calls per operation stay the same and the suite's time too.
        @settings(FUZZ_SETTINGS, max_examples=max(1, EXAMPLES // 2))
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            generated = dict(case.path_parameters or {})
            variants = [generated]
            if generated:
                variants.append(_substitute(generated, real, pick))
            for substituted, parameters in enumerate(variants):
                case.path_parameters = parameters
                for name, headers in callers.items():
                    try:
                        excluded = EXCLUDED + (
                            [schemathesis.checks.not_a_server_error] if label in DESIGNED_5XX else []
                        )
                        # A case generated to be invalid in its path becomes valid once real
                        # identifiers replace the generated ones: only the original is expected refused.
                        if substituted:
                            excluded.append(schemathesis.checks.negative_data_rejection)
                        response = case.call_and_validate(headers=headers, excluded_checks=excluded)
                        if response.status_code < 400:
                            reached.add(label)
                    except BaseException as exc:  # every failure is collected and reported below
                        problems.setdefault(f"{label} as {name} {parameters}", str(exc))

        run()

    for operation in operations:
        fuzz(operation)

    report = "\n\n".join(f"== {where}\n{what}" for where, what in sorted(problems.items()))
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(report or "no problem found\n", encoding="utf-8")
    summary = [f"{where}: {what.strip().splitlines()[0][:160]}" for where, what in sorted(problems.items())]
    assert not problems, f"{len(problems)} problem(s), details in {ARTIFACT}:\n" + "\n".join(summary)
    # The real identifiers let the fuzz through to the handlers, not only to "not found": every read
    # of one object answered 2xx at least once, for some caller.
    available = {name for names, rows in real.items() if rows for name in names}
    reads = {
        op.label
        for op in operations
        if op.method.upper() == "GET"
        and (path := {p.name for p in op.iter_parameters() if p.location == "path"})
        and path <= available
        and op.label not in NOT_REACHABLE
    }
    assert reads - reached == set(), f"reads that never found their object: {sorted(reads - reached)}"
    with platform.uow() as uow:
        assert audit.verify(uow.session).ok

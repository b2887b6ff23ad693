"""Schemathesis over every operation of the OpenAPI document, as each role, on a bounded budget.

For each operation Hypothesis generates requests from the document (valid ones and, for negative
testing, invalid ones) and each is sent anonymously and with an API key of each role. Checked: no 5xx,
every answer's status, content type, headers and body as the document describes them, invalid input
refused. Not checked: that every schema-valid request is accepted (`positive_data_acceptance`): some
inputs are narrower than JSON Schema can say (a calendar day between 1900 and 2100, a commune code that
exists) and are refused with a documented 4xx and a clear message.

Budget: THANGLONG_FUZZ_EXAMPLES examples per operation (default 8) x 6 callers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from schemathesis import checks

from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import credentials
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD, CITIZEN, OFFICER, OPERATOR
from thanglong.web.app import create_app

EXAMPLES = int(os.environ.get("THANGLONG_FUZZ_EXAMPLES", "8"))
ROLES = (CITIZEN, OFFICER, AGENCY_HEAD, OPERATOR, ADMINISTRATOR)
EXCLUDED = [checks.positive_data_acceptance]


# Every YAML media type: schemathesis picks the first registered deserializer of the same family.
@schemathesis.deserializer(
    "text/yaml", "text/x-yaml", "application/x-yaml", "text/vnd.yaml", "application/yaml"
)
def _yaml_stream(_ctx: schemathesis.DeserializationContext, response: Any) -> Any:
    """Read a YAML stream as RFC 9512 allows it: one document, or a list of several (alarm rules export)."""
    documents = list(yaml.safe_load_all(response.content.decode(response.encoding or "utf-8")))
    return documents[0] if len(documents) == 1 else documents


# /healthz answers 503 by design when the broker or the database does not answer (documented); the
# test platform runs no broker, so its 503 is the expected answer, checked against its schema.
DESIGNED_5XX = {"GET /healthz"}
# The same bounded, reproducible budget for every fuzz run (empty and seeded databases).
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    verbosity=Verbosity.quiet,
    print_blob=False,
)
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "openapi-fuzz.txt"


@pytest.fixture
def fuzz_app(platform: Platform) -> Iterator[tuple[FastAPI, dict[str, dict[str, str]]]]:
    app = create_app(platform=platform)
    callers: dict[str, dict[str, str]] = {"anonymous": {}}
    with platform.uow() as uow:
        for role in ROLES:
            _, key = credentials.create_api_key(uow, actor=SYSTEM_ACTOR, name=f"fuzz-{role}", role=role)
            callers[role] = {"Authorization": f"Bearer {key}"}
    yield app, callers


def test_every_operation_as_every_role(fuzz_app: tuple[FastAPI, dict[str, dict[str, str]]]) -> None:
    app, callers = fuzz_app
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    problems: dict[str, str] = {}

    def fuzz(operation: Any) -> None:
        label = operation.label

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            for name, headers in callers.items():
                try:
                    excluded = EXCLUDED + ([checks.not_a_server_error] if label in DESIGNED_5XX else [])
                    case.call_and_validate(headers=headers, excluded_checks=excluded)
                except BaseException as exc:  # every failure is collected and reported below
                    problems.setdefault(f"{label} as {name}", str(exc))

        run()

    for operation in operations:
        fuzz(operation)

    report = "\n\n".join(f"== {where}\n{what}" for where, what in sorted(problems.items()))
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(report or "no problem found\n", encoding="utf-8")
    summary = [f"{where}: {what.strip().splitlines()[0][:160]}" for where, what in sorted(problems.items())]
    assert not problems, f"{len(problems)} problem(s), details in {ARTIFACT}:\n" + "\n".join(summary)

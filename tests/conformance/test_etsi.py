"""The selected ETSI NGSI-LD conformance test cases pass against a real `thanglong serve`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import etsi_runner

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "etsi"


def test_the_selection_is_well_formed() -> None:
    selection = etsi_runner.read_selection()
    assert len(selection.groups) >= 15
    # Every exclusion carries its reason (read_selection refuses one without), and none is run twice.
    assert len(set(selection.groups)) == len(selection.groups)
    assert all(reason for reason in selection.excluded_tests.values())


@pytest.mark.timeout(etsi_runner.ROBOT_TIMEOUT_SECONDS + etsi_runner.START_TIMEOUT_SECONDS + 60)
def test_the_selected_etsi_test_cases_pass() -> None:
    outcome = etsi_runner.run(ARTIFACTS)
    failed = "\n".join(f"{name}: {message}" for name, message in sorted(outcome.failed.items()))
    assert not outcome.failed, (
        f"{len(outcome.failed)} ETSI NGSI-LD test cases failed ({len(outcome.passed)} passed; "
        f"robot's log.html and the server log are in {ARTIFACTS}):\n{failed}"
    )
    # A run that silently selected nothing must not pass.
    assert len(outcome.passed) >= 250, len(outcome.passed)

"""`thanglong traffic whatif`: the ranking as JSON from a counts file, one-line errors for bad input.

The 2×2 test grid has one lane each way: 12 controlled links per junction.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.domains.traffic.test_cli import cli  # noqa: F401  (the CLI fixture with traffic enabled)
from tests.domains.traffic.test_plans import tiny  # noqa: F401  (the 2×2 grid)
from thanglong.domains.traffic.network.build import Scenario

runner = CliRunner()


def _whatif(cli: typer.Typer, tiny: Scenario, counts: Path, *extra: str) -> tuple[int, str]:  # noqa: F811
    result = runner.invoke(
        cli,
        ["traffic", "whatif", "--net", str(tiny.net), "--counts", str(counts), "--tls", "A0", *extra],
    )
    return result.exit_code, result.output


def test_whatif_prints_the_ranking(cli: typer.Typer, tiny: Scenario, tmp_path: Path) -> None:  # noqa: F811
    counts = tmp_path / "counts.csv"
    counts.write_text("edge,count\nleft0A0,500\nbottom0A0,400\n", encoding="utf-8")
    code, output = _whatif(
        cli, tiny, counts, "--candidate", "max-pressure", "--seeds", "1,2", "--horizon", "90", "--json"
    )
    assert code == 0, output
    data = json.loads(output)
    assert data["tls"] == "A0" and data["demand"]["vehicles"] > 0
    ranking = data["ranking"]
    assert sorted(r["key"] for r in ranking) == ["candidate-1", "current"]
    assert [r["rank"] for r in ranking] == [1, 2]
    delays = [r["metrics"]["mean_delay_s"]["mean"] for r in ranking]
    assert delays == sorted(delays)


@pytest.mark.parametrize(
    ("rows", "extra", "words"),
    [
        ("left0A0,-3\n", ("--candidate", "max-pressure"), "không âm"),
        ("left0A0,99999\n", ("--candidate", "max-pressure"), "more than"),
        ("left0A0,100\n", ("--candidate", "nothing.json"), "cannot read the plan"),
        ("left0A0,100\n", ("--candidate", "max-pressure", "--seeds", "a"), "seeds must be integers"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    cli: typer.Typer,  # noqa: F811
    tiny: Scenario,  # noqa: F811
    tmp_path: Path,
    rows: str,
    extra: tuple[str, ...],
    words: str,
) -> None:
    counts = tmp_path / "counts.csv"
    counts.write_text(rows, encoding="utf-8")
    code, output = _whatif(cli, tiny, counts, *extra)
    assert code == 2 and words in output, output


def test_a_conflicting_candidate_is_refused(cli: typer.Typer, tiny: Scenario, tmp_path: Path) -> None:  # noqa: F811
    counts = tmp_path / "counts.csv"
    counts.write_text("left0A0,100\n", encoding="utf-8")
    plan = tmp_path / "all-green.json"
    plan.write_text(
        json.dumps({"kind": "fixed", "stages": [{"state": "G" * 12, "green_s": 30}]}), encoding="utf-8"
    )
    code, output = _whatif(cli, tiny, counts, "--candidate", str(plan))
    assert code == 2 and "conflicting" in output, output

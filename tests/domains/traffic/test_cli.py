"""`thanglong traffic grid | network | evaluate`: JSON keys, determinism for a seed, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.domain_list import DEFAULT_DOMAINS
from thanglong.domains.traffic.network.build import Scenario

runner = CliRunner()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DOMAINS", json.dumps(list(DEFAULT_DOMAINS)))
    monkeypatch.setenv("COLUMNS", "200")
    return build_cli()


def evaluate(cli: typer.Typer, scenario: Scenario, *extra: str) -> dict[str, object]:
    result = runner.invoke(
        cli,
        [
            "traffic", "evaluate", "--net", str(scenario.net), "--routes", str(scenario.routes),
            "--seconds", "60", "--json", *extra,
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_evaluate_prints_the_metrics_and_is_deterministic(cli: typer.Typer, small_grid: Scenario) -> None:
    first = evaluate(cli, small_grid, "--controller", "max-pressure", "--seed", "4")
    for key in ("mean_delay_s", "mean_travel_time_s", "throughput", "mean_queue", "seed", "controller"):
        assert key in first
    assert first["controller"] == "max-pressure" and first["seed"] == 4
    assert first["begin"] == 0.0  # the first departure in the routes
    assert first["vehicles"] == 120
    assert evaluate(cli, small_grid, "--controller", "max-pressure", "--seed", "4") == first


def test_traci_backend_gives_the_same_metrics(cli: typer.Typer, small_grid: Scenario) -> None:
    # The socket client prints while it connects: the JSON on stdout must stay clean.
    socket = evaluate(cli, small_grid, "--controller", "max-pressure", "--backend", "traci")
    in_process = evaluate(cli, small_grid, "--controller", "max-pressure")
    assert socket.pop("backend") == "traci" and in_process.pop("backend") == "libsumo"
    assert socket == in_process


@pytest.mark.parametrize("controller", ["fixed", "webster", "actuated"])
def test_every_controller_runs(cli: typer.Typer, small_grid: Scenario, controller: str) -> None:
    data = evaluate(cli, small_grid, "--controller", controller, "--begin", "30")
    assert data["controller"] == controller and data["begin"] == 30.0
    assert isinstance(data["mean_delay_s"], float) and data["mean_delay_s"] >= 0


def test_malformed_files_exit_two_with_one_line(
    cli: typer.Typer, small_grid: Scenario, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<net version='1.20'><edge", encoding="utf-8")
    result = runner.invoke(
        cli, ["traffic", "evaluate", "--net", str(bad), "--routes", str(small_grid.routes), "--json"]
    )
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Cannot read the network file bad.xml" in result.stderr
    result = runner.invoke(
        cli, ["traffic", "evaluate", "--net", str(small_grid.net), "--routes", str(bad), "--json"]
    )
    assert result.exit_code == 2 and "route file" in result.stderr
    result = runner.invoke(
        cli, ["traffic", "evaluate", "--net", str(small_grid.net), "--routes", str(small_grid.routes),
              "--controller", "magic"],
    )  # fmt: skip
    assert result.exit_code == 2 and "magic" in result.stderr


def test_grid_and_network_commands(cli: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "g"
    made = runner.invoke(
        cli,
        ["traffic", "grid", "--size", "2", "--seed", "5", "--duration", "30", "--out", str(out), "--json"],
    )
    assert made.exit_code == 0, made.output
    files = json.loads(made.stdout)
    assert Path(files["net"]).is_file() and Path(files["routes"]).is_file()
    read = runner.invoke(cli, ["traffic", "network", files["net"], "--json"])
    assert read.exit_code == 0, read.output
    summary = json.loads(read.stdout)
    assert len(summary["intersections"]) == 4
    assert all(row["approaches"] == 4 and row["stages"] == 2 for row in summary["intersections"])


def test_webster_refuses_an_oversaturated_junction(
    cli: typer.Typer, small_grid: Scenario, tmp_path: Path
) -> None:
    # Ten copies of every vehicle: no cycle can serve the junctions any more (Y ≥ 1).
    text = small_grid.routes.read_text(encoding="utf-8")
    head, _, rest = text.partition("<vehicle ")
    body, _, tail = ("<vehicle " + rest).rpartition("</vehicle>")
    vehicles = body + "</vehicle>"
    copies = "".join(vehicles.replace('<vehicle id="', f'<vehicle id="c{k}_') for k in range(10))
    heavy = tmp_path / "heavy.rou.xml"
    heavy.write_text(head + copies + tail, encoding="utf-8")
    result = runner.invoke(
        cli,
        ["traffic", "evaluate", "--net", str(small_grid.net), "--routes", str(heavy), "--controller",
         "webster", "--seconds", "60", "--json"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "Oversaturated junction" in result.stderr and "quá bão hoà" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_demand_and_evaluate_on_the_hanoi_network(cli: typer.Typer, tmp_path: Path) -> None:
    from thanglong.domains.traffic import demo  # noqa: PLC0415

    made = runner.invoke(
        cli,
        ["traffic", "demand", "--net", str(demo.DEMO_NET), "--out", str(tmp_path / "d"), "--seed", "2",
         "--period", "2", "--duration", "120", "--json"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    files = json.loads(made.stdout)
    scenario = Scenario(
        net=Path(files["net"]), routes=Path(files["routes"]), vehicle_types=Path(files["vtypes"])
    )
    data = evaluate(cli, scenario, "--controller", "fixed")
    assert data["vehicles"] > 20 and data["throughput"] > 0 and data["teleports"] == 0
    bad = runner.invoke(
        cli, ["traffic", "demand", "--net", str(demo.DEMO_NET), "--out", str(tmp_path), "--period", "0"]
    )
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_import_osm_with_a_box_and_a_join_distance(cli: typer.Typer, tmp_path: Path) -> None:
    from thanglong.domains.traffic import demo  # noqa: PLC0415

    out = tmp_path / "vm.net.xml"
    made = runner.invoke(
        cli,
        ["traffic", "import-osm", str(demo.DEMO_OSM), "--out", str(out), "--keep-within", demo.DEMO_BOUNDS,
         "--join-dist", "25"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "14 nút có đèn" in made.stdout  # the signalised junctions of the Văn Miếu extract
    for option, value in (("--keep-within", "105.9,21.0,105.8"), ("--join-dist", "0")):
        bad = runner.invoke(
            cli, ["traffic", "import-osm", str(demo.DEMO_OSM), "--out", str(out), option, value]
        )
        assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.output

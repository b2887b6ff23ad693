"""`thanglong traffic`: signal plans, simulation and evaluation, networks and demand, archived counts."""

from __future__ import annotations

import typer

from thanglong.domains.traffic import demo_cli
from thanglong.domains.traffic.network import cli as network_cli
from thanglong.domains.traffic.plans import cli as plans_cli
from thanglong.domains.traffic.sim import cli as sim_cli
from thanglong.domains.traffic.state import cli as state_cli

app = typer.Typer(help="Điều hành giao thông / traffic operations.", no_args_is_help=True)
app.command("evaluate")(sim_cli.evaluate)
app.command("simulate-detectors")(sim_cli.simulate_detectors)
app.command("grid")(network_cli.grid)
app.command("demand")(network_cli.demand)
app.command("network")(network_cli.network)
app.command("import-osm")(network_cli.import_osm)
app.command("import-history")(state_cli.import_history)
app.command("demo-counts")(demo_cli.demo_counts)
app.command("whatif")(plans_cli.whatif_command)
app.command("whatif-run")(plans_cli.whatif_run_command)

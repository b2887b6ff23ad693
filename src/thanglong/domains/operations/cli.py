"""`thanglong operations`: status, devices, import, contexts, quality, retention, scorecard, open data.

Each capability keeps its commands in its own `cli.py`; this module mounts them.
"""

from __future__ import annotations

import typer

from thanglong.core.cliutil import console, json_option, open_platform, print_json
from thanglong.domains.operations.alarms.cli import alarms_app
from thanglong.domains.operations.devices.cli import devices_app
from thanglong.domains.operations.entities import services as entities
from thanglong.domains.operations.entities.cli import contexts_app
from thanglong.domains.operations.intake.cli import import_command
from thanglong.domains.operations.quality.cli import quality_app
from thanglong.domains.operations.retention.cli import retention_app
from thanglong.domains.operations.scorecard.cli import indicators_app, scorecard

app = typer.Typer(help="Trung tâm điều hành đô thị / city operations centre.", no_args_is_help=True)
app.add_typer(contexts_app, name="contexts")
app.add_typer(alarms_app, name="alarms")
app.add_typer(devices_app, name="devices")
app.command("import")(import_command)
app.add_typer(quality_app, name="quality")
app.add_typer(retention_app, name="retention")
app.add_typer(indicators_app, name="indicators")
app.command("scorecard")(scorecard)


@app.command("status")
def status(as_json: bool = json_option()) -> None:
    """Đếm thực thể, kiểu thực thể và thiết bị / count entities, entity types and devices."""
    platform = open_platform()
    try:
        with platform.uow() as uow:
            seen = entities.overview(uow)
    finally:
        platform.close()
    if as_json:
        print_json(
            {
                "entities": seen.entities,
                "entity_types": seen.entity_types,
                "devices": seen.devices,
                "active_devices": seen.active_devices,
            }
        )
        return
    console.print(
        f"Thực thể / entities: {seen.entities} ({seen.entity_types} kiểu / types); "
        f"thiết bị / devices: {seen.devices} ({seen.active_devices} đang hoạt động / active)"
    )

"""`thanglong traffic`: signal plans, simulation and evaluation."""

from __future__ import annotations

import typer

app = typer.Typer(help="Điều hành giao thông / traffic operations.", no_args_is_help=True)

"""`thanglong operations import`: CSV long and wide, JSON lines, exit codes, bounded statements."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.testing.plugin import create_database, drop_database
from thanglong.core.timeseries.models import Point, Series
from thanglong.domains.operations.series import series_name

runner = CliRunner()
START = (datetime.now(UTC) - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = create_database(tmp_path, "importcli")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    yield url
    drop_database(url)


@pytest.fixture
def cli(db: str) -> typer.Typer:
    app = build_cli()
    for n in range(10):
        done = runner.invoke(
            app,
            [
                "operations",
                "devices",
                "register",
                f"aq-{n}",
                "--type",
                "AirQualityObserved",
                "--name",
                f"T{n}",
            ],
        )
        assert done.exit_code == 0, done.output
    done = runner.invoke(
        app, ["operations", "devices", "calibrate", "aq-0", "pm25", "--gain", "2", "--date", "2026-01-01"]
    )
    assert done.exit_code == 0
    return app


def _points(url: str, like: str) -> list[tuple[str, float]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Series.name, Point.value)
                .join(Series, Series.id == Point.series_id)
                .where(Series.name.like(like))
                .order_by(Series.name, Point.at)
            ).all()
    finally:
        engine.dispose()
    return [(r[0], r[1]) for r in rows]


def _at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def _run(cli: typer.Typer, *args: str) -> tuple[int, dict[str, Any] | None, str]:
    result = runner.invoke(cli, ["operations", "import", *args, "--json"])
    try:
        body = json.loads(result.stdout)
    except ValueError:
        body = None
    return result.exit_code, body, result.stderr


def test_ten_thousand_long_rows_in_bounded_statements(cli: typer.Typer, db: str, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    lines = ["device_id,at,attribute,value"]
    lines += [f"aq-{n % 10},{_at(n // 10)},pm25,{n % 97}" for n in range(10_000)]
    path.write_text("\n".join(lines) + "\n")
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        code, body, err = _run(cli, str(path))
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert code == 0, err
    assert body == {"read": 10_000, "accepted": 10_000, "rejected": 0, "refusals": []}
    stored = _points(db, "operations.urn:ngsi-ld:airqualityobserved:aq-%")
    assert len(stored) == 10_000
    # aq-0's pm25 is calibrated with gain 2: its first reading (n = 0) is 0, its second (n = 10) is 20.
    aq0 = [v for name, v in stored if name == series_name("urn:ngsi-ld:AirQualityObserved:aq-0", "pm25")]
    assert aq0[:2] == [0.0, 20.0]
    # Ten batches of a thousand rows; each a handful of statements, whatever the number of rows.
    print(f"statements for 10,000 rows: {len(statements)}")
    assert len(statements) < 400, len(statements)


def test_wide_csv_with_refused_rows_exits_1_and_names_their_lines(
    cli: typer.Typer, db: str, tmp_path: Path
) -> None:
    path = tmp_path / "wide.csv"
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    path.write_text(
        "device_id,at,pm25,no2\n"
        f"aq-1,{_at(0)},12,30\n"
        f"ghost,{_at(0)},1,2\n"
        f"aq-1,{_at(1)},abc,3\n"
        f"aq-1,{future},1,1\n"
        f"aq-1,{_at(2)},,4\n"
    )
    code, body, _ = _run(cli, str(path))
    assert code == 1 and body is not None
    assert (body["read"], body["accepted"], body["rejected"]) == (5, 2, 3)
    assert [(r["line"], r["code"]) for r in body["refusals"]] == [
        (3, "unknown_device"),
        (4, "bad_value"),
        (5, "future_time"),
    ]
    assert [v for _n, v in _points(db, series_name("urn:ngsi-ld:AirQualityObserved:aq-1", "no2"))] == [
        30.0,
        4.0,
    ]


def test_jsonl_entities_and_compact_readings(cli: typer.Typer, db: str, tmp_path: Path) -> None:
    path = tmp_path / "readings.jsonl"
    path.write_text(
        json.dumps({"device_id": "aq-2", "at": _at(0), "values": {"pm25": 5}})
        + "\n"
        + json.dumps(
            {
                "id": "urn:ngsi-ld:AirQualityObserved:aq-2",
                "type": "AirQualityObserved",
                "pm25": {"type": "Property", "value": 6, "observedAt": _at(1)},
            }
        )
        + "\n\nnot json\n"
    )
    code, body, _ = _run(cli, str(path))
    assert code == 1 and body is not None
    assert body["accepted"] == 2 and [r["line"] for r in body["refusals"]] == [4]
    assert [v for _n, v in _points(db, series_name("urn:ngsi-ld:AirQualityObserved:aq-2", "pm25"))] == [
        5.0,
        6.0,
    ]


def test_unreadable_files_exit_2(cli: typer.Typer, tmp_path: Path) -> None:
    assert _run(cli, str(tmp_path / "missing.csv"))[0] == 2
    headless = tmp_path / "bad.csv"
    headless.write_text("aq-1,2026-01-01T00:00:00Z,1\n")
    code, _, err = _run(cli, str(headless))
    assert code == 2 and "missing columns" in err
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"device_id,at,pm25\n\xff\xfe,\x00\n")
    assert _run(cli, str(binary))[0] == 2
    other = tmp_path / "other.csv"
    other.write_text(f"sensor,at,pm25\naq-1,{_at(0)},3\n")
    assert _run(cli, str(other), "--device-column", "sensor")[0] == 0

"""operations_0007 ships the default policies and gives the series already stored their type's retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.testing.plugin import create_database, drop_database

TYPES = {
    "traffic": "https://smartdatamodels.org/dataModel.Transportation/TrafficFlowObserved",
    "water": "https://uri.etsi.org/ngsi-ld/default-context/WaterObserved",
    "weather": "https://uri.etsi.org/ngsi-ld/default-context/WeatherObserved",
    # Not an operations sensor series: left alone whatever its labels say.
    "other": "https://uri.etsi.org/ngsi-ld/default-context/TrafficFlowObserved",
}


def test_stored_series_take_the_shipped_policies(tmp_path: Path) -> None:
    url = create_database(tmp_path, "retentionmig")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine, "core_0004")  # the time series, before core_0008
        migrate.upgrade(engine, "operations_0006")
        now = datetime.now(UTC)
        with engine.begin() as conn:
            for key, iri in TYPES.items():
                conn.execute(
                    text(
                        "INSERT INTO core_ts_series (name, domain, unit, labels, description_vi,"
                        " description_en, created_at, updated_at) VALUES (:n, :d, '1', :l, '', '', :t, :t)"
                    ),
                    {
                        "n": f"operations.{key}.x",
                        "d": "core" if key == "other" else "operations",
                        "l": json.dumps({"entity_type": iri}),
                        "t": now,
                    },
                )
        migrate.upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT name, retention_days, hour_retention_days FROM core_ts_series ORDER BY name")
            ).all()
        assert {name: (raw, hour) for name, raw, hour in rows} == {
            "operations.other.x": (None, None),
            "operations.traffic.x": (30, 730),
            "operations.water.x": (365, None),
            "operations.weather.x": (None, None),
        }
        assert migrate.pending_model_changes(engine) == []
    finally:
        engine.dispose()
        drop_database(url)

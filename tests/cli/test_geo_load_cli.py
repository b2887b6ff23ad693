"""`thanglong geo load`: the commune table is filled at upgrade and repaired on demand, idempotently."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.db import make_engine
from thanglong.core.testing.plugin import create_database, drop_database


@pytest.fixture
def fresh_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty database, with the CLI's environment pointing at it."""
    url = create_database(tmp_path, "geoload")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    yield url
    drop_database(url)


def test_geo_load_reports_and_repairs(fresh_db: str) -> None:
    runner = CliRunner()
    first = runner.invoke(build_cli(), ["geo", "load", "--json"])
    assert first.exit_code == 0, first.output
    # The migration already loaded the packaged communes, so loading again changes nothing.
    assert json.loads(first.stdout) == {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 126}
    engine = make_engine(fresh_db)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM core_geo_commune WHERE code IN ('00070', '00004')"))
            conn.execute(text("UPDATE core_geo_commune SET population = 0 WHERE code = '00082'"))
        repaired = runner.invoke(build_cli(), ["geo", "load"])
        assert repaired.exit_code == 0, repaired.output
        assert (
            "2 thêm / inserted, 1 sửa / updated, 0 xoá / deleted, 123 giữ nguyên / unchanged"
            in repaired.stdout
        )
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM core_geo_commune")).scalar_one() == 126
    finally:
        engine.dispose()

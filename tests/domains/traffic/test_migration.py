"""The traffic branch: its first revision depends on operations and matches the models."""

from __future__ import annotations

from sqlalchemy import inspect

from tests.domains.traffic.conftest import DOMAINS
from thanglong.core import migrate
from thanglong.core.db import make_engine


def test_the_branch_starts_after_operations_and_matches_the_models(tl_database_url: str) -> None:
    history = migrate.history(DOMAINS)
    [root] = [r for r in history.of_branch("traffic") if not r.down]
    assert root.id == "traffic_0001" and root.labels == ("traffic",)
    assert root.depends_on == ("operations_0008",)
    engine = make_engine(tl_database_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"traffic_road_segment", "traffic_detector", "traffic_incident"} <= tables
        assert migrate.pending_model_changes(engine, domains=DOMAINS) == []
    finally:
        engine.dispose()

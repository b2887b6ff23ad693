"""The lane-blocking incident generator: its queue reaches the upstream loop; without it, no queue."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from thanglong.domains.traffic.incidents import blocking

RATES = (3400.0, 3400.0, 3400.0)  # 15 minutes
BLOCK = blocking.Blockage(edge=2, lane=0, pos_m=300.0, start_s=240, end_s=840)


def test_a_blocked_lane_queues_back_over_the_upstream_loop_and_an_open_road_does_not(tmp_path: Path) -> None:
    data, truth = blocking.simulate(tmp_path / "blocked", RATES, BLOCK, seed=7)
    free, none = blocking.simulate(tmp_path / "free", RATES, None, seed=7)
    assert none is None and truth is not None
    assert truth.onset_s is not None and 240 <= truth.onset_s < 300  # in place within a minute
    assert truth.cleared_s == truth.onset_s + 600
    assert truth.queue_at_upstream_s is not None
    reached = (truth.queue_at_upstream_s - truth.onset_s) / 60
    assert 0 < reached < 8
    # Station 2 (row 1) is the loop just upstream of the blocked place on edge 2; station 3 (row 2) is
    # downstream. Once the queue stands on it, its occupancy rises far above the open road's, while
    # the station past the blockage carries less traffic.
    after = slice(truth.queue_at_upstream_s // 60 + 1, truth.cleared_s // 60)
    assert np.mean(data.occupancy[1, after]) > 3 * np.mean(free.occupancy[1, after])
    assert np.sum(data.counts[2, after]) < np.sum(free.counts[2, after])
    assert BLOCK.section() == 2


def test_episodes_are_drawn_from_their_seed_alone() -> None:
    first = [blocking.draw(seed) for seed in range(40)]
    assert first == [blocking.draw(seed) for seed in range(40)]
    placed = [b for _, b in first if b is not None]
    assert 0.5 < len(placed) / len(first) < 0.95  # incident-free episodes measure false alarms alone
    for b in placed:
        # Between two stations: downstream of the edge's loop, with a station upstream and downstream.
        assert 2 <= b.edge <= blocking.EDGES - 2 and b.pos_m > 200.0 and b.section() == b.edge
        assert b.start_s >= blocking.WARMUP_MIN * 60 and b.end_s > b.start_s


def test_a_cached_episode_reads_back_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocking, "MINUTES", 15)  # a short episode: the cache, not the traffic, is tested
    first = blocking.episode(3, tmp_path)
    again = blocking.episode(3, tmp_path)
    assert first.truth == again.truth and first.rates_veh_h == blocking.draw(3)[0]
    assert len(first.rates_veh_h) == 3 and first.data.counts.shape == (blocking.EDGES - 1, 15)
    assert np.array_equal(first.data.counts, again.data.counts)

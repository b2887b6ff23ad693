"""`thanglong traffic whatif`: demand from a counts file, replayed under the current and candidate plans."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import typer

from thanglong.core.cliutil import console, fail, json_option, print_json
from thanglong.core.errors import ThangLongError


def _candidates(values: list[str]) -> list[tuple[str, dict[str, object]]]:
    """Read each --candidate: a plan kind (max-pressure, actuated) or a JSON file with a plan definition."""
    found: list[tuple[str, dict[str, object]]] = []
    for value in values:
        if value in ("max-pressure", "actuated"):
            found.append((value, {"kind": value}))
            continue
        path = Path(value)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(f"không đọc được phương án / cannot read the plan {value}: {exc}")
        if not isinstance(data, dict):
            fail(f"phương án phải là một đối tượng JSON / the plan {value} must be a JSON object")
        found.append((str(data.pop("name", path.stem)), data))
    return found


def whatif_command(
    net: Path = typer.Option(..., "--net", help="Mạng lưới SUMO / SUMO network (.net.xml)."),
    counts: Path = typer.Option(
        ..., "--counts", help="Số đếm giờ qua / last hour's counts: edge,count (CSV)."
    ),
    candidate: list[str] = typer.Option(
        ..., "--candidate", help="max-pressure | actuated | plan.json (lặp lại / repeatable)."
    ),
    tls: str | None = typer.Option(None, "--tls", help="Nút đèn / signal id (mặc định: nút duy nhất)."),
    seeds: str = typer.Option("1,2,3", "--seeds", help="Hạt giống / seeds, e.g. 1,2,3."),
    horizon: float = typer.Option(900.0, "--horizon", help="Thời lượng phát lại (s) / replay horizon."),
    as_json: bool = json_option(),
) -> None:
    """So sánh phương án đèn bằng mô phỏng / compare signal plans in simulation (what-if)."""
    from thanglong.domains.traffic.network.reader import read_net  # noqa: PLC0415  (SUMO loads only here)
    from thanglong.domains.traffic.plans import demand, whatif  # noqa: PLC0415
    from thanglong.domains.traffic.plans import spec as plan_spec  # noqa: PLC0415

    try:
        seed_list = [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError:
        fail(f"hạt giống phải là số nguyên / seeds must be integers: {seeds!r}")
    try:
        network = read_net(net)
        if tls is None:
            if len(network.intersections) != 1:
                fail(
                    f"chọn nút bằng --tls / choose one with --tls: {', '.join(sorted(network.intersections))}"
                )
            tls = next(iter(network.intersections))
        if tls not in network.intersections:
            fail(f"không có nút / no signal {tls!r} in {net.name}")
        intersection = network.intersections[tls]
        plans = [
            whatif.Candidate("current", "current", plan_spec.from_programme(intersection.programme), True)
        ]
        for k, (name, definition) in enumerate(_candidates(candidate), start=1):
            spec = plan_spec.parse(definition)
            plan_spec.check(spec, intersection)
            plans.append(whatif.Candidate(f"candidate-{k}", name, spec))
        checked = demand.check_counts(demand.read_counts(counts), network)
        whatif.check_request(seed_list, horizon, plans)
        with tempfile.TemporaryDirectory(prefix="thanglong-whatif-") as tmp:
            sampled = demand.sample(net, checked, horizon, Path(tmp), seed=seed_list[0])
            outcomes = whatif.replay(net, sampled.routes, intersection, plans, seed_list, horizon)
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}".replace("\n", " "))
    data = {
        "tls": tls,
        "seeds": seed_list,
        "horizon_s": horizon,
        "demand": {
            "vehicles": sampled.vehicles,
            "edges_matched": sampled.edges_matched,
            "edges": sampled.edges,
        },
        "ranking": [o.to_json() for o in outcomes],
    }
    if as_json:
        print_json(data)
        return
    for o in outcomes:
        delay = o.intervals["mean_delay_s"]
        mark = " *" if o.better_than_current else ""
        console.print(
            f"{o.rank}. {o.candidate.name} ({o.candidate.spec.kind}): trễ / delay {delay.text()} s{mark}"
        )


def whatif_run_command(
    run_id: str | None = typer.Argument(None, help="Lượt cần chạy / run id (mặc định: mọi lượt đang chờ)."),
) -> None:
    """Chạy ngay các lượt so sánh đang chờ / compute queued what-if runs now, in this process.

    For a platform without a worker, or a queue with a backlog: the run's job finds it done and does nothing.
    """
    import uuid  # noqa: PLC0415

    from sqlalchemy import select  # noqa: PLC0415

    from thanglong.core.cliutil import open_platform  # noqa: PLC0415
    from thanglong.domains.traffic.plans import runs  # noqa: PLC0415
    from thanglong.domains.traffic.plans.models import WhatIfRun  # noqa: PLC0415

    platform = open_platform()
    try:
        with platform.uow() as uow:
            if run_id is not None:
                try:
                    ids = [uuid.UUID(run_id)]
                except ValueError:
                    fail(f"mã lượt không hợp lệ / not a run id: {run_id!r}")
            else:
                ids = list(uow.session.scalars(select(WhatIfRun.id).where(WhatIfRun.status == runs.QUEUED)))
        for one in ids:
            # As the job does: read, simulate outside any transaction, then store and commit.
            with platform.uow() as uow:
                work = runs.prepare(uow, one)
            if work is None:
                continue
            computed = runs.simulate(work)
            with platform.uow() as uow:
                done = runs.store(uow, one, computed)
                uow.commit()
            console.print(f"{done.id}: {done.status} {done.error_en}".rstrip())
    except ThangLongError as exc:
        fail(f"{exc.message_vi} / {exc.message_en}".replace("\n", " "))
    finally:
        platform.close()

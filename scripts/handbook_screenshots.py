"""Copy the screenshots the handbook shows from the last browser-test run into docs/handbook/img/.

    .venv/bin/pytest tests/e2e -p no:randomly        # takes the screenshots (test-artifacts/e2e/)
    .venv/bin/python scripts/handbook_screenshots.py  # copies the ones below, as 256-colour PNGs

Every image of the handbook is a screenshot a browser test takes (`browsing.shot(...)` or `_shot(...)`
in tests/e2e), so the pictures show the pages as they are. A name missing from the run stops the copy,
naming it. tests/docs/test_handbook.py checks that each name below is still taken by a browser test and
that the handbook shows only these.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
TARGET = ROOT / "docs" / "handbook" / "img"

# The screenshots the handbook shows, by the name the browser tests give them.
SHOTS = (
    "login_vi",
    "citizen_catalogue_search",
    "citizen_procedure_detail",
    "journey_01_draft_restored",
    "journey_02_filed",
    "journey_03_supplemented",
    "citizen_payment",
    "journey_04_paid",
    "journey_05_result",
    "citizen_my_documents",
    "journey_06_tracking",
    "officer_queue",
    "officer_dossier_received",
    "head_dossier_approve",
    "stats_head_vi",
    "map_layers_head_both_vi",
    "admin_users_vi",
    "admin_agencies_vi",
    "jobs_admin_vi",
    "traffic_01_map_desktop_vi",
    "traffic_02_segment_desktop_vi",
    "traffic_03_incident_opened_vi",
    "traffic_07_plans_whatif_vi",
    "traffic_08_plan_deployed_vi",
)


def _smaller(data: bytes) -> bytes:
    """Return the PNG in 256 colours (a third of the size, text still sharp); as it was without Pillow."""
    try:
        from PIL import Image  # noqa: PLC0415 - optional: the copy works without it
    except ImportError:
        return data
    with Image.open(io.BytesIO(data)) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        out = io.BytesIO()
        reduced.save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> int:
    """Copy every listed screenshot; exit 1 naming those the last run did not take."""
    missing = [name for name in SHOTS if not (ARTIFACTS / f"{name}.png").is_file()]
    if missing:
        sys.stderr.write(
            f"not in {ARTIFACTS}: {', '.join(missing)} (run the browser tests first: pytest tests/e2e)\n"
        )
        return 1
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in SHOTS:
        (TARGET / f"{name}.png").write_bytes(_smaller((ARTIFACTS / f"{name}.png").read_bytes()))
    sys.stdout.write(f"{len(SHOTS)} screenshots copied to {TARGET.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

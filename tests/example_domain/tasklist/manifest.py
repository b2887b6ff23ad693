"""Registration of the tasklist domain: one declaration per extension point of the platform."""

from __future__ import annotations

from thanglong.core.manifest import (
    Consumer,
    DomainManifest,
    EventHandler,
    JobKind,
    KpiProvider,
    LayerField,
    LayerStyle,
    LegendEntry,
    LiveChannel,
    MapLayer,
    NavItem,
    Schedule,
    SeriesDef,
)
from thanglong.core.security import Permission, RoleDef
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD, OFFICER

PKG = "tests.example_domain.tasklist"
READ = "tasklist.tasks.read"
WRITE = "tasklist.tasks.write"
OPEN_SERIES = "tasklist.open_tasks"
REMIND_KIND = "tasklist.remind"
REPORTS_TOPIC = "thanglong/tasklist/reports"
# The domain's own role: declared here, assignable with `thanglong users ...` only while it is enabled.
WARD_CLERK = "ward_clerk"

MANIFEST = DomainManifest(
    name="tasklist",
    title_vi="Việc cần làm của phường",
    title_en="Ward to-do list",
    # It grants permissions to identity's roles too, so identity must be enabled before it.
    depends_on=("identity",),
    router=f"{PKG}.web:build_router",
    cli=f"{PKG}.cli:app",
    cli_name="tasklist",
    settings=f"{PKG}.config:TasklistSettings",
    setup=f"{PKG}.tasks:setup",
    demo=f"{PKG}.services:load_demo",
    templates=PKG,
    static=PKG,
    translations=PKG,
    roles=(
        RoleDef(
            WARD_CLERK,
            "Văn thư phường",
            "Ward clerk",
            "Ghi và hoàn thành việc cần làm của phường.",
            "Records and completes the ward's to-do items.",
            # A permission of a domain it depends on, granted to its own role without editing identity.
            grants=("identity.agencies.read",),
        ),
    ),
    migrations=PKG,
    permissions=(
        Permission(
            READ,
            "Xem việc cần làm của phường",
            "View the ward to-do list",
            frozenset({WARD_CLERK, OFFICER, AGENCY_HEAD, ADMINISTRATOR}),
        ),
        Permission(
            WRITE,
            "Thêm và hoàn thành việc cần làm",
            "Add and complete to-do items",
            frozenset({WARD_CLERK, OFFICER, ADMINISTRATOR}),
        ),
    ),
    nav=(NavItem("/tasklist", "Việc cần làm", "To-do list", READ),),
    jobs=(JobKind(REMIND_KIND, f"{PKG}.tasks:remind", max_attempts=3, backoff_base_seconds=60.0),),
    event_handlers=(
        # In the writer's transaction: the reminder exists exactly when the task does.
        EventHandler(f"{PKG}.events:TaskAdded", f"{PKG}.services:plan_reminder", after_commit=False),
        # After commit, at least once: announcing is outside work that must not hold the writer back.
        EventHandler(f"{PKG}.events:TaskAdded", f"{PKG}.services:announce", after_commit=True),
    ),
    schedules=(Schedule(name="tasklist.snapshot", job=f"{PKG}.tasks:record_open_count", every_seconds=3600),),
    kpis=(
        KpiProvider(
            "tasklist.open", "Việc chưa xong", "Open to-do items", "việc", f"{PKG}.services:kpi_open"
        ),
    ),
    consumers=(
        Consumer(
            name="reports",
            topic=REPORTS_TOPIC,
            handler=f"{PKG}.services:consume_report",
            group="tasklist",
            schema=f"{PKG}.schemas:ReportIn",
        ),
    ),
    live_channels=(LiveChannel("tasklist.tasks", READ, ("tasklist.TaskAdded",)),),
    map_layers=(
        MapLayer(
            name="tasklist.tasks",
            title_vi="Việc cần làm chưa xong",
            title_en="Open to-do items",
            features=f"{PKG}.services:tasks_layer",
            geometry="point",
            permission=READ,
            style=LayerStyle(color="#b35900", fill_color="#ff9900", fill_opacity=0.9),
            legend=(LegendEntry("Việc chưa xong", "Open item", "#ff9900"),),
            fields=(LayerField("title", "Việc", "Item"), LayerField("ward_code", "Phường", "Ward")),
            refresh_seconds=60,
            bbox=True,
        ),
    ),
    series=(
        SeriesDef(
            OPEN_SERIES,
            "việc",
            "Số việc chưa xong, mỗi giờ",
            "Open to-do items, hourly",
            labels=(("kind", "example"),),
        ),
    ),
)

"""Registration of the traffic domain (not yet in the default list: enabled explicitly until complete)."""

from __future__ import annotations

from thanglong.core.manifest import (
    Choropleth,
    DomainManifest,
    EventHandler,
    JobKind,
    LayerField,
    LayerStyle,
    LegendEntry,
    LiveChannel,
    MapLayer,
    NavItem,
    Schedule,
)
from thanglong.core.security import Permission
from thanglong.domains.identity.api import ADMINISTRATOR, OFFICER, OPERATOR

PKG = "thanglong.domains.traffic"
READ = "traffic.read"
MANAGE_INCIDENTS = "traffic.incidents.manage"
PLAN = "traffic.plans.plan"
DEPLOY = "traffic.plans.deploy"
# Level of service ranks 0 (no data) and 1 (A) to 6 (F), as state.series.los_rank.
LOS_COLORS = ("#9e9e9e", "#1a9641", "#a6d96a", "#ffd92f", "#fdae61", "#f46d43", "#a50026")
LOS_LEGEND = (
    ("Chưa có số liệu", "No data"),
    ("A — tự do", "A — free flow"),
    ("B", "B"),
    ("C", "C"),
    ("D", "D"),
    ("E", "E"),
    ("F — ùn tắc", "F — congested"),
)
SEGMENTS_LAYER = MapLayer(
    name="traffic.segments",
    title_vi="Đoạn đường theo mức phục vụ",
    title_en="Road segments by level of service",
    features=f"{PKG}.layers:segments_layer",
    geometry="line",
    permission=READ,
    style=LayerStyle(
        color="#555555",
        weight=6,
        fill_opacity=0.9,
        choropleth=Choropleth("los_rank", (1.0, 2.0, 3.0, 4.0, 5.0, 6.0), LOS_COLORS),
    ),
    legend=tuple(LegendEntry(vi, en, c) for (vi, en), c in zip(LOS_LEGEND, LOS_COLORS, strict=True)),
    fields=(
        LayerField("los", "Mức phục vụ", "Level of service"),
        LayerField("flow", "Lưu lượng (xe/giờ)", "Flow (veh/h)", "integer"),
        LayerField("speed", "Tốc độ (km/giờ)", "Speed (km/h)", "decimal"),
        LayerField("interval", "Khoảng 5 phút", "5-minute interval"),
        LayerField("open_incidents", "Sự cố đang mở", "Open incidents", "integer"),
    ),
    refresh_seconds=60,
)

MANIFEST = DomainManifest(
    name="traffic",
    title_vi="Điều hành giao thông thông minh",
    title_en="Smart traffic operations",
    depends_on=("identity", "operations"),
    router=f"{PKG}.web.routes:build_router",
    cli=f"{PKG}.cli:app",
    cli_name="traffic",
    templates=PKG,
    migrations=PKG,
    static=PKG,
    demo=f"{PKG}.demos:load_demo",
    nav=(
        NavItem("/traffic", "Bản đồ giao thông", "Traffic map", READ),
        NavItem("/traffic/incidents", "Sự cố giao thông", "Traffic incidents", READ),
        NavItem("/traffic/plans", "Phương án đèn tín hiệu", "Signal plans", READ),
    ),
    event_handlers=(
        # Detector data arrive as TrafficFlowObserved entities through the operations intake; the
        # segment's 5-minute state is recorded in the same transaction (docs/traffic.md).
        EventHandler(
            "thanglong.domains.operations.api:EntityChanged",
            f"{PKG}.state.recording:on_entity_changed",
            after_commit=False,
        ),
    ),
    live_channels=(
        LiveChannel(
            "traffic.incidents",
            READ,
            ("traffic.IncidentOpened", "traffic.IncidentAcknowledged", "traffic.IncidentClosed"),
        ),
    ),
    permissions=(
        Permission(
            READ,
            "Xem tình trạng giao thông, sự cố và dự báo",
            "See traffic state, incidents and forecasts",
            frozenset({OPERATOR, OFFICER, ADMINISTRATOR}),
        ),
        Permission(
            MANAGE_INCIDENTS,
            "Tiếp nhận và đóng sự cố giao thông",
            "Acknowledge and close traffic incidents",
            frozenset({OPERATOR, ADMINISTRATOR}),
        ),
        Permission(
            PLAN,
            "Thêm phương án đèn tín hiệu và chạy mô phỏng so sánh",
            "Add signal plans and run what-if comparisons",
            frozenset({OPERATOR, OFFICER, ADMINISTRATOR}),
        ),
        Permission(
            DEPLOY,
            "Triển khai phương án đèn tín hiệu xuống bộ điều khiển",
            "Deploy a signal plan to its controller",
            frozenset({OPERATOR, ADMINISTRATOR}),
        ),
    ),
    jobs=(
        # A what-if replays SUMO for seconds to minutes: a job, never the request (traffic/plans/runs.py).
        JobKind(
            kind="traffic.whatif",
            handler=f"{PKG}.plans.runs:run_job",
            max_attempts=2,
            lease_seconds=3600,
        ),
    ),
    schedules=(
        # The California detector over the last intervals of every segment pair, once per interval.
        Schedule(
            name="traffic.incidents.detect",
            job=f"{PKG}.tasks:detect_incidents",
            every_seconds=300,
            catch_up="latest",
        ),
    ),
    map_layers=(SEGMENTS_LAYER,),
)

"""Registration of the terminals domain (household information terminals)."""

from __future__ import annotations

from thanglong.core.manifest import (
    Choropleth,
    Consumer,
    DomainManifest,
    JobKind,
    KpiProvider,
    LayerField,
    LayerStyle,
    LegendEntry,
    MapLayer,
    NavItem,
    Schedule,
)
from thanglong.core.security import Permission
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD, OFFICER, OPERATOR

FLEET = "thanglong.domains.terminals.fleet"
ONLINE_COLORS = ("#bdbdbd", "#c62828", "#ef6c00", "#f9a825", "#2e7d32")
ONLINE_LAYER = MapLayer(
    name="terminals.online_by_commune",
    title_vi="Thiết bị hộ gia đình trực tuyến theo phường, xã",
    title_en="Household terminals online by ward and commune",
    features=f"{FLEET}.layer:online_by_commune_layer",
    geometry="polygon",
    permission="terminals.fleet.manage",
    style=LayerStyle(
        color="#37474f",
        weight=0.8,
        fill_opacity=0.6,
        choropleth=Choropleth("online_share", (0.0, 50.0, 80.0, 95.0), ONLINE_COLORS),
    ),
    legend=(
        LegendEntry("Chưa có thiết bị hoạt động", "No terminal in service", ONLINE_COLORS[0]),
        LegendEntry("Dưới 50 %", "Below 50 %", ONLINE_COLORS[1]),
        LegendEntry("50 – 80 %", "50 – 80 %", ONLINE_COLORS[2]),
        LegendEntry("80 – 95 %", "80 – 95 %", ONLINE_COLORS[3]),
        LegendEntry("Từ 95 %", "95 % and over", ONLINE_COLORS[4]),
    ),
    fields=(
        LayerField("code", "Mã", "Code"),
        LayerField("active", "Thiết bị đang hoạt động", "Terminals in service", "integer"),
        LayerField("online", "Đang trực tuyến", "Online", "integer"),
        LayerField("online_share", "Tỷ lệ trực tuyến", "Share online", "decimal", "%", "%"),
    ),
    refresh_seconds=60,
    bbox=True,
    visible_by_default=False,
)

MANIFEST = DomainManifest(
    name="terminals",
    title_vi="Thiết bị thông tin hộ gia đình",
    title_en="Household information terminals",
    depends_on=("identity", "notify", "payments", "operations"),
    router="thanglong.domains.terminals.web.routes:build_router",
    cli="thanglong.domains.terminals.cli:app",
    cli_name="terminals",
    templates="thanglong.domains.terminals",
    static="thanglong.domains.terminals",
    migrations="thanglong.domains.terminals",
    permissions=(
        Permission(
            "terminals.announcements.draft",
            "Soạn bản tin phát trên thiết bị hộ gia đình",
            "Draft announcements for household terminals",
            frozenset({OFFICER, AGENCY_HEAD, ADMINISTRATOR}),
        ),
        Permission(
            "terminals.announcements.approve",
            "Duyệt bản tin (người thứ hai); trực ban duyệt một mình bản tin khẩn cấp",
            "Approve announcements (second person); the duty head alone for emergencies",
            frozenset({AGENCY_HEAD}),
        ),
        Permission(
            "terminals.fleet.manage",
            "Quản lý hộ gia đình, thiết bị và lệnh điều khiển",
            "Manage households, terminals and their commands",
            frozenset({OPERATOR, ADMINISTRATOR}),
        ),
        Permission(
            "terminals.bills.manage",
            "Nhập hoá đơn điện, nước và đối soát",
            "Import electricity and water bills and reconcile them",
            frozenset({OPERATOR, ADMINISTRATOR}),
        ),
    ),
    demo=f"{FLEET}.demo:load_demo",
    nav=(
        NavItem("/terminals/fleet", "Thiết bị hộ gia đình", "Household terminals", "terminals.fleet.manage"),
    ),
    map_layers=(ONLINE_LAYER,),
    consumers=(
        # Heartbeats and will messages of every terminal (docs/terminals-fleet.md); a shared subscription
        # ($share/terminals/...) when the broker speaks MQTT 5, so several workers split 36,000 a second.
        Consumer(
            name="terminal-status",
            topic="thanglong/terminals/v1/status/+",
            qos=1,
            group="terminals",
            schema=f"{FLEET}.schemas:Heartbeat",
            handler=f"{FLEET}.heartbeats:handle_status",
            batch=True,
            max_in_flight=1000,
        ),
    ),
    jobs=(
        # One command's signed envelope to its terminal's topic; short, so retried quickly.
        JobKind(
            "terminals.command.publish",
            "thanglong.domains.terminals.tasks:publish_command",
            max_attempts=5,
            backoff_base_seconds=5.0,
            backoff_cap_seconds=120.0,
            lease_seconds=60,
        ),
    ),
    schedules=(
        # Silent terminals marked offline, the communes' online figures recorded, offline alarms judged.
        Schedule(
            name="terminals.fleet.monitor",
            job="thanglong.domains.terminals.tasks:monitor_fleet",
            every_seconds=60,
            catch_up="latest",
        ),
        # Rollouts: each running one judged every five minutes (halt, wait, next wave).
        Schedule(
            name="terminals.rollouts.step",
            job="thanglong.domains.terminals.tasks:step_rollouts",
            every_seconds=300,
            catch_up="latest",
        ),
    ),
    kpis=(
        KpiProvider(
            "terminals.online_share",
            "Thiết bị đầu cuối hộ gia đình đang trực tuyến",
            "Household terminals online",
            "%",
            f"{FLEET}.monitor:online_share",
            formula_vi=(
                "100 × thiết bị đang trực tuyến / thiết bị đang hoạt động (đã từng báo về, chưa thu hồi)"
            ),
            formula_en="100 × terminals online / terminals in service (reported at least once, not retired)",
            owner_vi="Sở Khoa học và Công nghệ Hà Nội",
            owner_en="Hanoi Department of Science and Technology",
            refresh_seconds=60,
        ),
    ),
)

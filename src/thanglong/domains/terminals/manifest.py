"""Registration of the terminals domain (household information terminals)."""

from __future__ import annotations

from thanglong.core.manifest import (
    Choropleth,
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
)
from thanglong.core.security import Permission, RoleDef
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD, OFFICER, OPERATOR

DELIVERY = "thanglong.domains.terminals.delivery"
# Delivered share classes: none expected (-1), under 50 %, 50-90 %, 90-99 %, 99 % and over.
REACH_BREAKS = (0.0, 50.0, 90.0, 99.0)
REACH_COLORS = ("#bdbdbd", "#d7301f", "#fc8d59", "#fee08b", "#1a9850")
REACH_LAYER = MapLayer(
    name="terminals.reach",
    title_vi="Bản tin mới nhất: tỷ lệ thiết bị đã nhận theo phường, xã",
    title_en="Latest announcement: share of terminals that received it, by commune",
    features=f"{DELIVERY}.reach:latest_reach_layer",
    geometry="polygon",
    permission="terminals.reach.read",
    style=LayerStyle(
        color="#333333",
        weight=0.8,
        fill_opacity=0.6,
        choropleth=Choropleth("delivered_share", REACH_BREAKS, REACH_COLORS),
    ),
    legend=(
        LegendEntry("Không có thiết bị", "No terminal", REACH_COLORS[0]),
        LegendEntry("dưới 50 %", "under 50 %", REACH_COLORS[1]),
        LegendEntry("50 – 90 %", "50 – 90 %", REACH_COLORS[2]),
        LegendEntry("90 – 99 %", "90 – 99 %", REACH_COLORS[3]),
        LegendEntry("từ 99 %", "99 % and over", REACH_COLORS[4]),
    ),
    fields=(
        LayerField("code", "Mã", "Code"),
        LayerField("expected", "Thiết bị cần nhận", "Terminals targeted", "integer"),
        LayerField("delivered", "Đã nhận", "Delivered", "integer"),
        LayerField("delivered_share", "Tỷ lệ đã nhận", "Delivered share", "decimal", "%", "%"),
        LayerField("played", "Đã phát", "Played", "integer"),
        LayerField("acknowledged", "Đã xác nhận", "Acknowledged", "integer"),
    ),
    refresh_seconds=60,
)
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
    demo="thanglong.domains.terminals.demo:load_demo",
    nav=(
        NavItem("/terminals/fleet", "Thiết bị hộ gia đình", "Household terminals", "terminals.fleet.manage"),
        NavItem(
            "/terminals/announcements",
            "Bản tin thiết bị hộ gia đình",
            "Household terminal announcements",
            "terminals.announcements.draft",
        ),
        NavItem(
            "/terminals/bills", "Hoá đơn điện, nước", "Electricity and water bills", "terminals.bills.manage"
        ),
    ),
    # Bills (docs/terminals-bills.md): terminals call with their own API key of this role.
    roles=(
        RoleDef(
            "household_terminal",
            "Thiết bị hộ gia đình",
            "Household terminal",
            "Khoá API của một thiết bị: xem và thanh toán hoá đơn của hộ mình.",
            "A terminal's API key: sees and pays its own household's bills.",
        ),
    ),
    settings="thanglong.domains.terminals.config:TerminalsSettings",
    event_handlers=(
        # Approved announcements go out after the commit, as a durable job retried until the broker has them.
        EventHandler(
            "thanglong.domains.terminals.events:AnnouncementReleased",
            f"{DELIVERY}.services:on_announcement_released",
        ),
        # A bill is marked paid only when payments confirms it (a durable job, safe to run twice).
        EventHandler(
            "thanglong.domains.payments.api:PaymentSucceeded",
            "thanglong.domains.terminals.bills.paying:on_payment_succeeded",
        ),
    ),
    consumers=(
        # Receipts from every terminal; a shared subscription on MQTT 5 spreads them over the workers. No
        # schema: the JSON "id" is the envelope's, shared by every receipt of it, so it must not dedupe.
        Consumer(
            name="receipts",
            topic="thanglong/terminals/v1/receipt/+",
            qos=1,
            group="terminals-receipts",
            handler=f"{DELIVERY}.receipts:record_receipts",
            batch=True,
            max_in_flight=2000,
        ),
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
    live_channels=(
        # The reach page reloads its figures when receipts are stored or a release goes out.
        LiveChannel(
            "terminals.reach",
            "terminals.reach.read",
            ("terminals.ReceiptsRecorded", "terminals.AnnouncementPublished"),
        ),
    ),
    map_layers=(REACH_LAYER, ONLINE_LAYER),
    kpis=(
        KpiProvider(
            "terminals.announcement_reach",
            "Tỷ lệ thiết bị nhận được thông báo",
            "Announcement reach (terminals that received it)",
            "%",
            f"{DELIVERY}.reach:kpi_announcement_reach",
            formula_vi=(
                "100 × thiết bị báo đã nhận / thiết bị đang hoạt động tại các phường, xã nhận bản tin,"
                " các bản tin phát trong 30 ngày qua (không kể bản tin huỷ)"
            ),
            formula_en=(
                "100 × terminals that confirmed delivery / terminals in service in the target communes,"
                " announcements sent in the last 30 days (cancellations excluded)"
            ),
            owner_vi="Sở Khoa học và Công nghệ Hà Nội",
            owner_en="Hanoi Department of Science and Technology",
            refresh_seconds=60,
        ),
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
    jobs=(
        # The live reach pages told once a second per announcement that receipts came in (not per batch).
        JobKind(
            "terminals.reach.changed",
            f"{DELIVERY}.receipts:announce_reach",
            max_attempts=3,
            backoff_base_seconds=2.0,
            backoff_cap_seconds=30.0,
            lease_seconds=60,
            batch_transaction=True,
            urgent=True,
        ),
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
            "terminals.reach.read",
            "Xem mức độ bản tin tới được các thiết bị",
            "See how far announcements reached the terminals",
            frozenset({OFFICER, AGENCY_HEAD, OPERATOR, ADMINISTRATOR}),
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
        Permission(
            "terminals.bills.pay",
            "Xem và thanh toán hoá đơn của hộ mình (thiết bị)",
            "See and pay one's own household's bills (terminal)",
            frozenset({"household_terminal"}),
        ),
    ),
)

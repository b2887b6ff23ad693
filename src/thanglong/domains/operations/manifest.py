"""Registration of the operations domain (city data and operations centre)."""

from __future__ import annotations

from thanglong.core.manifest import (
    Choropleth,
    Consumer,
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

OPERATORS = frozenset({OPERATOR, ADMINISTRATOR})
ALARMS = "thanglong.domains.operations.alarms"
EVENTS = "thanglong.domains.operations.events"
SUBSCRIPTIONS = "thanglong.domains.operations.subscriptions"

DASHBOARD = "thanglong.domains.operations.dashboard.services"
# Severity ranks 0 (no open alarm) to 4 (critical), as dashboard.services.RANK.
SEVERITY_COLORS = ("#2e7d32", "#1f5fa8", "#f9a825", "#ef6c00", "#c62828")
SEVERITY_LEGEND = (
    ("Bình thường", "Normal"),
    ("Thông tin", "Info"),
    ("Cảnh báo", "Warning"),
    ("Nghiêm trọng", "Major"),
    ("Khẩn cấp", "Critical"),
)
SENSORS_LAYER = MapLayer(
    name="operations.sensors",
    title_vi="Cảm biến và cảnh báo đang mở",
    title_en="Sensors and their open alarms",
    features=f"{DASHBOARD}:sensors_layer",
    geometry="point",
    permission="operations.data.read",
    style=LayerStyle(
        color="#333333",
        weight=1.5,
        fill_opacity=0.9,
        radius=8,
        choropleth=Choropleth("severity_rank", (1.0, 2.0, 3.0, 4.0), SEVERITY_COLORS),
    ),
    legend=tuple(
        LegendEntry(vi, en, c) for (vi, en), c in zip(SEVERITY_LEGEND, SEVERITY_COLORS, strict=True)
    ),
    fields=(
        LayerField("type", "Loại", "Type"),
        LayerField("commune", "Phường, xã", "Ward or commune"),
        LayerField("values", "Số đo mới nhất", "Latest values"),
        LayerField("severity_label", "Mức cảnh báo", "Alarm level"),
        LayerField("open_alarms", "Cảnh báo đang mở", "Open alarms", "integer"),
    ),
    refresh_seconds=60,
)
ALARM_COUNT_BREAKS = (1.0, 2.0, 4.0)
ALARM_COUNT_COLORS = ("#f7f7f7", "#fdd49e", "#fc8d59", "#d7301f")
ALARMS_BY_COMMUNE_LAYER = MapLayer(
    name="operations.alarms_by_commune",
    title_vi="Cảnh báo đang mở theo phường, xã",
    title_en="Open alarms by ward and commune",
    features=f"{DASHBOARD}:alarms_by_commune_layer",
    geometry="polygon",
    permission="operations.data.read",
    style=LayerStyle(
        color="#7f2704",
        weight=0.8,
        fill_opacity=0.55,
        choropleth=Choropleth("open_alarms", ALARM_COUNT_BREAKS, ALARM_COUNT_COLORS),
    ),
    legend=(
        LegendEntry("Không có", "None", ALARM_COUNT_COLORS[0]),
        LegendEntry("1", "1", ALARM_COUNT_COLORS[1]),
        LegendEntry("2 – 3", "2 – 3", ALARM_COUNT_COLORS[2]),
        LegendEntry("từ 4", "4 and over", ALARM_COUNT_COLORS[3]),
    ),
    fields=(
        LayerField("code", "Mã", "Code"),
        LayerField("sensors", "Cảm biến", "Sensors", "integer"),
        LayerField("open_alarms", "Cảnh báo đang mở", "Open alarms", "integer"),
    ),
    refresh_seconds=60,
    bbox=True,
    # Off on /map (the communes' density is drawn there); the dashboard turns it on.
    visible_by_default=False,
)

MANIFEST = DomainManifest(
    name="operations",
    title_vi="Trung tâm điều hành đô thị",
    title_en="City operations centre",
    depends_on=("identity", "notify"),
    router="thanglong.domains.operations.web.routes:build_router",
    cli="thanglong.domains.operations.cli:app",
    cli_name="operations",
    templates="thanglong.domains.operations",
    migrations="thanglong.domains.operations",
    static="thanglong.domains.operations",
    demo=f"{ALARMS}.demo:load_demo",
    # The scorecard is public: city-wide figures against published targets (docs/operations-scorecard.md).
    nav=(
        NavItem("/operations", "Bảng điều hành", "Operations dashboard", "operations.data.read"),
        NavItem("/operations/alarms", "Bảng cảnh báo", "Alarm console", "operations.alarms.manage"),
        NavItem("/operations/devices", "Thiết bị cảm biến", "Sensor devices", "operations.devices.manage"),
        NavItem("/operations/contexts", "Ngữ cảnh JSON-LD", "JSON-LD contexts", "operations.contexts.manage"),
        NavItem("/scorecard", "Chỉ tiêu thành phố", "City scorecard"),
    ),
    event_handlers=(
        # The operators hear of a raised or escalated alarm through notify, after the commit (durable jobs).
        EventHandler(f"{EVENTS}:AlarmRaised", f"{ALARMS}.reactions:notify_raised"),
        EventHandler(f"{EVENTS}:AlarmEscalated", f"{ALARMS}.reactions:notify_escalated"),
        # NGSI-LD subscriptions: a changed entity is matched after the commit, notifications are queued.
        EventHandler(
            f"{EVENTS}:EntityChanged",
            f"{SUBSCRIPTIONS}.services:on_entity_changed",
            when=f"{SUBSCRIPTIONS}.services:may_notify",
        ),
    ),
    jobs=(
        # One HTTP notification of a subscription; a failure is recorded on it and retried with backoff.
        JobKind(
            "operations.subscription.notify",
            f"{SUBSCRIPTIONS}.tasks:deliver",
            max_attempts=6,
            backoff_base_seconds=10.0,
            backoff_cap_seconds=900.0,
            lease_seconds=120,
            on_failure=f"{SUBSCRIPTIONS}.tasks:record_failure",
        ),
        # One tick of a periodic subscription (timeInterval): queues the next tick and a notification.
        JobKind(
            "operations.subscription.tick",
            f"{SUBSCRIPTIONS}.tasks:tick",
            max_attempts=3,
            backoff_base_seconds=5.0,
            backoff_cap_seconds=60.0,
            lease_seconds=60,
        ),
    ),
    consumers=(
        # Devices publish readings here (docs/operations-intake.md). No schema: an NGSI-LD fragment's "id"
        # is its entity, so the message id comes only from the MQTT 5 user property message_id.
        Consumer(
            name="device-readings",
            topic="thanglong/operations/devices/+/readings",
            qos=1,
            group="operations",
            handler="thanglong.domains.operations.intake.services:handle_readings",
            batch=True,
            max_in_flight=500,
        ),
    ),
    live_channels=(
        # The alarm console reloads its list when an alarm changes (docs/live.md).
        LiveChannel(
            "operations.alarms",
            "operations.alarms.manage",
            (
                "operations.AlarmRaised",
                "operations.AlarmEscalated",
                "operations.AlarmDeescalated",
                "operations.AlarmAcknowledged",
                "operations.AlarmCleared",
            ),
        ),
    ),
    permissions=(
        Permission(
            "operations.data.write",
            "Gửi và sửa dữ liệu cảm biến (NGSI-LD)",
            "Send and change sensor data (NGSI-LD)",
            OPERATORS,
        ),
        Permission(
            "operations.data.read",
            "Xem dữ liệu cảm biến không công khai",
            "Read non-public sensor data",
            frozenset({OPERATOR, ADMINISTRATOR, OFFICER}),
        ),
        Permission(
            "operations.devices.manage",
            "Quản lý thiết bị cảm biến",
            "Manage sensor devices",
            OPERATORS,
        ),
        Permission(
            "operations.alarms.manage",
            "Xử lý cảnh báo và quản lý luật cảnh báo",
            "Handle alarms and manage alarm rules",
            OPERATORS,
        ),
        # Retention decides what history is destroyed: a data-governance decision, administrators only.
        Permission(
            "operations.retention.manage",
            "Đặt thời hạn lưu lịch sử cảm biến theo kiểu thiết bị",
            "Set how long sensor history is kept per device type",
            frozenset({ADMINISTRATOR}),
        ),
        Permission(
            "operations.contexts.manage",
            "Đăng ký tài liệu @context JSON-LD",
            "Register JSON-LD @context documents",
            frozenset({ADMINISTRATOR}),
        ),
    ),
    schedules=(
        # Every active rule once a minute; "for", repeat and the timers count in these evaluations.
        Schedule(name="operations.alarms.evaluate", job=f"{ALARMS}.tasks:evaluate_alarms", every_seconds=60),
        # Data quality of every sensor series, recorded as time series that alarms and KPIs gate on.
        Schedule(
            name="operations.quality",
            job="thanglong.domains.operations.tasks:record_quality",
            every_seconds=300,
            catch_up="latest",
        ),
        # The seasonal baselines learn from eight weeks; once a night is enough and the city is quiet.
        Schedule(
            name="operations.quality_baselines",
            job="thanglong.domains.operations.tasks:refit_baselines",
            cron="30 2 * * *",
            catch_up="latest",
        ),
    ),
    map_layers=(ALARMS_BY_COMMUNE_LAYER, SENSORS_LAYER),
)

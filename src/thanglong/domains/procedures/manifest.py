"""Registration of the procedures domain."""

from __future__ import annotations

from thanglong.core.manifest import (
    Choropleth,
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
    TemplateFilter,
)
from thanglong.core.security import Permission
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD, CITIZEN, OFFICER, OPERATOR

CITIZENS = frozenset({CITIZEN})
OFFICERS = frozenset({OFFICER, AGENCY_HEAD, ADMINISTRATOR})
HEADS = frozenset({AGENCY_HEAD, ADMINISTRATOR})
# Open dossiers per commune in a month: most communes have none, a busy ward a few dozen.
OPEN_BREAKS = (1.0, 5.0, 10.0, 20.0, 50.0)
OPEN_COLORS = ("#f7f7f7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
OPEN_LABELS = (
    ("không có", "none"),
    ("1 – 4", "1 – 4"),
    ("5 – 9", "5 – 9"),
    ("10 – 19", "10 – 19"),
    ("20 – 49", "20 – 49"),
    ("từ 50", "50 and over"),
)

DOSSIERS_BY_COMMUNE = MapLayer(
    name="procedures.dossiers_by_commune",
    title_vi="Hồ sơ đang giải quyết theo phường, xã (tháng này)",
    title_en="Dossiers in progress by ward and commune (this month)",
    features="thanglong.domains.procedures.statistics.map_layer:dossiers_by_commune",
    geometry="polygon",
    permission="procedures.stats.read",
    style=LayerStyle(
        color="#08306b",
        weight=1.2,
        fill_opacity=0.75,
        choropleth=Choropleth("open", OPEN_BREAKS, OPEN_COLORS),
    ),
    legend=tuple(
        LegendEntry(vi, en, color) for (vi, en), color in zip(OPEN_LABELS, OPEN_COLORS, strict=True)
    ),
    fields=(
        LayerField("code", "Mã", "Code"),
        LayerField("open", "Đang giải quyết", "In progress", "integer"),
        LayerField("overdue", "Quá hạn", "Overdue", "integer"),
        LayerField("received", "Tiếp nhận trong tháng", "Received this month", "integer"),
    ),
    refresh_seconds=60,
    bbox=True,
    visible_by_default=False,
)
STATUS_CHANGED = "thanglong.domains.procedures.events:DossierStatusChanged"
SUBMITTED = "thanglong.domains.procedures.events:DossierSubmitted"
CONSULTATION_REQUESTED = "thanglong.domains.procedures.events:ConsultationRequested"
REACTIONS = "thanglong.domains.procedures.dossiers.reactions"
DOCUMENTS_REACTIONS = "thanglong.domains.procedures.documents.reactions"
DVCQG_REACTIONS = "thanglong.domains.procedures.integrations.dvcqg.reactions"
VNPOST_REACTIONS = "thanglong.domains.procedures.integrations.vnpost.reactions"

MANIFEST = DomainManifest(
    name="procedures",
    title_vi="Dịch vụ công trực tuyến",
    title_en="Online public services",
    settings="thanglong.domains.procedures.config:ProcedureSettings",
    depends_on=("identity", "notify", "payments"),
    router="thanglong.domains.procedures.web.rest:build_router",
    cli="thanglong.domains.procedures.cli:app",
    cli_name="procedures",
    setup="thanglong.domains.procedures.config:enable_integrations",
    event_handlers=(
        EventHandler(
            "thanglong.domains.payments.api:PaymentSucceeded",
            "thanglong.domains.procedures.dossiers.payments:on_payment_succeeded",
        ),
        # A status change queues its portal sync, its document and (for a result returned by post) its
        # shipment in its own transaction (the sync and document jobs are ordered per dossier), and
        # notifies the applicant after the commit. See docs/events.md.
        EventHandler(STATUS_CHANGED, f"{DVCQG_REACTIONS}:queue_dvcqg", after_commit=False),
        EventHandler(STATUS_CHANGED, f"{DOCUMENTS_REACTIONS}:queue_documents", after_commit=False),
        EventHandler(STATUS_CHANGED, f"{VNPOST_REACTIONS}:queue_shipment", after_commit=False),
        EventHandler(STATUS_CHANGED, f"{REACTIONS}:notify_applicant"),
        # The officers hear of a dossier filed online or transferred to them, and of a question from another
        # agency (docs/notify.md).
        EventHandler(SUBMITTED, f"{REACTIONS}:notify_agency_of_new_dossier"),
        EventHandler(STATUS_CHANGED, f"{REACTIONS}:notify_agency_of_transfer"),
        EventHandler(CONSULTATION_REQUESTED, f"{REACTIONS}:notify_consulted_agency"),
    ),
    demo="thanglong.domains.procedures.demo:load_demo",
    templates="thanglong.domains.procedures",
    # Procedure names, sectors, fees, documents and e-form fields in the reader's language
    # (docs/procedures-catalogue.md#english).
    template_filters=(
        TemplateFilter("data_text", "thanglong.domains.procedures.catalogue.translations:data_text"),
        TemplateFilter("data_fields", "thanglong.domains.procedures.catalogue.translations:localize"),
    ),
    migrations="thanglong.domains.procedures",
    permissions=(
        Permission("procedures.dossier.file", "Nộp hồ sơ trực tuyến", "File dossiers online", CITIZENS),
        Permission("procedures.dossier.process", "Xử lý hồ sơ", "Process dossiers", OFFICERS),
        Permission("procedures.dossier.sign", "Ký kết quả, văn bản", "Sign results and letters", HEADS),
        Permission(
            "procedures.catalogue.write",
            "Quản lý danh mục thủ tục",
            "Manage the catalogue",
            frozenset({ADMINISTRATOR}),
        ),
        Permission("procedures.stats.read", "Xem thống kê", "View statistics", HEADS | frozenset({OPERATOR})),
        # Held by the API key issued to VNPost (role operator); each call is also HMAC-signed.
        Permission(
            "procedures.postal.events",
            "Cập nhật hành trình bưu gửi",
            "Report postal tracking events",
            frozenset({OPERATOR, ADMINISTRATOR}),
        ),
    ),
    nav=(
        NavItem("/procedures", "Thủ tục hành chính", "Procedures"),
        NavItem("/track", "Tra cứu hồ sơ", "Track a dossier"),
        NavItem("/my/dossiers", "Hồ sơ của tôi", "My dossiers", "procedures.dossier.file"),
        NavItem("/my/documents", "Kho dữ liệu của công dân", "My documents", "procedures.dossier.file"),
        NavItem("/officer/queue", "Hồ sơ cần xử lý", "Work queue", "procedures.dossier.process"),
        NavItem("/officer/stats", "Thống kê (QĐ 766)", "Statistics (766)", "procedures.stats.read"),
        NavItem(
            "/admin/procedures", "Quản trị danh mục thủ tục", "Catalogue admin", "procedures.catalogue.write"
        ),
    ),
    schedules=(
        # Each pass drafts everything due, so one run makes up for any missed slots.
        Schedule(
            name="procedures.apology",
            job="thanglong.domains.procedures.tasks:draft_apologies",
            every_seconds=900,
        ),
        # Files stored for a filing whose commit failed; one pass removes every orphan past the grace.
        Schedule(
            name="procedures.files_sweep",
            job="thanglong.domains.procedures.tasks:sweep_orphaned_files",
            cron="40 3 * * *",
        ),
        Schedule(
            name="procedures.tracking_purge",
            job="thanglong.domains.procedures.tasks:purge_tracking_failures",
            every_seconds=3600,
        ),
    ),
    jobs=(
        # One job per status change for the national portal; a dossier's changes share an ordering key.
        # Registered only when THANGLONG_PROCEDURES_DVCQG_URL is set (config.enable_integrations), which
        # also sets max_attempts from THANGLONG_PROCEDURES_DVCQG_MAX_ATTEMPTS.
        JobKind(
            "procedures.dvcqg",
            "thanglong.domains.procedures.integrations.dvcqg.services:push",
            max_attempts=8,
            backoff_base_seconds=30.0,
            backoff_cap_seconds=3600.0,
            lease_seconds=300,
            on_failure="thanglong.domains.procedures.integrations.dvcqg.services:record_failure",
        ),
        # The document an action calls for, drawn and signed after the commit; a dossier's in order.
        JobKind(
            "procedures.documents",
            "thanglong.domains.procedures.documents.services:generate",
            max_attempts=8,
            backoff_base_seconds=30.0,
            backoff_cap_seconds=3600.0,
            lease_seconds=300,
        ),
        # One job per shipment ordered from VNPost; after six failures the officers post it by hand.
        JobKind(
            "procedures.vnpost",
            "thanglong.domains.procedures.integrations.vnpost.services:order",
            max_attempts=6,
            backoff_base_seconds=120.0,
            backoff_cap_seconds=3600.0,
            lease_seconds=300,
            on_failure="thanglong.domains.procedures.integrations.vnpost.services:record_failure",
        ),
    ),
    kpis=(
        KpiProvider(
            "procedures.on_time_rate",
            "Tỷ lệ hồ sơ giải quyết đúng hạn trong tháng",
            "Dossiers resolved on time this month",
            "%",
            "thanglong.domains.procedures.statistics.services:kpi_on_time_rate_this_month",
            formula_vi=(
                "100 × hồ sơ giải quyết đúng hoặc trước hạn /"
                " hồ sơ đã giải quyết, tháng hiện tại (giờ Hà Nội)"
            ),
            formula_en=(
                "100 × dossiers resolved on or before their due"
                " date / dossiers resolved, current month (Hanoi time)"
            ),
            owner_vi="Trung tâm Phục vụ hành chính công thành phố Hà Nội",
            owner_en="Hanoi Public Administration Service Centre",
            refresh_seconds=300,
        ),
        KpiProvider(
            "procedures.online_share",
            "Tỷ lệ hồ sơ trực tuyến trong tháng",
            "Dossiers filed online this month",
            "%",
            "thanglong.domains.procedures.statistics.services:kpi_online_share",
            formula_vi="100 × hồ sơ nộp trực tuyến / hồ sơ tiếp nhận, tháng hiện tại",
            formula_en="100 × dossiers filed online / dossiers received, current month",
            owner_vi="Trung tâm Phục vụ hành chính công thành phố Hà Nội",
            owner_en="Hanoi Public Administration Service Centre",
            refresh_seconds=300,
        ),
        KpiProvider(
            "procedures.full_process_share",
            "Tỷ lệ hồ sơ trực tuyến toàn trình trong tháng",
            "Online dossiers filed fully online this month",
            "%",
            "thanglong.domains.procedures.statistics.services:kpi_full_process_share",
            formula_vi=(
                "100 × hồ sơ trực tuyến toàn trình / hồ sơ nộp trực"
                " tuyến, tháng hiện tại (như trang thống kê Quyết định 766)"
            ),
            formula_en=(
                "100 × fully online dossiers / dossiers filed online,"
                " current month (as on the Decision 766 statistics page)"
            ),
            owner_vi="Trung tâm Phục vụ hành chính công thành phố Hà Nội",
            owner_en="Hanoi Public Administration Service Centre",
            refresh_seconds=300,
        ),
        KpiProvider(
            "procedures.online_payment_share",
            "Tỷ lệ thanh toán trực tuyến trong tháng",
            "Fee-bearing dossiers paid online this month",
            "%",
            "thanglong.domains.procedures.statistics.services:kpi_online_payment_share",
            formula_vi="100 × hồ sơ có phí thanh toán trực tuyến / hồ sơ có phí, tháng hiện tại",
            formula_en="100 × fee-bearing dossiers paid online / fee-bearing dossiers, current month",
            owner_vi="Trung tâm Phục vụ hành chính công thành phố Hà Nội",
            owner_en="Hanoi Public Administration Service Centre",
            refresh_seconds=300,
        ),
        KpiProvider(
            "procedures.average_satisfaction",
            "Điểm hài lòng trung bình trong tháng",
            "Average satisfaction score this month",
            "1-5",
            "thanglong.domains.procedures.statistics.services:kpi_average_satisfaction",
            formula_vi="tổng điểm đánh giá / số lượt đánh giá (thang 1–5), tháng hiện tại",
            formula_en="sum of ratings / number of ratings (1–5 scale), current month",
            owner_vi="Trung tâm Phục vụ hành chính công thành phố Hà Nội",
            owner_en="Hanoi Public Administration Service Centre",
            refresh_seconds=300,
        ),
        KpiProvider(
            "procedures.received_today",
            "Hồ sơ tiếp nhận hôm nay",
            "Dossiers received today",
            "hồ sơ",
            "thanglong.domains.procedures.statistics.services:kpi_received_today",
            formula_vi="số hồ sơ tiếp nhận từ 0 giờ hôm nay (giờ Hà Nội)",
            formula_en="dossiers received since midnight today (Hanoi time)",
            owner_vi="Trung tâm Phục vụ hành chính công thành phố Hà Nội",
            owner_en="Hanoi Public Administration Service Centre",
            refresh_seconds=300,
        ),
    ),
    live_channels=(
        # The officer's queue page refreshes itself when a dossier of his agency is filed or moves.
        LiveChannel(
            "procedures.queue",
            "procedures.dossier.process",
            ("procedures.DossierSubmitted", "procedures.DossierStatusChanged"),
            filter="thanglong.domains.procedures.dossiers.live:officer_sees",
        ),
    ),
    map_layers=(DOSSIERS_BY_COMMUNE,),
)

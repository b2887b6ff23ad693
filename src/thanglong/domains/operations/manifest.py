"""Registration of the operations domain (city data and operations centre)."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest, NavItem, Schedule
from thanglong.core.security import Permission
from thanglong.domains.identity.api import ADMINISTRATOR, OFFICER, OPERATOR

OPERATORS = frozenset({OPERATOR, ADMINISTRATOR})

MANIFEST = DomainManifest(
    name="operations",
    title_vi="Trung tâm điều hành đô thị",
    title_en="City operations centre",
    depends_on=("identity",),
    router="thanglong.domains.operations.web.routes:build_router",
    cli="thanglong.domains.operations.cli:app",
    cli_name="operations",
    templates="thanglong.domains.operations",
    migrations="thanglong.domains.operations",
    static="thanglong.domains.operations",
    # The scorecard is public: city-wide figures against published targets (docs/operations-scorecard.md).
    nav=(NavItem("/scorecard", "Chỉ tiêu thành phố", "City scorecard"),),
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
        Permission(
            "operations.contexts.manage",
            "Đăng ký tài liệu @context JSON-LD",
            "Register JSON-LD @context documents",
            frozenset({ADMINISTRATOR}),
        ),
    ),
    schedules=(
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
)

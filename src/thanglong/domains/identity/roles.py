"""The roles identity declares: the city's standing roles, held by people and by API keys.

Other domains test for them (and grant their permissions to them) through these names, imported from
`identity.api`; the values are the ones stored in identity_user_role and identity_api_key.
"""

from __future__ import annotations

from thanglong.core.security import RoleDef, RoleName

CITIZEN: RoleName = "citizen"
OFFICER: RoleName = "officer"
AGENCY_HEAD: RoleName = "agency_head"
OPERATOR: RoleName = "operator"
SECURITY_ANALYST: RoleName = "security_analyst"
ADMINISTRATOR: RoleName = "administrator"

# Permissions the kernel declares, which it cannot grant itself since it names no role.
KERNEL_JOBS = "core.jobs.manage"
KERNEL_STATS = "core.stats.read"

ROLES = (
    RoleDef(
        CITIZEN,
        "Công dân",
        "Citizen",
        "Người dân, tổ chức dùng dịch vụ công trực tuyến: nộp và theo dõi hồ sơ, thanh toán.",
        "A resident or organisation using online public services: files and follows dossiers, pays.",
    ),
    RoleDef(
        OFFICER,
        "Cán bộ",
        "Officer",
        "Cán bộ, công chức của một cơ quan: tiếp nhận và xử lý hồ sơ.",
        "A civil servant of an agency: receives and processes dossiers.",
    ),
    RoleDef(
        AGENCY_HEAD,
        "Thủ trưởng cơ quan",
        "Agency head",
        "Lãnh đạo cơ quan: ký kết quả, xem thống kê, quản lý thanh toán.",
        "The head of an agency: signs results, views statistics, manages payments.",
    ),
    RoleDef(
        OPERATOR,
        "Điều hành viên",
        "Operator",
        "Điều hành viên trung tâm điều hành: theo dõi chỉ số, gửi thông báo; "
        "cũng là vai trò của khoá API cho hệ thống đối tác (ví dụ bưu chính).",
        "An operator of the operations centre: watches the figures, sends notifications; "
        "also the role of API keys for partner systems (e.g. the postal service).",
        grants=(KERNEL_STATS,),
    ),
    RoleDef(
        SECURITY_ANALYST,
        "Chuyên viên an ninh mạng",
        "Security analyst",
        "Chuyên viên trung tâm giám sát an ninh mạng.",
        "An analyst of the security operations centre.",
    ),
    RoleDef(
        ADMINISTRATOR,
        "Quản trị viên",
        "Administrator",
        "Quản trị nền tảng: tài khoản, cơ quan, khoá API, lịch làm việc, hàng đợi công việc.",
        "Administers the platform: accounts, agencies, API keys, working calendar, job queue.",
        grants=(KERNEL_JOBS, KERNEL_STATS),
    ),
)

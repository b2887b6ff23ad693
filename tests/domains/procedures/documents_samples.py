"""Sample data for every document kind, shared by the document tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

APPLICANT = "Nguyễn Thị Hồng Nhung"
AGENCY = "Ủy ban nhân dân phường Hoàn Kiếm"
PROCEDURE = "Đăng ký khai sinh"
TRACKING_URL = "https://dichvucong.hanoi.gov.vn/tra-cuu/H26.111-260105-0001"

COMMON: dict[str, Any] = {
    "agency_parent": "Thành phố Hà Nội",
    "agency": AGENCY,
    "place": "Hà Nội",
    "issued_on": date(2026, 1, 5),
}
RECEIVED = datetime(2026, 1, 5, 2, 30, tzinfo=UTC)
DUE = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)


def sample(kind: str) -> dict[str, Any]:
    """Return complete data for one document kind."""
    data = dict(COMMON)
    data.update(SAMPLES[kind])
    return data


SAMPLES: dict[str, dict[str, Any]] = {
    "01_receipt": {
        "number": "0001/TNHS",
        "dossier_code": "H26.111-260105-0001",
        "applicant_name": APPLICANT,
        "applicant_address": "Số 12 phố Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội",
        "applicant_phone": "0912 345 678",
        "applicant_email": "nhung.nguyen@example.vn",
        "procedure_name": PROCEDURE,
        "documents": [
            {"name": "Tờ khai đăng ký khai sinh", "form": "Bản chính", "copies": 1},
            {"name": "Giấy chứng sinh", "form": "Bản chính", "copies": 1},
            {"name": "Giấy chứng nhận kết hôn của cha, mẹ", "form": "Bản sao", "copies": 1},
        ],
        "processing_time": "01 ngày làm việc",
        "received_at": RECEIVED,
        "due_at": DUE,
        "delivery": "Trực tuyến (Cổng Dịch vụ công quốc gia)",
        "officer_name": "Trần Văn Đức",
        "register_book": "01/2026",
        "register_no": "0001",
    },
    "02_supplement": {
        "dossier_code": "H26.111-260105-0001",
        "applicant_name": APPLICANT,
        "applicant_phone": "0912 345 678",
        "procedure_name": PROCEDURE,
        "requirements": [
            "Bổ sung bản sao Giấy chứng nhận kết hôn của cha, mẹ trẻ.",
            "Ghi đầy đủ nơi sinh trong Tờ khai theo Giấy chứng sinh.",
        ],
        "reason": "Tờ khai ghi nơi sinh chưa khớp với Giấy chứng sinh.",
        "contact_name": "Trần Văn Đức",
        "contact_phone": "024 3825 0000",
        "officer_name": "Trần Văn Đức",
    },
    "03_refusal": {
        "applicant_name": APPLICANT,
        "procedure_name": "Đăng ký kết hôn có yếu tố nước ngoài",
        "reasons": ["Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường."],
        "officer_name": "Trần Văn Đức",
    },
    "04_apology": {
        "number": "15/UBND-BPMC",
        "dossier_code": "H26.111-260105-0001",
        "applicant_name": APPLICANT,
        "procedure_name": PROCEDURE,
        "received_at": RECEIVED,
        "due_at": DUE,
        "new_due_at": datetime(2026, 1, 8, 10, 0, tzinfo=UTC),
        "reason": "cần xác minh thông tin nơi cư trú của người mẹ tại địa phương khác",
        "head_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        "head_name": "Phạm Quang Huy",
    },
    "05_stop": {
        "number": "16/TB-UBND",
        "dossier_code": "H26.111-260105-0001",
        "applicant_name": APPLICANT,
        "procedure_name": PROCEDURE,
        "received_at": RECEIVED,
        "reason": "ông/bà đã có văn bản đề nghị rút hồ sơ",
        "head_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        "head_name": "Phạm Quang Huy",
    },
    "control_slip": {
        "dossier_code": "H26.111-260105-0001",
        "applicant_name": APPLICANT,
        "procedure_name": PROCEDURE,
        "handling_agency": "Công chức Tư pháp - Hộ tịch, Ủy ban nhân dân phường Hoàn Kiếm",
        "receipt_number": "0001/TNHS",
        "steps": [
            {
                "step": "Tiếp nhận hồ sơ",
                "from_unit": "Bộ phận Một cửa",
                "from_person": "Trần Văn Đức",
                "to_unit": "Công chức Tư pháp - Hộ tịch",
                "to_person": "Lê Thị Hương",
                "at": datetime(2026, 1, 5, 2, 45, tzinfo=UTC),
                "outcome": "early",
            },
            {
                "step": "Thẩm định, trình ký",
                "from_unit": "Công chức Tư pháp - Hộ tịch",
                "from_person": "Lê Thị Hương",
                "to_unit": "Lãnh đạo Ủy ban nhân dân phường",
                "to_person": "Phạm Quang Huy",
                "at": datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
                "outcome": "on_time",
            },
            {
                "step": "Trả kết quả",
                "from_unit": "Lãnh đạo Ủy ban nhân dân phường",
                "from_person": "Phạm Quang Huy",
                "to_unit": "Bộ phận Một cửa",
                "to_person": "Trần Văn Đức",
                "at": datetime(2026, 1, 6, 9, 30, tzinfo=UTC),
                "outcome": "late",
                "note": "Chờ ký số",
            },
        ],
    },
    "result": {
        "number": "125/TLKS-BS",
        "title": "Trích lục khai sinh",
        "subtitle": "(Bản chính)",
        "dossier_code": "H26.111-260105-0001",
        "tracking_url": TRACKING_URL,
        "fields": [
            {"label": "Họ, chữ đệm, tên", "value": "Nguyễn Minh Khôi"},
            {
                "label": "Ngày, tháng, năm sinh",
                "value": "02/01/2026 (Ngày hai, tháng một, năm hai nghìn không trăm hai mươi sáu)",
            },
            {"label": "Giới tính", "value": "Nam"},
            {"label": "Dân tộc", "value": "Kinh"},
            {"label": "Quốc tịch", "value": "Việt Nam"},
            {"label": "Nơi sinh", "value": "Bệnh viện Phụ sản Hà Nội, Thành phố Hà Nội"},
            {"label": "Họ, chữ đệm, tên người mẹ", "value": APPLICANT},
            {"label": "Họ, chữ đệm, tên người cha", "value": "Nguyễn Văn Thắng"},
            {"label": "Nơi đăng ký khai sinh", "value": "Ủy ban nhân dân phường Hoàn Kiếm, Thành phố Hà Nội"},
        ],
        "body": "Kết quả giải quyết thủ tục Đăng ký khai sinh, được cấp trên môi trường điện tử.",
        "signer_title": "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
        "signer_name": "Phạm Quang Huy",
    },
}

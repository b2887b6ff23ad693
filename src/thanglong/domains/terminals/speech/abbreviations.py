"""The administrative abbreviations an announcement may carry, and the words that replace them.

Matching is case-sensitive and on whole tokens, so "UBND" is expanded but "ubnd" or "XUBNDY" is not.
Each table is documented in docs/terminals-speech.md (a test checks that every entry is listed there).
"""

from __future__ import annotations

# Whole tokens: expanded wherever they stand as a word (not inside a longer word).
WORDS: dict[str, str] = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "UBMTTQ": "Ủy ban Mặt trận Tổ quốc",
    "MTTQ": "Mặt trận Tổ quốc",
    "CAND": "Công an nhân dân",
    "CSGT": "cảnh sát giao thông",
    "ATGT": "an toàn giao thông",
    "PCCC&CNCH": "phòng cháy chữa cháy và cứu nạn cứu hộ",
    "PCCC": "phòng cháy chữa cháy",
    "CNCH": "cứu nạn cứu hộ",
    "PCTT&TKCN": "phòng chống thiên tai và tìm kiếm cứu nạn",
    "PCTT": "phòng chống thiên tai",
    "TKCN": "tìm kiếm cứu nạn",
    "BHYT": "bảo hiểm y tế",
    "BHXH": "bảo hiểm xã hội",
    "BHTN": "bảo hiểm thất nghiệp",
    "THCS": "trung học cơ sở",
    "THPT": "trung học phổ thông",
    "GD&ĐT": "giáo dục và đào tạo",
    "ATTP": "an toàn thực phẩm",
    "VSATTP": "vệ sinh an toàn thực phẩm",
    "CCCD": "căn cước công dân",
    "CMND": "chứng minh nhân dân",
    "GPLX": "giấy phép lái xe",
    "SĐT": "số điện thoại",
    "TDP": "tổ dân phố",
    "KĐT": "khu đô thị",
    "KCN": "khu công nghiệp",
    "TNHH": "trách nhiệm hữu hạn",
    "TPHCM": "Thành phố Hồ Chí Minh",
    "TP": "thành phố",
    "HCM": "Hồ Chí Minh",
    "VNĐ": "đồng",
    "VND": "đồng",
    "USD": "đô la Mỹ",
    "PM2.5": "bụi mịn pê em hai chấm năm",
    "PM10": "bụi pê em mười",
    "v.v.": "vân vân",
    "Đ/c": "đồng chí",
    "đ/c": "đồng chí",
}

# Abbreviations ending in a dot that stand before a place name: expanded only when the next thing is a
# capital letter or a digit ("Q. Ba Đình", "Q.1", "P. Hoàn Kiếm"), the shape of a place, not of a title.
PLACES: dict[str, str] = {
    "TP.": "thành phố",
    "Tp.": "thành phố",
    "TX.": "thị xã",
    "Q.": "quận",
    "P.": "phường",
}

# "P." also abbreviates "phó" in signatures ("P. Giám đốc", "P. Trưởng phòng"): before these words it is
# left alone.
NOT_PLACES: tuple[str, ...] = ("Giám", "GIÁM", "Trưởng", "TRƯỞNG", "Chủ", "CHỦ", "Chánh", "CHÁNH")

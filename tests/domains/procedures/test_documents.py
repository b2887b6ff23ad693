"""Forms 01-05, the control slip and result documents render as PDF with Vietnamese text intact."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from tests.domains.procedures.documents_samples import (
    AGENCY,
    APPLICANT,
    PROCEDURE,
    SAMPLES,
    TRACKING_URL,
    sample,
)
from thanglong.core.errors import InvalidInput
from thanglong.domains.procedures.documents.forms import FORM_TITLES, render_form
from thanglong.domains.procedures.documents.pdf import date_line, vn_datetime
from thanglong.domains.procedures.documents.qr import qr_matrix, qr_png

KINDS = sorted(SAMPLES)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Text extraction joins wrapped lines with a newline; compare names across wraps as single spaces.
    return unicodedata.normalize("NFC", " ".join(text.split()))


def test_every_contract_kind_has_a_sample_and_a_title() -> None:
    assert (
        set(KINDS)
        == set(FORM_TITLES)
        == {
            "01_receipt",
            "02_supplement",
            "03_refusal",
            "04_apology",
            "05_stop",
            "control_slip",
            "result",
        }
    )


@pytest.mark.parametrize("kind", KINDS)
def test_form_is_a_valid_pdf_with_vietnamese_text(kind: str) -> None:
    pdf = render_form(kind, sample(kind))
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    text = _text(pdf)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Hà Nội, ngày 05 tháng 01 năm 2026" in text
    assert APPLICANT in text
    assert AGENCY.upper() in text
    if kind != "result":
        assert FORM_TITLES[kind].upper() in text


@pytest.mark.parametrize("kind", ["01_receipt", "02_supplement", "04_apology", "05_stop", "control_slip"])
def test_procedure_name_survives_extraction(kind: str) -> None:
    assert PROCEDURE in _text(render_form(kind, sample(kind)))


@pytest.mark.parametrize("kind", KINDS)
def test_font_is_embedded_with_a_unicode_map(kind: str) -> None:
    reader = PdfReader(io.BytesIO(render_form(kind, sample(kind))))
    resources: Any = reader.pages[0]["/Resources"]
    fonts = resources["/Font"]
    assert fonts
    for ref in fonts.values():
        font = ref.get_object()
        assert font["/Subtype"] == "/Type0"
        assert "NotoSerif" in str(font["/BaseFont"])
        assert "/ToUnicode" in font
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor
        assert len(descriptor["/FontFile2"].get_object().get_data()) > 10_000


def test_receipt_shows_times_in_hanoi_and_the_documents() -> None:
    text = _text(render_form("01_receipt", sample("01_receipt")))
    assert "Mã hồ sơ: H26.111-260105-0001" in text
    assert "4. Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 05 tháng 01 năm 2026" in text
    assert "17 giờ 00 phút, ngày 06 tháng 01 năm 2026" in text
    assert "Giấy chứng nhận kết hôn của cha, mẹ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Trần Văn Đức" in text


def test_control_slip_lists_each_step_with_its_outcome() -> None:
    text = _text(render_form("control_slip", sample("control_slip")))
    for expected in ("Trước hạn", "Đúng hạn", "Quá hạn", "Lê Thị Hương", "09:45 05/01/2026", "Chờ ký số"):
        assert expected in text


def test_result_carries_the_fields_and_signer() -> None:
    text = _text(render_form("result", sample("result")))
    assert "TRÍCH LỤC KHAI SINH" in text
    assert "Họ, chữ đệm, tên: Nguyễn Minh Khôi" in text
    assert "Phạm Quang Huy" in text


def test_result_qr_code_decodes_to_the_tracking_url() -> None:
    reader = PdfReader(io.BytesIO(render_form("result", sample("result"))))
    images = reader.pages[0].images
    assert len(images) == 1
    decoded = zxingcpp.read_barcodes(images[0].image)
    assert [barcode.text for barcode in decoded] == [TRACKING_URL]
    assert decoded[0].format == zxingcpp.BarcodeFormat.QRCode


def test_qr_png_and_matrix_agree() -> None:
    url = "https://dichvucong.hanoi.gov.vn/tra-cuu/X"
    image = Image.open(io.BytesIO(qr_png(url, scale=1))).convert("L")
    matrix = qr_matrix(url)
    size = len(matrix)
    assert image.size == (size + 8, size + 8)
    assert all(
        (image.getpixel((x + 4, y + 4)) == 0) == matrix[y][x] for y in range(size) for x in range(size)
    )


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        render_form("06_book", sample("01_receipt"))
    assert info.value.code == "procedures.document_kind_unknown"


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("01_receipt", "applicant_name"),
        ("01_receipt", "due_at"),
        ("02_supplement", "requirements"),
        ("03_refusal", "reasons"),
        ("04_apology", "new_due_at"),
        ("05_stop", "reason"),
        ("control_slip", "steps"),
        ("result", "tracking_url"),
        ("result", "agency"),
        ("result", "issued_on"),
    ],
)
def test_missing_field_is_named_in_both_languages(kind: str, field: str) -> None:
    data = sample(kind)
    del data[field]
    with pytest.raises(InvalidInput) as info:
        render_form(kind, data)
    error = info.value
    assert error.code == "procedures.document_data_invalid"
    assert field in error.details["missing"]
    assert "thiếu thông tin bắt buộc" in error.message_vi
    assert field in error.message_vi
    assert "missing required fields" in error.message_en


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("01_receipt", "received_at", datetime(2026, 1, 5, 9, 30)),  # noqa: DTZ001 - the naive value is the bad input
        ("01_receipt", "received_at", "not a date"),
        ("result", "tracking_url", "javascript:alert(1)"),
        ("02_supplement", "requirements", [1, 2]),
    ],
)
def test_malformed_field_is_refused(kind: str, field: str, value: Any) -> None:
    data = sample(kind)
    data[field] = value
    with pytest.raises(InvalidInput) as info:
        render_form(kind, data)
    assert field in info.value.details["invalid"]


def test_control_slip_rejects_an_unknown_outcome() -> None:
    data = sample("control_slip")
    data["steps"] = [dict(data["steps"][0], outcome="sometime")]
    with pytest.raises(InvalidInput) as info:
        render_form("control_slip", data)
    assert "steps.0.outcome" in info.value.details["invalid"]


def test_apology_needs_a_later_date() -> None:
    data = sample("04_apology")
    data["new_due_at"] = data["due_at"]
    with pytest.raises(InvalidInput) as info:
        render_form("04_apology", data)
    assert info.value.code == "procedures.document_new_due_not_later"


def test_iso_strings_are_accepted_for_dates() -> None:
    data = sample("01_receipt")
    data["received_at"] = "2026-01-05T02:30:00+00:00"
    data["issued_on"] = "2026-01-05"
    assert "09 giờ 30 phút" in _text(render_form("01_receipt", data))


def test_long_content_flows_onto_further_pages() -> None:
    data = sample("result")
    data["fields"] = [{"label": f"Mục {i}", "value": "Nguyễn Thị Hồng Nhung"} for i in range(40)]
    reader = PdfReader(io.BytesIO(render_form("result", data)))
    assert len(reader.pages) == 2
    assert len(reader.pages[-1].images) == 1


def test_user_text_is_written_literally() -> None:
    data = sample("02_supplement")
    data["requirements"] = ["Ghi **đậm** và __nghiêng__ -- như gõ"]
    assert "Ghi **đậm** và __nghiêng__ -- như gõ" in _text(render_form("02_supplement", data))


def test_vietnamese_date_conventions() -> None:
    assert date_line("Hà Nội", datetime(2026, 3, 9, tzinfo=UTC).date()) == "Hà Nội, ngày 09 tháng 3 năm 2026"
    assert (
        date_line("Hà Nội", datetime(2026, 2, 15, tzinfo=UTC).date()) == "Hà Nội, ngày 15 tháng 02 năm 2026"
    )
    # 23:10 UTC is already the next morning in Hanoi.
    assert (
        vn_datetime(datetime(2026, 1, 4, 23, 10, tzinfo=UTC)) == "06 giờ 10 phút, ngày 05 tháng 01 năm 2026"
    )


def test_letters_date_the_receipt_in_hanoi_time() -> None:
    data = sample("05_stop")
    data["received_at"] = datetime(2026, 1, 4, 20, 0, tzinfo=UTC)
    assert "Ngày 05/01/2026, Ủy ban nhân dân phường Hoàn Kiếm tiếp nhận" in _text(
        render_form("05_stop", data)
    )

"""Result documents are signed as PAdES and validate with pyHanko against the development root."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject, IndirectObject, NameObject

from tests.domains.procedures.documents_samples import APPLICANT, sample
from thanglong.core.errors import InvalidInput
from thanglong.domains.procedures.documents.forms import render_document, render_form
from thanglong.domains.procedures.documents.signing import (
    ROOT_CERT_FILE,
    PdfSigner,
    load_certificates,
    make_test_ca,
    sign_pdf,
    signature_field_name,
    validate_signature,
)


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ca")


@pytest.fixture(scope="module")
def signer(ca_dir: Path) -> PdfSigner:
    return make_test_ca(ca_dir)


SIGNED_AT = datetime(2026, 12, 3, 2, 30, 15, tzinfo=UTC)  # 09:30:15 in Hanoi


@pytest.fixture(scope="module")
def signed(signer: PdfSigner) -> bytes:
    rendered = render_document("result", sample("result"))
    return sign_pdf(rendered.pdf, signer, box=rendered.signature_box, signed_at=SIGNED_AT)


def signature_widgets(pdf: bytes) -> list[tuple[int, DictionaryObject]]:
    """Return the signature widgets of a PDF with the index of the page each one is on."""
    reader = PdfReader(io.BytesIO(pdf))
    found = []
    for index, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/FT") == "/Sig" or (annot.get("/Parent") or {}).get("/FT") == "/Sig":
                found.append((index, annot))
    return found


def appearance_text(pdf: bytes, annot: DictionaryObject) -> str:
    """Extract the text a viewer shows in a widget: its normal appearance stream, read as a page."""
    reader = PdfReader(io.BytesIO(pdf))
    appearances = cast(DictionaryObject, annot["/AP"])
    stream = cast(DictionaryObject, appearances["/N"].get_object())
    page = PageObject(reader)
    page[NameObject("/Resources")] = stream["/Resources"]
    page[NameObject("/Contents")] = cast(IndirectObject, stream.indirect_reference)
    page[NameObject("/MediaBox")] = stream["/BBox"]
    return " ".join(page.extract_text().split())


def signing_time_written(annot: DictionaryObject) -> str:
    """Return the /M entry of a signature widget's signature dictionary."""
    value = cast(DictionaryObject, annot["/V"].get_object())
    return str(value["/M"])


def test_signed_result_is_intact_valid_and_trusted(signed: bytes, ca_dir: Path) -> None:
    report = validate_signature(signed, [ca_dir / ROOT_CERT_FILE])
    assert report.ok, report
    assert report.intact and report.valid and report.trusted and report.covers_whole_file
    assert report.signer_name == "Phạm Quang Huy"
    assert report.field_name == "Sig_Pham_Quang_Huy"
    assert report.signing_time == SIGNED_AT


def test_signature_is_pades_baseline(signed: bytes) -> None:
    reader = PdfReader(io.BytesIO(signed))
    fields = reader.get_fields() or {}
    value = fields["Sig_Pham_Quang_Huy"]["/V"]
    assert value["/SubFilter"] == "/ETSI.CAdES.detached"
    assert value["/Filter"] == "/Adobe.PPKLite"
    assert str(value["/M"]).startswith("D:")


def test_signed_result_still_reads_in_vietnamese(signed: bytes) -> None:
    reader = PdfReader(io.BytesIO(signed))
    text = " ".join(reader.pages[0].extract_text().split())
    assert APPLICANT in text
    assert "TRÍCH LỤC KHAI SINH" in text


def test_a_changed_byte_breaks_the_signature(signed: bytes, ca_dir: Path) -> None:
    tampered = bytearray(signed)
    # A byte inside the first content stream of the original revision, which the signature covers.
    position = signed.index(b"stream") + 40
    tampered[position] ^= 0x01
    report = validate_signature(bytes(tampered), [ca_dir / ROOT_CERT_FILE])
    assert not report.ok
    assert not report.intact


def test_changed_document_info_breaks_the_signature(signed: bytes, ca_dir: Path) -> None:
    marker = b"/Creator"
    position = signed.index(marker)
    tampered = signed[:position] + b"/Creatoz" + signed[position + len(marker) :]
    assert not validate_signature(tampered, [ca_dir / ROOT_CERT_FILE]).ok


def test_another_root_does_not_trust_the_signature(signed: bytes, tmp_path: Path) -> None:
    make_test_ca(tmp_path)
    report = validate_signature(signed, load_certificates([tmp_path / ROOT_CERT_FILE]))
    assert report.intact
    assert not report.trusted
    assert not report.ok


def test_unsigned_and_garbage_pdfs_report_no_valid_signature(ca_dir: Path) -> None:
    unsigned = validate_signature(render_form("result", sample("result")), [ca_dir / ROOT_CERT_FILE])
    assert not unsigned.signed and not unsigned.ok
    garbage = validate_signature(b"not a pdf", [ca_dir / ROOT_CERT_FILE])
    assert not garbage.ok and garbage.error


def test_invisible_signature_and_forms_can_be_signed(signer: PdfSigner, ca_dir: Path) -> None:
    pdf = sign_pdf(render_form("04_apology", sample("04_apology")), signer)
    assert validate_signature(pdf, [(ca_dir / ROOT_CERT_FILE).read_bytes()]).ok


def test_test_ca_is_reused_from_its_directory(ca_dir: Path, signer: PdfSigner) -> None:
    root = (ca_dir / ROOT_CERT_FILE).read_bytes()
    again = make_test_ca(ca_dir)
    assert (ca_dir / ROOT_CERT_FILE).read_bytes() == root
    assert again.name == signer.name
    assert (ca_dir / "signer.key.pem").stat().st_mode & 0o077 == 0


def test_sign_pdf_refuses_non_pdf(signer: PdfSigner) -> None:
    with pytest.raises(InvalidInput):
        sign_pdf(b"hello", signer)


def test_field_names_are_ascii() -> None:
    assert signature_field_name("Đặng Thị Ánh Tuyết") == "Sig_Dang_Thi_Anh_Tuyet"
    assert signature_field_name("***") == "Sig_signer"


def test_signing_and_validation_work_inside_a_running_event_loop(signer: PdfSigner, ca_dir: Path) -> None:
    # Async routes call the use cases from a coroutine; pyHanko's sync API would call asyncio.run() there.
    async def in_a_route() -> bool:
        pdf = sign_pdf(render_form("04_apology", sample("04_apology")), signer)
        return validate_signature(pdf, [ca_dir / ROOT_CERT_FILE]).ok

    assert asyncio.run(in_a_route())


def test_the_signature_box_names_the_signer_in_vietnamese_at_hanoi_time(signed: bytes, ca_dir: Path) -> None:
    [(_, widget)] = signature_widgets(signed)
    text = appearance_text(signed, widget)
    assert "Ký bởi: Phạm Quang Huy" in text
    assert "Cơ quan: Ủy ban nhân dân phường Hoàn Kiếm" in text
    assert "Thời gian ký: 09:30:15, ngày 03 tháng 12 năm 2026" in text
    assert "Giờ Hà Nội (GMT+07:00)" in text
    # The signature dictionary carries the same instant, written with the Hanoi offset.
    assert signing_time_written(widget) == "D:20261203093015+07'00'"
    report = validate_signature(signed, [ca_dir / ROOT_CERT_FILE])
    assert report.ok and report.signing_time == SIGNED_AT
    assert report.signing_time is not None and report.signing_time.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize("with_body", [True, False])
@pytest.mark.parametrize("rows", [3, 9, 14, 18, 22, 26, 30, 40, 52, 70])
def test_signature_and_qr_stay_on_the_page_of_the_content(
    signer: PdfSigner, rows: int, with_body: bool
) -> None:
    data = sample("result")
    data["fields"] = [{"label": f"Mục {i:02d}", "value": "Nguyễn Thị Hồng Nhung"} for i in range(rows)]
    if not with_body:
        del data["body"]
    rendered = render_document("result", data)
    pdf = sign_pdf(rendered.pdf, signer, box=rendered.signature_box, signed_at=SIGNED_AT)
    reader = PdfReader(io.BytesIO(pdf))
    pages = len(reader.pages)
    assert pages == rendered.pages
    [(sig_page, _)] = signature_widgets(pdf)
    qr_pages = [i for i, page in enumerate(reader.pages) if page.images]
    assert qr_pages == [sig_page] == [pages - 1]
    # The closing page carries content, not the QR code and the signature alone.
    closing = reader.pages[sig_page].extract_text()
    last = "Kết quả giải quyết thủ tục Đăng ký khai sinh" if with_body else f"Mục {rows - 1:02d}"
    assert last in closing
    assert "Phạm Quang Huy" in closing

"""A dossier from online filing to a signed result, in Chromium, as the citizen and the officers see it."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from fpdf import FPDF
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import ARTIFACTS, Browsing, Server
from thanglong.domains.procedures.documents.signing import (
    ROOT_CERT_FILE,
    load_certificates,
    validate_signature,
)

pytestmark = pytest.mark.e2e

PROCEDURE = "1.004194"  # Đăng ký tạm trú: a commune-level procedure with a fee
AGENCY_CODE = "000.00.61.H26"  # UBND Phường Hoàn Kiếm: the demo officer's and head's agency
CITIZEN = ("congdan", "CongDan@2025")
OFFICER = ("canbo", "CanBo@2025")
HEAD = ("chutich", "ChuTich@2025")
APPLICANT = "Nguyễn Thị Hằng Nga"


def _pdf(text: str) -> bytes:
    """Return a small valid PDF (the upload check reads the content, not the name)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def _sign_in(page: Page, base_url: str, user: tuple[str, str]) -> None:
    page.goto(base_url + "/login")
    page.fill("input[name=username]", user[0])
    page.fill("input[name=password]", user[1])
    page.click("#login-submit")
    expect(page.locator(".who")).to_have_text(user[0])


def _officer_act(page: Page, base_url: str, dossier_id: str, action: str, note: str = "") -> None:
    page.goto(f"{base_url}/officer/dossiers/{dossier_id}")
    form = page.locator(f"form.action-form[data-action={action}]")
    if note:
        form.locator("input[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    expect(page.locator("#dossier-error")).to_have_count(0)


def _status(page: Page) -> str:
    return page.locator("#dossier").get_attribute("data-status") or ""


def _reload_until_status(page: Page, url: str, status: str, *, seconds: float = 30.0) -> None:
    """Open a dossier page again and again until it shows a status (a background job moves it)."""
    deadline = time.monotonic() + seconds
    page.goto(url)
    while _status(page) != status and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        page.goto(url)
    assert _status(page) == status


def _shot(page: Page, name: str) -> None:
    """Save a full-page screenshot of another page than the citizen's (the handbook shows them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_dossier_from_filing_to_signed_result(browsing: Browsing, browser: Browser, server: Server) -> None:
    citizen, base = browsing.page, browsing.base_url
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    staff_context.set_default_timeout(15_000)
    staff = staff_context.new_page()
    try:
        _journey(browsing, citizen, staff, base, server)
    finally:
        staff_context.close()
    assert browsing.external_requests == [] and browsing.blocked == []


def _journey(browsing: Browsing, citizen: Page, staff: Page, base: str, server: Server) -> None:
    # 1. The citizen finds the procedure, saves a draft, comes back to it and files with an attachment.
    _sign_in(citizen, base, CITIZEN)
    citizen.goto(f"{base}/procedures?q=dang+ky+tam+tru")
    expect(citizen.locator(f"a[href='/procedures/{PROCEDURE}']").first).to_be_visible()
    browsing.shot("citizen_catalogue_search")
    citizen.goto(f"{base}/procedures/{PROCEDURE}")
    browsing.shot("citizen_procedure_detail")
    citizen.click("#apply-link")
    expect(citizen).to_have_url(re.compile(rf"/procedures/{re.escape(PROCEDURE)}/apply"))
    agency = citizen.locator(f"#receiving_agency_id option[data-code='{AGENCY_CODE}']").get_attribute("value")
    citizen.select_option("#receiving_agency_id", agency)
    citizen.fill("[name='f.nguoi_nop.ho_ten']", APPLICANT)
    citizen.click("#draft-save")
    citizen.goto(f"{base}/procedures/{PROCEDURE}/apply")
    expect(citizen.locator("#draft-restored")).to_be_visible()
    expect(citizen.locator("[name='f.nguoi_nop.ho_ten']")).to_have_value(APPLICANT)
    browsing.shot("journey_01_draft_restored")

    citizen.fill("[name='f.nguoi_nop.so_dinh_danh']", "001190012345")
    citizen.fill("[name='f.nguoi_nop.dien_thoai']", "0912345678")
    citizen.fill("[name='f.dia_chi_cu_tru']", "Số 12 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội")
    citizen.select_option("[name='f.cho_o']", "so_huu")
    citizen.select_option("[name='f.hinh_thuc_nhan']", "truc_tuyen")
    citizen.set_input_files(
        "#files",
        files=[{"name": "so-do-nha.pdf", "mimeType": "application/pdf", "buffer": _pdf("So do nha")}],
    )
    citizen.click("#apply-submit")
    expect(citizen).to_have_url(re.compile(r"/my/dossiers/[0-9a-f-]{36}"))
    dossier_id = citizen.url.rsplit("/", 1)[1]
    assert _status(citizen) == "new"
    expect(citizen.locator("main")).to_contain_text("so-do-nha.pdf")
    browsing.shot("journey_02_filed")

    # 2. The commune officer receives it (Form 01) and asks for a supplement (Form 02).
    _sign_in(staff, base, OFFICER)
    staff.goto(f"{base}/officer/queue")
    expect(staff.locator(f"a[href='/officer/dossiers/{dossier_id}']")).to_have_count(1)
    _shot(staff, "officer_queue")
    _officer_act(staff, base, dossier_id, "receive")
    code = staff.locator("#dossier-code").inner_text().strip()
    assert code.startswith(AGENCY_CODE), code
    expect(staff.locator("#document-list tr[data-kind=form_01]")).to_have_count(1)
    _shot(staff, "officer_dossier_received")
    _officer_act(staff, base, dossier_id, "request_supplement", "Bổ sung ý kiến đồng ý của chủ hộ")
    assert _status(staff) == "supplement_requested"
    expect(staff.locator("#document-list tr[data-kind=form_02]")).to_have_count(1)

    # 3. The citizen supplements the form and adds a file; the dossier goes back to processing.
    citizen.goto(f"{base}/my/dossiers/{dossier_id}")
    expect(citizen.locator("#supplement-form")).to_be_visible()
    # The applicant rents the home: the owner's consent field appears only then (a conditional field).
    citizen.locator("#supplement-form [name='f.cho_o']").select_option("thue_muon_o_nho")
    citizen.locator("#supplement-form [name='f.y_kien_chu_ho']").fill("Chủ hộ Trần Văn Bảo đồng ý")
    citizen.set_input_files(
        "#supplement-form input[type=file]",
        files=[{"name": "y-kien-chu-ho.pdf", "mimeType": "application/pdf", "buffer": _pdf("Dong y")}],
    )
    citizen.click("#supplement-submit")
    expect(citizen.locator("#dossier")).to_have_attribute("data-status", "processing")
    expect(citizen.locator("main")).to_contain_text("y-kien-chu-ho.pdf")
    browsing.shot("journey_03_supplemented")

    # 4. The officer asks for the fee; the citizen pays through the gateway simulator.
    _officer_act(staff, base, dossier_id, "request_payment")
    assert _status(staff) == "payment_requested"
    citizen.goto(f"{base}/my/dossiers/{dossier_id}")
    citizen.click("#pay-link")
    expect(citizen.locator("#vietqr")).to_be_visible()
    browsing.shot("citizen_payment")
    citizen.click("#pay-vnpay")
    expect(citizen.locator("#simulator-order")).to_be_visible()
    citizen.click("#simulator-pay")
    expect(citizen.locator("#return-success")).to_be_visible()
    # The payment resumes the dossier in an after-commit job of the server's worker thread, which may
    # still be busy with the demo data's notices: reload until it has run.
    _reload_until_status(citizen, f"{base}/my/dossiers/{dossier_id}", "processing")
    browsing.shot("journey_04_paid")

    # 5. The ward chairwoman approves (signed result); the officer returns it.
    staff.click("#logout")
    _sign_in(staff, base, HEAD)
    staff.goto(f"{base}/officer/dossiers/{dossier_id}")
    expect(staff.locator("form.action-form[data-action=approve]")).to_be_visible()
    _shot(staff, "head_dossier_approve")
    _officer_act(staff, base, dossier_id, "approve")
    assert _status(staff) == "processed"
    staff.click("#logout")
    _sign_in(staff, base, OFFICER)
    _officer_act(staff, base, dossier_id, "return_result")
    assert _status(staff) == "returned"

    # 6. The citizen downloads the signed result, checks it, and rates the service.
    citizen.goto(f"{base}/my/dossiers/{dossier_id}")
    expect(citizen.locator("#dossier")).to_have_attribute("data-status", "returned")
    with citizen.expect_download() as download_info:
        citizen.click("#document-list tr[data-kind=result] a")
    result_path = Path(download_info.value.path())
    data = result_path.read_bytes()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "journey_result.pdf").write_bytes(data)
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    assert APPLICANT in text and code in text
    assert "Thuê, mượn, ở nhờ" in text  # choices print as words, not as stored values
    # The platform made its development CA on first start; the result must validate against it.
    root = server.data_dir / "procedures" / "signing" / ROOT_CERT_FILE
    report = validate_signature(data, trust_roots=load_certificates([root]))
    assert report.signed and report.intact and report.valid and report.trusted, report
    # The chairwoman who approved is the signer, and the result carries its number in her ward's register.
    assert report.signer_name == "Vũ Thị Giang" and "Vũ Thị Giang" in text
    assert re.search(r"Số: \d{2,}/KQ-UBND", text)
    browsing.shot("journey_05_result")
    citizen.goto(f"{base}/my/documents")
    expect(citizen.locator("main")).to_contain_text(code)
    browsing.shot("citizen_my_documents")
    citizen.goto(f"{base}/my/dossiers/{dossier_id}")

    citizen.check("#rating-form input[name=score][value='5']")
    citizen.fill("#rating-comment", "Nhanh, đúng hẹn")
    citizen.click("#rating-submit")
    expect(citizen.locator("#rating-given")).to_have_attribute("data-score", "5")

    # 7. Anyone with the code and the tracking secret (the receipt's link) can follow the dossier.
    link = citizen.locator("#tracking-link").get_attribute("href")
    assert link and link.startswith(f"{base}/track/{code}?secret=")
    citizen.goto(link)
    expect(citizen.locator("#tracked-code")).to_have_text(code)
    browsing.shot("journey_06_tracking")


def test_agency_head_reads_the_decision_766_figures_with_charts(browsing: Browsing) -> None:
    page, base = browsing.page, browsing.base_url
    _sign_in(page, base, HEAD)
    page.goto(f"{base}/officer/stats?period=2026")
    expect(page.locator("#stats-total")).to_be_visible()
    # Chart.js draws into the canvases from the page's JSON block (no inline script under the CSP).
    page.wait_for_function(
        "() => ['chart-counts', 'chart-shares'].every(id => {"
        " const c = document.getElementById(id);"
        " return c && c.width > 0 && window.Chart && Chart.getChart(c); })"
    )
    expect(page.locator("#stats-empty")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Phường Hoàn Kiếm")
    browsing.shot("stats_head_vi")
    assert browsing.console_errors == [] and browsing.external_requests == []

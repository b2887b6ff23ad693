"""Draw the one-stop forms of Circular 03/2025/TT-VPCP, the control slip and result documents as PDF."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fpdf.enums import Align, XPos
from fpdf.fonts import FontFace

from thanglong.core.errors import InvalidInput
from thanglong.domains.procedures.documents.fields import FormData
from thanglong.domains.procedures.documents.pdf import (
    DOTS,
    FONT_FAMILY,
    FormPdf,
    SignatureBox,
    short_date,
    short_datetime,
    vn_datetime,
)
from thanglong.domains.procedures.documents.qr import qr_png

FORM_TITLES: dict[str, str] = {
    "01_receipt": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02_supplement": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03_refusal": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04_apology": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    "05_stop": "Thông báo dừng giải quyết hồ sơ",
    "control_slip": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    "result": "Kết quả giải quyết thủ tục hành chính",
}
OUTCOMES = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
MM_TO_PT = 72 / 25.4
# The result's closing block (QR code on the left, signer block on the right) follows the content on
# its page; these are its measures in millimetres.
RESULT_QR_MM = 34.0
RESULT_SIG_WIDTH_MM = 60.0
RESULT_SIG_HEIGHT_MM = 24.0
RESULT_FOOTER_GAP_MM = 4.0
RESULT_FOOTER_MM = 50.0


@dataclass(frozen=True)
class RenderedDocument:
    """A drawn document and, for a result, the box its signature is to fill."""

    pdf: bytes
    signature_box: SignatureBox | None = None
    pages: int = 1


def _points(pdf: FormPdf, x1: float, top: float, x2: float, bottom: float) -> tuple[int, int, int, int]:
    """Convert a rectangle in millimetres from the top-left to PDF points from the bottom-left."""
    page_h = float(pdf.h)
    return (
        round(x1 * MM_TO_PT),
        round((page_h - bottom) * MM_TO_PT),
        round(x2 * MM_TO_PT),
        round((page_h - top) * MM_TO_PT),
    )


def _start(form: FormData, *, page_format: str = "A5") -> FormPdf:
    """Open a page with the official header drawn from the common fields."""
    agency = form.text("agency")
    parent = form.opt_text("agency_parent")
    number = form.opt_text("number")
    place = form.opt_text("place", default="Hà Nội") or "Hà Nội"
    issued_on = form.day("issued_on")
    form.check()
    pdf = FormPdf(page_format=page_format, title=FORM_TITLES[form.kind])
    pdf.official_header(agency=agency, agency_parent=parent, number=number, place=place, issued_on=issued_on)
    return pdf


def _applicant(pdf: FormPdf, form: FormData, name: str) -> None:
    """Write the applicant's contact lines that were given."""
    pdf.labelled("Ông/Bà", name)
    for key, label in (
        ("applicant_address", "Địa chỉ"),
        ("applicant_phone", "Số điện thoại"),
        ("applicant_email", "Thư điện tử"),
    ):
        value = form.opt_text(key)
        if value:
            pdf.labelled(label, value)


def _receipt(form: FormData) -> FormPdf:
    code = form.text("dossier_code")
    name = form.text("applicant_name")
    procedure = form.text("procedure_name")
    processing = form.text("processing_time")
    received = form.instant("received_at")
    due = form.instant("due_at")
    officer = form.text("officer_name")
    documents = form.records("documents", ("name",), required=False)
    secret = form.opt_text("tracking_secret")
    url = form.opt_text("tracking_url")
    if url and not url.startswith(("https://", "http://")):
        form.invalid.append("tracking_url")
    form.check()
    pdf = _start(form)
    unit = form.opt_text("receiving_unit") or form.text("agency")
    pdf.title_block(FORM_TITLES[form.kind], f"Mã hồ sơ: {code}")
    pdf.para(f"{unit} tiếp nhận hồ sơ của:")
    _applicant(pdf, form, name)
    pdf.labelled("Nội dung yêu cầu giải quyết", procedure)
    pdf.para("1. Thành phần hồ sơ nộp gồm:")
    if documents:
        size = pdf.base_size - 1
        pdf.set_font(FONT_FAMILY, "", size)
        with pdf.table(
            col_widths=(8, 62, 26, 14),
            text_align=("CENTER", "LEFT", "CENTER", "CENTER"),
            line_height=size * 0.5,
            headings_style=FontFace(emphasis="BOLD"),
        ) as table:
            table.row(("TT", "Tên giấy tờ", "Hình thức", "Số lượng"))
            for index, doc in enumerate(documents, start=1):
                copies = doc.get("copies", 1)
                table.row(
                    (str(index), str(doc["name"]), str(doc.get("form") or "Bản chính"), f"{copies:02d}")
                )
        pdf.ln(1)
    else:
        pdf.para("Theo danh mục thành phần hồ sơ của thủ tục (nộp trực tuyến).", indent=4)
    count = int(form.data.get("dossier_count") or 1)
    pdf.para(f"2. Số lượng hồ sơ: {count:02d} (bộ)")
    pdf.para(f"3. Thời gian giải quyết hồ sơ theo quy định là: {processing}")
    pdf.para(f"4. Thời gian nhận hồ sơ: {vn_datetime(received)}")
    pdf.para(f"5. Thời gian trả kết quả giải quyết hồ sơ: {vn_datetime(due)}")
    pdf.para(f"6. Đăng ký nhận kết quả tại: {form.opt_text('delivery') or DOTS}")
    book = form.opt_text("register_book") or DOTS
    entry = form.opt_text("register_no") or DOTS
    pdf.para(f"Vào Sổ theo dõi hồ sơ, Quyển số: {book}, Số thứ tự: {entry}", style="I")
    if secret:
        _receipt_tracking(pdf, code, secret, url)
    pdf.signature_blocks(
        [
            ("NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", name),
            ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", officer),
        ]
    )
    return pdf


def _receipt_tracking(pdf: FormPdf, code: str, secret: str, url: str | None) -> None:
    """Print the tracking secret and link under the receipt, with the link's QR code on the left."""
    size = 20.0 if url else 0.0
    if pdf.will_page_break(size + 4):
        pdf.add_page()
    top = pdf.get_y() + 1
    if url:
        pdf.image(qr_png(url), x=pdf.l_margin, y=top, w=size, h=size, alt_text=f"Mã QR tra cứu hồ sơ {code}")
    indent = size + 3 if url else 0.0
    pdf.set_xy(pdf.l_margin + indent, top)
    pdf.set_font(FONT_FAMILY, "", pdf.base_size - 1)
    text = f"Mã tra cứu hồ sơ: {secret}"
    if url:
        text += f"\nTra cứu tiến độ (cần mã hồ sơ và mã tra cứu): {url}"
    pdf.multi_cell(pdf.content_width - indent, 4.2, text, align=Align.L, new_x=XPos.LMARGIN)
    pdf.set_y(max(pdf.get_y(), top + size) + 1)
    pdf.set_font(FONT_FAMILY, "", pdf.base_size)


def _supplement(form: FormData) -> FormPdf:
    code = form.text("dossier_code")
    name = form.text("applicant_name")
    procedure = form.text("procedure_name")
    requirements = form.texts("requirements")
    officer = form.text("officer_name")
    form.check()
    pdf = _start(form)
    pdf.title_block(FORM_TITLES[form.kind], f"Mã hồ sơ: {code}")
    pdf.para("Hồ sơ của:")
    _applicant(pdf, form, name)
    pdf.labelled("Nội dung yêu cầu giải quyết", procedure)
    pdf.para("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:")
    for index, item in enumerate(requirements, start=1):
        pdf.para(f"{index}. {item}", indent=4)
    reason = form.opt_text("reason")
    if reason:
        pdf.para(f"Lý do: {reason}")
    contact = form.opt_text("contact_name") or officer
    phone = form.opt_text("contact_phone") or DOTS
    pdf.para(
        "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ với "
        f"{contact}, số điện thoại {phone} để được hướng dẫn."
    )
    pdf.signature_blocks([("NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)", officer)])
    return pdf


def _refusal(form: FormData) -> FormPdf:
    name = form.text("applicant_name")
    procedure = form.text("procedure_name")
    reasons = form.texts("reasons")
    officer = form.text("officer_name")
    form.check()
    pdf = _start(form)
    code = form.opt_text("dossier_code")
    pdf.title_block(FORM_TITLES[form.kind], f"Mã hồ sơ: {code}" if code else None)
    unit = form.opt_text("receiving_unit") or form.text("agency")
    pdf.para(f"{unit} tiếp nhận hồ sơ của:")
    _applicant(pdf, form, name)
    pdf.labelled("Nội dung yêu cầu giải quyết", procedure)
    pdf.para(f"Qua xem xét, {unit} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:")
    for reason in reasons:
        pdf.para(f"- {reason}", indent=4)
    pdf.para("Xin thông báo để ông/bà được biết và thực hiện.")
    pdf.signature_blocks([("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", officer)])
    return pdf


def _head_letter(form: FormData) -> tuple[str, str]:
    """Read the signing head's title (lines split by newline) and name."""
    return form.text("head_title"), form.text("head_name")


def _recipients(pdf: FormPdf) -> None:
    """Write the "Nơi nhận" list that closes an official letter."""
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "B", pdf.base_size - 1)
    pdf.cell(0, 4, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", pdf.base_size - 2)
    pdf.cell(0, 3.6, "- Như trên;", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 3.6, "- Lưu: VT, Bộ phận Một cửa.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", pdf.base_size)


def _apology(form: FormData) -> FormPdf:
    code = form.text("dossier_code")
    name = form.text("applicant_name")
    procedure = form.text("procedure_name")
    received = form.instant("received_at")
    due = form.instant("due_at")
    new_due = form.instant("new_due_at")
    reason = form.text("reason")
    head_title, head_name = _head_letter(form)
    form.check()
    if new_due <= due:
        raise InvalidInput(
            "procedures.document_new_due_not_later",
            "Ngày hẹn trả kết quả mới phải sau ngày hẹn cũ.",
            "The new return date must be later than the original one.",
        )
    pdf = _start(form)
    agency = form.text("agency")
    pdf.title_block(FORM_TITLES[form.kind], f"Mã hồ sơ: {code}")
    pdf.para(f"Kính gửi: Ông/Bà {name}", align=Align.C)
    pdf.ln(1)
    pdf.para(
        f"Ngày {short_date(received)}, {agency} tiếp nhận giải quyết hồ sơ đề nghị "
        f"{procedure} của ông/bà, mã hồ sơ {code}. Thời hạn trả kết quả giải quyết hồ sơ: "
        f"{vn_datetime(due)}.",
        align=Align.J,
    )
    pdf.para(
        f"Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của ông/bà đúng hạn "
        f"ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả. Lý do: {reason}.",
        align=Align.J,
    )
    pdf.para(
        f"Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của ông/bà. {agency} xin lỗi "
        f"ông/bà và đề nghị gia hạn thời gian giải quyết, hẹn trả kết quả giải quyết hồ sơ cho "
        f"ông/bà vào {vn_datetime(new_due)}.",
        align=Align.J,
    )
    pdf.para("Rất mong nhận được sự thông cảm của ông/bà.")
    _close_letter(pdf, head_title, head_name)
    return pdf


def _close_letter(pdf: FormPdf, head_title: str, head_name: str) -> None:
    """End a letter signed by the agency head: signature on the right, recipients on the left."""
    top = pdf.get_y()
    pdf.signature_blocks([(head_title, "(Ký, ghi rõ họ tên và đóng dấu)", head_name)])
    pdf.set_y(top + 3)
    _recipients(pdf)


def _stop(form: FormData) -> FormPdf:
    code = form.text("dossier_code")
    name = form.text("applicant_name")
    procedure = form.text("procedure_name")
    received = form.instant("received_at")
    reason = form.text("reason")
    head_title, head_name = _head_letter(form)
    form.check()
    pdf = _start(form)
    agency = form.text("agency")
    pdf.title_block(FORM_TITLES[form.kind], f"Mã hồ sơ: {code}")
    pdf.para(f"Kính gửi: Ông/Bà {name}", align=Align.C)
    pdf.ln(1)
    pdf.para(
        f"Ngày {short_date(received)}, {agency} tiếp nhận hồ sơ đề nghị {procedure} "
        f"của ông/bà, mã hồ sơ {code}.",
        align=Align.J,
    )
    pdf.para(f"{agency} thông báo dừng giải quyết hồ sơ nêu trên. Lý do: {reason}.")
    guidance = form.opt_text("guidance")
    if guidance:
        pdf.para(guidance)
    pdf.para("Xin thông báo để ông/bà được biết.")
    _close_letter(pdf, head_title, head_name)
    return pdf


def _control_slip(form: FormData) -> FormPdf:
    code = form.text("dossier_code")
    procedure = form.text("procedure_name")
    handling = form.text("handling_agency")
    steps = form.records("steps", ("from_unit", "to_unit", "at"))
    outcomes = [str(step.get("outcome") or "") for step in steps]
    for index, outcome in enumerate(outcomes):
        if outcome and outcome not in OUTCOMES:
            form.invalid.append(f"steps.{index}.outcome")
    for index, step in enumerate(steps):
        if step.get("at") is not None:
            sub = FormData(form.kind, step)
            sub.instant("at")
            form.invalid.extend(f"steps.{index}.{key}" for key in sub.invalid)
    form.check()
    pdf = _start(form, page_format="A4")
    pdf.title_block(FORM_TITLES[form.kind], f"Mã hồ sơ: {code}")
    receipt = form.opt_text("receipt_number") or DOTS
    pdf.para(f"(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số: {receipt})", style="I", align=Align.C)
    pdf.ln(1)
    applicant = form.opt_text("applicant_name")
    if applicant:
        pdf.labelled("Người nộp hồ sơ", applicant)
    pdf.labelled("Thủ tục", procedure)
    pdf.labelled("Cơ quan (bộ phận) giải quyết hồ sơ", handling)
    pdf.labelled("Cơ quan phối hợp giải quyết hồ sơ", form.opt_text("coordinating_agencies") or "Không")
    pdf.ln(2)
    size = pdf.base_size - 2
    pdf.set_font(FONT_FAMILY, "", size)
    with pdf.table(
        col_widths=(10, 34, 34, 26, 20, 26),
        text_align=("CENTER", "LEFT", "LEFT", "CENTER", "CENTER", "LEFT"),
        line_height=size * 0.5,
        headings_style=FontFace(emphasis="BOLD"),
    ) as table:
        table.row(
            (
                "TT",
                "Bên giao (đơn vị, người giao)",
                "Bên nhận (đơn vị, người nhận)",
                "Thời gian giao, nhận hồ sơ",
                "Kết quả giải quyết",
                "Ghi chú",
            )
        )
        for index, (step, outcome) in enumerate(zip(steps, outcomes, strict=True), start=1):
            sub = FormData(form.kind, step)
            giver = _party(step, "from")
            taker = _party(step, "to")
            label = f"{step['step']}\n" if step.get("step") else ""
            table.row(
                (
                    str(index),
                    label + giver,
                    taker,
                    short_datetime(sub.instant("at")),
                    OUTCOMES.get(outcome, "Đang xử lý"),
                    str(step.get("note") or ""),
                )
            )
    pdf.ln(2)
    pdf.para(
        "Kết quả giải quyết của từng bước: trước hạn, đúng hạn hoặc quá hạn so với thời hạn "
        "được giao cho bước đó.",
        style="I",
    )
    return pdf


def _party(step: Mapping[str, Any], side: str) -> str:
    """Join a step's unit and person on one side of a handover."""
    unit = str(step.get(f"{side}_unit") or "")
    person = str(step.get(f"{side}_person") or "")
    return f"{unit}\n{person}" if person else unit


@dataclass
class _ResultLayout:
    """What the result's pages are drawn from, checked once."""

    form: FormData
    title: str
    code: str
    url: str
    signer_title: str
    signer_name: str
    rows: list[Mapping[str, Any]]
    body: str | None
    box: SignatureBox | None = None


def _result(form: FormData) -> FormPdf:
    title = form.text("title")
    code = form.text("dossier_code")
    url = form.text("tracking_url")
    signer_title = form.text("signer_title")
    signer_name = form.text("signer_name")
    rows = form.records("fields", ())
    if url and not url.startswith(("https://", "http://")):
        form.invalid.append("tracking_url")
    for index, row in enumerate(rows):
        if not (row.get("label") and row.get("value") is not None):
            form.missing.append(f"fields.{index}.label/value")
    form.check()
    layout = _ResultLayout(form, title, code, url, signer_title, signer_name, rows, form.opt_text("body"))
    blocks = len(rows) + (1 if layout.body else 0)
    # The QR code and the signature stay on the page of the content they close: when they do not fit
    # under it, the last blocks of the content go over to the next page with them (never the title).
    for break_before in (None, *range(blocks - 1, 0, -1)):
        pdf = _draw_result(layout, break_before)
        if pdf.get_y() + RESULT_FOOTER_GAP_MM + RESULT_FOOTER_MM <= pdf.page_break_trigger:
            break
        pdf.close()
    else:
        pdf = _draw_result(layout, None)
        pdf.add_page()
    layout.box = _result_footer(pdf, layout)
    pdf.signature_box = layout.box
    return pdf


def _draw_result(layout: _ResultLayout, break_before: int | None) -> FormPdf:
    """Draw the header, title and content blocks, starting a page before block `break_before`."""
    pdf = _start(layout.form, page_format="A4")
    pdf.title_block(layout.title, layout.form.opt_text("subtitle"))
    for index, row in enumerate(layout.rows):
        if index == break_before:
            pdf.add_page()
        pdf.labelled(str(row["label"]), str(row["value"]))
        pdf.ln(0.8)
    if layout.body:
        if break_before == len(layout.rows):
            pdf.add_page()
        pdf.ln(2)
        pdf.para(layout.body)
    return pdf


def _result_footer(pdf: FormPdf, layout: _ResultLayout) -> SignatureBox:
    """Place the QR code on the left and the signer block on the right, under the content."""
    top = pdf.get_y() + RESULT_FOOTER_GAP_MM
    size = RESULT_QR_MM
    pdf.image(
        qr_png(layout.url),
        x=pdf.l_margin,
        y=top,
        w=size,
        h=size,
        alt_text=f"Mã QR tra cứu hồ sơ {layout.code}",
    )
    pdf.set_xy(pdf.l_margin, top + size + 1)
    pdf.set_font(FONT_FAMILY, "", pdf.base_size - 3)
    pdf.multi_cell(70, 3.6, f"Mã hồ sơ: {layout.code}\nTra cứu: {layout.url}", align=Align.L)
    right = pdf.w - pdf.r_margin
    width = RESULT_SIG_WIDTH_MM + 20
    x = right - width
    pdf.set_y(top)
    for line in layout.signer_title.split("\n"):
        pdf.centered(x, width, line, "B", pdf.base_size)
    box_top = pdf.get_y() + 1
    box_x1 = x + (width - RESULT_SIG_WIDTH_MM) / 2
    box_bottom = box_top + RESULT_SIG_HEIGHT_MM
    pdf.set_y(box_bottom + 2)
    pdf.centered(x, width, layout.signer_name, "B", pdf.base_size)
    pdf.set_font(FONT_FAMILY, "", pdf.base_size)
    rect = _points(pdf, box_x1, box_top, box_x1 + RESULT_SIG_WIDTH_MM, box_bottom)
    return SignatureBox(page=pdf.page - 1, rect=rect)


_RENDERERS: dict[str, Callable[[FormData], FormPdf]] = {
    "01_receipt": _receipt,
    "02_supplement": _supplement,
    "03_refusal": _refusal,
    "04_apology": _apology,
    "05_stop": _stop,
    "control_slip": _control_slip,
    "result": _result,
}


def render_form(kind: str, data: Mapping[str, Any]) -> bytes:
    """Render one form or result document to PDF bytes with the Vietnamese font embedded."""
    return render_document(kind, data).pdf


def render_document(kind: str, data: Mapping[str, Any]) -> RenderedDocument:
    """Render one form or result document, with where a result's visible signature goes."""
    renderer = _RENDERERS.get(kind)
    if renderer is None:
        raise InvalidInput(
            "procedures.document_kind_unknown",
            f"Không có biểu mẫu loại {kind!r}.",
            f"There is no form of kind {kind!r}.",
            kinds=sorted(_RENDERERS),
        )
    form = FormData(kind, data)
    # Read the header fields first so one error lists everything that is missing.
    form.text("agency")
    form.day("issued_on")
    pdf = renderer(form)
    box, pages = pdf.signature_box, pdf.pages_count
    return RenderedDocument(pdf.render(), box, pages)

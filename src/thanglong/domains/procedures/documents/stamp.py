"""The visible signature's appearance: who signed, for which agency, and when, in Vietnamese."""

from __future__ import annotations

from datetime import datetime

from fpdf.enums import Align, XPos, YPos

from thanglong.domains.procedures.documents.pdf import FONT_FAMILY, FormPdf, utc_offset, vn_signing_time

MM_PER_PT = 25.4 / 72
# Signature appearances in Vietnamese e-government are printed in red, apart from the black text.
STAMP_COLOUR = (190, 0, 0)


def stamp_lines(signer_name: str, organisation: str, signed_at: datetime) -> list[tuple[str, str]]:
    """Return the lines of the stamp with their font style: name, agency, Hanoi time and offset."""
    lines = [("B", f"Ký bởi: {signer_name}")]
    if organisation:
        lines.append(("", f"Cơ quan: {organisation}"))
    lines.append(("", f"Thời gian ký: {vn_signing_time(signed_at)}"))
    lines.append(("I", f"Giờ Hà Nội ({utc_offset(signed_at)})"))
    return lines


def signature_stamp(
    *, signer_name: str, organisation: str, signed_at: datetime, width_pt: float, height_pt: float
) -> bytes:
    """Draw the appearance as a one-page PDF of the box's size, in the embedded Vietnamese font.

    pyHanko's own text stamp has only the standard PDF fonts, which have no Vietnamese letters; this
    page is imported into the signature field's appearance instead, font subset and ToUnicode included.
    """
    width, height = width_pt * MM_PER_PT, height_pt * MM_PER_PT
    pdf = FormPdf(page_format=(width, height), title="Chữ ký số")
    lines = stamp_lines(signer_name, organisation, signed_at)
    size = 7.5
    line_h = size * 0.45
    inner = width - pdf.l_margin - pdf.r_margin
    pdf.set_text_color(*STAMP_COLOUR)
    pdf.set_y(max(pdf.t_margin, (height - line_h * len(lines)) / 2))
    for style, text in lines:
        fitted = pdf.fit_size(text, style, inner, size)
        pdf.set_font(FONT_FAMILY, style, fitted)
        pdf.set_x(pdf.l_margin)
        pdf.cell(inner, line_h, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return pdf.render()

"""Page furniture shared by the one-stop forms: fonts, official header, dates and signature blocks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
FONT_FAMILY = "NotoSerif"
FONT_FILES = {"": "NotoSerif-Regular.ttf", "B": "NotoSerif-Bold.ttf", "I": "NotoSerif-Italic.ttf"}
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"
DOTS = "…………"
# Sizes in millimetres: fpdf2 warns about its named A5 preset, whose dimensions changed in 2.8.5.
PAGE_SIZES = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}


def vn_day_month(day: int, month: int) -> tuple[str, str]:
    """Write day and month as Decree 30/2020 asks: a leading zero for days below 10 and months below 3."""
    return (f"{day:02d}" if day < 10 else str(day), f"{month:02d}" if month < 3 else str(month))


def date_line(place: str, when: date) -> str:
    """Return the place and date line, e.g. "Hà Nội, ngày 05 tháng 01 năm 2026"."""
    day, month = vn_day_month(when.day, when.month)
    return f"{place}, ngày {day} tháng {month} năm {when.year}"


def vn_date(when: date) -> str:
    """Return "ngày 05 tháng 01 năm 2026"."""
    day, month = vn_day_month(when.day, when.month)
    return f"ngày {day} tháng {month} năm {when.year}"


def vn_datetime(when: datetime) -> str:
    """Return an aware instant in Hanoi time as "08 giờ 30 phút, ngày 05 tháng 01 năm 2026"."""
    local = when.astimezone(HANOI)
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {vn_date(local.date())}"


def utc_offset(when: datetime) -> str:
    """Return the Hanoi offset of an aware instant as "GMT+07:00"."""
    raw = when.astimezone(HANOI).strftime("%z")
    return f"GMT{raw[:3]}:{raw[3:]}"


def vn_signing_time(when: datetime) -> str:
    """Return an aware instant in Hanoi time to the second: "09:30:15, ngày 03 tháng 12 năm 2026"."""
    local = when.astimezone(HANOI)
    return f"{local:%H:%M:%S}, {vn_date(local.date())}"


def short_date(when: datetime) -> str:
    """Return the Hanoi calendar day of an aware instant as "05/01/2026"."""
    return when.astimezone(HANOI).strftime("%d/%m/%Y")


def short_datetime(when: datetime) -> str:
    """Return an aware instant in Hanoi time as "08:30 05/01/2026"."""
    return when.astimezone(HANOI).strftime("%H:%M %d/%m/%Y")


@dataclass(frozen=True)
class SignatureBox:
    """Where a visible signature goes: a page (from 0) and a rectangle in PDF points from bottom-left."""

    page: int
    rect: tuple[int, int, int, int]


@contextmanager
def _font_paths() -> Iterator[dict[str, str]]:
    """Yield real file paths of the shipped fonts, extracting them if the package is zipped."""
    base = resources.files("thanglong.domains.procedures.documents") / "fonts"
    with ExitStack() as stack:
        yield {
            style: str(stack.enter_context(resources.as_file(base / name)))
            for style, name in FONT_FILES.items()
        }


class FormPdf(FPDF):
    """An FPDF page set up with the embedded Vietnamese font and the official header blocks."""

    def __init__(self, *, page_format: str | tuple[float, float] = "A5", title: str = "") -> None:
        size = PAGE_SIZES[page_format] if isinstance(page_format, str) else page_format
        super().__init__(orientation="portrait", unit="mm", format=size)
        # Set by a layout that leaves room for a visible signature (the result page).
        self.signature_box: SignatureBox | None = None
        if isinstance(page_format, str):
            self.set_margins(
                left=15 if page_format == "A5" else 25, top=12, right=10 if page_format == "A5" else 15
            )
            self.set_auto_page_break(auto=True, margin=12)
        else:
            # A free size is a stamp or a label: a thin margin, and everything on its one page.
            self.set_margins(left=1.5, top=1.5, right=1.5)
            self.set_auto_page_break(auto=False)
        with _font_paths() as paths:
            for style, path in paths.items():
                self.add_font(FONT_FAMILY, style, path)
        self.set_title(title)
        self.set_creator("Thăng Long")
        self.set_lang("vi-VN")
        self.add_page()
        self.set_font(FONT_FAMILY, "", self.base_size)

    def render(self) -> bytes:
        """Return the finished PDF and release the font files fpdf2 keeps open."""
        try:
            return bytes(self.output())
        finally:
            self.close()

    def close(self) -> None:
        """Release the font files fpdf2 keeps open (a layout tried and dropped is never rendered)."""
        for font in self.fonts.values():
            ttfont = getattr(font, "ttfont", None)
            if ttfont is not None:
                ttfont.close()

    @property
    def base_size(self) -> float:
        """Return the body font size: smaller on A5 so the official layout fits."""
        return 10.0 if self.w < 160 else 12.0

    @property
    def content_width(self) -> float:
        """Return the width between the margins."""
        return float(self.w - self.l_margin - self.r_margin)

    def fit_size(self, text: str, style: str, width: float, size: float) -> float:
        """Shrink a font size until the text fits one line of the given width."""
        while size > 6:
            self.set_font(FONT_FAMILY, style, size)
            if self.get_string_width(text) <= width - 1:
                break
            size -= 0.5
        return size

    def centered(self, x: float, width: float, text: str, style: str, size: float) -> None:
        """Write one centred line inside a column, shrinking the font if the column is narrow."""
        self.fit_size(text, style, width, size)
        self.set_x(x)
        self.cell(width, size * 0.5, text, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)

    def centered_wrapped(self, x: float, width: float, text: str, style: str, size: float) -> None:
        """Write centred text inside a column, wrapping long agency names onto further lines."""
        self.set_font(FONT_FAMILY, style, size)
        self.set_x(x)
        self.multi_cell(width, size * 0.45, text, align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)

    def _rule(self, x: float, width: float, length: float) -> None:
        """Draw the short rule under a header block, centred in its column."""
        y = self.get_y() + 0.6
        self.line(x + (width - length) / 2, y, x + (width + length) / 2, y)
        self.set_y(y + 1.6)

    def official_header(
        self, *, agency: str, agency_parent: str | None, number: str | None, place: str, issued_on: date
    ) -> None:
        """Draw the agency block on the left and the national motto with the date line on the right."""
        left_w = self.content_width * 0.42
        right_x = self.l_margin + left_w
        right_w = self.content_width - left_w
        size = self.base_size - 0.5
        top = self.get_y()
        if agency_parent:
            self.centered_wrapped(self.l_margin, left_w, agency_parent.upper(), "", size)
        self.centered_wrapped(self.l_margin, left_w, agency.upper(), "B", size)
        self._rule(self.l_margin, left_w, left_w * 0.35)
        self.centered(self.l_margin, left_w, f"Số: {number or DOTS}", "", size)
        left_bottom = self.get_y()
        self.set_y(top)
        self.centered(right_x, right_w, MOTTO, "B", size)
        self.centered(right_x, right_w, MOTTO_SUB, "B", size + 0.5)
        self._rule(right_x, right_w, self.get_string_width(MOTTO_SUB))
        self.centered(right_x, right_w, date_line(place, issued_on), "I", size)
        self.set_y(max(left_bottom, self.get_y()) + 4)
        self.set_font(FONT_FAMILY, "", self.base_size)

    def title_block(self, title: str, subtitle: str | None = None) -> None:
        """Write the bold centred document title and an optional line under it."""
        self.set_font(FONT_FAMILY, "B", self.base_size + 2.5)
        self.multi_cell(0, (self.base_size + 2.5) * 0.5, title.upper(), align=Align.C, new_x=XPos.LMARGIN)
        if subtitle:
            self.set_font(FONT_FAMILY, "I", self.base_size)
            self.multi_cell(0, self.base_size * 0.5, subtitle, align=Align.C, new_x=XPos.LMARGIN)
        self.ln(3)
        self.set_font(FONT_FAMILY, "", self.base_size)

    def para(self, text: str, *, style: str = "", indent: float = 0, align: Align = Align.L) -> None:
        """Write a wrapped paragraph in the body font."""
        self.set_font(FONT_FAMILY, style, self.base_size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            self.content_width - indent, self.base_size * 0.52, text, align=align, new_x=XPos.LMARGIN
        )
        self.set_font(FONT_FAMILY, "", self.base_size)

    def labelled(self, label: str, value: str) -> None:
        """Write "label: value" as flowing text with the value in bold."""
        height = self.base_size * 0.52
        self.set_x(self.l_margin)
        self.set_font(FONT_FAMILY, "", self.base_size)
        self.write(height, f"{label}: ")
        self.set_font(FONT_FAMILY, "B", self.base_size)
        self.write(height, value)
        self.ln(height)
        self.set_font(FONT_FAMILY, "", self.base_size)

    def signature_blocks(self, blocks: list[tuple[str, str, str]], *, gap: float = 18) -> None:
        """Draw side-by-side signature blocks of (title, hint, name), or one block on the right."""
        self.ln(3)
        if self.will_page_break(gap + 14):
            self.add_page()
        n = len(blocks)
        width = self.content_width / 2 if n == 1 else self.content_width / n
        start_x = self.l_margin + (self.content_width / 2 if n == 1 else 0)
        top = self.get_y()
        for index, (title, hint, name) in enumerate(blocks):
            x = start_x + index * width
            self.set_y(top)
            for line in title.split("\n"):
                self.centered(x, width, line, "B", self.base_size)
            if hint:
                self.centered(x, width, hint, "I", self.base_size - 1)
            self.set_y(self.get_y() + gap)
            self.centered(x, width, name, "B", self.base_size)
        self.set_font(FONT_FAMILY, "", self.base_size)

"""The citizen's and the officer's paths, walked in Chromium at phone and desktop width, in both languages.

On every page of the walk: nothing is wider than the screen, and in English no text of the translation
catalogues is left in Vietnamese. The check reads the catalogues themselves (every `messages.po` and
domain catalogue under src/): a page in English that shows a Vietnamese msgid, or a fragment of one
around its placeholders, shows text that missed its translation. Data the people typed (names,
addresses) is not in any catalogue and is shown as typed; so are the agencies' official names from
the agency register (docs/ui.md: proper names stay as registered), which the check takes out first.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, overflow
from tests.e2e.test_dossier_journey import AGENCY_CODE, CITIZEN, OFFICER, PROCEDURE, _pdf, _sign_in
from thanglong.domains.identity.demo import DEMO_AGENCIES

pytestmark = pytest.mark.e2e

SRC = Path(__file__).resolve().parents[2] / "src"
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
VIETNAMESE = re.compile(
    r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
    r"ĂÂĐÊÔƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ]"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}|%[sd]")


@cache
def untranslatable_fragments() -> tuple[str, ...]:
    """Return the Vietnamese pieces of every translated msgid (split at placeholders), longest first."""
    pieces: set[str] = set()
    for po in SRC.rglob("locale/en/LC_MESSAGES/*.po"):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale="en")
        for message in catalog:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            if not msgid or not message.string or message.string == msgid:
                continue
            for raw in PLACEHOLDER.split(msgid):
                piece = raw.strip(" :.,;()–-")
                # Short words ("Có", "Xã") also occur inside names and addresses people type.
                if len(piece) >= 8 and VIETNAMESE.search(piece):
                    pieces.add(piece)
    return tuple(sorted(pieces, key=len, reverse=True))


def page_text(page: Page) -> str:
    """Return what a reader sees or hears: visible text, placeholders, titles, labels, option texts."""
    return str(
        page.evaluate(
            """() => {
              const out = [document.body.innerText, document.title];
              for (const e of document.querySelectorAll('[placeholder],[title],[aria-label],[alt]')) {
                for (const a of ['placeholder', 'title', 'aria-label', 'alt']) {
                  if (e.getAttribute(a)) out.push(e.getAttribute(a));
                }
              }
              for (const o of document.querySelectorAll('option')) out.push(o.textContent);
              const buttons = document.querySelectorAll('input[type=submit],input[type=button]');
              for (const b of buttons) out.push(b.value);
              // Text marked as another language on purpose (the "Tiếng Việt" switch) is not a miss.
              const own = document.documentElement.lang;
              const marked = [...document.querySelectorAll('body [lang]')].filter(e => e.lang !== own);
              let text = out.join('\\n');
              for (const e of marked) text = text.split(e.innerText).join('');
              return text;
            }"""
        )
    )


class Walk:
    """Checks each page of one walk and keeps what was wrong, with a screenshot of it."""

    def __init__(self, page: Page, base: str, lang: str, who: str) -> None:
        self.page, self.base, self.lang, self.who = page, base, lang, who
        self.problems: list[str] = []

    def check(self, label: str) -> None:
        """Check the page as it is at each width: the walk acts at phone width, each state is then
        looked at on a desktop screen too (one filing and one sign-in serve both widths)."""
        page = self.page
        page.wait_for_load_state("networkidle")
        for width, size in WIDTHS.items():
            page.set_viewport_size(size)
            too_wide = overflow(page)
            if too_wide > 0:
                self.problems.append(f"{label} at {width} width: {too_wide} px wider than the screen")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = f"walk_{self.who}_{self.lang}_{width}_{label}"
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        page.set_viewport_size(WIDTHS["phone"])
        if self.lang == "en":
            text = page_text(page)
            for agency in DEMO_AGENCIES:
                text = text.replace(agency.name, "").replace(agency.short_name, "")
            left = [piece for piece in untranslatable_fragments() if piece in text]
            if left:
                self.problems.append(f"{label}: Vietnamese left in English: {left[:6]}")

    def go(self, path: str, label: str) -> None:
        self.page.goto(self.base + path)
        self.check(label)


def _context(browser: Browser) -> Page:
    context = browser.new_context(viewport=WIDTHS["phone"], locale="vi-VN")
    context.set_default_timeout(20_000)
    return context.new_page()


def _choose_language(page: Page, base: str, lang: str) -> None:
    page.goto(f"{base}/lang/{lang}?next=/")
    expect(page.locator("html")).to_have_attribute("lang", lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_citizen_and_officer_paths(browser: Browser, server: Server, lang: str) -> None:
    base = server.base_url
    citizen = _context(browser)
    officer = _context(browser)
    try:
        problems = _walk(citizen, officer, base, lang)
    finally:
        citizen.context.close()
        officer.context.close()
    assert not problems, f"{lang}:\n" + "\n".join(problems)


def _walk(citizen: Page, officer: Page, base: str, lang: str) -> list[str]:
    # The citizen: catalogue, a search, the procedure, the e-form (refused once, then filed), the dossier.
    _sign_in(citizen, base, CITIZEN)
    _choose_language(citizen, base, lang)
    walk = Walk(citizen, base, lang, "citizen")
    walk.go("/", "home")
    walk.go("/procedures", "catalogue")
    walk.go("/procedures?q=tam+tru", "catalogue_search")
    walk.go("/procedures?q=zzzzqqqq", "catalogue_no_result")
    walk.go(f"/procedures/{PROCEDURE}", "procedure")
    walk.go(f"/procedures/{PROCEDURE}/apply", "apply")
    citizen.click("#apply-submit")  # nothing filled in: the errors are shown beside the fields
    expect(citizen.locator(".ef-error").first).to_be_visible()
    walk.check("apply_errors")
    agency = citizen.locator(f"#receiving_agency_id option[data-code='{AGENCY_CODE}']").get_attribute("value")
    citizen.select_option("#receiving_agency_id", agency)
    citizen.fill("[name='f.nguoi_nop.ho_ten']", "Đỗ Minh Khôi")
    citizen.fill("[name='f.nguoi_nop.so_dinh_danh']", "001190012345")
    citizen.fill("[name='f.nguoi_nop.dien_thoai']", "0912345678")
    citizen.fill("[name='f.dia_chi_cu_tru']", "Số 5 phố Hàng Bè, phường Hoàn Kiếm, Hà Nội")
    citizen.select_option("[name='f.cho_o']", "so_huu")
    citizen.select_option("[name='f.hinh_thuc_nhan']", "truc_tuyen")
    citizen.set_input_files(
        "#files", files=[{"name": "so-do.pdf", "mimeType": "application/pdf", "buffer": _pdf("So do")}]
    )
    citizen.click("#apply-submit")
    expect(citizen).to_have_url(re.compile(r"/my/dossiers/[0-9a-f-]{36}"))
    dossier_id = citizen.url.rsplit("/", 1)[1]
    walk.check("filed")
    walk.go("/my/dossiers", "my_dossiers")
    walk.go("/my/documents", "my_documents")
    walk.go("/inbox", "inbox")

    # The officer: the queue, the dossier, receiving it and asking for a supplement.
    _sign_in(officer, base, OFFICER)
    _choose_language(officer, base, lang)
    staff = Walk(officer, base, lang, "officer")
    staff.go("/officer/queue", "queue")
    staff.go(f"/officer/dossiers/{dossier_id}", "dossier")
    for action, note in (("receive", ""), ("request_supplement", "Bổ sung bản sao sổ đỏ")):
        form = officer.locator(f"form.action-form[data-action={action}]")
        if note:
            form.locator("input[name=note]").fill(note)
        form.locator("button[type=submit]").click()
        expect(officer.locator("#dossier-error")).to_have_count(0)
        staff.check(f"after_{action}")
    code = officer.locator("#dossier-code").inner_text().strip()

    # The citizen sees the request and the public tracking page.
    walk.go(f"/my/dossiers/{dossier_id}", "supplement_requested")
    expect(citizen.locator("#supplement-form")).to_be_visible()
    walk.go("/track", "track_form")
    walk.go(f"/track/{code}", "track")
    return walk.problems + staff.problems

"""English of the procedure catalogue: the .po is complete, and English pages show no catalogue Vietnamese."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from tests.domains.procedures.helpers import make_world
from tests.domains.procedures.test_pages import _login
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.catalogue import eform, eform_html
from thanglong.domains.procedures.catalogue.eform_html import ENUM_LABELS, FormField, describe
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.catalogue.shipped import load_catalogue
from thanglong.domains.procedures.catalogue.translations import catalogue_texts, data_text, localize
from thanglong.domains.procedures.dossiers import services

ROOT = Path(__file__).resolve().parents[3]
PO_PATH = ROOT / "src/thanglong/domains/procedures/locale/en/LC_MESSAGES/catalogue.po"
# Letters only Vietnamese writes (a plain "a" or "o" is English too).
VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)
# What an English page may still write in Vietnamese: the platform's and the language's own names and the
# đồng sign; document numbers are kept as issued (Decree No. 123/2015/NĐ-CP, Form No. 04/ĐK).
ALLOWED = re.compile(r"^(Thăng Long|Tiếng Việt|[\d.,]+ đ|.*· Thăng Long · Hanoi City)$")
DOCUMENT_NUMBER = re.compile(r"\b\d+/(\d{4}/)?[\wĐđ-]+")
BIRTH = "1.001193"
BIRTH_FORM = {
    "nguoi_nop": {"ho_ten": "Nguyễn Văn An", "so_dinh_danh": "001090012345", "dien_thoai": "0912345678"},
    "tre": {"ho_ten": "Nguyễn Thị Bình", "ngay_sinh": "2026-11-20", "gioi_tinh": "nu", "noi_sinh": "Hà Nội"},
    "me": {"ho_ten": "Trần Thị Cúc", "ngay_sinh": "1995-03-04"},
    "co_thong_tin_cha": False,
    "quan_he_nguoi_di_khai": "me",
    "hinh_thuc_nhan": "truc_tuyen",
}


def _catalog() -> dict[str, str]:
    with PO_PATH.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    assert not [m.id for m in catalog if m.id and (m.fuzzy or not m.string)], "fuzzy or empty entries"
    return {str(m.id): str(m.string) for m in catalog if m.id}


def _vietnamese_text(html: str, proper_names: frozenset[str] = frozenset()) -> list[str]:
    """Return the text nodes of a page that hold Vietnamese letters (scripts, document numbers and the
    agencies' registered names aside)."""
    html = DOCUMENT_NUMBER.sub("", re.sub(r"<script.*?</script>", "", html, flags=re.DOTALL))
    nodes = (node.strip() for node in re.split(r"<[^>]+>", html))
    return [
        node
        for node in nodes
        if VIETNAMESE.search(node) and not ALLOWED.match(node) and node not in proper_names
    ]


def _walk(fields: list[FormField] | tuple[FormField, ...]) -> list[FormField]:
    out: list[FormField] = []
    for f in fields:
        out.append(f)
        out += _walk(f.children) + _walk(f.blank_row)
        for row in f.rows:
            out += _walk(row)
    return out


def test_every_catalogue_text_the_pages_show_has_english() -> None:
    english = _catalog()
    texts = catalogue_texts(load_catalogue())
    missing = sorted(f"{kind}: {text}" for text, kind in texts.items() if text not in english)
    assert not missing, "catalogue texts without English in catalogue.po:\n" + "\n".join(missing)
    kinds = set(texts.values())
    assert {"sector", "procedure name", "fee", "required document", "e-form title", "e-form choice"} <= kinds
    assert "legal basis" in kinds
    assert len([t for t, k in texts.items() if k == "sector"]) == 21
    assert len([t for t, k in texts.items() if k == "procedure name"]) == 106
    # Every shipped choice has words of its own in both languages (not the slug with its _ removed).
    enums = [t for t, k in texts.items() if k == "e-form choice"]
    assert [t for t in enums if t not in ENUM_LABELS.values() and t not in ("có", "không")] == []
    assert (
        english["Hộ tịch"] == "Civil status" and english["Thủ tục đăng ký khai sinh"] == "Birth registration"
    )


def test_the_catalogue_po_has_one_entry_per_text_and_english_translations() -> None:
    text = PO_PATH.read_text(encoding="utf-8")
    msgids = [
        "".join(ast.literal_eval(f'"{p}"') for p in re.findall(r'^"(.*)"$', m.group(1), flags=re.MULTILINE))
        for m in re.finditer(r'^msgid ((?:".*"\n)+)', text, flags=re.MULTILINE)
    ]
    duplicates = sorted({m for m in msgids if m and msgids.count(m) > 1})
    assert not duplicates, duplicates
    # Document numbers keep their Vietnamese letters (04/ĐK, NĐ-CP); nothing else in the English does.
    vietnamese = [en for en in _catalog().values() if VIETNAMESE.search(DOCUMENT_NUMBER.sub("", en))]
    assert not vietnamese, vietnamese
    assert "project's own" in (PO_PATH.parents[2] / "SOURCES.md").read_text(encoding="utf-8")


def test_data_text_translates_and_falls_back_to_vietnamese() -> None:
    assert data_text("Hộ tịch", "en") == "Civil status"
    assert data_text("Hộ tịch", "vi") == "Hộ tịch"
    # A procedure imported later without English keeps its Vietnamese name.
    assert data_text("Thủ tục chưa có bản dịch", "en") == "Thủ tục chưa có bản dịch"
    assert data_text(None, "en") == "" and data_text("", "en") == ""
    assert data_text("Hộ tịch", "fr") == "Hộ tịch"


def test_every_eform_renders_in_english_without_catalogue_vietnamese() -> None:
    problems = []
    for spec in load_catalogue():
        for f in _walk(localize(describe(spec.eform), "en")):
            for text in (f.label, f.note, *(label for _, label in f.options)):
                if VIETNAMESE.search(text):
                    problems.append(f"{spec.code} {f.name}: {text}")
    assert not problems, "\n".join(problems[:50])


def test_enum_choices_and_conditional_notes_have_a_label_per_language() -> None:
    schema = next(s for s in load_catalogue() if s.code == BIRTH).eform
    vi = {f.name: f for f in _walk(describe(schema))}
    en = {f.name: f for f in _walk(localize(describe(schema), "en"))}
    assert vi["f.tre.gioi_tinh"].options == (("nam", "Nam"), ("nu", "Nữ"))
    assert en["f.tre.gioi_tinh"].options == (("nam", "Male"), ("nu", "Female"))
    assert en["f.tre.gioi_tinh"].label == "Sex" and en["f.nguoi_nop.ho_ten"].label == "Full name"
    assert ("me", "Mother") in en["f.quan_he_nguoi_di_khai"].options
    assert vi["f.dia_chi_nhan"].note == "Bắt buộc khi “Hình thức nhận kết quả” là “Qua dịch vụ bưu chính”."
    assert en["f.dia_chi_nhan"].note == "Required when “How to receive the result” is “By post”."
    assert en["f.cha"].note == "Required when “Father's details are given” is “yes”."
    # The localized fields still post the same names and values.
    assert en["f.tre.gioi_tinh"].name == vi["f.tre.gioi_tinh"].name
    # Appointed guardianship ("giám hộ cử"), not "old".
    assert eform_html.enum_label("cu") == "Cử" and data_text("Cử", "en") == "Appointed"


def test_eform_errors_name_the_field_in_each_language() -> None:
    schema = next(s for s in load_catalogue() if s.code == BIRTH).eform
    errors = {e.field: e for e in eform.validate(schema, {"nguoi_nop": {}})}
    assert errors["nguoi_nop.ho_ten"].message_vi == "Trường 'Họ và tên' là bắt buộc"
    assert errors["nguoi_nop.ho_ten"].message_en == "Field 'Full name' is required"


def test_procedure_pages_in_english_show_no_catalogue_vietnamese(
    client: TestClient, platform: Platform
) -> None:
    with platform.uow() as uow:
        load_specs(uow, load_catalogue(), actor=SYSTEM_ACTOR)
    world = make_world(platform)
    _login(client, platform, world.citizen)
    client.cookies.set("tl_lang", "en")

    detail = client.get(f"/procedures/{BIRTH}").text
    assert '<h1 id="procedure-name">Birth registration</h1>' in detail
    assert "Civil status" in detail and "People&#39;s Committee of the commune or ward" in detail
    assert "Birth notice or a document in its place" in detail
    assert "Fee for birth registration within the time limit" in detail
    assert "<li>Law on Civil Status No. 60/2014/QH13</li>" in detail and "Decree No. 123/2015/NĐ-CP" in detail
    assert _vietnamese_text(detail) == []

    listing = client.get("/procedures", params={"sector": "Hộ tịch"}).text
    assert '<option value="Hộ tịch" selected>Civil status</option>' in listing
    assert ">Marriage registration</a>" in listing
    # The test procedure of make_world has no English: it keeps its Vietnamese name.
    # (its name and its competent agency's wording, on every row of the field it sits in).
    assert set(_vietnamese_text(listing)) == {"Đăng ký khai sinh (thử)", "UBND cấp xã"}

    apply = client.get(f"/procedures/{BIRTH}/apply").text
    assert "<legend>Applicant" in apply and '<option value="nu">Female</option>' in apply
    assert "Required when “How to receive the result” is “By post”." in apply
    with platform.uow() as uow:
        agencies = frozenset(a.name for a in identity.list_agencies(uow))
    assert _vietnamese_text(apply, agencies) == []

    client.cookies.set("tl_lang", "vi")
    vietnamese = client.get(f"/procedures/{BIRTH}/apply").text
    assert "<legend>Người nộp hồ sơ" in vietnamese and '<option value="nu">Nữ</option>' in vietnamese


def test_officer_sees_the_filed_form_in_english(client: TestClient, platform: Platform) -> None:
    with platform.uow() as uow:
        load_specs(uow, [s for s in load_catalogue() if s.code == BIRTH], actor=SYSTEM_ACTOR)
    world = make_world(platform)
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=BIRTH,
            receiving_agency_id=world.agency_id,
            form_data=BIRTH_FORM,
        )
        test_dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data={"ho_ten": "Nguyễn Thị Hoa", "ngay_sinh": "2025-09-02"},
        )
    _login(client, platform, world.officer)
    client.cookies.set("tl_lang", "en")
    page = client.get(f"/officer/dossiers/{dossier.id}").text
    form = page[page.index('id="form-data"') :]
    form = form[: form.index("</dl>")]
    labels = re.findall(r"<dt[^>]*>(.*?)</dt>", form)
    assert "Full name" in labels and "Sex" in labels and "Mother&#39;s details" in labels
    assert [label for label in labels if VIETNAMESE.search(label)] == []
    assert "<dd>Female</dd>" in form and "<dd>Mother</dd>" in form and "Nguyễn Thị Bình" in form
    assert "<dd>Birth registration <code>" in page
    queue = client.get("/officer/queue").text
    assert "Birth registration <code>1.001193</code>" in queue
    # A procedure without English (imported later) is shown by its Vietnamese name; its labels are known.
    other = client.get(f"/officer/dossiers/{test_dossier.id}").text
    assert "<dd>Đăng ký khai sinh (thử) <code>" in other and "<dt>Full name</dt>" in other

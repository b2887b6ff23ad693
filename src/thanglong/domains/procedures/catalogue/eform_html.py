"""Turn a procedure's JSON Schema e-form into form fields a template renders, and read them back."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

PREFIX = "f."
ROW_PLACEHOLDER = "__INDEX__"
TRUE_VALUES = frozenset({"on", "true", "1", "yes"})
DELIVERY_FIELD = "hinh_thuc_nhan"
DELIVERY_METHODS = {"truc_tuyen": "online", "truc_tiep": "counter", "buu_chinh": "post"}
# The shipped schemas list choices as ASCII slugs without labels; these are their Vietnamese words.
ENUM_LABELS = {
    "truc_tuyen": "Trực tuyến",
    "truc_tiep": "Trực tiếp tại bộ phận một cửa",
    "buu_chinh": "Qua dịch vụ bưu chính",
    "tien_mat": "Tiền mặt",
    "tai_khoan": "Chuyển khoản",
    "o_to": "Ô tô",
    "mo_to": "Mô tô",
    "xe_may_dien": "Xe máy điện",
    "khac": "Khác",
    "so_huu": "Nhà thuộc sở hữu",
    "thue_muon_o_nho": "Thuê, mượn, ở nhờ",
    "nha_nguoi_than": "Nhà người thân",
    "nam": "Nam",
    "nu": "Nữ",
    "cha": "Cha",
    "me": "Mẹ",
    "ong_ba": "Ông, bà",
    "nguoi_than": "Người thân",
    "tieng_viet": "Tiếng Việt",
    "song_ngu": "Song ngữ",
    "tieng_nuoc_ngoai": "Tiếng nước ngoài",
    "cap_moi": "Cấp mới",
    "cap_lan_dau": "Cấp lần đầu",
    "het_han": "Hết hạn",
    "hong": "Bị hỏng",
    "mat": "Bị mất",
    "khoi_phuc": "Khôi phục",
    "thay_doi_thong_tin": "Thay đổi thông tin",
    "nha_quan_ly": "Nhà quản lý",
    "giam_doc_dieu_hanh": "Giám đốc điều hành",
    "chuyen_gia": "Chuyên gia",
    "lao_dong_ky_thuat": "Lao động kỹ thuật",
    "nhan_cha_con": "Nhận cha, con",
    "nhan_me_con": "Nhận mẹ, con",
    "duong_nhien": "Đương nhiên",
    "cu": "Cử",
    "thay_doi": "Thay đổi",
    "cai_chinh": "Cải chính",
    "bo_sung": "Bổ sung",
    "xac_dinh_lai_dan_toc": "Xác định lại dân tộc",
    "so_1": "Số 1",
    "so_2": "Số 2",
}
# The note under a conditionally required field; catalogue.translations fills it in other languages.
REQUIRED_WHEN = {
    "vi": "Bắt buộc khi “{field}” là “{value}”.",
    "en": "Required when “{field}” is “{value}”.",
}


@dataclass(frozen=True)
class FormField:
    """One input (or group of inputs) of an e-form, ready for the template."""

    name: str
    label: str
    kind: str  # text, email, date, number, select, checkbox, group, repeat
    required: bool = False
    value: str = ""
    checked: bool = False
    options: tuple[tuple[str, str], ...] = ()
    step: str = ""
    error: str = ""
    note: str = ""
    show_when: str = ""
    show_value: str = ""
    children: tuple[FormField, ...] = ()
    rows: tuple[tuple[FormField, ...], ...] = ()
    blank_row: tuple[FormField, ...] = field(default=())
    condition: Condition | None = None
    hint: str = ""  # a translatable message id; `%(n)s` is replaced by hint_n
    hint_n: int = 0
    input_type: str = ""  # the HTML input type when it differs from `kind` (tel)
    inputmode: str = ""
    maxlength: int = 0
    autocomplete: str = ""
    # A group that need not be filled lists the fields it needs once it is: ("Họ và tên", "Ngày sinh").
    required_inside: tuple[str, ...] = ()

    @property
    def has_value(self) -> bool:
        """Tell whether the field, or any field inside it, holds a value (an unticked box does not)."""
        if self.kind == "checkbox":
            return self.checked
        if self.kind in ("group", "repeat"):
            return any(f.has_value for f in self.children) or any(f.has_value for r in self.rows for f in r)
        return bool(self.value)

    @property
    def dom_id(self) -> str:
        """Return an HTML id derived from the input name."""
        return "ef-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.name)


@dataclass(frozen=True)
class Condition:
    """A field required only when another field holds a value (JSON Schema if/then)."""

    field: str
    value: Any
    label: str


def _kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind is None and "properties" in schema:
        kind = "object"
    return str(kind or "string")


def _title(schema: Mapping[str, Any], name: str) -> str:
    title = schema.get("title")
    return str(title) if isinstance(title, str) and title else name


def _conditions(schema: Mapping[str, Any]) -> dict[str, Condition]:
    """Map each conditionally required property to the field and value that make it required."""
    out: dict[str, Condition] = {}
    props = schema.get("properties", {})
    entries = [schema] if "if" in schema else []
    entries += [e for e in schema.get("allOf", []) if isinstance(e, dict) and "if" in e]
    for entry in entries:
        cond = entry.get("if", {}).get("properties", {})
        then = entry.get("then", {})
        if len(cond) != 1 or not isinstance(then, dict):
            continue
        ((name, rule),) = cond.items()
        if not isinstance(rule, dict) or "const" not in rule:
            continue
        label = _title(props.get(name, {}), name)
        for target in then.get("required", []):
            out[str(target)] = Condition(str(name), rule["const"], label)
    return out


def enum_label(value: Any) -> str:
    """Return the Vietnamese words of an enum choice (the value itself when unknown)."""
    if value is True:
        return "có"
    if value is False:
        return "không"
    text = str(value)
    return ENUM_LABELS.get(text, text.replace("_", " ") if text.islower() else text)


def form_rows(schema: Mapping[str, Any], data: Mapping[str, Any], prefix: str = "") -> list[dict[str, str]]:
    """Flatten the form data into labelled rows, titled by the e-form schema."""
    properties = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    rows: list[dict[str, str]] = []
    for key, value in data.items():
        sub = properties.get(key, {}) if isinstance(properties, Mapping) else {}
        label = f"{prefix}{sub.get('title') or key}" if isinstance(sub, Mapping) else f"{prefix}{key}"
        if isinstance(value, Mapping):
            rows.extend(form_rows(sub if isinstance(sub, Mapping) else {}, value, f"{label} – "))
        elif isinstance(value, list) and any(isinstance(item, Mapping) for item in value):
            items = sub.get("items", {}) if isinstance(sub, Mapping) else {}
            for number, item in enumerate(value, start=1):
                if isinstance(item, Mapping):
                    rows.extend(form_rows(items, item, f"{label} {number} – "))
        elif value not in (None, "", []):
            values = value if isinstance(value, list) else [value]
            items = sub.get("items", {}) if isinstance(sub, Mapping) else {}
            choice = isinstance(sub, Mapping) and (
                "enum" in sub or (isinstance(items, Mapping) and "enum" in items)
            )
            # Choices show their words, as on the e-form: "thue_muon_o_nho" reads "thuê, mượn, ở nhờ".
            text = ", ".join(enum_label(v) if choice or isinstance(v, bool) else str(v) for v in values)
            rows.append({"label": label, "value": text[:300]})
    return rows


def delivery_of(schema: Mapping[str, Any], data: Mapping[str, Any]) -> str | None:
    """Return the delivery method chosen in the e-form itself, or None when it has no such field."""
    if DELIVERY_FIELD not in schema.get("properties", {}):
        return None
    return DELIVERY_METHODS.get(str(data.get(DELIVERY_FIELD)), "online")


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe(
    schema: Mapping[str, Any],
    data: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    *,
    prefix: str = PREFIX,
) -> list[FormField]:
    """Return the fields of an object schema, filled with data and field errors (dotted paths)."""
    return list(_object_fields(schema, data or {}, errors or {}, prefix, ""))


def _object_fields(
    schema: Mapping[str, Any],
    data: Mapping[str, Any],
    errors: Mapping[str, str],
    prefix: str,
    path: str,
    needed: bool = True,
) -> Iterable[FormField]:
    # `needed`: whether the object itself must be filled; inside an optional group nothing is marked
    # required (the group lists what it needs once it is filled instead).
    required = set(schema.get("required", [])) if needed else set()
    conditions = _conditions(schema)
    for name, sub in schema.get("properties", {}).items():
        if not isinstance(sub, dict):
            continue
        sub_path = f"{path}{name}"
        cond = conditions.get(name)
        extra: dict[str, Any] = {}
        if cond is not None:
            extra = {
                "note": REQUIRED_WHEN["vi"].format(field=cond.label, value=enum_label(cond.value)),
                "condition": cond,
                "show_when": prefix + path + cond.field,
                "show_value": _text(cond.value),
            }
        yield _field(sub, name, data.get(name), errors, prefix, sub_path, name in required, extra)


def _field(
    schema: Mapping[str, Any],
    name: str,
    value: Any,
    errors: Mapping[str, str],
    prefix: str,
    path: str,
    required: bool,
    extra: dict[str, Any],
) -> FormField:
    kind = _kind(schema)
    common: dict[str, Any] = {
        "name": prefix + path,
        "label": _title(schema, name),
        "required": required,
        "error": errors.get(path, ""),
        **extra,
    }
    if kind == "object":
        children = tuple(
            _object_fields(
                schema, value if isinstance(value, dict) else {}, errors, prefix, path + ".", required
            )
        )
        inside = () if required else _required_titles(schema)
        return FormField(kind="group", children=children, required_inside=inside, **common)
    if kind == "array":
        items = schema.get("items", {}) if isinstance(schema.get("items"), dict) else {}
        existing = value if isinstance(value, list) else []
        count = max(len(existing), int(schema.get("minItems", 1) or 1))
        rows = tuple(
            _row(items, existing[i] if i < len(existing) else None, errors, prefix, f"{path}.{i}", required)
            for i in range(count)
        )
        blank = _row(items, None, {}, prefix, f"{path}.{ROW_PLACEHOLDER}", required)
        inside = () if required or _kind(items) != "object" else _required_titles(items)
        return FormField(kind="repeat", rows=rows, blank_row=blank, required_inside=inside, **common)
    if "enum" in schema:
        options = tuple((_text(v), enum_label(v)) for v in schema["enum"])
        return FormField(kind="select", options=options, value=_text(value), **common)
    if kind == "boolean":
        return FormField(kind="checkbox", checked=value is True, value="true", **common)
    if kind in ("integer", "number"):
        step = "1" if kind == "integer" else "any"
        return FormField(kind="number", step=step, value=_text(value), **common)
    fmt = schema.get("format")
    html_kind = {"date": "date", "email": "email"}.get(str(fmt), "text")
    shown = date_text(value) if html_kind == "date" else _text(value)
    return FormField(kind=html_kind, value=shown, **common, **_hints(schema, name))


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def date_text(value: Any) -> str:
    """Return a stored date (YYYY-MM-DD) as the form shows it, dd/mm/yyyy; anything else as typed."""
    text = _text(value)
    found = _ISO_DAY.match(text)
    return f"{found.group(3)}/{found.group(2)}/{found.group(1)}" if found else text


def date_value(raw: str) -> str:
    """Return a typed date (dd/mm/yyyy, d/m/yyyy, or YYYY-MM-DD) as YYYY-MM-DD; other text unchanged,
    so the e-form's validation names it as not a date."""
    found = _DMY.match(raw)
    if found is None:
        return raw
    day, month, year = (int(g) for g in found.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def _required_titles(schema: Mapping[str, Any]) -> tuple[str, ...]:
    props = schema.get("properties", {})
    names = [str(n) for n in schema.get("required", []) if isinstance(props.get(n), dict)]
    return tuple(_title(props[n], n) for n in names)


_DIGITS = re.compile(r"^\^\[0-9\]\{(\d+)\}\$$")
_PHONE = re.compile(r"^\^0\[0-9\]\{(\d+),(\d+)\}\$$")
# Account and e-form fields share these names in every catalogue form.
AUTOCOMPLETE = {"ho_ten": "name", "email": "email", "dien_thoai": "tel"}


def _hints(schema: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Return the input hints of a text field: what to type (as a message id), keyboard, length."""
    pattern = str(schema.get("pattern", ""))
    out: dict[str, Any] = {}
    if name in AUTOCOMPLETE:
        out["autocomplete"] = AUTOCOMPLETE[name]
    if digits := _DIGITS.match(pattern):
        count = int(digits.group(1))
        out.update(hint="%(n)s chữ số", hint_n=count, inputmode="numeric", maxlength=count)
    elif (phone := _PHONE.match(pattern)) and phone.groups() == ("9", "10"):
        out.update(hint="Bắt đầu bằng số 0, gồm 10 hoặc 11 chữ số", input_type="tel", inputmode="tel")
        out["maxlength"] = 11
    elif schema.get("format") == "email":
        out.update(hint="Ví dụ: ten@example.vn")
    elif schema.get("format") == "date":
        # A text box in the Vietnamese order, not the browser's date control: Chromium lays that out
        # in the browser's own language (mm/dd/yyyy in an English browser), whatever the page's `lang`.
        out.update(hint="ngày/tháng/năm, ví dụ 02/09/2025", input_type="text", inputmode="numeric")
        out["maxlength"] = 10
    elif isinstance(schema.get("maxLength"), int):
        out["maxlength"] = int(schema["maxLength"])
    return out


def _row(
    items: Mapping[str, Any], value: Any, errors: Mapping[str, str], prefix: str, path: str, needed: bool
) -> tuple[FormField, ...]:
    if _kind(items) == "object":
        data = value if isinstance(value, dict) else {}
        return tuple(_object_fields(items, data, errors, prefix, path + ".", needed))
    return (_field(items, _title(items, "giá trị"), value, errors, prefix, path, needed, {}),)


APPLICANT_GROUP = "nguoi_nop"


def prefill(schema: Mapping[str, Any], account: Mapping[str, str | None]) -> dict[str, Any]:
    """Return e-form data filled from the account: its values go to the applicant's fields of the same name.

    The applicant's fields are those of the `nguoi_nop` group when the form has one, else the form's
    own top-level fields. A value the field's pattern refuses is left out (the applicant types it).
    """
    props = schema.get("properties", {})
    group = props.get(APPLICANT_GROUP)
    target = group if isinstance(group, Mapping) else schema
    fields = target.get("properties", {})
    values: dict[str, Any] = {}
    for name, value in account.items():
        sub = fields.get(name)
        if not value or not isinstance(sub, Mapping) or _kind(sub) != "string" or "enum" in sub:
            continue
        pattern = sub.get("pattern")
        if isinstance(pattern, str) and not re.search(pattern, value):
            continue
        values[name] = value
    if not values:
        return {}
    return {APPLICANT_GROUP: values} if target is group else values


def parse_form(
    schema: Mapping[str, Any], pairs: Iterable[tuple[str, str]], *, prefix: str = PREFIX
) -> dict[str, Any]:
    """Rebuild typed JSON form data from submitted inputs; blank inputs are left out."""
    values: dict[str, str] = {}
    for key, value in pairs:
        if key.startswith(prefix):
            values.setdefault(key[len(prefix) :], value)
    return _parse_object(schema, values, "") or {}


def _parse_object(schema: Mapping[str, Any], values: Mapping[str, str], path: str) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    filled = False
    required = set(schema.get("required", []))
    for name, sub in schema.get("properties", {}).items():
        if not isinstance(sub, dict):
            continue
        parsed, present = _parse_value(sub, values, f"{path}{name}")
        if present:
            out[name] = parsed
            filled = filled or _kind(sub) != "boolean"
        elif _kind(sub) == "object" and name in required:
            # An empty required group is sent as {} so each missing field gets its own message.
            out[name] = _parse_object(sub, values, f"{path}{name}.") or {}
        elif _kind(sub) == "boolean" and "enum" not in sub:
            # An unticked box submits nothing; for a form that means "no".
            out[name] = False
    return out if filled or not path else None


def _parse_value(schema: Mapping[str, Any], values: Mapping[str, str], path: str) -> tuple[Any, bool]:
    kind = _kind(schema)
    if kind == "object":
        obj = _parse_object(schema, values, path + ".")
        return obj, obj is not None
    if kind == "array":
        items = schema.get("items", {}) if isinstance(schema.get("items"), dict) else {}
        pattern = re.compile(re.escape(path) + r"\.(\d+)(?:\.|$)")
        indices = sorted({int(m.group(1)) for key in values if (m := pattern.match(key))})
        rows = []
        for index in indices:
            row, present = _parse_value(items, values, f"{path}.{index}")
            if present:
                rows.append(row)
        return rows, bool(rows)
    raw = values.get(path)
    if kind == "boolean" and "enum" not in schema:
        return raw is not None and raw.strip().lower() in TRUE_VALUES, raw is not None
    if raw is None or not raw.strip():
        return None, False
    return _coerce(raw.strip(), schema, kind), True


def _coerce(raw: str, schema: Mapping[str, Any], kind: str) -> Any:
    enum = schema.get("enum")
    if isinstance(enum, list):
        # Choose the enum member whose text the select sent, keeping its JSON type.
        return next((v for v in enum if _text(v) == raw), raw)
    if schema.get("format") == "date":
        return date_value(raw)
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            number = float(raw.replace(",", "."))
            return int(number) if number.is_integer() else number
    except ValueError:
        return raw
    return raw

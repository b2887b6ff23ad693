"""The template engine: strict variables, sandbox, language choice, packaged defaults."""

from __future__ import annotations

import uuid

import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.notify import rendering
from thanglong.domains.notify.rendering import TemplateSource, choose_language, render


def source(subject: str, body: str) -> TemplateSource:
    return TemplateSource("k", "email", "vi", subject, body)


def test_renders_vietnamese_text_unescaped() -> None:
    out = render(
        source("Chào {{ name }}", "Hồ sơ <{{ code }}> & kết quả"), {"name": "Lê Thị Hà", "code": "A1"}
    )
    assert out.subject == "Chào Lê Thị Hà"
    assert out.body == "Hồ sơ <A1> & kết quả\n"


def test_missing_variable_is_invalid_input_not_blank() -> None:
    with pytest.raises(InvalidInput) as err:
        render(source("Chào {{ name }}", "x"), {})
    assert err.value.code == "template_variable_missing"
    assert "name" in err.value.message_en


def test_missing_attribute_of_a_given_variable_is_also_refused() -> None:
    with pytest.raises(InvalidInput):
        render(source("", "{{ user.full_name }}"), {"user": {}})


def test_sandbox_blocks_python_internals() -> None:
    with pytest.raises(InvalidInput) as err:
        render(source("", "{{ ''.__class__.__mro__[1].__subclasses__() }}"), {})
    assert err.value.code in {"template_unsafe", "template_variable_missing"}


def test_subject_newlines_are_folded_so_headers_cannot_be_injected() -> None:
    out = render(source("A {{ x }}", "b"), {"x": "1\r\nBcc: evil@example.com"})
    assert "\n" not in out.subject and "\r" not in out.subject


def test_syntax_errors_are_reported_with_the_line() -> None:
    with pytest.raises(InvalidInput) as err:
        rendering.check_syntax("ok\n{% if %}", field="body")
    assert err.value.code == "template_syntax"
    assert "2" in err.value.message_en


@pytest.mark.parametrize(
    ("available", "preferred", "expected"),
    [
        ({"vi", "en"}, "en", "en"),
        ({"vi", "en"}, "vi", "vi"),
        ({"vi"}, "en", "vi"),
        ({"vi", "en"}, None, "vi"),
        ({"en"}, "vi", None),
        ({"en"}, "en", "en"),
    ],
)
def test_language_choice_is_vietnamese_first(
    available: set[str], preferred: str | None, expected: str
) -> None:
    assert choose_language(available, preferred) == expected


def test_packaged_defaults_parse_and_render_with_their_documented_variables() -> None:
    defaults = rendering.default_templates()
    keys = {t.key for t in defaults}
    assert {"account_created", "password_reset", "announcement", "dossier_status_changed"} <= keys
    variables: dict[str, dict[str, object]] = {
        "account_created": {"full_name": "Nguyễn Văn An", "username": "an", "login_url": "http://x/login"},
        "password_reset": {"full_name": "An", "reset_url": "http://x/r", "expires_minutes": 30},
        "announcement": {"title": "Cắt điện", "content": "Phường Hoàn Kiếm, 8h–11h"},
        "dossier_status_changed": {
            "dossier_code": "HN-1",
            "procedure_name": "Cấp phép",
            "status_label": "Xong",
        },
        "procedures.apology": {
            "full_name": "An",
            "dossier_code": "HN-1",
            "procedure_name": "Cấp phép",
            "agency": "UBND phường",
            "due_at": "ngày 05 tháng 01 năm 2026",
            "new_due_at": "ngày 08 tháng 01 năm 2026",
            "tracking_url": "http://x/track/HN-1",
        },
    }
    citizen = {
        "dossier_code": "HN-1",
        "procedure_name": "Cấp phép",
        "dossier_url": "http://x/my/dossiers/1",
        "due_at": "",
        "note": "",
        "account": True,
    }
    variables |= {
        "procedures.dossier_received": citizen,
        "procedures.supplement_requested": citizen,
        "procedures.payment_requested": {**citizen, "amount": "50.000", "pay_url": ""},
        "procedures.result_ready": {**citizen, "result_url": "http://x/r", "delivery": "post"},
        "procedures.dossier_refused": {**citizen, "at_reception": True},
        "procedures.new_dossier": {
            "procedure_name": "Cấp phép",
            "procedure_code": "1.000001",
            "submitted_at": "08:00 03/12/2026",
            "dossier_url": "http://x/officer/dossiers/1",
        },
        "procedures.dossier_transferred": {
            "dossier_code": "HN-1",
            "procedure_name": "Cấp phép",
            "from_agency": "UBND phường",
            "note": "",
            "dossier_url": "http://x/officer/dossiers/1",
        },
        "procedures.consultation_requested": {
            "dossier_code": "HN-1",
            "procedure_name": "Cấp phép",
            "from_agency": "UBND phường",
            "question": "?",
            "due_at": "08:00 10/12/2026",
            "inbox_url": "http://x/officer/queue",
        },
        "operations.alarm": {
            "what_vi": "Có cảnh báo mới",
            "what_en": "New alarm",
            "rule": "pm25-high",
            "title": "Bụi mịn cao",
            "title_en": "High fine dust",
            "severity_vi": "Khẩn cấp",
            "severity_en": "Critical",
            "series": "operations.hk.pm25",
            "value": "151",
            "raised_at": "08:00 03/12/2026",
            "console_url": "http://x/operations/alarms",
        },
        "terminals.announcement_submitted": {
            "identifier": "HN-20261203-ABC",
            "msg_type": "Alert",
            "headline": "Cắt nước",
            "level_vi": "Thông thường",
            "level_en": "Routine",
            "expires": "18:00 03/12/2026",
            "reason": "",
            "url": "http://x/terminals/announcements/1",
        },
        "terminals.announcement_decided": {
            "identifier": "HN-20261203-ABC",
            "msg_type": "Alert",
            "headline": "Cắt nước",
            "level_vi": "Thông thường",
            "level_en": "Routine",
            "expires": "18:00 03/12/2026",
            "reason": "Sai giờ",
            "url": "http://x/terminals/announcements/1",
            "decision_vi": "bị từ chối",
            "decision_en": "was rejected",
        },
    }
    for template in defaults:
        assert template.language in {"vi", "en"}
        out = render(template, variables[template.key])
        assert out.body.strip()
    every_vi = {(t.key, t.channel) for t in defaults if t.language == "vi"}
    every = {(t.key, t.channel) for t in defaults}
    assert every == every_vi, "every packaged template needs a Vietnamese version"


def test_parse_defaults_refuses_unknown_languages() -> None:
    with pytest.raises(ValueError, match="language"):
        rendering.parse_defaults("x", '[email.fr]\nbody = "Bonjour"\n')


def test_a_template_is_compiled_once_and_anew_when_its_text_changes() -> None:
    source = TemplateSource("k", "email", "vi", "", "Xin chào {{ name }} " + uuid.uuid4().hex)
    before = rendering._compiled.cache_info()
    assert render(source, {"name": "An"}).body.startswith("Xin chào An")
    assert render(source, {"name": "Bình"}).body.startswith("Xin chào Bình")
    after = rendering._compiled.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
    edited = TemplateSource("k", "email", "vi", "", source.body + " (sửa)")
    assert render(edited, {"name": "An"}).body.endswith("(sửa)\n")
    assert rendering._compiled.cache_info().misses == after.misses + 1

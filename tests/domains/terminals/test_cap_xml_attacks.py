"""XML attacks on CAP validation are refused before anything is expanded, fetched or loaded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.domains.terminals.helpers import DATA, read
from thanglong.domains.terminals.cap import xmlsafe
from thanglong.domains.terminals.cap.services import validate_message

EX1 = read(DATA / "oasis-example1.xml")
BODY = EX1.partition("\n")[2]  # the message without its XML declaration

BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE alert [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10)
    )
    + "]>\n"
    + BODY.replace("<event>Homeland Security Advisory System Update</event>", "<event>&lol9;</event>")
)


def _external_entity(target: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE alert [<!ENTITY leak SYSTEM "{target}">]>\n'
        + BODY.replace("<event>Homeland Security Advisory System Update</event>", "<event>&leak;</event>")
    )


def _refused(data: bytes, rule: str) -> None:
    started = time.perf_counter()
    report = validate_message(data)
    assert time.perf_counter() - started < 1.0
    assert not report.valid
    assert [(p.level, p.rule) for p in report.problems] == [("xml", rule)]


def test_billion_laughs_is_refused_without_expansion() -> None:
    _refused(BILLION_LAUGHS.encode(), "xml-dtd-forbidden")


def test_billion_laughs_in_an_attribute_is_refused() -> None:
    attack = BILLION_LAUGHS.replace("<identifier>", '<identifier x="&lol9;">')
    _refused(attack.encode(), "xml-dtd-forbidden")


def test_external_entity_to_a_local_file_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    report = validate_message(_external_entity(secret.as_uri()).encode())
    assert [p.rule for p in report.problems] == ["xml-dtd-forbidden"]
    assert "TOP-SECRET-VALUE" not in repr(report.as_dict())


def test_external_entity_over_the_network_is_refused() -> None:
    _refused(_external_entity("http://127.0.0.1:9/cap.xml").encode(), "xml-dtd-forbidden")


def test_external_dtd_is_refused() -> None:
    attack = EX1.replace("<alert ", '<!DOCTYPE alert SYSTEM "http://127.0.0.1:9/cap.dtd">\n<alert ', 1)
    _refused(attack.encode(), "xml-dtd-forbidden")


def test_parameter_entities_are_refused() -> None:
    attack = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE alert [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x">'
        " %p;]>\n" + BODY
    )
    _refused(attack.encode(), "xml-dtd-forbidden")


def test_doctype_hidden_by_another_encoding_is_refused() -> None:
    attack = BILLION_LAUGHS.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    report = validate_message(attack)
    assert not report.valid
    assert report.problems[0].rule in {"xml-encoding", "xml-dtd-forbidden"}


def test_declared_non_utf8_encoding_is_refused() -> None:
    latin = EX1.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    _refused(latin, "xml-encoding")


def test_invalid_utf8_is_refused() -> None:
    _refused(EX1.encode().replace(b"Homeland", b"Home\xffland"), "xml-encoding")


def test_huge_input_is_refused_before_parsing() -> None:
    padding = "<!--" + "x" * (xmlsafe.MAX_BYTES + 10) + "-->"
    _refused((EX1 + padding).encode(), "xml-too-large")


def test_the_size_limit_can_be_lowered() -> None:
    report = validate_message(EX1.encode(), max_bytes=100)
    assert [p.rule for p in report.problems] == ["xml-too-large"]


def test_deep_nesting_is_refused_without_recursion() -> None:
    deep = "<a>" * 100_000 + "</a>" * 100_000
    _refused(deep.encode(), "xml-malformed")


@pytest.mark.parametrize("data", [b"", b"not xml", b"<alert", b"<?xml version='1.0'?><a></b>"])
def test_malformed_input_is_refused_with_a_line(data: bytes) -> None:
    report = validate_message(data)
    [problem] = report.problems
    assert problem.rule == "xml-malformed"
    assert " / " in problem.text()


def test_undeclared_entity_is_refused() -> None:
    _refused(EX1.replace("Homeland", "&lol;").encode(), "xml-malformed")


def test_utf8_bom_is_accepted() -> None:
    assert validate_message(b"\xef\xbb\xbf" + EX1.encode()).valid


def test_second_layer_the_parser_alone_reads_no_external_entity(tmp_path: Path) -> None:
    """Below the byte checks, the configured parser itself neither reads files nor keeps the DTD unseen."""
    from lxml import etree  # noqa: PLC0415 - only this test looks below the public function

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    root = etree.fromstring(_external_entity(secret.as_uri()).encode(), parser=xmlsafe._parser())
    assert b"TOP-SECRET-VALUE" not in etree.tostring(root)
    assert root.getroottree().docinfo.internalDTD is not None  # so parse() refuses it after parsing too

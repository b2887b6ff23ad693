"""Tests of the translations: every template msgid has English, and the language switch works."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from thanglong.web.i18n import current_language, format_number

ROOT = Path(__file__).resolve().parents[2]
PO_PATH = ROOT / "src/thanglong/web/locale/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extract_template_msgids(root: Path = ROOT) -> dict[str, str]:
    """Extract the _() msgids of every template the babel.cfg map selects, with one location each."""
    with (root / "babel.cfg").open(encoding="utf-8") as fh:
        # Babel ships this parser without annotations.
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")  # type: ignore[no-untyped-call]
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def english_catalog() -> Catalog:
    """Read the shipped English catalog."""
    with PO_PATH.open("rb") as fh:
        return read_po(fh, locale="en")


def test_templates_are_extracted() -> None:
    msgids = extract_template_msgids()
    assert "Trang chủ" in msgids
    assert msgids["Đăng xuất"].startswith("src/thanglong/web/templates/base.html:")
    assert any(loc.startswith("src/thanglong/web/templates/error.html:") for loc in msgids.values())


def test_every_template_msgid_has_an_english_translation() -> None:
    catalog = english_catalog()
    problems = []
    for msgid, location in sorted(extract_template_msgids().items(), key=lambda kv: kv[1]):
        entry = catalog.get(msgid)
        if entry is None:
            problems.append(f"missing  {location}  {msgid!r}")
        elif entry.fuzzy or not entry.string:
            problems.append(f"empty    {location}  {msgid!r}")
    assert not problems, "untranslated msgids (run scripts/i18n.py):\n" + "\n".join(problems)


def test_catalog_has_no_duplicate_msgids() -> None:
    # Several teams append to the same file; a second entry for a msgid silently overrides the first.
    text = PO_PATH.read_text(encoding="utf-8")
    seen: dict[str, int] = {}
    duplicates = []
    for match in re.finditer(r'^msgid ((?:".*"\n)+)', text, flags=re.MULTILINE):
        parts = re.findall(r'^"(.*)"$', match.group(1), flags=re.MULTILINE)
        msgid = "".join(ast.literal_eval(f'"{p}"') for p in parts)
        line = text.count("\n", 0, match.start()) + 1
        if msgid and msgid in seen:
            duplicates.append(f"line {line} repeats line {seen[msgid]}: {msgid!r}")
        seen.setdefault(msgid, line)
    assert not duplicates, "\n".join(duplicates)


def test_translations_keep_their_placeholders() -> None:
    wrong = []
    for message in english_catalog():
        if not (message.id and message.string):
            continue
        if set(PLACEHOLDER.findall(str(message.id))) != set(PLACEHOLDER.findall(str(message.string))):
            wrong.append(f"{message.id!r} -> {message.string!r}")
    assert not wrong, "\n".join(wrong)


def test_language_switch_changes_html_lang_and_visible_strings(client: TestClient) -> None:
    vietnamese = client.get("/").text
    assert '<html lang="vi">' in vietnamese
    assert ">Trang chủ<" in vietnamese and ">Bản đồ<" in vietnamese
    switched = client.get("/lang/en?next=/")
    assert switched.status_code == 200
    assert '<html lang="en">' in switched.text
    assert ">Home<" in switched.text and ">Map<" in switched.text
    assert ">Trang chủ<" not in switched.text
    back = client.get("/lang/vi?next=/")
    assert '<html lang="vi">' in back.text and ">Trang chủ<" in back.text


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts/i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_check_mode_passes_on_the_repository() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/i18n.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"en: (\d+)/\1 translated", result.stdout), result.stdout


def test_script_appends_new_msgids_and_keeps_existing_entries(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "thanglong"\nversion = "9.9"\n', encoding="utf-8"
    )
    (tmp_path / "babel.cfg").write_text((ROOT / "babel.cfg").read_text(encoding="utf-8"), encoding="utf-8")
    templates = tmp_path / "src/thanglong/web/templates"
    templates.mkdir(parents=True)
    (templates / "page.html").write_text(
        '<p>{{ _("Xin chào") }}</p><p>{{ _("Tạm biệt") }}</p><p>{{ _("Chào %(name)s", name=n) }}</p>',
        encoding="utf-8",
    )
    po = tmp_path / "src/thanglong/web/locale/en/LC_MESSAGES/messages.po"
    po.parent.mkdir(parents=True)
    original = (
        '# Header kept as written.\nmsgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '# Another team\'s entry.\nmsgid "Xin chào"\nmsgstr "Hello"\n'
    )
    po.write_text(original, encoding="utf-8")
    script = _load_script()

    status = script.main(["--root", str(tmp_path)])

    assert status == 1, "two msgids are still untranslated"
    text = po.read_text(encoding="utf-8")
    assert text.startswith(original)
    assert 'msgid "Tạm biệt"\nmsgstr ""' in text
    assert 'msgid "Chào %(name)s"' in text
    assert "#: src/thanglong/web/templates/page.html:1" in text
    pot = (tmp_path / "src/thanglong/web/locale/messages.pot").read_text(encoding="utf-8")
    assert 'msgid "Xin chào"' in pot and 'msgid "Tạm biệt"' in pot
    assert '"Project-Id-Version: thanglong 9.9' in pot
    assert script.main(["--root", str(tmp_path), "--check"]) == 1
    filled = text.replace('msgid "Tạm biệt"\nmsgstr ""', 'msgid "Tạm biệt"\nmsgstr "Goodbye"')
    filled = re.sub(r'(msgid "Chào %\(name\)s"\n)msgstr ""', r'\1msgstr "Hi %(name)s"', filled)
    po.write_text(filled, encoding="utf-8")
    assert script.main(["--root", str(tmp_path), "--check"]) == 0


def test_numbers_are_written_the_way_each_language_writes_them() -> None:
    token = current_language.set("vi")
    try:
        assert format_number(88.44) == "88,4" and format_number(1250, 0) == "1.250"
        current_language.set("en")
        assert format_number(88.44) == "88.4" and format_number(4.166, 2) == "4.17"
    finally:
        current_language.reset(token)

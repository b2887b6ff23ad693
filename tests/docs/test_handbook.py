"""The handbook stays true: role tables as the platform builds them, real screenshots, working links."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDBOOK = ROOT / "docs" / "handbook"
PAGES = sorted(HANDBOOK.glob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(img/([^)]+)\.png\)")


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"handbook_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _slug(heading: str) -> str:
    """Return the anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)}


def test_the_role_tables_are_what_the_platform_declares() -> None:
    roles = _script("handbook_roles")
    page = (HANDBOOK / "roles.md").read_text(encoding="utf-8")
    block = roles.render()
    assert roles.replace_block(page, block) == page, (
        "docs/handbook/roles.md is stale: run python scripts/handbook_roles.py --write docs/handbook/roles.md"
    )
    # The block comes from the real catalogue: every role and a permission of every default domain.
    for needle in (
        "`citizen`",
        "`administrator`",
        "`procedures.dossier.sign`",
        "`payments.pay`",
        "`/officer/queue`",
    ):
        assert needle in block


def test_every_picture_is_a_screenshot_a_browser_test_takes() -> None:
    shots = _script("handbook_screenshots").SHOTS
    e2e = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests" / "e2e").glob("*.py"))
    taken = {m.group(1) for m in re.finditer(r"shot\((?:\w+, )?\"([a-z0-9_]+)\"\)", e2e)}
    assert set(shots) <= taken, f"not taken by any browser test: {sorted(set(shots) - taken)}"
    shown = {name for page in PAGES for name in IMAGE.findall(page.read_text(encoding="utf-8"))}
    assert shown == set(shots), (
        f"shown but not copied: {shown - set(shots)}; copied, never shown: {set(shots) - shown}"
    )
    stored = {p.stem for p in (HANDBOOK / "img").glob("*.png")}
    assert stored == set(shots), (
        f"run scripts/handbook_screenshots.py (img/ holds {sorted(stored ^ set(shots))})"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_lead_to_files_and_headings_that_exist(page: Path) -> None:
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.name}: {target} does not exist"
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved), f"{page.name}: no heading for #{anchor} in {resolved.name}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_section_has_its_english(page: Path) -> None:
    sections = re.split(r"^## ", page.read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    for section in sections:
        title = section.splitlines()[0]
        bilingual_table = re.search(r"^\|[^|\n]*( / |\| Step \|)", section, flags=re.MULTILINE)
        assert "*English:*" in section or bilingual_table, f"{page.name}: section {title!r} has no English"

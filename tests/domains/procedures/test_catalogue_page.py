"""The citizen's catalogue page: grouped by field, paged, filtered, and honest when nothing matches."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.catalogue.shipped import default_fee_vnd, load_catalogue
from thanglong.web.context import LANG_COOKIE

ROW = re.compile(r'<tr data-code="([0-9.]+)"')


@pytest.fixture
def catalogue(platform: Platform) -> None:
    with platform.uow() as uow:
        load_specs(uow, load_catalogue(), actor=SYSTEM_ACTOR)


def _total(html: str) -> int:
    return int(re.findall(r'id="result-count">[^<]*?(\d+)</p>', html)[0])


@pytest.mark.usefixtures("catalogue")
def test_browsing_is_grouped_by_field_and_paged(client: TestClient) -> None:
    first = client.get("/procedures")
    assert first.status_code == 200
    sectors = re.findall(r'<section class="pr-field" data-sector="([^"]+)"', first.text)
    assert sectors == sorted(sectors) and len(sectors) >= 2
    assert 'id="pager-bottom"' in first.text and 'rel="next"' in first.text
    seen: list[str] = []
    page = 1
    while True:
        html = client.get("/procedures", params={"page": page}).text
        seen += ROW.findall(html)
        if 'rel="next"' not in html:
            break
        page += 1
    shipped = sorted(spec.code for spec in load_catalogue())
    assert sorted(seen) == shipped and len(seen) == len(set(seen)) == _total(first.text)
    # A page past the end shows the last one; a page that is no number shows the first.
    assert ROW.findall(client.get("/procedures", params={"page": 999}).text) == ROW.findall(html)
    assert client.get("/procedures", params={"page": "x"}).status_code == 200


@pytest.mark.usefixtures("catalogue")
def test_filters_narrow_the_list(client: TestClient) -> None:
    specs = {spec.code: spec for spec in load_catalogue()}

    def codes(**params: str) -> set[str]:
        found: set[str] = set()
        page = 1
        while True:
            html = client.get("/procedures", params={**params, "page": str(page)}).text
            found |= set(ROW.findall(html))
            if 'rel="next"' not in html:
                return found
            page += 1

    free = codes(fee="free")
    paid = codes(fee="paid")
    assert free and paid and not free & paid and free | paid == set(specs)
    assert all(default_fee_vnd([f.as_dict() for f in specs[c].fees], "online") == 0 for c in free)
    online = codes(online="toan_trinh")
    assert online and all(specs[c].service_level == "toan_trinh" for c in online)
    agency = "Công an xã, phường"
    police = codes(agency=agency)
    assert police == {c for c, s in specs.items() if s.competent_agency == agency}
    both = codes(sector="Hộ tịch", level="xa", fee="free")
    assert both and all(specs[c].sector == "Hộ tịch" and specs[c].level == "xa" for c in both)
    assert both <= free
    page = client.get("/procedures", params={"agency": agency})
    assert f'<option value="{agency}" selected>' in page.text and 'id="clear-filters"' in page.text


@pytest.mark.usefixtures("catalogue")
def test_a_search_that_matches_nothing_says_so(client: TestClient) -> None:
    nothing = client.get("/procedures", params={"q": "qwxz zyxwv blorft"})
    assert nothing.status_code == 200
    assert ROW.findall(nothing.text) == [] and 'id="no-results"' in nothing.text
    assert "Không tìm thấy thủ tục nào khớp với" in nothing.text and _total(nothing.text) == 0
    client.cookies.set(LANG_COOKIE, "en")
    english = client.get("/procedures", params={"q": "qwxz zyxwv blorft"})
    assert "No procedure matches" in english.text and ROW.findall(english.text) == []
    client.cookies.clear()
    # A real question still finds its procedure first, and filters apply to the search's results.
    found = client.get("/procedures", params={"q": "lam giay khai sinh cho con"})
    assert ROW.findall(found.text)[0] == "1.001193"
    narrowed = client.get("/procedures", params={"q": "lam giay khai sinh cho con", "level": "tinh"})
    assert "1.001193" not in ROW.findall(narrowed.text)
    empty = client.get("/procedures", params={"sector": "Hộ tịch", "fee": "paid", "level": "tinh"})
    if not ROW.findall(empty.text):
        assert "Không có thủ tục nào khớp với các bộ lọc đã chọn." in empty.text

"""Hanoi's administrative geography: the 126 communes since 1 July 2025 and the 30 former districts.

The data ship inside the package (core/data/hanoi, see SOURCES.md there) and are read lazily, once,
on first use. Former-unit codes and today's codes overlap numerically, so legacy records are joined
to today's communes only through their explicit `new_codes` column, never on the code alone.
"""

from __future__ import annotations

import copy
import csv
import difflib
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

import numpy as np
import shapely
from shapely.geometry import shape

from thanglong.core.errors import InvalidInput, NotFound

Kind = Literal["phuong", "xa"]
DistrictKind = Literal["quan", "huyen", "thi_xa"]

KINDS: tuple[Kind, ...] = ("phuong", "xa")
KIND_LABELS: dict[str, tuple[str, str]] = {"phuong": ("Phường", "Ward"), "xa": ("Xã", "Commune")}
DISTRICT_KIND_LABELS: dict[str, tuple[str, str]] = {
    "quan": ("Quận", "Urban district"),
    "huyen": ("Huyện", "Rural district"),
    "thi_xa": ("Thị xã", "District-level town"),
}
DATA_PACKAGE = "thanglong.core"
DATA_DIR = ("data", "hanoi")
MAX_QUERY_LENGTH = 100
FUZZY_CUTOFF = 0.7
GRID_SIZE = 128
# Cells are tested slightly enlarged so that rounding in the cell arithmetic can never misplace a point.
GRID_MARGIN = 1e-9
_EMPTY = -1

_COMMUNE_CODE = re.compile(r"\d{5}")
_DISTRICT_CODE = re.compile(r"\d{1,3}")
_DISTRICT_PREFIXES = {"quan": "quan", "huyen": "huyen", "thi xa": "thi_xa"}


@dataclass(frozen=True, slots=True)
class Commune:
    """A commune-level unit (phường or xã) of Hanoi since 1 July 2025."""

    code: str
    name: str
    short_name: str
    name_en: str
    kind: Kind
    area_km2: float
    population: int
    lon: float
    lat: float
    geometry: Any = field(compare=False, repr=False)

    @property
    def density(self) -> float:
        """Return the population per km² (0 for a unit without area)."""
        return self.population / self.area_km2 if self.area_km2 > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the attributes as plain JSON-ready values (without the geometry)."""
        return {
            "code": self.code,
            "name": self.name,
            "short_name": self.short_name,
            "name_en": self.name_en,
            "kind": self.kind,
            "area_km2": self.area_km2,
            "population": self.population,
            "density_per_km2": round(self.density, 1),
            "lon": self.lon,
            "lat": self.lat,
        }


@dataclass(frozen=True, slots=True)
class LegacyCommune:
    """A commune of the former three-tier structure (before 1 July 2025)."""

    old_code: str
    old_name: str
    district_code: str
    district_name: str
    new_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LegacyDistrict:
    """One of the 30 former district-level units (quận, huyện, thị xã)."""

    code: str
    name: str
    short_name: str
    kind: DistrictKind
    communes: tuple[LegacyCommune, ...] = field(repr=False)

    @property
    def new_codes(self) -> tuple[str, ...]:
        """Return the sorted codes of today's communes that received part of this district."""
        return tuple(sorted({code for c in self.communes for code in c.new_codes}))

    def as_dict(self) -> dict[str, Any]:
        """Return the attributes as plain JSON-ready values."""
        return {
            "code": self.code,
            "name": self.name,
            "short_name": self.short_name,
            "kind": self.kind,
            "legacy_commune_count": len(self.communes),
            "new_codes": list(self.new_codes),
        }


@dataclass(frozen=True, slots=True)
class DistrictSuccessors:
    """A former district and today's communes its territory went to."""

    district: LegacyDistrict
    communes: tuple[Commune, ...]

    def as_dict(self) -> dict[str, Any]:
        """Return the mapping as plain JSON-ready values."""
        return {"district": self.district.as_dict(), "communes": [c.as_dict() for c in self.communes]}


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A search result: the commune and how it matched (0 exact, 1 prefix, 2 substring, 3 fuzzy)."""

    commune: Commune
    rank: int
    score: float


@dataclass(frozen=True)
class _Grid:
    """A regular grid over Hanoi: each cell holds a commune index, _EMPTY, or candidate indices."""

    minx: float
    miny: float
    maxx: float
    maxy: float
    dx: float
    dy: float
    size: int
    cells: list[int | tuple[int, ...]]


@dataclass(frozen=True)
class _Communes:
    communes: tuple[Commune, ...]
    by_code: dict[str, Commune]
    prepared: Any
    boundaries: Any
    grid: _Grid
    raw_geometries: dict[str, dict[str, Any]]
    keys: tuple[tuple[str, str, str, str], ...]


@dataclass(frozen=True)
class _Legacy:
    districts: tuple[LegacyDistrict, ...]
    by_code: dict[str, LegacyDistrict]
    by_name: dict[str, LegacyDistrict]


def _read(name: str) -> str:
    return resources.files(DATA_PACKAGE).joinpath(*DATA_DIR, name).read_text(encoding="utf-8")


def normalize(text: str) -> str:
    """Fold case and strip Vietnamese diacritics (đ becomes d) and punctuation for matching."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare).split())


def _fold(text: str) -> str:
    """Fold case only, keeping diacritics, to prefer exact spellings among equal matches."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _build_grid(tree: Any, prepared: Any, size: int = GRID_SIZE) -> _Grid:
    """Classify grid cells with the STRtree: empty, wholly inside one commune, or mixed."""
    minx, miny, maxx, maxy = (float(v) for v in shapely.total_bounds(prepared))
    dx, dy = (maxx - minx) / size, (maxy - miny) / size
    cols, rows = np.meshgrid(np.arange(size), np.arange(size))
    x0, y0 = minx + cols.ravel() * dx, miny + rows.ravel() * dy
    boxes = shapely.box(x0 - GRID_MARGIN, y0 - GRID_MARGIN, x0 + dx + GRID_MARGIN, y0 + dy + GRID_MARGIN)
    cell_idx, geom_idx = tree.query(boxes, predicate="intersects")
    candidates: list[list[int]] = [[] for _ in range(size * size)]
    for cell, geom in zip(cell_idx.tolist(), geom_idx.tolist(), strict=True):
        candidates[cell].append(geom)
    single = [i for i, found in enumerate(candidates) if len(found) == 1]
    inside = shapely.contains(prepared[[candidates[i][0] for i in single]], boxes[single])
    cells: list[int | tuple[int, ...]] = [tuple(found) if found else _EMPTY for found in candidates]
    for cell, whole in zip(single, inside.tolist(), strict=True):
        if whole:
            cells[cell] = candidates[cell][0]
    return _Grid(minx=minx, miny=miny, maxx=maxx, maxy=maxy, dx=dx, dy=dy, size=size, cells=cells)


@cache
def _communes() -> _Communes:
    """Load the communes, their geometry and the spatial index (once per process)."""
    collection = json.loads(_read("communes.geojson"))
    raw = {str(f["properties"]["code"]): f["geometry"] for f in collection["features"]}
    communes: list[Commune] = []
    for row in csv.DictReader(io.StringIO(_read("communes.csv"))):
        code = row["code"]
        if code not in raw:
            raise RuntimeError(f"communes.geojson has no geometry for commune {code}")
        if row["kind"] not in KINDS:
            raise RuntimeError(f"commune {code} has unknown kind {row['kind']!r}")
        communes.append(
            Commune(
                code=code,
                name=row["name"],
                short_name=row["short_name"],
                name_en=row["name_en"],
                kind=cast(Kind, row["kind"]),
                area_km2=float(row["area_km2"]),
                population=int(row["population"]),
                lon=float(row["lon"]),
                lat=float(row["lat"]),
                geometry=shape(raw[code]),
            )
        )
    communes.sort(key=lambda c: c.code)
    if len(raw) != len(communes):
        raise RuntimeError("communes.csv and communes.geojson list different units")
    # The index holds its own copies so that preparing them leaves Commune.geometry untouched.
    prepared = shapely.from_wkb(shapely.to_wkb([c.geometry for c in communes]))
    shapely.prepare(prepared)
    keys = tuple(
        (normalize(c.short_name), normalize(c.name), normalize(c.name_en), _fold(c.short_name))
        for c in communes
    )
    return _Communes(
        communes=tuple(communes),
        by_code={c.code: c for c in communes},
        prepared=prepared,
        boundaries=shapely.boundary(prepared),
        grid=_build_grid(shapely.STRtree(prepared), prepared),
        raw_geometries=raw,
        keys=keys,
    )


def _district_kind(name: str) -> tuple[DistrictKind, str]:
    words = name.split()
    for size in (2, 1):
        prefix = normalize(" ".join(words[:size]))
        if prefix in _DISTRICT_PREFIXES:
            return cast(DistrictKind, _DISTRICT_PREFIXES[prefix]), " ".join(words[size:])
    raise RuntimeError(f"former district {name!r} has no known prefix")


@cache
def _legacy() -> _Legacy:
    """Load the former communes and districts (once per process)."""
    known = _communes().by_code
    grouped: dict[str, list[LegacyCommune]] = {}
    names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(_read("legacy_communes.csv"))):
        new_codes = tuple(sorted(code.strip() for code in row["new_codes"].split(";") if code.strip()))
        unknown = [code for code in new_codes if code not in known]
        if unknown or not new_codes:
            raise RuntimeError(f"legacy commune {row['old_code']} maps to unknown units {unknown}")
        legacy = LegacyCommune(
            old_code=row["old_code"],
            old_name=row["old_name"],
            district_code=row["old_district_code"],
            district_name=row["old_district_name"],
            new_codes=new_codes,
        )
        grouped.setdefault(legacy.district_code, []).append(legacy)
        names[legacy.district_code] = legacy.district_name
    districts = []
    for code in sorted(grouped):
        kind, short = _district_kind(names[code])
        districts.append(
            LegacyDistrict(
                code=code, name=names[code], short_name=short, kind=kind, communes=tuple(grouped[code])
            )
        )
    by_name: dict[str, LegacyDistrict] = {}
    for district in districts:
        by_name[normalize(district.name)] = district
        by_name[normalize(district.short_name)] = district
    return _Legacy(districts=tuple(districts), by_code={d.code: d for d in districts}, by_name=by_name)


def _coordinate(value: object, axis: Literal["lon", "lat"]) -> float:
    bound = 180.0 if axis == "lon" else 90.0
    label_vi, label_en = ("Kinh độ", "Longitude") if axis == "lon" else ("Vĩ độ", "Latitude")
    number = None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    if number is None or not math.isfinite(number) or abs(number) > bound:
        raise InvalidInput(
            "invalid_coordinate",
            f"{label_vi} phải là số hữu hạn trong khoảng [-{bound:g}, {bound:g}], nhận được {value!r}.",
            f"{label_en} must be a finite number in [-{bound:g}, {bound:g}], got {value!r}.",
            field=axis,
        )
    return number


def parse_point(lon: object, lat: object) -> tuple[float, float]:
    """Validate a WGS84 point given as numbers or text; raise InvalidInput naming the bad axis."""
    return _coordinate(lon, "lon"), _coordinate(lat, "lat")


def communes() -> tuple[Commune, ...]:
    """Return the 126 communes, sorted by code."""
    return _communes().communes


def bounds() -> tuple[float, float, float, float]:
    """Return Hanoi's bounding box as (min lon, min lat, max lon, max lat)."""
    minx, miny, maxx, maxy = shapely.total_bounds(_communes().prepared)
    return float(minx), float(miny), float(maxx), float(maxy)


def locate(lon: float, lat: float) -> Commune | None:
    """Return the commune covering a WGS84 point, or None outside Hanoi."""
    x, y = parse_point(lon, lat)
    data = _communes()
    grid = data.grid
    if not (grid.minx <= x <= grid.maxx and grid.miny <= y <= grid.maxy):
        return None
    col = min(int((x - grid.minx) / grid.dx), grid.size - 1)
    row = min(int((y - grid.miny) / grid.dy), grid.size - 1)
    cell = grid.cells[row * grid.size + col]
    if isinstance(cell, int):
        return None if cell == _EMPTY else data.communes[cell]
    # For a point and a polygon, intersects equals covers, and the _xy form needs no Point object.
    hits = [i for i in cell if shapely.intersects_xy(data.prepared[i], x, y)]
    if not hits:
        return None
    if len(hits) > 1:
        # The simplified boundaries overlap in thin slivers; the unit the point lies deepest inside wins.
        depths = shapely.distance(data.boundaries[hits], shapely.Point(x, y))
        hits = [hits[int(depths.argmax())]]
    return data.communes[hits[0]]


def get(code: str) -> Commune:
    """Return the commune with a 5-digit code; raise InvalidInput or NotFound."""
    cleaned = code.strip() if isinstance(code, str) else ""
    if not _COMMUNE_CODE.fullmatch(cleaned):
        raise InvalidInput(
            "invalid_commune_code",
            f"Mã xã/phường phải gồm đúng 5 chữ số, nhận được {code!r}.",
            f"A commune code is exactly 5 digits, got {code!r}.",
            field="code",
        )
    commune = _communes().by_code.get(cleaned)
    if commune is None:
        raise NotFound(
            "commune_not_found",
            f"Không có xã/phường nào của Hà Nội mang mã {cleaned}.",
            f"No Hanoi commune has code {cleaned}.",
            commune_code=cleaned,
        )
    return commune


def _query(text: str) -> str:
    query = normalize(text) if isinstance(text, str) else ""
    if not query or len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            "invalid_query",
            f"Từ khoá tìm kiếm phải có chữ hoặc số và dài tối đa {MAX_QUERY_LENGTH} ký tự.",
            f"A search needs letters or digits and at most {MAX_QUERY_LENGTH} characters.",
            field="q",
        )
    return query


def search_hits(text: str, limit: int = 10) -> list[SearchHit]:
    """Rank communes matching text: exact short name, then prefix, substring and fuzzy matches."""
    query = _query(text)
    total = len(communes())
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= total:
        raise InvalidInput(
            "invalid_limit",
            f"Số kết quả phải từ 1 đến {total}.",
            f"The limit must be between 1 and {total}.",
            field="limit",
        )
    data = _communes()
    folded = _fold(text)
    scored: list[tuple[int, int, float, int, str, Commune]] = []
    for commune, (short, full, english, short_folded) in zip(data.communes, data.keys, strict=True):
        names = (short, full, english)
        if query in (short, full, commune.code):
            rank = 0
        elif any(name.startswith(query) for name in names):
            rank = 1
        elif any(query in name for name in names):
            rank = 2
        else:
            ratio = difflib.SequenceMatcher(None, query, short, autojunk=False).ratio()
            if ratio < FUZZY_CUTOFF:
                continue
            scored.append((3, 1, -ratio, len(short), commune.code, commune))
            continue
        spelled = 0 if folded in (short_folded, _fold(commune.name)) else 1
        scored.append((rank, spelled, 0.0, len(short), commune.code, commune))
    scored.sort(key=lambda item: item[:5])
    return [SearchHit(commune=item[5], rank=item[0], score=-item[2]) for item in scored[:limit]]


def search(text: str, limit: int = 10) -> list[Commune]:
    """Find communes by name, ignoring case and diacritics, best match first."""
    return [hit.commune for hit in search_hits(text, limit)]


def legacy_districts() -> tuple[LegacyDistrict, ...]:
    """Return the 30 former districts (12 quận, 17 huyện, 1 thị xã), sorted by code."""
    return _legacy().districts


def former_district(name_or_code: str) -> DistrictSuccessors:
    """Return a former district (by name with or without prefix, or 3-digit code) and today's communes."""
    text = name_or_code.strip() if isinstance(name_or_code, str) else ""
    data = _legacy()
    if _DISTRICT_CODE.fullmatch(text):
        district = data.by_code.get(text.zfill(3))
    elif normalize(text):
        key = normalize(text)
        district = data.by_name.get(key)
        if district is None:
            words = key.split()
            for size in (2, 1):
                if " ".join(words[:size]) in _DISTRICT_PREFIXES:
                    district = data.by_name.get(" ".join(words[size:]))
                    break
    else:
        raise InvalidInput(
            "invalid_district",
            "Hãy nhập tên hoặc mã (3 chữ số) của quận/huyện/thị xã cũ.",
            "Give the name or 3-digit code of a former district.",
            field="district",
        )
    if district is None:
        raise NotFound(
            "district_not_found",
            f"Không có quận/huyện/thị xã cũ nào của Hà Nội tên hoặc mã {text!r}.",
            f"No former Hanoi district is named or coded {text!r}.",
        )
    by_code = _communes().by_code
    return DistrictSuccessors(district=district, communes=tuple(by_code[c] for c in district.new_codes))


def commune_feature(commune: Commune) -> dict[str, Any]:
    """Return one commune as a GeoJSON Feature (lon and lat in properties name a point inside it)."""
    return {
        "type": "Feature",
        "id": commune.code,
        "properties": commune.as_dict(),
        "geometry": copy.deepcopy(_communes().raw_geometries[commune.code]),
    }


def communes_geojson(kind: Kind | None = None) -> dict[str, Any]:
    """Return the communes (optionally of one kind) as a GeoJSON FeatureCollection."""
    if kind is not None and kind not in KINDS:
        raise InvalidInput(
            "invalid_kind",
            f"Loại đơn vị phải là một trong {', '.join(KINDS)}.",
            f"The kind must be one of {', '.join(KINDS)}.",
            field="kind",
        )
    selected = [c for c in communes() if kind is None or c.kind == kind]
    return {"type": "FeatureCollection", "features": [commune_feature(c) for c in selected]}

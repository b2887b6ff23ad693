"""Map layers: the kernel's and the domains' layers for the one map page, filtered by permission.

A layer is declared in a manifest (DomainManifest.map_layers) or, for the kernel, in KERNEL_LAYERS
until the kernel has a manifest of its own. Its GeoJSON is computed by its `features` function in a
read-only unit of work, for the whole city or for a bounding box.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from thanglong.core.errors import Forbidden, NotFound, ThangLongError, Unauthenticated
from thanglong.core.manifest import (
    Choropleth,
    LayerField,
    LayerStyle,
    LegendEntry,
    MapLayer,
    resolve,
)
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork

BBox = tuple[float, float, float, float]
KERNEL = "geo"
GEOMETRIES = frozenset({"point", "line", "polygon"})
FIELD_FORMATS = frozenset({"text", "integer", "decimal"})
_NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_REF = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
MAX_BBOX_TEXT = 200

# Population density classes in people per km²: Hanoi ranges from rural communes under 1,000 to
# central wards above 40,000.
DENSITY_BREAKS = (1000.0, 2500.0, 5000.0, 10000.0, 20000.0, 40000.0)
DENSITY_COLORS = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")
DENSITY_LABELS = (
    ("dưới 1.000", "under 1,000"),
    ("1.000 – 2.500", "1,000 – 2,500"),
    ("2.500 – 5.000", "2,500 – 5,000"),
    ("5.000 – 10.000", "5,000 – 10,000"),
    ("10.000 – 20.000", "10,000 – 20,000"),
    ("20.000 – 40.000", "20,000 – 40,000"),
    ("từ 40.000", "40,000 and over"),
)

COMMUNES = MapLayer(
    name="geo.communes",
    title_vi="Phường, xã: mật độ dân số (người/km²)",
    title_en="Wards and communes: population density (people/km²)",
    features="thanglong.core.geo_store:communes_layer",
    geometry="polygon",
    permission=None,
    style=LayerStyle(
        color="#555555",
        weight=0.8,
        fill_opacity=0.8,
        choropleth=Choropleth("density_per_km2", DENSITY_BREAKS, DENSITY_COLORS),
    ),
    legend=tuple(
        LegendEntry(vi, en, color) for (vi, en), color in zip(DENSITY_LABELS, DENSITY_COLORS, strict=True)
    ),
    fields=(
        LayerField("code", "Mã", "Code"),
        LayerField("kind_label", "Loại", "Kind"),
        LayerField("area_km2", "Diện tích", "Area", "decimal", "km²", "km²"),
        LayerField("population", "Dân số", "Population", "integer"),
        LayerField("density_per_km2", "Mật độ", "Density", "integer", "người/km²", "people/km²"),
    ),
)

# The kernel has no manifest yet; its layers are listed here and come first on the map.
KERNEL_LAYERS: tuple[MapLayer, ...] = (COMMUNES,)


class InvalidBbox(ThangLongError):
    """A bbox parameter that is not four WGS84 numbers with min < max (HTTP 400)."""

    status = 400


@dataclass(frozen=True)
class RegisteredLayer:
    """A layer with the domain that declares it ("geo" for the kernel)."""

    domain: str
    layer: MapLayer

    @property
    def name(self) -> str:
        """Return the layer's name."""
        return self.layer.name

    def visible_to(self, principal: Principal) -> bool:
        """Tell whether the principal may see the layer (public layers: everyone)."""
        return self.layer.permission is None or principal.can(self.layer.permission)


def _check_style(name: str, style: LayerStyle) -> list[str]:
    problems = [
        f"{name}: style colour {c!r} is not #rrggbb"
        for c in (style.color, style.fill_color)
        if not _COLOR.fullmatch(c)
    ]
    if not 0 <= style.fill_opacity <= 1 or style.weight < 0 or style.radius <= 0:
        problems.append(f"{name}: fill_opacity must be in [0, 1], weight >= 0 and radius > 0")
    ramp = style.choropleth
    if ramp is not None:
        if len(ramp.colors) != len(ramp.breaks) + 1:
            problems.append(f"{name}: a choropleth needs one colour more than breaks")
        if list(ramp.breaks) != sorted(set(ramp.breaks)):
            problems.append(f"{name}: choropleth breaks must increase strictly")
        problems += [f"{name}: colour {c!r} is not #rrggbb" for c in ramp.colors if not _COLOR.fullmatch(c)]
    return problems


def _check(item: RegisteredLayer, platform: Platform) -> list[str]:
    layer, name = item.layer, item.layer.name
    problems = []
    if not _NAME.fullmatch(name) or name.split(".")[0] != item.domain:
        problems.append(f"{name!r}: a layer's name is '<domain>.<layer>' with its domain {item.domain!r}")
    if not _REF.fullmatch(layer.features):
        problems.append(f"{name}: features must be 'module:function', not {layer.features!r}")
    if layer.geometry not in GEOMETRIES:
        problems.append(f"{name}: geometry {layer.geometry!r} is not one of {sorted(GEOMETRIES)}")
    if layer.permission is not None and layer.permission not in platform.permissions:
        problems.append(f"{name}: unknown permission {layer.permission!r}")
    if layer.refresh_seconds < 0 or not 0 <= layer.min_zoom <= 22:
        problems.append(f"{name}: refresh_seconds must be >= 0 and min_zoom in [0, 22]")
    problems += _check_style(name, layer.style)
    problems += [
        f"{name}: legend colour {e.color!r} is not #rrggbb"
        for e in layer.legend
        if not _COLOR.fullmatch(e.color)
    ]
    problems += [f"{name}: field format {f.format!r}" for f in layer.fields if f.format not in FIELD_FORMATS]
    return problems


def registry(platform: Platform) -> list[RegisteredLayer]:
    """Return the kernel's layers then each enabled domain's, checked; raise RuntimeError naming faults."""
    items = [RegisteredLayer(KERNEL, layer) for layer in KERNEL_LAYERS]
    items += [RegisteredLayer(m.name, layer) for m in platform.manifests for layer in m.map_layers]
    problems: list[str] = []
    seen: set[str] = set()
    for item in items:
        if item.name in seen:
            problems.append(f"map layer {item.name!r} declared twice")
        seen.add(item.name)
        problems += _check(item, platform)
    if problems:
        raise RuntimeError("invalid map layers: " + "; ".join(problems))
    return items


def visible_layers(platform: Platform, principal: Principal) -> list[RegisteredLayer]:
    """Return the layers the principal may see, in registry order."""
    return [item for item in registry(platform) if item.visible_to(principal)]


def find_layer(platform: Platform, name: str, principal: Principal) -> RegisteredLayer:
    """Return a layer the principal may see: NotFound if unknown, 401 or 403 if not allowed."""
    for item in registry(platform):
        if item.name != name:
            continue
        if item.visible_to(principal):
            return item
        if not principal.is_authenticated:
            raise Unauthenticated(
                "not_authenticated",
                "Vui lòng đăng nhập để xem lớp bản đồ này.",
                "Please sign in to see this map layer.",
                layer=name,
            )
        raise Forbidden(
            "layer_forbidden",
            "Bạn không có quyền xem lớp bản đồ này.",
            "You do not have permission to see this map layer.",
            layer=name,
        )
    raise NotFound("layer_not_found", "Không có lớp bản đồ này.", "No such map layer.", layer=name[:100])


def _bad_bbox(text: str, vi: str, en: str) -> InvalidBbox:
    return InvalidBbox(
        "invalid_bbox",
        f"Tham số bbox không hợp lệ ({vi}): cần minLon,minLat,maxLon,maxLat theo WGS84.",
        f"Invalid bbox ({en}): give minLon,minLat,maxLon,maxLat in WGS84.",
        bbox=text[:MAX_BBOX_TEXT],
    )


def parse_bbox(text: str | None) -> BBox | None:
    """Parse "minLon,minLat,maxLon,maxLat" (None or blank: no box); raise InvalidBbox explaining why."""
    if text is None or not text.strip():
        return None
    if len(text) > MAX_BBOX_TEXT:
        raise _bad_bbox(text, "quá dài", "too long")
    parts = text.split(",")
    if len(parts) != 4:
        raise _bad_bbox(text, f"cần 4 số, nhận {len(parts)}", f"4 numbers needed, got {len(parts)}")
    numbers = []
    for part in parts:
        try:
            value = float(part.strip())
        except ValueError:
            raise _bad_bbox(
                text, f"{part.strip()[:20]!r} không phải số", f"{part.strip()[:20]!r} is not a number"
            ) from None
        if not math.isfinite(value):
            raise _bad_bbox(text, "số phải hữu hạn", "numbers must be finite")
        numbers.append(value)
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise _bad_bbox(text, "kinh độ ngoài [-180, 180]", "longitude outside [-180, 180]")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise _bad_bbox(text, "vĩ độ ngoài [-90, 90]", "latitude outside [-90, 90]")
    if not (min_lon < max_lon and min_lat < max_lat):
        raise _bad_bbox(text, "giá trị nhỏ nhất phải nhỏ hơn giá trị lớn nhất", "min must be below max")
    return min_lon, min_lat, max_lon, max_lat


def features(platform: Platform, item: RegisteredLayer, bbox: BBox | None, language: str) -> dict[str, Any]:
    """Compute a layer's FeatureCollection in a read-only unit of work; check its shape."""
    function: Callable[[UnitOfWork, BBox | None, str], Any] = resolve(item.layer.features)
    with platform.uow() as uow:
        collection = function(uow, bbox, language)
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise TypeError(f"map layer {item.name}: features did not return a GeoJSON FeatureCollection")
    if not isinstance(collection.get("features"), list):
        raise TypeError(f"map layer {item.name}: the FeatureCollection has no list of features")
    return collection


def _legend(entry: LegendEntry) -> dict[str, str]:
    return {"label": entry.label_vi, "label_en": entry.label_en, "color": entry.color}


def _field(f: LayerField) -> dict[str, str]:
    return {
        "property": f.property,
        "label": f.label_vi,
        "label_en": f.label_en,
        "format": f.format,
        "unit": f.unit_vi,
        "unit_en": f.unit_en,
    }


def _style(style: LayerStyle) -> dict[str, Any]:
    out: dict[str, Any] = {
        "color": style.color,
        "weight": style.weight,
        "fillColor": style.fill_color,
        "fillOpacity": style.fill_opacity,
        "radius": style.radius,
    }
    if style.choropleth is not None:
        out["choropleth"] = {
            "property": style.choropleth.property,
            "breaks": list(style.choropleth.breaks),
            "colors": list(style.choropleth.colors),
        }
    return out


def describe(item: RegisteredLayer, url: str) -> dict[str, Any]:
    """Return what the map page needs to draw a layer (Vietnamese first, English beside it)."""
    layer = item.layer
    return {
        "name": layer.name,
        "domain": item.domain,
        "title": layer.title_vi,
        "title_en": layer.title_en,
        "url": url,
        "geometry": layer.geometry,
        "public": layer.permission is None,
        "style": _style(layer.style),
        "legend": [_legend(e) for e in layer.legend],
        "fields": [_field(f) for f in layer.fields],
        "refresh_seconds": layer.refresh_seconds,
        "min_zoom": layer.min_zoom,
        "bbox": layer.bbox,
        "visible_by_default": layer.visible_by_default,
    }

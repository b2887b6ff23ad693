"""The communes' boundaries in the database: loaded by the migration, filtered by bbox on both databases."""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon
from sqlalchemy import delete, func, select, text, update

from thanglong.core import geo, geo_store
from thanglong.core.models import AuditRecord, GeoCommune
from thanglong.core.platform import Platform

HOAN_KIEM = "00070"
# Far from the centre: Sóc Sơn (north), Ba Vì (west) and Hương Sơn (south).
FAR = {"00376", "09700", "10489"}


def oracle(bbox: geo_store.BBox) -> set[str]:
    """Return the communes whose packaged boundary meets the box, computed from core.geo alone."""
    box = shapely.box(*bbox)
    return {c.code for c in geo.communes() if c.geometry.intersects(box)}


def hoan_kiem_box() -> geo_store.BBox:
    """Return the bounding box of Phường Hoàn Kiếm."""
    minx, miny, maxx, maxy = geo.get(HOAN_KIEM).geometry.bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def test_the_migration_loaded_every_commune(platform: Platform) -> None:
    with platform.uow() as uow:
        rows = {row.code: row for row in uow.session.scalars(select(GeoCommune))}
        assert len(rows) == 126 == len(geo.communes())
        hoan_kiem = rows[HOAN_KIEM]
        assert (hoan_kiem.name, hoan_kiem.kind) == ("Phường Hoàn Kiếm", "phuong")
        assert hoan_kiem.population == geo.get(HOAN_KIEM).population
        assert isinstance(hoan_kiem.geometry, MultiPolygon)
        assert hoan_kiem.geometry.equals_exact(MultiPolygon([geo.get(HOAN_KIEM).geometry]), 0)


def test_a_bbox_around_hoan_kiem_gives_the_ward_and_its_neighbours(platform: Platform) -> None:
    box = hoan_kiem_box()
    with platform.uow() as uow:
        collection = geo_store.communes_layer(uow, box, "vi")
    found = {f["id"] for f in collection["features"]}
    assert found == oracle(box)
    assert HOAN_KIEM in found and len(found) >= 3
    assert not found & FAR
    ward = geo.get(HOAN_KIEM).geometry
    neighbours = {c.code for c in geo.communes() if c.code != HOAN_KIEM and c.geometry.intersects(ward)}
    assert neighbours and neighbours <= found, "every neighbour of Hoàn Kiếm meets its bounding box"


def test_bbox_filtering_agrees_with_shapely_over_many_boxes(platform: Platform) -> None:
    boxes = [
        (105.80, 21.00, 105.82, 21.02),
        (105.3, 20.9, 105.5, 21.2),
        (105.7, 20.5, 106.0, 20.7),
        (106.5, 22.0, 106.6, 22.1),  # outside Hanoi: nothing
        (100.0, 10.0, 110.0, 25.0),  # around the whole city: everything
    ]
    with platform.uow() as uow:
        for box in boxes:
            clause = geo_store.bbox_clause(uow.session, box)
            found = set(uow.session.scalars(select(GeoCommune.code).where(clause)))
            assert found == oracle(box), box
    assert oracle(boxes[3]) == set() and len(oracle(boxes[4])) == 126


def test_communes_layer_without_bbox_has_every_commune_in_the_readers_language(platform: Platform) -> None:
    with platform.uow() as uow:
        vi = geo_store.communes_layer(uow, None, "vi")
        en = geo_store.communes_layer(uow, None, "en")
    assert vi["type"] == "FeatureCollection" and len(vi["features"]) == 126
    first = {f["id"]: f for f in vi["features"]}[HOAN_KIEM]
    assert first["geometry"]["type"] == "MultiPolygon"
    assert (
        first["properties"]["label"] == "Phường Hoàn Kiếm" and first["properties"]["kind_label"] == "Phường"
    )
    english = {f["id"]: f for f in en["features"]}[HOAN_KIEM]["properties"]
    assert english["label"] == "Hoan Kiem Ward" and english["kind_label"] == "Ward"
    expected = geo.get(HOAN_KIEM)
    assert english["density_per_km2"] == round(expected.population / expected.area_km2, 1)


def test_sync_is_idempotent_and_repairs_the_table(platform: Platform) -> None:
    with platform.uow() as uow:
        assert geo_store.sync_communes(uow) == geo_store.SyncResult(0, 0, 0, 126)
    with platform.uow() as uow:
        audits_before = uow.session.scalar(select(func.count()).select_from(AuditRecord))
        uow.session.execute(update(GeoCommune).where(GeoCommune.code == HOAN_KIEM).values(population=1))
        uow.session.execute(delete(GeoCommune).where(GeoCommune.code == "00004"))
        uow.session.add(
            GeoCommune(
                code="99999",
                name="Xã Không Có",
                name_en="Nowhere",
                kind="xa",
                population=1,
                area_km2=1.0,
                geometry=MultiPolygon([shapely.box(105.0, 20.0, 105.01, 20.01)]),
            )
        )
        uow.commit()
    with platform.uow() as uow:
        assert geo_store.sync_communes(uow) == geo_store.SyncResult(1, 1, 1, 124)
    with platform.uow() as uow:
        assert geo_store.sync_communes(uow) == geo_store.SyncResult(0, 0, 0, 126)
        assert uow.session.get(GeoCommune, HOAN_KIEM).population == geo.get(HOAN_KIEM).population  # type: ignore[union-attr]
        assert uow.session.get(GeoCommune, "99999") is None
        last = uow.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).one()
        total = uow.session.scalar(select(func.count()).select_from(AuditRecord))
        assert total == audits_before + 1, "only the run that changed something is audited"
        assert last.action == "geo.communes_loaded" and last.after == {
            "inserted": 1,
            "updated": 1,
            "deleted": 1,
            "unchanged": 124,
            "deleted_codes": ["99999"],
        }


def test_a_moved_boundary_is_updated(platform: Platform) -> None:
    with platform.uow() as uow:
        moved = shapely.affinity.translate(MultiPolygon([geo.get(HOAN_KIEM).geometry]), xoff=0.001)
        row = uow.session.get(GeoCommune, HOAN_KIEM)
        assert row is not None
        row.geometry = moved
        uow.commit()
    with platform.uow() as uow:
        assert geo_store.sync_communes(uow).updated == 1
        row = uow.session.get(GeoCommune, HOAN_KIEM)
        assert row is not None and row.geometry.equals_exact(MultiPolygon([geo.get(HOAN_KIEM).geometry]), 0)


def test_geometry_column_is_postgis_with_gist_index_or_wkb_on_sqlite(platform: Platform) -> None:
    with platform.uow() as uow:
        session = uow.session
        if platform.engine.dialect.name == "postgresql":
            column = session.execute(
                text(
                    "SELECT type, srid, coord_dimension FROM geometry_columns "
                    "WHERE f_table_name = 'core_geo_commune' AND f_geometry_column = 'geometry'"
                )
            ).one()
            assert tuple(column) == ("MULTIPOLYGON", 4326, 2)
            method = session.execute(
                text(
                    "SELECT am.amname FROM pg_index i "
                    "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ix ON ix.oid = i.indexrelid "
                    "JOIN pg_am am ON am.oid = ix.relam "
                    "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey) "
                    "WHERE t.relname = 'core_geo_commune' AND a.attname = 'geometry'"
                )
            ).scalar_one()
            assert method == "gist"
            valid = session.execute(
                text(
                    "SELECT bool_and(ST_IsValid(geometry)) AND bool_and(ST_SRID(geometry) = 4326) "
                    "FROM core_geo_commune"
                )
            ).scalar_one()
            assert valid is True
        else:
            declared = session.execute(text("PRAGMA table_info(core_geo_commune)")).all()
            assert {row[1]: row[2] for row in declared}["geometry"] == "BLOB"
            raw = session.execute(
                text("SELECT geometry FROM core_geo_commune WHERE code = :c"), {"c": HOAN_KIEM}
            ).scalar_one()
            assert shapely.from_wkb(raw).geom_type == "MultiPolygon"
            indexes = session.execute(text("PRAGMA index_list(core_geo_commune)")).all()
            assert all("geometry" not in row[1] for row in indexes)

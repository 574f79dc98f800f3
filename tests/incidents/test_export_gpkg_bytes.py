"""The GeoPackage of a filtered view, in memory (the dashboard's download)."""

from __future__ import annotations

import pyogrio
import pytest

from incidents import IncidentFilter, Store, apply_filter, load_frame
from incidents.export import to_gpkg_bytes


@pytest.fixture
def frame(tmp_path):
    return load_frame(Store.open(f"sqlite:///{tmp_path / 'seed.sqlite'}"))


def test_gpkg_bytes_hold_exactly_the_view(frame, tmp_path):
    view = apply_filter(frame, IncidentFilter(countries=("Russia",)))
    assert len(view) == 2
    data = to_gpkg_bytes(view)
    assert data.startswith(b"SQLite format 3\x00")
    path = tmp_path / "view.gpkg"
    path.write_bytes(data)
    layers = dict(pyogrio.list_layers(path))
    assert layers["incidents"] == "Point" and "casualty_groups" in layers
    gdf = pyogrio.read_dataframe(path, layer="incidents")
    assert sorted(gdf["event_id"]) == sorted(view["event_id"])
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf.geometry.y.round(5)) == list(gdf["latitude"].round(5))


def test_gpkg_bytes_leave_no_file_behind(frame, tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert to_gpkg_bytes(frame)
    assert list(scratch.iterdir()) == []

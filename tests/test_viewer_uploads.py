"""A site uploaded to the viewer as a zip: extracted once, within limits, removed when stale; results kept per site."""

from __future__ import annotations

import io
import os
import time
import zipfile

import pytest

pytest.importorskip("streamlit")

import jumeau  # noqa: E402
from viewer import data  # noqa: E402


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def site_zip(city) -> bytes:
    site_file = city.write()
    return zipped({f"quartier/{p.name}": p.read_bytes() for p in site_file.parent.iterdir() if p.is_file()})


def test_an_uploaded_site_is_extracted_once_and_loads(city, tmp_path):
    upload = site_zip(city)
    uploads = tmp_path / "uploads"
    first = data.unpack_site(upload, uploads)
    assert first.name == "site.yaml" and first.parent.name == "quartier"
    jumeau.load_site(first)
    marker = first.parent / "marker"
    marker.write_text("x")
    assert data.unpack_site(upload, uploads) == first and marker.exists()  # a rerun reuses the extraction
    assert [p.name for p in uploads.iterdir()] == [first.parent.parent.name]  # no temporary folder left


def test_a_zip_bomb_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "MAX_UPLOAD_MB", 1.0)
    bomb = zipped({"site.yaml": b"elevation: dem.tif\n", "dem.tif": bytes(3 * 2**20)})  # 3 MB of zeros, 3 kB zipped
    assert len(bomb) < 10_000
    with pytest.raises(jumeau.InputError, match=r"would take 3 MB once extracted, more than the 1 MB allowed.*"
                                                r"JUMEAU_MAX_UPLOAD_MB"):
        data.unpack_site(bomb, tmp_path / "uploads")
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


def test_an_archive_of_too_many_files_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "MAX_UPLOAD_FILES", 5)
    with pytest.raises(jumeau.InputError, match="6 files in the archive, more than 5"):
        data.unpack_site(zipped({f"f{i}.txt": b"" for i in range(6)}), tmp_path / "uploads")


@pytest.mark.parametrize("upload, message", [
    (zipped({"../evil.yaml": b"elevation: x"}), "unsafe path '../evil.yaml'"),
    (b"PK not really a zip", "not a readable zip archive"),
    (zipped({"notes.txt": b"hello"}), r"no site file \(a YAML with an `elevation:` key\)"),
])
def test_bad_uploads_are_refused_clearly(tmp_path, upload, message):
    with pytest.raises(jumeau.InputError, match=message):
        data.unpack_site(upload, tmp_path / "uploads")


def test_uploads_unused_for_a_day_are_removed(city, tmp_path):
    uploads = tmp_path / "uploads"
    old = data.unpack_site(zipped({"a/site.yaml": b"elevation: dem.tif\n"}), uploads).parent.parent
    day_ago = time.time() - data.UPLOAD_KEPT_SECONDS - 60
    os.utime(old, (day_ago, day_ago))
    new = data.unpack_site(site_zip(city), uploads).parent.parent
    assert not old.exists() and new.exists()


def test_two_sites_have_separate_results_folders(city, tmp_path):
    first = jumeau.load_site(city.write())
    other = city.write()
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in other.parent.iterdir():
        if path.is_file():
            (copy / path.name).write_bytes(path.read_bytes())
    second = jumeau.load_site(copy / other.name)
    root = tmp_path / "runs"
    assert data.site_results(root, first) != data.site_results(root, second)
    assert data.site_results(root, first) == data.site_results(root, jumeau.load_site(city.write()))
    assert data.site_results(root, second).name.startswith("copy-")

"""An upload kept as a file for the Import page: private to this user, removed once imported,
and removed when a page left it behind."""

from __future__ import annotations

import os
import stat

from dashboard import importing


def test_an_upload_is_private_and_reread_by_later_reruns(tmp_path):
    path = importing.save_upload(b"a,b\n1,2\n", "../../etc/Ma liste.csv", "id/../x", root=tmp_path)
    assert path.parent.parent == tmp_path  # no name escapes the folder
    assert path.name == "Ma_liste.csv" and path.read_bytes() == b"a,b\n1,2\n"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = importing.save_upload(b"a,b\n3,4\n", "Ma liste.csv", "id/../x", root=tmp_path)
    assert again == path and path.read_bytes() == b"a,b\n3,4\n"


def test_an_imported_upload_is_removed(tmp_path):
    path = importing.save_upload(b"x", "f.csv", "one", root=tmp_path)
    other = importing.save_upload(b"y", "f.csv", "two", root=tmp_path)
    importing.discard_upload(path)
    assert not path.parent.exists() and other.exists()
    outside = tmp_path / "not-an-upload" / "f.csv"
    outside.parent.mkdir()
    outside.write_bytes(b"z")
    importing.discard_upload(outside)  # only folders made by save_upload are removed
    assert outside.exists()


def test_uploads_left_behind_are_removed_when_stale(tmp_path):
    old = importing.save_upload(b"x", "old.csv", "old", root=tmp_path)
    fresh = importing.save_upload(b"y", "new.csv", "new", root=tmp_path)
    hour_ago = os.stat(fresh).st_mtime - importing.STALE_AFTER_S - 60
    for p in (old, old.parent):
        os.utime(p, (hour_ago, hour_ago))
    (tmp_path / "incidents-upload-link").symlink_to(tmp_path / "elsewhere")
    removed = importing.remove_stale_uploads(tmp_path)
    assert removed == [old.parent]
    assert not old.parent.exists() and fresh.exists()
    # a new upload sweeps the stale ones too
    os.utime(fresh, (hour_ago, hour_ago))
    os.utime(fresh.parent, (hour_ago, hour_ago))
    importing.save_upload(b"z", "z.csv", "third", root=tmp_path)
    assert not fresh.parent.exists()

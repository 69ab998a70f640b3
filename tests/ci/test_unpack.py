"""Unpacking a git archive for a revision side: regular files and folders only, never outside the folder."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from relpolicy.changes import unpack


def _archive(members: list[tuple[str, bytes | None, str | None]]) -> bytes:
    """A pax tar of (name, content, link target): content None and no target makes a folder."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tar.addfile(info)
            elif content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_regular_files_folders_and_long_names(tmp_path: Path) -> None:
    """Files (an empty one, one of several blocks, one whose name needs a pax record) are written as they are."""
    long_name = "policies/" + "deep/" * 30 + "service.yaml"
    big = b"x: 1\n" * 300
    archive = _archive(
        [
            ("policies/", None, None),
            ("policies/a.yaml", b"a: 1\n", None),
            ("policies/empty.yaml", b"", None),
            (long_name, big, None),
        ]
    )
    assert unpack(archive, tmp_path) == 3
    assert _files(tmp_path) == {"policies/a.yaml": b"a: 1\n", "policies/empty.yaml": b"", long_name: big}


def test_hostile_members_are_skipped(tmp_path: Path) -> None:
    """`..` and absolute names, links and files through links are skipped; a repeated name keeps the first."""
    inside = tmp_path / "into"
    inside.mkdir()
    archive = _archive(
        [
            ("../escape.yaml", b"bad", None),
            ("/tmp/absolute.yaml", b"abs", None),
            ("policies/link", None, str(tmp_path)),
            ("policies/link/through.yaml", b"through", None),
            ("policies/same.yaml", b"first", None),
            ("policies/same.yaml", b"second", None),
            ("policies/same.yaml/under-a-file.yaml", b"under", None),
        ]
    )
    assert unpack(archive, inside) == 3
    assert _files(inside) == {
        "tmp/absolute.yaml": b"abs",
        "policies/link/through.yaml": b"through",
        "policies/same.yaml": b"first",
    }
    assert not (tmp_path / "escape.yaml").exists()
    assert not (inside / "policies" / "link").is_symlink()


def test_garbage_writes_nothing(tmp_path: Path) -> None:
    """Bytes that are not a tar archive write nothing and raise nothing."""
    assert unpack(b"not a tar archive" * 100, tmp_path) == 0
    assert list(tmp_path.iterdir()) == []

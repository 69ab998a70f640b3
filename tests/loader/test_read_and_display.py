"""The loader's faster file handling gives exactly what the pathlib version gave.

``load`` shows each file by a string prefix test instead of ``PurePath.relative_to``, reads it with
``os.open``/``os.read`` instead of ``Path.read_bytes``, and ``discover`` walks with strings; these
tests hold each to the straightforward version.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relpolicy.findings import Problem
from relpolicy.source import loader

posix_only = pytest.mark.skipif(os.name != "posix", reason="the string version runs on POSIX only")

names = st.sampled_from(["a", "b", "policies", "x.yaml", "..", "a b", "ü"])
relative_paths = st.lists(names, min_size=1, max_size=4).map(lambda parts: Path(*parts))
absolute_paths = relative_paths.map(lambda path: Path("/") / path)


@posix_only
@given(
    path=st.one_of(relative_paths, absolute_paths),
    base=st.one_of(absolute_paths, st.just(Path("/"))),
    cwd=st.one_of(absolute_paths, st.just(Path("/"))),
)
def test_display_paths_agree_with_relative_to(path: Path, base: Path, cwd: Path) -> None:
    assert loader._display_paths(base, cwd)(path) == loader._display_path(path, base, cwd)


@posix_only
@pytest.mark.parametrize(
    ("path", "base", "cwd", "shown"),
    [
        ("policies/a.yaml", "/work", "/work", "policies/a.yaml"),
        ("/work/policies/a.yaml", "/work", "/elsewhere", "policies/a.yaml"),
        ("/work2/a.yaml", "/work", "/work", "/work2/a.yaml"),  # a prefix of the name is not a parent
        ("../other/a.yaml", "/work", "/work/sub", "sub/../other/a.yaml"),  # `..` is a name to pathlib
        ("a.yaml", "/", "/", "a.yaml"),
        ("/a.yaml", "/work", "/", "/a.yaml"),
    ],
)
def test_display_paths_by_hand(path: str, base: str, cwd: str, shown: str) -> None:
    assert loader._display_paths(Path(base), Path(cwd))(Path(path)) == shown
    assert loader._display_path(Path(path), Path(base), Path(cwd)) == shown


def test_discover_gives_sorted_unique_paths(tmp_path: Path) -> None:
    for name in ["b/z.yaml", "b/a.yml", "a.yaml", ".hidden/x.yaml", "c/relpolicy.yaml", "c/notes.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("a: 1\n")
    found = loader.discover([tmp_path, tmp_path / "a.yaml", tmp_path / "b"])
    assert found == [tmp_path / "a.yaml", tmp_path / "b" / "a.yml", tmp_path / "b" / "z.yaml"]
    assert all(type(path) is type(tmp_path) for path in found)
    assert [str(path) for path in found] == sorted(os.path.normpath(path) for path in found)


@pytest.mark.skipif(sys.platform == "win32", reason="no FIFOs")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    """A FIFO is opened without blocking and refused by its type, before anything is read."""
    fifo = tmp_path / "stream.yaml"
    os.mkfifo(fifo)
    problems: list[Problem] = []
    assert loader._read_text(fifo, "stream.yaml", problems) is None
    assert [problem.message for problem in problems] == ["is a FIFO, not a regular file, so it is not read"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_is_refused_by_its_type(tmp_path: Path) -> None:
    """A path to a device (here through a link, as discover would refuse it first) is never read."""
    endless = tmp_path / "endless.yaml"
    endless.symlink_to("/dev/zero")
    problems: list[Problem] = []
    assert loader._read_text(endless, "endless.yaml", problems) is None
    assert [problem.message for problem in problems] == ["is a character device, not a regular file, so it is not read"]


def test_unreadable_and_oversized_files_are_problems(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as out:
        out.truncate(loader.MAX_FILE_BYTES + 1)
    problems: list[Problem] = []
    assert loader._read_text(big, "big.yaml", problems) is None
    assert loader._read_text(tmp_path / "missing.yaml", "missing.yaml", problems) is None
    assert [problem.message for problem in problems] == [
        "file is 8.0 MiB; policy files are read up to 8 MiB, so split it",
        "cannot read the file: No such file or directory",
    ]

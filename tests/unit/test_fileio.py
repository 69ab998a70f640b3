"""relpolicy.fileio on its own: every refusal is one RelpolicyError naming the path, and nothing is left behind."""

from __future__ import annotations

import os
import socket
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from relpolicy import fileio
from relpolicy.errors import RelpolicyError
from relpolicy.fileio import NotRegularFileError, OutputFolder, output_folder

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="links, FIFOs and sockets as POSIX has them")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own working directory, so that relative paths are below it."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[OutputFolder]:
    with output_folder(Path("out"), create=True) as opened:
        yield opened


def error_of(call: object, *args: object, **kwargs: object) -> str:
    """The message of the RelpolicyError ``call(*args, **kwargs)`` raises."""
    assert callable(call)
    with pytest.raises(RelpolicyError) as raised:
        call(*args, **kwargs)
    return str(raised.value)


def test_kind_of_names_every_file_type() -> None:
    """The words used in messages, for each type of file (and a mode with no type at all)."""
    kinds = [stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK, stat.S_IFIFO, stat.S_IFSOCK, stat.S_IFCHR, stat.S_IFBLK, 0]
    assert [fileio.kind_of(kind) for kind in kinds] == [
        "a regular file",
        "a folder",
        "a symbolic link",
        "a FIFO",
        "a socket",
        "a character device",
        "a block device",
        "a special file",
    ]


@pytest.mark.parametrize(
    ("path", "tree", "inside"),
    [
        ("/a/b", "/a", True),
        ("/a", "/a", True),
        ("/ab", "/a", False),
        ("/a/b", "/", True),
        ("/", "/a", False),
    ],
)
def test_is_inside_compares_whole_components(path: str, tree: str, inside: bool) -> None:
    assert fileio.is_inside(path, tree) is inside


def test_read_input_reads_a_regular_file_and_follows_links_inside_its_folder(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_bytes(b"{}\n")
    (tmp_path / "link.json").symlink_to("real.json")
    assert fileio.read_input(Path("link.json"), "baseline") == b"{}\n"


def test_read_input_refusals(tmp_path: Path) -> None:
    """Missing, too large, a link out of its folder or out of ``within``: one line each."""
    (tmp_path / "big.json").write_bytes(b"x" * 2048)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up.j2").symlink_to("../big.json")
    assert error_of(fileio.read_input, Path("missing.json"), "baseline") == (
        "missing.json: cannot read the baseline: No such file or directory"
    )
    assert error_of(fileio.read_input, Path("big.json"), "baseline", limit=1024) == (
        "big.json: cannot read the baseline: it is 0.0 MiB, more than 0 MiB"
    )
    assert error_of(fileio.read_input, Path("sub/up.j2"), "template", within=Path("sub")) == (
        "sub/up.j2: cannot read the template: it is a symbolic link to a file outside sub/, so it is not read"
    )
    assert fileio.read_input(Path("sub/up.j2"), "template", within=Path()) == b"x" * 2048


def test_read_input_of_a_socket_is_not_a_regular_file(tmp_path: Path) -> None:
    """Opening a socket fails (ENXIO); the message still says what the file is."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind("conf.yaml")
        with pytest.raises(NotRegularFileError) as raised:
            fileio.read_input(Path("conf.yaml"), "configuration")
        assert (raised.value.kind, str(raised.value)) == (
            "a socket",
            "conf.yaml: cannot read the configuration: it is a socket, not a regular file",
        )
    finally:
        server.close()


def test_a_file_that_grows_past_the_limit_while_read_is_refused() -> None:
    """The size fstat gave is not trusted: reading stops past the limit (a pipe stands for a growing file)."""
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"y" * 100)
        os.close(write_end)
        assert error_of(fileio._read_all, read_end, 0, 10, Path("grows.json"), "baseline") == (
            "grows.json: cannot read the baseline: it is more than 0 MiB"
        )
    finally:
        os.close(read_end)


def test_output_folder_lists_reads_writes_and_removes_regular_files(folder: OutputFolder, tmp_path: Path) -> None:
    folder.write("a.md", b"first\n")
    folder.write("a.md", b"second\n")
    (tmp_path / "out" / "link.md").symlink_to("a.md")
    (tmp_path / "out" / "sub").mkdir()
    assert folder.names() == ["a.md"]
    assert folder.read("a.md") == b"second\n"
    assert folder.read("a.md", limit=2) == b"sec"
    assert folder.read("missing.md") is None
    folder.remove("a.md")
    folder.remove("a.md")  # already gone: fine
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["link.md", "sub"]
    assert error_of(folder.remove, "link.md") == (
        "out/link.md: is a symbolic link; relpolicy never writes through links: remove it and run again"
    )
    assert error_of(folder.read, "sub") == "out/sub: is a folder, not a regular file"


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "../escape.md"])
def test_names_with_separators_are_refused(folder: OutputFolder, name: str) -> None:
    assert error_of(folder.write, name, b"x") == (
        f"out: `{name}` is not a plain file name; nothing is written outside the folder"
    )


def test_a_write_that_fails_leaves_no_temporary_file(
    folder: OutputFolder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name the file system refuses, or a rename that fails, is one line; the temporary file is removed."""
    name = "n" * 300
    assert error_of(folder.write, name, b"x") == f"out/{name}: cannot use it: File name too long"

    def replace(*args: object, **kwargs: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "replace", replace)
    assert error_of(folder.write, "a.md", b"x") == "out/a.md: cannot write: Invalid cross-device link"
    assert list((tmp_path / "out").iterdir()) == []


def test_a_missing_folder_opened_to_read_does_not_exist(tmp_path: Path) -> None:
    with output_folder(Path("nowhere/deeper"), create=False) as missing:
        assert (missing.exists, missing.names(), missing.read("a.md")) == (False, [], None)
        assert error_of(missing.write, "a.md", b"x") == "nowhere/deeper/a.md: cannot write: nowhere/deeper is missing"
    assert not (tmp_path / "nowhere").exists()


def test_folder_components_that_cannot_be_made_or_opened(tmp_path: Path) -> None:
    """A component the file system refuses names the component."""
    long = "d" * 300

    def open_folder(path: Path) -> None:
        with output_folder(path, create=True):
            pass

    assert error_of(open_folder, Path(long) / "x") == f"{long}/x: cannot open the folder {long}: File name too long"
    with output_folder(Path(), create=False) as here:
        assert here.exists
    if Path("/proc/self").is_dir():  # a folder where nothing can be made
        assert error_of(open_folder, Path("/proc/relpolicy-test/x")) == (
            "/proc/relpolicy-test/x: cannot create the folder /proc/relpolicy-test: No such file or directory"
        )


def test_write_text_refuses_a_path_that_names_no_file() -> None:
    assert error_of(fileio.write_text, Path(), "x") == ".: is a folder; give the path of a file"


def test_append_text(tmp_path: Path) -> None:
    """Appends to a regular file (created when missing); a link, a FIFO or a folder is one line."""
    fileio.append_text(Path("summary.md"), "one\n")
    fileio.append_text(Path("summary.md"), "two\n")
    assert (tmp_path / "summary.md").read_text() == "one\ntwo\n"
    (tmp_path / "link.md").symlink_to("summary.md")
    os.mkfifo(tmp_path / "fifo.md")
    (tmp_path / "folder.md").mkdir()
    assert error_of(fileio.append_text, Path("link.md"), "x") == (
        "link.md: is a symbolic link, not a regular file; relpolicy writes only regular files"
    )
    assert error_of(fileio.append_text, Path("fifo.md"), "x") == (
        "fifo.md: is a FIFO, not a regular file; relpolicy writes only regular files"
    )
    assert error_of(fileio.append_text, Path("folder.md"), "x") == (
        "folder.md: is a folder, not a regular file; relpolicy writes only regular files"
    )
    assert error_of(fileio.append_text, Path("missing/summary.md"), "x") == (
        "missing/summary.md: cannot write: No such file or directory"
    )
    assert (tmp_path / "summary.md").read_text() == "one\ntwo\n"


def test_read_input_of_a_device_is_not_a_regular_file() -> None:
    with pytest.raises(NotRegularFileError) as raised:
        fileio.read_input(Path("/dev/null"), "baseline", within=Path("/dev"))
    assert str(raised.value) == "/dev/null: cannot read the baseline: it is a character device, not a regular file"


def test_a_folder_removed_after_it_was_opened(tmp_path: Path) -> None:
    """The folder opened is the one written to: once removed, writing fails, never lands elsewhere."""
    with output_folder(Path("out"), create=True) as opened:
        (tmp_path / "out").rmdir()
        (tmp_path / "out").mkdir()  # a new folder by the same name is not the one opened
        assert error_of(opened.write, "a.md", b"x") == "out/a.md: cannot write: No such file or directory"
    assert list((tmp_path / "out").iterdir()) == []


def test_an_interrupted_write_leaves_the_old_file(folder: OutputFolder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while writing removes the temporary file; the old file is untouched."""
    folder.write("a.md", b"old\n")

    def interrupted(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        folder.write("a.md", b"new\n")
    monkeypatch.undo()
    assert (folder.names(), folder.read("a.md")) == (["a.md"], b"old\n")

"""Reading and writing files safely: no link followed out of place, no blocking open, no half-written file.

Every file relpolicy writes goes through this module: reports (``--output``), baselines
(``--write-baseline``), rendered documents and schemas (``--out``), and the GitHub step summary.
The rules, which docs/security.md explains, are:

- **Only regular files are read or written.** Files are opened with ``O_NONBLOCK`` (a FIFO does
  not block the open) and their type is checked with ``fstat`` on the open descriptor before a
  byte is read, so what is checked is what is read. A FIFO, socket, device or folder where a file
  is expected is a one-line error.
- **Nothing is written through a symbolic link.** Below the working directory (where a pull
  request decides what is on disk), every folder on the way to an output is opened without
  following links, relative to the one before (``openat``), so a link anywhere on the way is
  refused, and cannot be swapped in between a check and the write. The file itself is replaced
  atomically: the text goes to a temporary file in the same folder, which ``os.replace`` then
  renames over the destination; a link at the destination is an error, and one that appears later
  is replaced, never written through. Folders outside the working directory (an absolute
  ``--output /tmp/report.sarif``) are the user's own and are taken as they are.
- **Missing folders are created** (as ``mkdir -p`` does) for every output; a file where a folder
  is needed is an error that names it. An existing file keeps its permission bits.
- **An input (configuration, baseline, template) named through a link** is read only when the
  link resolves inside the folder it belongs to (the link's own folder, or the templates folder).

Everything that goes wrong is a :class:`RelpolicyError` whose message starts with the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from relpolicy.errors import RelpolicyError

MAX_INPUT_BYTES: Final = 64 * 2**20
"""Largest configuration, baseline, template or generated file read (a baseline of 100,000 findings is ~10 MiB)."""

_O_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY: Final = getattr(os, "O_DIRECTORY", 0)
_O_COMMON: Final = (
    getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)
_HAS_DIR_FD: Final = os.open in os.supports_dir_fd and os.mkdir in os.supports_dir_fd and _O_NOFOLLOW != 0


class NotRegularFileError(RelpolicyError):
    """A path that exists but is not a regular file (a link, a FIFO, a folder...), with what it is."""

    def __init__(self, path: Path, kind: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.kind = kind


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words: ``a FIFO``, ``a symbolic link``..."""
    kinds = (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    return next((word for test, word in kinds if test(mode)), "a special file")


def is_inside(path: str, tree: str) -> bool:
    """Whether the (resolved) ``path`` is ``tree`` or below it; both are absolute, normalised strings."""
    if path == tree:
        return True
    prefix = tree if tree.endswith(os.sep) else tree + os.sep
    return path.startswith(prefix)


# --- Reading inputs -----------------------------------------------------------------------------


def read_input(path: Path, what: str, *, within: Path | None = None, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the input file ``path`` (``what`` names it in errors: "configuration", "baseline").

    The file must be a regular file of at most ``limit`` bytes; when ``path`` passes through a
    link, it must resolve inside ``within`` (by default the folder that holds ``path``).
    """
    folder = within if within is not None else path.parent
    # Strings, not Path.resolve(): is_inside() compares the normalised strings.
    real = os.path.realpath(path)
    if real != os.path.abspath(path) and not is_inside(real, os.path.realpath(folder)):  # noqa: PTH100
        shown = "its folder" if within is None else f"{folder.as_posix()}/"
        msg = f"{path}: cannot read the {what}: it is a symbolic link to a file outside {shown}, so it is not read"
        raise RelpolicyError(msg)
    try:
        descriptor = os.open(path, os.O_RDONLY | _O_COMMON)
    except OSError as error:
        raise _read_error(path, what, error) from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise _read_error(path, what, OSError(errno.EISDIR, os.strerror(errno.EISDIR)))
        if not stat.S_ISREG(info.st_mode):
            kind = kind_of(info.st_mode)
            msg = f"{path}: cannot read the {what}: it is {kind}, not a regular file"
            raise NotRegularFileError(path, kind, msg)
        if info.st_size > limit:
            msg = f"{path}: cannot read the {what}: it is {info.st_size / 2**20:.1f} MiB, more than {_mib(limit)}"
            raise RelpolicyError(msg)
        return _read_all(descriptor, info.st_size, limit, path, what)
    except OSError as error:
        raise _read_error(path, what, error) from None
    finally:
        os.close(descriptor)


def _read_all(descriptor: int, size: int, limit: int, path: Path, what: str) -> bytes:
    chunks = [os.read(descriptor, size + 1)]
    total = len(chunks[0])
    while total <= limit and (more := os.read(descriptor, 1 << 16)):  # a file that grows while read
        chunks.append(more)
        total += len(more)
    if total > limit:
        msg = f"{path}: cannot read the {what}: it is more than {_mib(limit)}"
        raise RelpolicyError(msg)
    return b"".join(chunks)


def _read_up_to(descriptor: int, size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0 and (chunk := os.read(descriptor, size)):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_error(path: Path, what: str, error: OSError) -> RelpolicyError:
    if error.errno == errno.ENXIO:  # opening a socket
        with contextlib.suppress(OSError):
            kind = kind_of(path.stat().st_mode)
            return NotRegularFileError(path, kind, f"{path}: cannot read the {what}: it is {kind}, not a regular file")
    return RelpolicyError(f"{path}: cannot read the {what}: {error.strerror or error}")


def _mib(size: int) -> str:
    return f"{size // 2**20} MiB"


# --- Output folders ------------------------------------------------------------------------------


class OutputFolder:
    """A folder opened once, whose files are read, written and removed by plain name.

    Open it with :func:`output_folder`. Names are single path components (``checkout.md``); a
    name with a separator or ``..`` is refused, so nothing lands outside the folder.
    """

    def __init__(self, path: Path, descriptor: int | None) -> None:
        self.path = path
        self._descriptor = descriptor
        """None: the folder does not exist (only when opened without ``create``)."""

    @property
    def exists(self) -> bool:
        """Whether the folder exists (a folder opened with ``create`` always does)."""
        return self._descriptor is not None

    def file(self, name: str) -> Path:
        """The path of ``name`` in this folder, for messages."""
        return self.path / name

    def names(self) -> list[str]:
        """The names of the regular files in the folder (links and other kinds left out), sorted."""
        if self._descriptor is None:
            return []
        try:
            # A descriptor is what makes this listing the folder that was opened, so no Path.iterdir().
            listing = os.listdir(self._descriptor if _HAS_DIR_FD else self.path)  # noqa: PTH208
            return sorted(name for name in listing if (info := self._lstat(name)) and stat.S_ISREG(info.st_mode))
        except OSError as error:
            msg = f"{self.path}: cannot list the folder: {error.strerror or error}"
            raise RelpolicyError(msg) from None

    def read(self, name: str, limit: int = MAX_INPUT_BYTES) -> bytes | None:
        """The bytes of the regular file ``name``, or None when there is none.

        A link or any other kind of file raises :class:`NotRegularFileError`: what a link points
        to is never read. Of a file larger than ``limit``, the first ``limit + 1`` bytes are read
        (enough to differ from anything relpolicy would write there).
        """
        self._check_name(name)
        if self._descriptor is None:
            return None
        path = self.file(name)
        try:
            descriptor = self._open(name, os.O_RDONLY | _O_COMMON | _O_NOFOLLOW)
        except FileNotFoundError:
            return None
        except OSError as error:
            if (info := self._lstat(name)) is not None and not stat.S_ISREG(info.st_mode):
                raise self._not_regular(name, info.st_mode) from None
            msg = f"{path}: cannot read: {error.strerror or error}"
            raise RelpolicyError(msg) from None
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                raise self._not_regular(name, info.st_mode)
            return _read_up_to(descriptor, min(info.st_size, limit) + 1)
        except OSError as error:
            msg = f"{path}: cannot read: {error.strerror or error}"
            raise RelpolicyError(msg) from None
        finally:
            os.close(descriptor)

    def check_writable(self, name: str) -> None:
        """Raise the error :meth:`write` would for what is at ``name`` now (a link, a folder...)."""
        self._check_name(name)
        info = self._lstat(name) if self._descriptor is not None else None
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise self._not_regular(name, info.st_mode, writing=True)

    def write(self, name: str, data: bytes) -> None:
        """Replace (or create) the regular file ``name`` with ``data``, atomically, keeping its permission bits."""
        self.check_writable(name)
        if self._descriptor is None:  # opened without ``create``, and missing
            msg = f"{self.file(name)}: cannot write: {self.path} is missing"
            raise RelpolicyError(msg)
        existing = self._lstat(name)
        temporary = f".{name[:200]}.{os.urandom(6).hex()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            descriptor = self._open(temporary, flags | getattr(os, "O_BINARY", 0), 0o666)  # minus the umask
        except OSError as error:
            raise self._write_error(name, error) from None
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]
                if existing is not None and hasattr(os, "fchmod"):
                    os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))
            finally:
                os.close(descriptor)
            if _HAS_DIR_FD:
                os.replace(temporary, name, src_dir_fd=self._descriptor, dst_dir_fd=self._descriptor)
            else:  # pragma: no cover - platforms without openat
                (self.path / temporary).replace(self.path / name)
        except OSError as error:
            self._unlink_quietly(temporary)
            raise self._write_error(name, error) from None
        except BaseException:
            self._unlink_quietly(temporary)
            raise

    def remove(self, name: str) -> None:
        """Remove the regular file ``name`` (a link or anything else is left alone)."""
        self.check_writable(name)
        try:
            if _HAS_DIR_FD:
                os.unlink(name, dir_fd=self._descriptor)
            else:  # pragma: no cover - platforms without openat
                (self.path / name).unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            msg = f"{self.file(name)}: cannot remove: {error.strerror or error}"
            raise RelpolicyError(msg) from None

    def _check_name(self, name: str) -> None:
        if not name or name in {".", ".."} or "/" in name or os.sep in name or (os.altsep and os.altsep in name):
            msg = f"{self.path}: `{name}` is not a plain file name; nothing is written outside the folder"
            raise RelpolicyError(msg)

    def _open(self, name: str, flags: int, mode: int = 0o777) -> int:
        if _HAS_DIR_FD:
            return os.open(name, flags, mode, dir_fd=self._descriptor)
        return os.open(self.path / name, flags, mode)  # pragma: no cover - platforms without openat

    def _lstat(self, name: str) -> os.stat_result | None:
        try:
            if _HAS_DIR_FD:
                return os.stat(name, dir_fd=self._descriptor, follow_symlinks=False)
            return os.lstat(self.path / name)  # pragma: no cover - platforms without openat
        except FileNotFoundError:
            return None
        except OSError as error:  # a name too long, a folder that vanished
            msg = f"{self.file(name)}: cannot use it: {error.strerror or error}"
            raise RelpolicyError(msg) from None

    def _unlink_quietly(self, name: str) -> None:
        with contextlib.suppress(OSError):
            if _HAS_DIR_FD:
                os.unlink(name, dir_fd=self._descriptor)
            else:  # pragma: no cover - platforms without openat
                (self.path / name).unlink()

    def _not_regular(self, name: str, mode: int, *, writing: bool = False) -> NotRegularFileError:
        kind = kind_of(mode)
        path = self.file(name)
        if stat.S_ISLNK(mode) and writing:
            message = f"{path}: is a symbolic link; relpolicy never writes through links: remove it and run again"
        elif stat.S_ISDIR(mode) and writing:
            message = f"{path}: is a folder; give the path of a file"
        else:
            message = f"{path}: is {kind}, not a regular file"
        return NotRegularFileError(path, kind, message)

    def _write_error(self, name: str, error: OSError) -> RelpolicyError:
        return RelpolicyError(f"{self.file(name)}: cannot write: {error.strerror or error}")


@contextlib.contextmanager
def output_folder(path: Path, *, create: bool, for_file: Path | None = None) -> Iterator[OutputFolder]:
    """The folder ``path``, opened without following links below the working directory.

    With ``create``, missing folders are made; without, a missing folder gives an
    :class:`OutputFolder` whose ``exists`` is false (for ``--check``, which writes nothing).
    Errors name ``for_file`` when the folder is opened to write that file.
    """
    descriptor = _open_folder(path, create=create, named=for_file)
    try:
        yield OutputFolder(path, descriptor)
    finally:
        if descriptor is not None and _HAS_DIR_FD:
            os.close(descriptor)


def _open_folder(path: Path, *, create: bool, named: Path | None) -> int | None:
    """A descriptor of the folder ``path`` (see :func:`output_folder`), or None when it is missing."""
    if not _HAS_DIR_FD:  # pragma: no cover - platforms without openat: checked by path
        _check_folder_by_path(path, create=create)
        return None if not path.is_dir() else -1
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        below = absolute.relative_to(Path.cwd())
        start, parts, trusted = ".", below.parts, 0
    except ValueError:  # outside the working directory: the user's own folders, followed as they are
        start, parts, trusted = absolute.anchor, absolute.parts[1:], len(absolute.parts) - 1
    flags = os.O_RDONLY | _O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(start, flags)
    for index, part in enumerate(parts):
        shown = Path(*parts[: index + 1]) if start == "." else Path(absolute.anchor, *parts[: index + 1])
        follow = index < trusted or part == ".."
        last = named is None and index == len(parts) - 1
        try:
            step = _open_step(
                descriptor, part, flags | (0 if follow else _O_NOFOLLOW), named or path, shown, last=last, create=create
            )
        finally:
            os.close(descriptor)
        if step is None:
            return None
        descriptor = step
    return descriptor


def _open_step(  # noqa: PLR0913 - the step, and what its errors name
    folder: int, part: str, flags: int, path: Path, shown: Path, *, last: bool, create: bool
) -> int | None:
    """Open (or make) the folder ``part`` inside the folder ``folder``; errors name ``path`` and ``shown``."""
    for _ in range(3):  # a folder made by someone else between our open and mkdir is fine
        try:
            return os.open(part, flags, dir_fd=folder)
        except FileNotFoundError:
            if not create:
                return None
            try:
                os.mkdir(part, 0o777, dir_fd=folder)
            except FileExistsError:
                continue
            except OSError as error:
                msg = f"{path}: cannot create the folder {shown}: {error.strerror or error}"
                raise RelpolicyError(msg) from None
        except OSError as error:
            try:
                info = os.stat(part, dir_fd=folder, follow_symlinks=False)
            except OSError:
                info = None
            what = "" if last else f" {shown}"
            if info is not None and stat.S_ISLNK(info.st_mode):
                msg = f"{path}:{what} is a symbolic link; relpolicy never writes through links"
            elif info is not None and not stat.S_ISDIR(info.st_mode):
                kind = kind_of(info.st_mode).replace("a regular file", "a file")
                msg = f"{path}:{what} is {kind}, not a folder"
            else:
                msg = f"{path}: cannot open the folder {shown}: {error.strerror or error}"
            raise RelpolicyError(msg) from None
    msg = f"{path}: cannot create the folder {shown}"  # pragma: no cover - a folder that keeps vanishing
    raise RelpolicyError(msg)  # pragma: no cover


def _check_folder_by_path(path: Path, *, create: bool) -> None:  # pragma: no cover - platforms without openat
    if path.is_symlink():
        msg = f"{path}: is a symbolic link; relpolicy never writes through links"
        raise RelpolicyError(msg)
    if path.exists() and not path.is_dir():
        msg = f"{path}: is a file, not a folder"
        raise RelpolicyError(msg)
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            msg = f"{path}: cannot create the folder: {error.strerror or error}"
            raise RelpolicyError(msg) from None


# --- Single files ---------------------------------------------------------------------------------


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, newlines as given) to the regular file ``path``, atomically; see the module."""
    if path.name in {"", ".", ".."}:
        msg = f"{path}: is a folder; give the path of a file"
        raise RelpolicyError(msg)
    with output_folder(path.parent, create=True, for_file=path) as folder:
        folder.write(path.name, text.encode("utf-8", "surrogateescape"))


def append_text(path: Path, text: str) -> None:
    """Append ``text`` to the regular file ``path`` (created if missing); a link or a FIFO is an error."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | _O_NOFOLLOW | _O_COMMON
    try:
        descriptor = os.open(path, flags, 0o666)
    except OSError as error:
        try:
            info = os.lstat(path)
        except OSError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):
            msg = f"{path}: is {kind_of(info.st_mode)}, not a regular file; relpolicy writes only regular files"
        else:
            msg = f"{path}: cannot write: {error.strerror or error}"
        raise RelpolicyError(msg) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            msg = f"{path}: is {kind_of(info.st_mode)}, not a regular file; relpolicy writes only regular files"
            raise RelpolicyError(msg)
        view = memoryview(text.encode("utf-8", "surrogateescape"))
        while view:
            view = view[os.write(descriptor, view) :]
    except OSError as error:
        msg = f"{path}: cannot write: {error.strerror or error}"
        raise RelpolicyError(msg) from None
    finally:
        os.close(descriptor)

"""The file side of editing: read a policy file as it is, change its text, write it back atomically.

A file is read into a :class:`SourceFile`: its text with ``\\n`` line breaks, plus what the text
alone does not say (a UTF-8 byte order mark, CRLF line breaks, the file's permissions). Edits
are made on that text, either as a whole new layout (``relpolicy fmt``) or as
:class:`~relpolicy.findings.Replacement` regions that rules computed from key paths
(``check --fix``). :meth:`SourceFile.write` puts the BOM and the line breaks back and replaces the
file in one rename (through :mod:`relpolicy.fileio`), so that a reader never sees half a file and
an interrupted run leaves the old one in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from relpolicy.errors import RelpolicyError
from relpolicy.fixes import Replacement

BOM: Final = "\ufeff"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The text of one file with ``\\n`` line breaks, and how to write it back as the file was."""

    path: Path
    text: str
    newline: str = "\n"
    """``"\\r\\n"`` when the file's first line break is CRLF."""
    bom: bool = False

    @classmethod
    def decode(cls, path: Path, data: bytes) -> SourceFile:
        """Read the bytes of a file (UTF-8, with or without a BOM)."""
        text = data.decode("utf-8")
        bom = text.startswith(BOM)
        if bom:
            text = text[1:]
        first_break = text.find("\n")
        newline = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
        return cls(path, text.replace("\r\n", "\n"), newline, bom)

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        """Read a file; a file that cannot be read or decoded is a :class:`RelpolicyError`."""
        try:
            data = path.read_bytes()
        except OSError as error:
            msg = f"{path}: cannot read the file: {error.strerror or error}"
            raise RelpolicyError(msg) from None
        try:
            return cls.decode(path, data)
        except UnicodeDecodeError as error:
            msg = f"{path}: byte {error.start} is not UTF-8"
            raise RelpolicyError(msg) from None

    def with_text(self, text: str) -> SourceFile:
        """The same file with other text (``\\n`` line breaks)."""
        return SourceFile(self.path, text, self.newline, self.bom)

    def encode(self, text: str | None = None) -> bytes:
        """The bytes to write for ``text`` (this file's text by default), BOM and line breaks restored."""
        text = self.text if text is None else text
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return ((BOM if self.bom else "") + text).encode("utf-8")

    def write(self) -> None:
        """Replace the file on disk with this text, atomically, keeping its permissions."""
        atomic_write(self.path, self.encode())


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its permission bits (see :mod:`relpolicy.fileio`).

    A temporary file beside it is renamed over it; a symbolic link is refused, never written through.
    """
    from relpolicy.fileio import output_folder  # noqa: PLC0415 - the shared safe-write rules

    with output_folder(path.parent, create=False, for_file=path) as folder:
        folder.write(path.name, data)


def _offsets(text: str) -> list[int]:
    """The offset in ``text`` where each line starts (index 0 is line 1)."""
    starts = [0]
    starts.extend(i + 1 for i, char in enumerate(text) if char == "\n")
    return starts


def apply_replacements(text: str, replacements: Iterable[Replacement]) -> str:
    """``text`` with each region replaced; regions must not overlap (a :class:`RelpolicyError` if they do).

    Regions are 1-based and end-exclusive, in lines and characters, as findings locate nodes.
    """
    starts = _offsets(text)

    def offset(line: int, col: int) -> int:
        if line == len(starts) + 1 and col == 1:  # just past the last line (a file without a final line break)
            return len(text)
        if not 1 <= line <= len(starts):
            msg = f"line {line} is outside the file ({len(starts)} lines)"
            raise RelpolicyError(msg)
        return starts[line - 1] + col - 1

    regions = sorted(
        ((offset(r.line, r.col), offset(r.end_line, r.end_col), r.text) for r in replacements),
        key=lambda region: (region[0], region[1]),
    )
    out: list[str] = []
    position = 0
    for start, end, new in regions:
        if start < position:
            msg = "two fixes change the same text; run --fix again for the rest"
            raise RelpolicyError(msg)
        out.append(text[position:start])
        out.append(new)
        position = end
    out.append(text[position:])
    return "".join(out)

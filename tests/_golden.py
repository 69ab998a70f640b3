"""Golden files: generated text compared byte for byte with a committed file.

After an intended change of output, rewrite the files with ``RELPOLICY_UPDATE_GOLDEN=1 pytest ...``
and review the diff in the pull request.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

UPDATE: str = "RELPOLICY_UPDATE_GOLDEN"


def _updating() -> bool:
    return bool(os.environ.get(UPDATE))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def assert_golden(path: Path, actual: str) -> None:
    """``actual`` is the golden file at ``path``, byte for byte (rewritten first when updating)."""
    if _updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
    assert actual == _read(path), f"{path} differs; rewrite it with {UPDATE}=1 and review the diff"


def assert_golden_folder(folder: Path, texts: dict[str, str]) -> None:
    """``texts`` (relative path -> text) are exactly the files below ``folder`` (rewritten first when updating)."""
    if _updating():
        shutil.rmtree(folder, ignore_errors=True)
        for name, text in texts.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(text.encode("utf-8"))
    expected = {p.relative_to(folder).as_posix(): _read(p) for p in sorted(folder.rglob("*")) if p.is_file()}
    assert texts == expected, f"{folder} differs; rewrite it with {UPDATE}=1 and review the diff"

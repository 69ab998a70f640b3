"""Fixtures for the import tests: running ``relpolicy import`` and comparing with golden files.

Inputs (tests/importers/inputs/) are written from OpenSLO's and Sloth's published formats. Golden
outputs live in tests/importers/golden/<format>/: the policy files written, and ``stderr.txt``.
Rewrite them with ``RELPOLICY_UPDATE_GOLDEN=1 pytest tests/importers`` and review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import REPO

from relpolicy.cli import main

HERE = Path(__file__).parent
INPUTS = HERE / "inputs"
GOLDEN = HERE / "golden"


@pytest.fixture
def run_import(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """Run ``relpolicy import ...`` from the repository root; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.chdir(REPO)
        code = main(["import", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def golden_folder() -> Callable[[str, dict[str, str]], None]:
    """Compare named texts with the files of a golden folder (or rewrite it with RELPOLICY_UPDATE_GOLDEN)."""

    def compare(name: str, texts: dict[str, str]) -> None:
        folder = GOLDEN / name
        if os.environ.get("RELPOLICY_UPDATE_GOLDEN"):
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.iterdir():
                old.unlink()
            for file, text in texts.items():
                (folder / file).write_text(text, encoding="utf-8", newline="")
        expected = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())}
        assert texts == expected, f"{folder} differs; see tests/importers/conftest.py to update"

    return compare

"""Fixtures for the import tests: running ``relpolicy import`` and comparing with golden files.

Inputs (tests/importers/inputs/) are written from OpenSLO's and Sloth's published formats. Golden
outputs live in tests/importers/golden/<format>/: the policy files written, and ``stderr.txt``.
Rewrite them with ``RELPOLICY_UPDATE_GOLDEN=1 pytest tests/importers`` and review the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests._golden import assert_golden_folder
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
    """Compare named texts with the files of a golden folder (see tests/_golden.py)."""
    return lambda name, texts: assert_golden_folder(GOLDEN / name, texts)

"""Fixtures for ``relpolicy diff``: the fixture repository and golden files.

Golden files live in tests/diff/golden/; rewrite them with
``RELPOLICY_UPDATE_GOLDEN=1 pytest tests/diff`` and review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.diff._repo import build_repo

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="session")
def fixture_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture organisation in a git repository, one tagged commit per step (built once)."""
    repo = tmp_path_factory.mktemp("diff-repo") / "org"
    build_repo(repo)
    return repo


@pytest.fixture
def in_repo(fixture_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the fixture repository, so that paths read ``policies/...``."""
    monkeypatch.chdir(fixture_repo)
    return fixture_repo


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare text with a golden file, or rewrite the file when RELPOLICY_UPDATE_GOLDEN is set."""

    def compare(name: str, actual: str) -> None:
        path = GOLDEN / name
        if os.environ.get("RELPOLICY_UPDATE_GOLDEN"):
            path.write_text(actual, encoding="utf-8", newline="")
        assert actual == path.read_text(encoding="utf-8"), f"{path} differs; see tests/diff/conftest.py to update"

    return compare

"""Fixtures for ``relpolicy diff``: the fixture repository and golden files.

Golden files live in tests/diff/golden/; rewrite them with
``RELPOLICY_UPDATE_GOLDEN=1 pytest tests/diff`` and review the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests._golden import assert_golden
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
    """Compare text with a golden file of this folder's ``golden/`` (see tests/_golden.py)."""
    return lambda name, actual: assert_golden(GOLDEN / name, actual)

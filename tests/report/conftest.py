"""Fixtures for the reporter tests: the broken organisation and golden-file comparison.

Golden files live in ``tests/report/golden/``. After an intended change of output, rewrite them with
``RELPOLICY_UPDATE_GOLDEN=1 pytest tests/report`` and review the diff in the pull request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from tests._golden import assert_golden

HERE = Path(__file__).parent
BROKEN = HERE / "fixtures" / "broken"
"""A policy tree with RP101, RP102, RP103, RP105 and RP201 findings, and nothing other rules judge."""
GOLDEN = HERE / "golden"
DATA = HERE.parent / "data"


def without_time(junit: str) -> str:
    """A JUnit document with the check's wall time (the one attribute that differs between runs) as ``T``."""
    return re.sub(r'(<testsuites [^>]*)time="[0-9.]+"', r'\1time="T"', junit, count=1)


@pytest.fixture
def broken_cwd(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the broken organisation's directory, so that paths read ``policies/...``."""
    monkeypatch.chdir(BROKEN)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return BROKEN


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare text with a golden file of this folder's ``golden/`` (see tests/_golden.py)."""
    return lambda name, actual: assert_golden(GOLDEN / name, actual)

"""Fixtures for the export tests: golden files, the exported example policies, and Prometheus' own tools.

Golden files live in ``tests/export/golden/``. After an intended change of output, rewrite them
with ``RELPOLICY_UPDATE_GOLDEN=1 pytest tests/export`` and review the diff.

``promtool`` (Debian's ``prometheus`` package) and ``amtool`` (``prometheus-alertmanager``)
check what is exported; ``.ci/run`` installs both. Locally their tests are skipped, with the
reason, when a tool is absent; under CI they fail instead, so a missing tool never passes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests._golden import assert_golden
from tests._tools import required
from tests.conftest import REPO

from relpolicy.cli import main

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
CONFIG = HERE / "relpolicy.yaml"
"""The settings the golden files are exported with (a runbook base URL)."""


@pytest.fixture(scope="session")
def promtool() -> str:
    """Prometheus' ``promtool``."""
    return required("promtool", "checking and unit-testing the exported rules")


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare text with a golden file of this folder's ``golden/`` (see tests/_golden.py)."""
    return lambda name, actual: assert_golden(GOLDEN / name, actual)


@pytest.fixture
def export(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``relpolicy export ...`` from the repository root; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.chdir(REPO)
        code = main(["export", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run

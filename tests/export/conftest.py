"""Fixtures for the export tests: golden files, the exported example policies, and Prometheus' own tools.

Golden files live in ``tests/export/golden/``. After an intended change of output, rewrite them
with ``RELPOLICY_UPDATE_GOLDEN=1 pytest tests/export`` and review the diff.

``promtool`` (Debian's ``prometheus`` package) and ``amtool`` (``prometheus-alertmanager``)
check what is exported; ``.ci/run`` installs both. Locally their tests are skipped, with the
reason, when a tool is absent; under CI they fail instead, so a missing tool never passes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
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
    """Compare text with a golden file byte for byte, or rewrite it when RELPOLICY_UPDATE_GOLDEN is set."""

    def compare(name: str, actual: str) -> None:
        path = GOLDEN / name
        if os.environ.get("RELPOLICY_UPDATE_GOLDEN"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8", newline="")
        expected = path.read_bytes().decode("utf-8")
        assert actual == expected, f"{path} differs; see tests/export/conftest.py to update"

    return compare


@pytest.fixture
def export(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``relpolicy export ...`` from the repository root; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.chdir(REPO)
        code = main(["export", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run

"""Outside programs some tests run (a user would run them too): found on PATH, else skipped, or failed under CI."""

from __future__ import annotations

import os
import shutil
from typing import Final

import pytest

PACKAGES: Final = {
    "chromium": "chromium",
    "dot": "graphviz",
    "promtool": "prometheus",
    "amtool": "prometheus-alertmanager",
}
"""The Debian/Ubuntu package that installs each program (`.ci/run` installs them all)."""


def required(tool: str, why: str) -> str:
    """The path of ``tool``; without it the test is skipped (failed under CI), naming the package to install."""
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"`{tool}` is not installed; .ci/run installs it ({why})")
        pytest.skip(f"`{tool}` is not installed ({why}); `apt-get install {PACKAGES[tool]}` to run this test")
    return found

"""A missing outside program skips its tests with an install command that works, and fails them under CI."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests._tools import PACKAGES, required


@pytest.mark.parametrize(("tool", "package"), sorted(PACKAGES.items()))
def test_a_missing_program_names_the_package_to_install(
    tool: str, package: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Outside CI the test is skipped naming the Debian package (`dot` is in graphviz); under CI it fails."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as outcome:
        required(tool, "why")
    assert str(outcome.value) == f"`{tool}` is not installed (why); `apt-get install {package}` to run this test"
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failure:
        required(tool, "why")
    assert str(failure.value) == f"`{tool}` is not installed; .ci/run installs it (why)"

"""Shared fixtures and the Hypothesis profiles (derandomized on CI so that runs are repeatable)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from relpolicy.engine import Report, check

settings.register_profile(
    "ci", derandomize=True, max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

AS_OF = dt.date(2026, 11, 26)
"""The date every test checks as of: tests never read the real clock."""

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _private_cache_key(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse cache signs its files with a key under XDG_CACHE_HOME: keep tests off the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@pytest.fixture
def write_policy(tmp_path: Path) -> Callable[..., Path]:
    """Write YAML text (or bytes) to a file under a temporary policy root and return the root."""

    def write(text: str | bytes, name: str = "policy.yaml") -> Path:
        path = tmp_path / "policies" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return tmp_path / "policies"

    return write


@pytest.fixture
def run_check(tmp_path: Path) -> Callable[[Path], Report]:
    """Check a root as of :data:`AS_OF`, with paths shown relative to the temporary directory."""

    def run(root: Path) -> Report:
        return check([root], as_of=AS_OF, base=tmp_path)

    return run

"""Fixtures for the renderer tests: the two policy trees, golden files and headless Chromium.

Golden files live in ``tests/render/golden/<scenario>/``. After an intended change of output,
rewrite them with ``RELPOLICY_UPDATE_GOLDEN=1 pytest tests/render`` and review the diff.

Chromium (Debian's ``chromium`` package) renders the HTML page; ``.ci/run`` installs it. Locally
the browser tests are skipped, with the reason, when it is absent; under CI they fail instead,
so that a missing browser never passes for a green run.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from tests._golden import assert_golden
from tests._tools import required
from tests.conftest import AS_OF, REPO

from relpolicy.graph import ServiceGraph
from relpolicy.policy import PolicySet
from relpolicy.render.load import load_policy

HERE = Path(__file__).parent
FIXTURE = HERE / "fixture"
"""The hand-made organisation whose every number is checked by hand."""
EXAMPLE = REPO / "policies"
"""The example organisation."""
GOLDEN = HERE / "golden"
SCENARIOS = {"fixture": FIXTURE, "example": EXAMPLE}
__all__ = ["AS_OF", "EXAMPLE", "FIXTURE", "GOLDEN", "REPO", "SCENARIOS"]


def loaded(root: Path) -> tuple[PolicySet, ServiceGraph]:
    """The policy set under ``root`` and its graph (no problem reading it)."""
    result = load_policy([root])
    assert result.problems == 0
    return result.policy, ServiceGraph(result.policy)


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    """Compare text with a golden file of this folder's ``golden/`` (see tests/_golden.py)."""
    return lambda name, actual: assert_golden(GOLDEN / name, actual)


@pytest.fixture(scope="session")
def chromium() -> Callable[..., str]:
    """Run headless Chromium on a local file and return the DOM after its scripts ran."""
    binary = required("chromium", "headless rendering of the HTML output")

    def dump_dom(page: Path, *, wait_ms: int = 2000) -> str:
        command = [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--allow-file-access-from-files", f"--virtual-time-budget={wait_ms}", "--dump-dom", page.as_uri(),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    return dump_dom


@pytest.fixture(scope="session")
def graphviz_dot() -> str:
    """The Graphviz ``dot`` program."""
    return required("dot", "validating the DOT output")


@pytest.fixture(scope="session")
def mermaid_js() -> Path:
    """The Mermaid library (``mermaid.min.js`` of the npm package), to parse diagrams in Chromium.

    ``MERMAID_JS`` names the file; ``.ci/run`` installs the package and sets it.
    """
    named = os.environ.get("MERMAID_JS")
    if named and Path(named).is_file():
        return Path(named)
    if os.environ.get("CI"):
        pytest.fail("MERMAID_JS does not name mermaid.min.js; .ci/run installs the npm package `mermaid`")
    pytest.skip("set MERMAID_JS to mermaid.min.js of the npm package `mermaid` to parse the diagrams")

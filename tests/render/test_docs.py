"""The rendered docs of the example organisation are committed (docs/runbooks/, docs/sla.md) and current.

When this fails, regenerate them with the commands in the failure message and commit the result.
"""

from __future__ import annotations

import pytest
from tests.render.conftest import REPO

from relpolicy.cli import main

COMMANDS = (
    ["render", "runbooks", "policies", "--out", "docs/runbooks"],
    ["render", "sla", "policies", "--format", "md", "--out", "docs/sla.md"],
)


@pytest.mark.parametrize("command", COMMANDS, ids=["runbooks", "sla"])
def test_committed_docs_are_current(command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`relpolicy render ... --check` passes on the committed docs."""
    monkeypatch.chdir(REPO)
    assert main([*command, "--check"]) == 0, f"docs are stale: run `relpolicy {' '.join(command)}`"

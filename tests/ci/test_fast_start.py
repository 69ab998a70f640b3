"""Fast start: each command imports only the heavy libraries it uses (pre-commit runs relpolicy on every commit).

Import costs measured on the project's 2-core machines (CPU time): networkx ~0.2 s, pydantic
with the models ~0.25 s, jsonschema ~0.25 s; a bare interpreter ~15 ms.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tests.conftest import REPO

HEAVY = ("pydantic", "networkx", "jsonschema", "jinja2", "yaml", "holidays", "dateutil")

PROBE = """
import json, sys
from relpolicy.cli import main
code = main(sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))
sys.stdout.write("\\n" + json.dumps({"code": code, "heavy": heavy}) + "\\n")
"""


def heavy_imports(*argv: str) -> tuple[int, list[str]]:
    """Run the CLI in a fresh interpreter; its exit code and the heavy libraries it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.replace("HEAVY", repr(json.dumps(HEAVY))), *argv],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    result = json.loads(done.stdout.splitlines()[-1])
    return result["code"], result["heavy"]


@pytest.mark.parametrize(
    ("argv", "unused"),
    [
        (["--version"], HEAVY),
        (["rules"], ("networkx", "jsonschema", "jinja2")),
        (["explain", "RP201"], ("networkx", "jsonschema", "jinja2")),
        (
            ["check", "policies", "--as-of", "2026-11-26", "--format", "sarif", "--fail-on", "never"],
            ("networkx", "jsonschema", "jinja2"),
        ),
    ],
)
def test_commands_do_not_import_what_they_do_not_use(argv: list[str], unused: tuple[str, ...]) -> None:
    """--version loads no library; check validates with the models, not jsonschema, and walks the graph itself."""
    code, heavy = heavy_imports(*argv)
    assert (code, sorted(set(heavy) & set(unused))) == (0, [])

"""The editor setup the README recommends, run through the real YAML language server (npm `yaml-language-server`).

VS Code's YAML extension, Neovim, Helix and others use this server. Its validation and hover are
called the way an editor calls them, with the schemas that `.vscode/settings.json` maps, on the
example files and on probes. ``YAML_LANGUAGE_SERVER`` names the npm package's folder; ``.ci/run``
installs it. Without it these tests are skipped (under CI they fail).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import REPO

SCRIPT = Path(__file__).with_name("language_server.js")
BAD_SERVICE = """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: probe}
spec:
  description: A probe.
  tier: 9
"""
SERVICE = """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: web-api}
spec:
  description: The web API.
  tier: 2
  dependsOn:
    - service: orders-db
  recovery:
    rto: 4h
"""


@pytest.fixture(scope="module")
def language_server() -> Path:
    named = os.environ.get("YAML_LANGUAGE_SERVER")
    if named and (Path(named) / "package.json").is_file() and shutil.which("node"):
        return Path(named)
    if os.environ.get("CI"):
        pytest.fail("YAML_LANGUAGE_SERVER does not name the npm package yaml-language-server; .ci/run installs it")
    pytest.skip("set YAML_LANGUAGE_SERVER to the folder of the npm package yaml-language-server (and have node)")


def serve(server: Path, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the language server says about each document, as `.vscode/settings.json` configures it."""
    requests = json.dumps({"settings": ".vscode/settings.json", "documents": documents})
    done = subprocess.run(
        ["node", str(SCRIPT), str(REPO)],
        input=requests,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "YAML_LANGUAGE_SERVER": str(server)},
        timeout=120,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def test_every_example_file_is_valid_and_every_document_is_checked(language_server: Path) -> None:
    """The mapping covers policies/: each file is clean, and a bad document added after its last one is found."""
    files = sorted(p for p in (REPO / "policies").rglob("*") if p.suffix in {".yaml", ".yml"})
    assert len(files) > 40
    documents = []
    for file in files:
        path, text = file.relative_to(REPO).as_posix(), file.read_text(encoding="utf-8")
        documents += [{"path": path, "text": text}, {"path": path, "text": f"{text.rstrip()}\n---\n{BAD_SERVICE}"}]
    results = serve(language_server, documents)
    clean, probed = results[0::2], results[1::2]
    assert {r["path"]: r["diagnostics"] for r in clean if r["diagnostics"]} == {}
    for file, result in zip(files, probed, strict=True):
        tier_line = len(file.read_text(encoding="utf-8").rstrip().splitlines()) + 1 + 6
        assert [line for line, _, _ in result["diagnostics"]] == [tier_line], result["path"]


def test_a_modeline_reaches_only_the_first_document(language_server: Path) -> None:
    """Why the README maps folders instead: a `$schema` modeline leaves the second document unchecked."""
    modeline = "# yaml-language-server: $schema=../schemas/relpolicy-v1.json\n"
    second = {"path": "notes/probe.yaml", "text": f"{modeline}{SERVICE}---\n{BAD_SERVICE}"}
    first = {"path": "notes/probe.yaml", "text": f"{modeline}{BAD_SERVICE}---\n{SERVICE}"}
    unchecked, checked = serve(language_server, [second, first])
    assert unchecked["diagnostics"] == []
    assert [line for line, _, _ in checked["diagnostics"]] == [7]


def test_hover_shows_the_title_the_description_and_the_examples(language_server: Path) -> None:
    """Hovering a key in any document shows the schema's title, description and examples."""
    text = f"{BAD_SERVICE}---\n{SERVICE}"
    lines = text.splitlines()
    position = {
        key: (i + 1, line.index(key) + 2)
        for i, line in enumerate(lines)
        for key in ("dependsOn", "rto")
        if f"{key}:" in line
    }
    (result,) = serve(
        language_server,
        [{"path": "policies/probe.yaml", "text": text, "hovers": [position["dependsOn"], position["rto"]]}],
    )
    depends_on, rto = (re.sub(r"\n\nSource: .*", "", hover, flags=re.DOTALL) for hover in result["hovers"])
    assert depends_on == (
        "#### Depends on\n\n"
        "What the service needs to work: services, or groups of redundant alternatives (\\`anyOf\\`)."
    )
    assert rto.startswith("#### RTO\n\nRecovery time objective: longest acceptable time to restore.\n\nExample:")
    assert "\n4h\n" in rto

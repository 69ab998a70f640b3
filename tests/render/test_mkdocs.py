"""``render runbooks --mkdocs``: the mkdocs.yml beside the runbooks, golden, and built by MkDocs with TechDocs' plugin.

The build runs ``mkdocs build --strict`` with ``techdocs-core`` (the plugin Backstage TechDocs
builds with; in the ``test`` group) on the rendered runbooks: every nav entry and every link
between pages must resolve, and each Mermaid block must come out as ``<pre class="mermaid">``,
which Material for MkDocs and the TechDocs Mermaid addon draw.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.render.conftest import SCENARIOS, loaded

from relpolicy.cli import main
from relpolicy.render.mkdocs import mkdocs_config

Golden = Callable[[str, str], None]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_mkdocs_config_golden(scenario: str, golden: Golden) -> None:
    """The nav: the index first, then each tier's services by name, titled as their pages."""
    policy, _ = loaded(SCENARIOS[scenario])
    golden(f"{scenario}/mkdocs.yml", mkdocs_config(policy, "runbooks"))


def test_nav_order_by_hand() -> None:
    """The example's nav: README first, tier 1's services (by name) before tier 2's, and every page once."""
    policy, _ = loaded(SCENARIOS["example"])
    text = mkdocs_config(policy, "runbooks")
    pages = [line.rsplit(": ", 1)[1].strip('"') for line in text.splitlines() if line.startswith("      - ")]
    assert text.splitlines()[4] == '  - "Runbooks": "README.md"'
    assert pages[:3] == ["auth.md", "card-processor-backup.md", "card-processor-primary.md"]
    assert pages[-1] == "office-printers.md"
    assert sorted(pages) == sorted(f"{s.name}.md" for s in policy.services)


def test_cli_writes_mkdocs_beside_the_runbooks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--mkdocs writes DIR/../mkdocs.yml; --check finds it current, then stale after a change."""
    out = tmp_path / "docs" / "runbooks"
    command = ["render", "runbooks", (SCENARIOS["example"]).as_posix(), "--out", out.as_posix(), "--mkdocs"]
    assert main(command) == 0
    config = tmp_path / "docs" / "mkdocs.yml"
    policy, _ = loaded(SCENARIOS["example"])
    assert config.read_text(encoding="utf-8") == mkdocs_config(policy, "runbooks")
    assert main([*command, "--check"]) == 0
    config.write_text(config.read_text(encoding="utf-8").replace("Tier 4", "Tier four"), encoding="utf-8")
    capsys.readouterr()
    assert main([*command, "--check"]) == 1
    captured = capsys.readouterr()
    assert '-  - "Tier four":\n+  - "Tier 4":\n' in captured.out
    policies = SCENARIOS["example"].as_posix()
    assert captured.err == (
        "relpolicy: 1 generated file(s) out of date; "
        f"run `relpolicy render runbooks {policies} --mkdocs --out {out.as_posix()}`\n"
    )


def test_cli_never_overwrites_a_hand_written_mkdocs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An mkdocs.yml relpolicy did not write is left alone: one line, exit 2."""
    (tmp_path / "mkdocs.yml").write_text("site_name: Ours\n", encoding="utf-8")
    out = tmp_path / "runbooks"
    assert main(["render", "runbooks", SCENARIOS["fixture"].as_posix(), "--out", out.as_posix(), "--mkdocs"]) == 2
    captured = capsys.readouterr()
    assert captured.err.endswith(
        f"relpolicy: error: {tmp_path / 'mkdocs.yml'}: not written by relpolicy; move it away, "
        "or add the runbooks to its nav by hand\n"
    )
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: Ours\n"


def test_cli_out_dot_writes_into_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out . names the working directory: mkdocs.yml goes into its parent, docs_dir is its name."""
    folder = tmp_path / "pages"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert main(["render", "runbooks", SCENARIOS["fixture"].as_posix(), "--out", ".", "--mkdocs"]) == 0
    assert 'docs_dir: "pages"\n' in (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")
    assert capsys.readouterr().err.endswith("relpolicy: wrote 1 of 1 file(s)\n")


def test_cli_a_link_where_mkdocs_belongs_is_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A link named mkdocs.yml is reported as stale by --check; its target is never read or written."""
    target = tmp_path / "elsewhere.yml"
    target.write_text("site_name: Elsewhere\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").symlink_to(target)
    out = (tmp_path / "runbooks").as_posix()
    assert main(["render", "runbooks", SCENARIOS["fixture"].as_posix(), "--out", out]) == 0
    capsys.readouterr()
    assert main(["render", "runbooks", SCENARIOS["fixture"].as_posix(), "--out", out, "--mkdocs", "--check"]) == 1
    assert "the generated file belongs there" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "site_name: Elsewhere\n"


def test_mkdocs_builds_the_site_with_techdocs_core(tmp_path: Path) -> None:
    """MkDocs with techdocs-core builds the runbooks strictly, and the diagrams are Mermaid blocks."""
    if importlib.util.find_spec("techdocs_core") is None:
        if os.environ.get("CI"):
            pytest.fail("mkdocs-techdocs-core is not installed; it is in the `test` dependency group")
        pytest.skip("mkdocs-techdocs-core is not installed (the `test` dependency group has it)")
    out = tmp_path / "runbooks"
    assert main(["render", "runbooks", SCENARIOS["example"].as_posix(), "--out", out.as_posix(), "--mkdocs"]) == 0
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp_path / "mkdocs.yml"), "-d", str(site)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<pre class="mermaid"><code>flowchart LR' in index
    checkout = (site / "checkout" / "index.html").read_text(encoding="utf-8")
    assert checkout.count('<pre class="mermaid">') == 1
    assert "```mermaid" not in checkout

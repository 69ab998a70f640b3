"""``relpolicy fmt``: writing, --check, --diff, files that do not parse, and what the file keeps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from relpolicy.cli import main
from relpolicy.editing.editor import SourceFile, apply_replacements, atomic_write
from relpolicy.fixes import Replacement

MESSY = "kind: Team   # a team\napiVersion: relpolicy.dev/v1\nmetadata:\n    name: payments\n"
FORMATTED = "apiVersion: relpolicy.dev/v1\nkind: Team  # a team\nmetadata:\n  name: payments\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A policies/ folder with one messy file, one formatted file and one that does not parse."""
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "policies"
    root.mkdir()
    (root / "messy.yaml").write_text(MESSY)
    (root / "clean.yaml").write_text(FORMATTED)
    (root / "broken.yaml").write_text("a: {b\nc: d\n")
    return root


def test_fmt_writes_the_layout_and_reports_the_broken_file(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Formattable files are written; a broken one is reported like `check` does and left as it is."""
    assert main(["fmt"]) == 1
    out, err = capsys.readouterr()
    assert (tree / "messy.yaml").read_text() == FORMATTED
    assert (tree / "broken.yaml").read_text() == "a: {b\nc: d\n"
    assert out == ""
    assert err == (
        "policies/broken.yaml:2:2  RP101  error  YAML syntax error: while parsing a flow mapping; "
        "did not find expected ',' or '}'\n"
        "relpolicy: reformatted 1 file(s), 1 already formatted, 1 could not be formatted\n"
    )


def test_fmt_check_lists_files_and_changes_nothing(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--check exits 1 and names the file that would change."""
    (tree / "broken.yaml").unlink()
    assert main(["fmt", "--check"]) == 1
    out, err = capsys.readouterr()
    assert out == "would reformat policies/messy.yaml\n"
    assert err == "relpolicy: would reformat 1 file(s), 1 already formatted\n"
    assert (tree / "messy.yaml").read_text() == MESSY
    assert main(["fmt"]) == 0
    assert main(["fmt", "--check"]) == 0


def test_fmt_diff_prints_a_unified_diff(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--diff shows what would change, and changes nothing."""
    assert main(["fmt", "--diff", "policies/messy.yaml"]) == 1
    out, _ = capsys.readouterr()
    assert out == (
        "--- policies/messy.yaml\n+++ policies/messy.yaml (formatted)\n@@ -1,4 +1,4 @@\n"
        "-kind: Team   # a team\n apiVersion: relpolicy.dev/v1\n+kind: Team  # a team\n"
        " metadata:\n-    name: payments\n+  name: payments\n"
    )
    assert (tree / "messy.yaml").read_text() == MESSY


def test_crlf_bom_and_permissions_are_kept(tree: Path) -> None:
    """A CRLF file with a BOM is written back with both, and with its permission bits."""
    path = tree / "messy.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MESSY.replace("\n", "\r\n").encode())
    path.chmod(0o640)
    assert main(["fmt", str(path)]) == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + FORMATTED.replace("\n", "\r\n").encode()
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tree.iterdir()) == ["broken.yaml", "clean.yaml", "messy.yaml"]


def test_source_file_round_trips_bytes(tmp_path: Path) -> None:
    """Reading and encoding without an edit gives the same bytes."""
    data = b"\xef\xbb\xbfa: 1\r\nb: 2\r\n"
    source = SourceFile.decode(tmp_path / "x.yaml", data)
    assert (source.text, source.newline, source.bom) == ("a: 1\nb: 2\n", "\r\n", True)
    assert source.encode() == data


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    """The temporary file is renamed over the target."""
    target = tmp_path / "f.yaml"
    target.write_text("old")
    atomic_write(target, b"new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.yaml"]


def test_apply_replacements_in_regions() -> None:
    """Regions are 1-based, end-exclusive; several apply at once."""
    text = "spec:\n  ownr: payments\n  tier: 1\n"
    edits = [Replacement(2, 3, 2, 7, "owner"), Replacement(3, 9, 3, 10, "2")]
    assert apply_replacements(text, edits) == "spec:\n  owner: payments\n  tier: 2\n"


def test_fmt_is_not_imported_by_check() -> None:
    """`relpolicy check` never loads the editing modules."""
    code = (
        "import sys; from relpolicy.cli import main; import relpolicy.engine, relpolicy.cli.check; "
        "print(sorted(m for m in sys.modules if m.startswith(('relpolicy.editing', 'ruamel'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"


def test_a_linked_policy_file_is_not_written_through(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """fmt writes through relpolicy.fileio: a link is refused with one line, and its target is unchanged."""
    target = tree.parent / "outside.yaml"
    target.write_text(MESSY)
    (tree / "broken.yaml").unlink()
    (tree / "link.yaml").symlink_to(target)
    assert main(["fmt", "policies/link.yaml"]) == 1
    assert target.read_text() == MESSY
    assert capsys.readouterr().err.startswith("policies/link.yaml: cannot format: ")

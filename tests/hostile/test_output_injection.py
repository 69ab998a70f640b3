"""Output injection: hostile file names and values reach no report raw, and every report stays valid.

The tree holds files named with terminal escape sequences (OSC title, screen clear, BEL), with
tab, line feed, C0/C1 controls and U+2028, and with bytes that are not UTF-8; their values and
keys carry ESC, OSC hyperlinks, BEL, NEL, C1 CSI, U+2028/U+2029 and a right-to-left override. A
valid sibling file must still be reported. Each format is checked for its own validity (its
schema, or the workflow-command grammar) and for the absence of any raw control character.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import xmlschema
from tests.report.conftest import DATA
from tests.report.test_report_formats import report_validator, sarif_validator

from relpolicy.cli import main

HOSTILE_NAMES = (
    "evil\x1b]0;owned\x07\x1b[2J.yaml",
    "tab\tline\nfeed\x01\x7f\x85\u2028.yaml",
)
UNDECODABLE_NAME = b"caf\xe9-\xff.yaml"
UNDECODABLE_BROKEN = b"bad\xff.yaml"
"""A file that is not a policy: its findings' subjects (and so fingerprints) hold its name."""
HOSTILE_DOC = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata:
  name: "ops\\e]0;owned\\a\\e[2J\\LX\\N\\x9b31m\\u202e"
spec:
  members: [{name: Ann, email: ann@example.com}]
  coverage: "cal\\e]8;;http://evil.example\\e\\\\link\\e]8;;\\e\\\\\\P"
  "bad\\ekey\\u2029": 1
"""
RAW_CONTROLS = "apiVersion: relpolicy.dev/v1\nkind: Team\t# \x1b[31mred\x07\u2028\nmetadata: {name: raw}\n"
SIBLING = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata:
  name: good
spec:
  members: [{name: Ann, email: ann@example.com}]
  coverage: nowhere
"""
SIBLING_FINDING = "no Calendar `nowhere`"

RAW: re.Pattern[str] = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Any control character but the line feed that ends lines, separators, bidi controls, lone surrogates."""
ARGS = ["check", "policies", "--as-of", "2026-11-26", "--no-cache", "--color", "always"]


@pytest.fixture
def hostile_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A policy tree of hostile names and values beside a valid file, as the working directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    policies = tmp_path / "policies"
    policies.mkdir()
    for name in HOSTILE_NAMES:
        (policies / name).write_text(HOSTILE_DOC, encoding="utf-8")
    (policies / "raw-controls.yaml").write_text(RAW_CONTROLS, encoding="utf-8")
    (policies / "good.yaml").write_text(SIBLING, encoding="utf-8")
    try:
        (policies / os.fsdecode(UNDECODABLE_NAME)).write_text(HOSTILE_DOC, encoding="utf-8")
        (policies / os.fsdecode(UNDECODABLE_BROKEN)).write_text("apiVer", encoding="utf-8")
    except OSError:  # pragma: no cover - a file system that only takes UTF-8 names (APFS)
        pytest.skip("this file system refuses file names that are not UTF-8")
    return tmp_path


def run(fmt: str, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """The report in ``fmt``: exit 1 (there are errors), nothing on stderr, no raw control character."""
    code = main([*ARGS, "--format", fmt, *extra])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    assert_clean(out)
    return out


def assert_clean(text: str) -> None:
    """No raw control character, and text that UTF-8 can carry."""
    assert RAW.findall(text) == []
    text.encode("utf-8")


def test_text(hostile_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Names, messages and code frames show escapes; the only ESC sequences are relpolicy's own colours."""
    out = run("text", capsys, "--color", "never")
    assert "policies/evil\\x1b]0;owned\\x07\\x1b[2J.yaml (3 findings)" in out.splitlines()
    assert "policies/tab\\tline\\nfeed\\x01\\x7f\\x85\\u2028.yaml (3 findings)" in out.splitlines()
    assert "policies/caf\\xe9-\\xff.yaml (3 findings)" in out.splitlines()
    assert "unknown field `bad\\x1bkey\\u2029` in spec" in out
    assert "`ops\\x1b]0;owned\\x07\\x1b[2J\\u2028X\\x85\\x9b31m\\u202e` is not a valid name" in out
    assert "kind: Team\\t# \\x1b[31mred\\x07" in out
    assert SIBLING_FINDING in out


def test_text_in_colour_has_only_its_own_escape_sequences(
    hostile_tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With colour, every ESC starts one of relpolicy's SGR sequences; none comes from the input."""
    code = main(ARGS)
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    uncoloured = re.sub("\x1b\\[[0-9;]*m", "", out)
    assert_clean(uncoloured)
    assert set(re.findall("\x1b\\[[0-9;]*m", out)) <= {
        "\x1b[0m",
        "\x1b[1m",
        "\x1b[2m",
        "\x1b[31m",
        "\x1b[33m",
        "\x1b[36m",
    }


def test_json(hostile_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Valid against the report schema; the data keeps the exact characters, escaped by JSON itself."""
    data = json.loads(run("json", capsys))
    report_validator().validate(data)
    paths = {f["location"]["path"] for f in data["findings"]}
    assert {f"policies/{name}" for name in HOSTILE_NAMES} <= paths
    assert "policies/caf\\xe9-\\xff.yaml" in paths
    assert "unknown field `bad\x1bkey\u2029` in spec; allowed: coverage, description, escalationPolicy, members" in {
        f["message"] for f in data["findings"]
    }
    assert SIBLING_FINDING in "\n".join(f["message"] for f in data["findings"])


def test_sarif(hostile_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Valid against the SARIF 2.1.0 schema; URIs percent-encode every byte of the name, undecodable ones too."""
    log = json.loads(run("sarif", capsys))
    sarif_validator().validate(log)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert "policies/evil%1B%5D0;owned%07%1B%5B2J.yaml" in uris
    assert "policies/tab%09line%0Afeed%01%7F%C2%85%E2%80%A8.yaml" in uris
    assert "policies/caf%E9-%FF.yaml" in uris
    assert all(re.fullmatch(r"[A-Za-z0-9\-._~%!$&'()*+,;=@/]+", uri) for uri in uris)


def test_junit(hostile_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Valid XML 1.0 and valid against junit-10.xsd, whatever the names and values hold."""
    out = run("junit", capsys)
    xmlschema.XMLSchema(DATA / "junit-10.xsd").validate(out)
    assert 'name="policies/evil\\x1b]0;owned\\x07\\x1b[2J.yaml"' in out
    assert 'name="policies/caf\\xe9-\\xff.yaml"' in out


def test_github(
    hostile_tree: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One workflow command per finding, nothing that could start another; the step summary table stays a table."""
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = run("github", capsys)
    *commands, last = out.splitlines()
    assert last.startswith("12 errors, ")
    assert len(commands) == 12
    command = re.compile(
        r"::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[^,:]+::.+"
    )
    assert all(command.fullmatch(line) for line in commands), commands
    assert "file=policies/evil\\x1b]0;owned\\x07\\x1b[2J.yaml," in out
    assert "file=policies/caf\\xe9-\\xff.yaml," in out
    table = summary.read_text(encoding="utf-8")
    assert_clean(table)
    rows = [line for line in table.splitlines() if line.startswith("| error |")]
    assert len(rows) == 12
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 5 for row in rows), rows
    assert "\\`ops\\\\x1b\\]0;owned" in table  # backtick, backslash and bracket are Markdown-escaped


def test_output_file_with_a_name_that_is_not_utf8(hostile_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--output`` to a path with undecodable bytes writes the report there, for every format."""
    for fmt in ("text", "json", "sarif", "github", "junit"):
        target = Path(os.fsdecode(b"report-\xff." + fmt.encode()))
        assert main([*ARGS, "--format", fmt, "--output", str(target)]) == 1
        out, err = capsys.readouterr()
        assert (out.startswith("12 errors, "), err) == (True, "")
        assert_clean(target.read_text(encoding="utf-8"))

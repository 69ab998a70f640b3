"""The text report: escaped names and frames, carets that stay under the span, and bounded output."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from relpolicy.cli import main
from relpolicy.cli._emit import render
from relpolicy.engine import Report, check
from relpolicy.findings import Finding, Location, Severity
from relpolicy.report import text

AS_OF = dt.date(2026, 11, 26)


def finding(line: int = 1, col: int = 1, end_col: int = 2, path: str = "a.yaml", message: str = "bad") -> Finding:
    return Finding("RP103", "schema-violation", Severity.ERROR, message, Location(path, line, col, line, end_col), "s")


def report(*findings: Finding, source: str) -> Report:
    paths = {f.location.path for f in findings}
    return Report(findings, dict.fromkeys(paths, source), files=1, documents=1, resources=0, as_of=AS_OF)


def test_code_frame_escapes_controls_and_keeps_the_carets_under_the_span() -> None:
    """A tab and an ESC before the span are shown as ``\\t`` and ``\\x1b``; the carets move with them."""
    lines = text.source_lines("key:\t\x1b[2Jvalue\n")
    assert text.code_frame(lines, finding(col=10, end_col=15), context=0) == [
        "  > 1 | key:\\t\\x1b[2Jvalue",
        "      | " + " " * 13 + "^^^^^",
    ]


def test_code_frame_of_a_control_character_spans_its_escape() -> None:
    """A span over one BEL is underlined over the four characters of ``\\x07``."""
    lines = text.source_lines("a: b\x07c\n")
    assert text.code_frame(lines, finding(col=5, end_col=6), context=0) == ["  > 1 | a: b\\x07c", "      |     ^^^^"]


def test_lines_are_counted_as_the_loader_counts_them() -> None:
    """NEL and the Unicode separators end lines, as in the loader; a form feed does not."""
    assert text.source_lines("a\x85b\u2028c\r\nd\x0ce\n") == ["a", "b", "c", "d\x0ce"]


def test_a_long_line_is_shown_in_a_window_around_the_span() -> None:
    """A megabyte-long line is cut to MAX_FRAME_WIDTH characters around the finding, with ellipses."""
    line = "k: " + "x" * 500_000 + "BAD" + "y" * 500_000
    col = 500_004
    frame = text.code_frame(text.source_lines(line), finding(col=col, end_col=col + 3), context=0)
    shown, carets = frame
    assert len(shown) < text.MAX_FRAME_WIDTH + 20
    assert shown.startswith("  > 1 | …xxx")
    assert shown.endswith("yyy…")
    assert shown.index("BAD") == carets.index("^^^")
    assert carets.endswith("^^^")


def test_findings_beyond_the_per_file_limit_are_counted_not_shown() -> None:
    """A file shows MAX_FINDINGS_PER_FILE findings, then one line with how many more; the summary counts all."""
    count = text.MAX_FINDINGS_PER_FILE + 12_345
    findings = [finding(line=n + 1) for n in range(count)]
    out = text.render(report(*findings, source="x\n" * count))
    assert out.count("  RP103  error  bad") == text.MAX_FINDINGS_PER_FILE
    assert f"a.yaml ({count} findings)" in out.splitlines()
    assert "... and 12,345 more findings in this file (see --format json)" in out.splitlines()
    assert out.endswith(f"{count} errors, 0 warnings, 0 info in 1 file, 0 resources (as of 2026-11-26).\n")


def test_the_limit_is_per_file() -> None:
    """Another file's findings are shown in full again."""
    many = [finding(line=n + 1) for n in range(text.MAX_FINDINGS_PER_FILE + 1)]
    out = text.render(report(*many, finding(path="b.yaml"), source="x\n" * 200))
    assert "... and 1 more finding in this file (see --format json)" in out.splitlines()
    assert "b.yaml:1:1  RP103  error  bad" in out.splitlines()


def test_forty_thousand_findings_in_one_file_are_reported_in_linear_time() -> None:
    """The quadratic case: 40,000 findings over a 240 KB file took 35 s; lines are now split once per file."""
    source = "--- a\n" * 40_000
    findings = [finding(line=n + 1, end_col=6, message=f"document {n + 1} is not a mapping") for n in range(40_000)]
    started = time.perf_counter()
    out = text.render(report(*findings, source=source))
    assert time.perf_counter() - started < 5
    assert "... and 39,900 more findings in this file (see --format json)" in out


def test_forty_thousand_findings_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``'--- a\\n' * 40000`` is checked and reported in text within 5 s (it took 35 s)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "a.yaml").write_text("--- a\n" * 40_000, encoding="utf-8")
    started = time.perf_counter()
    code = main(["check", "policies", "--as-of", "2026-11-26", "--no-cache"])
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    assert elapsed < 5
    assert len(out.splitlines()) < 10 * text.MAX_FINDINGS_PER_FILE


@pytest.fixture(scope="module")
def forty_thousand(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The check of one file of 40,000 documents that are not mappings: 40,000 findings."""
    root = tmp_path_factory.mktemp("quadratic")
    (root / "a.yaml").write_text("--- a\n" * 40_000, encoding="utf-8")
    return check([root], as_of=AS_OF, base=root)


@pytest.mark.parametrize("fmt", ["json", "sarif", "github", "junit"])
def test_forty_thousand_findings_in_every_machine_format(forty_thousand: Report, fmt: str) -> None:
    """Each format writes all 40,000 findings within 10 s: none grows faster than the findings.

    They list every finding (about 800 bytes each in indented SARIF), hence the larger bound.
    """
    assert len(forty_thousand.findings) == 40_000
    started = time.perf_counter()
    out = render(forty_thousand, fmt, color=False, fail_on=Severity.ERROR)
    assert time.perf_counter() - started < 10
    assert len(out) < 1_000 * 40_000

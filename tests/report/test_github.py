"""GitHub workflow commands: escaping, levels, related locations, and the step summary table."""

from __future__ import annotations

import datetime as dt

import pytest

from relpolicy.engine import Report
from relpolicy.findings import Finding, Location, Related, Severity
from relpolicy.report import github


def finding(severity: Severity = Severity.ERROR, message: str = "bad", path: str = "policies/a.yaml") -> Finding:
    return Finding("RP201", "unknown-reference", severity, message, Location(path, 2, 3, 2, 8), "Team/a:spec")


def report(*findings: Finding) -> Report:
    return Report(findings=findings, sources={}, files=1, documents=1, resources=1, as_of=dt.date(2026, 11, 26))


@pytest.mark.parametrize(
    ("severity", "command"), [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "notice")]
)
def test_levels(severity: Severity, command: str) -> None:
    """Errors, warnings and info become ::error, ::warning and ::notice."""
    assert github.annotation(finding(severity)) == (
        f"::{command} file=policies/a.yaml,line=2,col=3,endLine=2,endColumn=8,title=RP201 unknown-reference::bad"
    )


def test_message_escapes_percent_and_line_breaks_but_not_colons() -> None:
    """The message is command data: %, CR and LF are encoded; commas and colons stay."""
    assert github.escape_data("100% sure:\r\nreally, yes") == "100%25 sure:%0D%0Areally, yes"
    line = github.annotation(finding(message="100% sure, really: yes"))
    assert line.endswith("::100%25 sure, really: yes")


def test_line_breaks_and_controls_in_a_message_are_shown_escaped() -> None:
    """A CR, LF or ESC from a policy file shows as ``\\r``, ``\\n``, ``\\x1b``; only related locations start lines."""
    line = github.annotation(finding(message="a\r\n::error::fake\x1b[2J"))
    assert line.endswith("::a\\r\\n::error::fake\\x1b[2J")


def test_properties_escape_commas_and_colons() -> None:
    """A path holding ``,`` or ``:`` cannot end the property early."""
    line = github.annotation(finding(path="policies/a,b:c%.yaml"))
    assert line.startswith("::error file=policies/a%2Cb%3Ac%25.yaml,line=2,")


def test_related_locations_are_extra_lines() -> None:
    """Related locations follow the message, one per encoded line."""
    related = Related(Location("policies/b.yaml", 1, 1, 1, 2), "first defined here")
    base = finding()
    with_related = Finding(
        *(getattr(base, f) for f in ("rule_id", "rule_name", "severity", "message")),
        base.location,
        base.subject,
        (related,),
    )
    assert github.annotation(with_related).endswith("::bad%0Apolicies/b.yaml:1:1: first defined here")


def test_render_ends_with_the_summary_line() -> None:
    """The log shows the annotations, then the same summary line as the text report."""
    assert github.render(report(finding())).splitlines()[-1] == (
        "1 error, 0 warnings, 0 info in 1 file, 1 resource (as of 2026-11-26)."
    )


def test_step_summary_table_escapes_cells() -> None:
    """Every finding is a table row; pipes and line breaks in messages cannot break the table."""
    text = github.step_summary(report(finding(message="a | b\nc")))
    assert text == (
        "## relpolicy\n\n"
        "1 error, 0 warnings, 0 info in 1 file, 1 resource (as of 2026-11-26).\n\n"
        "| severity | rule | location | message |\n"
        "|---|---|---|---|\n"
        "| error | RP201 unknown-reference | policies/a.yaml:2:3 | a \\| b\\\\nc |\n"
    )


def test_step_summary_is_capped() -> None:
    """A huge report keeps the table within GitHub's size limit and says how many rows were left out."""
    text = github.step_summary(report(*[finding()] * (github.SUMMARY_ROWS + 5)))
    assert text.count("| error |") == github.SUMMARY_ROWS
    assert text.endswith("… and 5 more; see the job log.\n")


def test_clean_step_summary_has_no_table() -> None:
    """No findings: the heading and the summary line only."""
    assert github.step_summary(report()) == ("## relpolicy\n\nNo findings in 1 file, 1 resource (as of 2026-11-26).\n")

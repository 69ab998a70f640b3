"""The human report, grouped by file: ``file:line:col  RPxxx  severity  message``, a code frame,
related notes, and a summary line with counts by severity.

Each finding keeps its full ``file:line:col`` (terminals and editors make it a link) under a
header that names the file and how many findings it has.

Everything taken from the policy files (names, messages, source lines) goes through
:func:`~relpolicy.report.escape.visible`, so no control character reaches the terminal. The
report stays linear in the number of findings: each file's lines are split once, at most
:data:`MAX_FINDINGS_PER_FILE` findings of a file are shown (the rest are counted), and a code
frame shows at most :data:`MAX_FRAME_WIDTH` characters of a line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Final

from relpolicy.engine import Report
from relpolicy.findings import Finding, Severity
from relpolicy.report.escape import visible

MAX_FINDINGS_PER_FILE: Final = 100
"""Findings shown per file; the others are summed up in one line that points to ``--format json``.

A broken or hostile file can have tens of thousands of findings, which nobody reads in a
terminal; the summary line and the machine formats still count and list every one."""
MAX_FRAME_WIDTH: Final = 160
"""Characters of a source line a code frame shows, in a window around the finding's column."""

_COLORS: Final = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
_BOLD, _DIM = "1", "2"
_LINE_BREAK: Final = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""The line breaks the loader counts lines by (YAML's, as ruamel reads them)."""
_ELLIPSIS: Final = "…"


def _paint(text: str, code: str, *, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def source_lines(source: str | None) -> list[str] | None:
    """A file's lines, split where the loader counts line breaks (once per file, for its code frames)."""
    if source is None:
        return None
    lines = _LINE_BREAK.split(source)
    if not lines[-1]:
        lines.pop()  # a final line break ends the last line; it does not start another
    return lines


def _window(line: str, col: int, end: int) -> tuple[str, int, int]:
    """The part of a long line around columns ``col``..``end`` (1-based), with the columns in it."""
    if len(line) <= MAX_FRAME_WIDTH:
        return line, col, end
    start = max(0, min(col - 1 - MAX_FRAME_WIDTH // 4, len(line) - MAX_FRAME_WIDTH))
    stop = start + MAX_FRAME_WIDTH
    shown = line[start:stop]
    shift = start
    if start > 0:
        shown = _ELLIPSIS + shown
        shift -= 1
    if stop < len(line):
        shown += _ELLIPSIS
    return shown, col - shift, min(end - shift, len(shown) + 1)


def code_frame(lines: Sequence[str] | None, finding: Finding, *, color: bool = False, context: int = 1) -> list[str]:
    """The lines around a finding with a caret line under its span (``lines`` from :func:`source_lines`)."""
    if lines is None:
        return []
    loc = finding.location
    if not 1 <= loc.line <= len(lines):
        return []
    first, last = max(1, loc.line - context), min(len(lines), loc.line + context)
    width = len(str(last))
    frame = []
    for number in range(first, last + 1):
        line_text = lines[number - 1]
        end = loc.end_col if loc.end_line == loc.line else len(line_text) + 1
        shown, col, end = _window(line_text, loc.col, end)
        marker = ">" if number == loc.line else " "
        gutter = _paint(f"{marker} {number:>{width}} |", _DIM, color=color)
        frame.append(f"  {gutter} {visible(shown)}".rstrip())
        if number == loc.line:
            # Escaping widens characters (a tab is shown as ``\t``): count the carets on the shown text.
            col = min(max(col, 1), len(shown) + 1)
            indent = len(visible(shown[: col - 1]))
            length = max(1, len(visible(shown[col - 1 : max(end, col) - 1])))
            carets = _paint("^" * length, _COLORS[finding.severity], color=color)
            frame.append(f"  {' ' * (width + 3)}{_paint('|', _DIM, color=color)} {' ' * indent}{carets}")
    return frame


def summary(report: Report) -> str:
    """One line: counts by severity, files checked, and the as-of date."""
    counts = ", ".join(
        _plural(report.count(s), s.label) if s is not Severity.INFO else f"{report.count(s)} info"
        for s in sorted(Severity, reverse=True)
    )
    checked = f"{_plural(report.files, 'file')}, {_plural(report.resources, 'resource')}"
    hidden = [
        f"{count} {what}"
        for count, what in ((report.suppressed, "suppressed"), (report.baselined, "in the baseline"))
        if count
    ]
    extra = f"; {', '.join(hidden)}" if hidden else ""
    if not report.findings:
        return f"No findings in {checked} (as of {report.as_of.isoformat()}){extra}."
    return f"{counts} in {checked} (as of {report.as_of.isoformat()}){extra}."


def _more(count: int) -> str:
    return f"... and {count:,} more finding{'' if count == 1 else 's'} in this file (see --format json)"


def render(report: Report, *, color: bool = False) -> str:
    """The whole text report."""
    out: list[str] = []
    per_file = Counter(f.location.path for f in report.findings)
    current: str | None = None
    lines: list[str] | None = None
    shown = 0
    for finding in report.findings:
        path = finding.location.path
        if path != current:
            current, shown = path, 0
            lines = source_lines(report.sources.get(path))
            header = f"{visible(path)} ({_plural(per_file[path], 'finding')})"
            out.extend([_paint(header, _BOLD, color=color), ""])
        shown += 1
        if shown > MAX_FINDINGS_PER_FILE:
            if shown == MAX_FINDINGS_PER_FILE + 1:
                out.extend([_more(per_file[path] - MAX_FINDINGS_PER_FILE), ""])
            continue
        severity = _paint(finding.severity.label, _COLORS[finding.severity], color=color)
        where = _paint(visible(str(finding.location)), _BOLD, color=color)
        out.append(f"{where}  {finding.rule_id}  {severity}  {visible(finding.message)}")
        out.extend(code_frame(lines, finding, color=color))
        out.extend(
            f"  {_paint('note:', _DIM, color=color)} {visible(str(r.location))}: {visible(r.message)}"
            for r in finding.related
        )
        out.append("")
    out.append(summary(report))
    return "\n".join(out) + "\n"

"""A consumer of the public API, type-checked by mypy --strict (``nox -s typecheck``) and run by tests/test_api.py.

It imports only what ``relpolicy`` exports, the way a user's script would, so that a name
dropped from ``__all__``, a missing ``py.typed`` or a changed signature fails the type check.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import relpolicy
from relpolicy import (
    BlastRadius,
    Deadlines,
    Finding,
    LoadedPolicy,
    Report,
    Severity,
    check,
    deadline,
    format_github,
    format_json,
    format_junit,
    format_sarif,
    format_text,
    impact,
    load_policy,
    load_settings,
    render_graph,
    render_runbooks,
    render_sla,
)

AS_OF = dt.date(2026, 11, 26)


def errors(root: str) -> list[Finding]:
    """The error findings of a tree named by a plain string."""
    report: Report = check(root, as_of=AS_OF, settings=load_settings(root))
    return [finding for finding in report.findings if finding.severity is Severity.ERROR]


def every_report(roots: list[str | Path]) -> dict[str, str]:
    """Each report format of one check of several roots."""
    report = check(roots, as_of=AS_OF)
    return {
        "text": format_text(report, color=False),
        "json": format_json(report),
        "sarif": format_sarif(report, category="policies", root=Path.cwd()),
        "github": format_github(report),
        "junit": format_junit(report, fail_on=Severity.WARNING),
    }


def documents(root: str) -> tuple[dict[str, str], str, str]:
    """Runbooks, the SLA table and the graph of a tree."""
    loaded: LoadedPolicy = load_policy(root)
    pages = render_runbooks(loaded.policy, as_of=AS_OF)
    sla = render_sla(loaded.policy, format="csv", table="priorities")
    graph = render_graph(loaded.policy, format="dot", service=None)
    return pages, sla, graph


def outage(root: str, service: str) -> list[str]:
    """The services down with ``service``."""
    radius: BlastRadius = impact(load_policy(root).policy, service)
    return [affected.name for affected in radius.down]


def due(root: str, opened: dt.datetime) -> dt.datetime:
    """When a P1 opened at ``opened`` must be restored (its response time when restore is scheduled)."""
    result: Deadlines = deadline(load_policy(root).policy, priority="P1", opened=opened)
    return (result.restore or result.response).at


VERSION: str = relpolicy.__version__

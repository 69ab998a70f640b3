"""``relpolicy export prometheus``: the SLOs' burn-rate rules for Prometheus (docs/alerting.md).

Output goes to standard output, to ``--out FILE`` (a name ending in ``.yaml`` or ``.yml``), or to
``--out DIR`` with one file per service. ``--check`` writes nothing and exits 1 with a diff when
the files on disk are stale. An SLO that cannot be exported is one ``file:line:col`` line on
standard error and makes the exit code 1; the others are still written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

from relpolicy.cli import EXIT_FINDINGS, export_ics, export_openslo
from relpolicy.cli._args import iso_date
from relpolicy.cli._generated import write_generated
from relpolicy.cli.render import add_source_options, load

if TYPE_CHECKING:
    from relpolicy.findings import Note

CHECKED_YEARS: Final = 28
"""Years over which `export alertmanager` compares each recurrence with its time intervals (as the exporter)."""


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare ``export prometheus``."""
    targets = parser.add_subparsers(dest="target", metavar="TARGET", required=True)
    prometheus = targets.add_parser(
        "prometheus",
        help="recording and multi-window burn-rate alert rules for every SLO measured in Prometheus",
        description="Write Sloth-compatible SLO rules: one rule group per SLO.",
    )
    add_source_options(prometheus)
    prometheus.add_argument(
        "--format",
        choices=("rules", "prometheusrule"),
        default="rules",
        help="a Prometheus rules file, or Kubernetes PrometheusRule resources, one per service (default: rules)",
    )
    prometheus.add_argument(
        "--out",
        type=Path,
        metavar="DIR|FILE",
        help="a .yaml/.yml FILE, or a DIR with one file per service (default: standard output)",
    )
    prometheus.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 with a diff when the files are stale"
    )
    alertmanager = targets.add_parser(
        "alertmanager",
        help="time intervals for the maintenance windows, and routes that mute each service's pages in them",
        description="Write an Alertmanager configuration that mutes burn-rate pages during maintenance.",
    )
    add_source_options(alertmanager)
    alertmanager.add_argument("--freezes", action="store_true", help="mute pages during change freezes too")
    alertmanager.add_argument(
        "--receiver", default="default", metavar="NAME", help="the root route's receiver (default: default)"
    )
    alertmanager.add_argument(
        "--as-of",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help=f"check each recurrence exact for {CHECKED_YEARS} years from this day (default: today, UTC)",
    )
    alertmanager.add_argument("--out", type=Path, metavar="FILE", help="write to FILE (default: standard output)")
    alertmanager.add_argument("--check", action="store_true", help="write nothing; exit 1 with a diff when stale")
    export_openslo.add_parser(targets)  # OpenSLO v1 documents (cli/export_openslo.py)
    export_ics.add_parser(targets)  # an iCalendar of windows and freezes (cli/export_ics.py)


def run(args: argparse.Namespace) -> int:
    """Export the chosen target."""
    if args.target == "openslo":
        return export_openslo.run(args)
    if args.target == "ics":
        return export_ics.run(args)
    if args.target == "alertmanager":
        return _alertmanager(args)
    from relpolicy.export import prometheus as exporter  # noqa: PLC0415 - PyYAML only when exporting

    policy, _, settings = load(args.paths, args.config)
    exported = exporter.export_prometheus(policy, runbook_base_url=settings.runbook_base_url)
    _report(exported.notes)
    _report(exported.refusals)
    if exported.unmeasured:
        print(
            f"relpolicy: {len(exported.groups)} SLO(s) exported; {len(exported.unmeasured)} have no "
            "`indicator.prometheus` measurement and no rules",
            file=sys.stderr,
        )
    if args.format == "rules":
        whole = exporter.rules_file(exported.groups)
        per_service = {
            f"{service}.yaml": exporter.rules_file(groups)
            for service, groups in exporter.by_service(exported.groups).items()
        }
    else:
        whole = exporter.prometheus_rules_file(exported.groups)
        per_service = {
            f"{service}.yaml": exporter.prometheus_rules_file(groups)
            for service, groups in exporter.by_service(exported.groups).items()
        }
    code = write_generated(args, whole, per_service, _options(args))
    return EXIT_FINDINGS if exported.refusals else code


def _alertmanager(args: argparse.Namespace) -> int:
    import datetime as dt  # noqa: PLC0415

    from relpolicy.export import alertmanager as exporter  # noqa: PLC0415 - PyYAML only when exporting

    policy, _, settings = load(args.paths, args.config)
    as_of = args.as_of or settings.as_of or dt.datetime.now(dt.UTC).date()
    exported = exporter.export_alertmanager(policy, as_of=as_of, freezes=args.freezes)
    _report(exported.refusals)
    code = write_generated(args, exporter.config_file(exported, receiver=args.receiver), {}, _options(args))
    return EXIT_FINDINGS if exported.refusals else code


def _options(args: argparse.Namespace) -> list[str]:
    """The options of ``export prometheus|alertmanager`` that change what is written."""
    return [
        *(["--format", args.format] if getattr(args, "format", "rules") != "rules" else []),
        *(["--freezes"] if getattr(args, "freezes", False) else []),
    ]


def _report(items: tuple[Note, ...]) -> None:
    for item in items:
        print(item.line(), file=sys.stderr)

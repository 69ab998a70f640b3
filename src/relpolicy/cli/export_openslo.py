"""``relpolicy export openslo``: the measured SLOs and their services as OpenSLO v1 documents.

Output goes to standard output, to ``--out FILE`` (a name ending in ``.yaml`` or ``.yml``), or to
``--out DIR`` with one file per service; ``--check`` writes nothing and exits 1 with a diff when
the files are stale. What OpenSLO cannot carry is one ``file:line:col: note:`` line on standard
error. ``export`` (:mod:`relpolicy.cli.export`) declares it as one of its targets.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from relpolicy.cli._generated import write_generated
from relpolicy.cli.render import add_source_options, load


def add_parser(targets: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``export openslo`` among the targets of ``export``."""
    openslo = targets.add_parser(
        "openslo",
        help="OpenSLO v1 Service and SLO documents for every SLO measured in Prometheus",
        description="Write OpenSLO v1 documents (apiVersion: openslo/v1): a Service and its SLOs, SLIs inline.",
    )
    add_source_options(openslo)
    openslo.add_argument(
        "--out",
        type=Path,
        metavar="DIR|FILE",
        help="a .yaml/.yml FILE, or a DIR with one file per service (default: standard output)",
    )
    openslo.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 with a diff when the files are stale"
    )


def run(args: argparse.Namespace) -> int:
    """Export the OpenSLO documents."""
    from relpolicy.export import openslo as exporter  # noqa: PLC0415 - PyYAML only when exporting

    policy, _, _ = load(args.paths, args.config)
    exported = exporter.export_openslo(policy)
    for note in exported.notes:
        print(note.line(), file=sys.stderr)
    exported_count = sum(doc["kind"] == "SLO" for documents in exported.documents.values() for doc in documents)
    if exported.unmeasured:
        print(
            f"relpolicy: {exported_count} SLO(s) exported; {len(exported.unmeasured)} have no "
            "`indicator.prometheus` measurement, which an OpenSLO SLI needs, and are left out",
            file=sys.stderr,
        )
    return write_generated(args, exporter.documents_file(exported), exporter.files_by_service(exported))

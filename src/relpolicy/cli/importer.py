"""``relpolicy import openslo|sloth FILES... --out DIR``: other tools' SLO documents as policy files.

(The module is ``importer``: ``import`` is a Python keyword.) Each input file is read as
``relpolicy check`` reads policy files, with the position of every node, so that each field that
does not map is one ``file:line:col: note:`` line on standard error saying why, and each document
that cannot be imported is an ``error:`` line. The policy files (``<service>.yaml``) are written in
``relpolicy fmt``'s canonical layout, checked by relpolicy's models first, atomically. An existing
file is not replaced unless ``--force`` is given.

Exit codes: 0 when every document was imported (notes may remain), 1 when some were not (or an
input file did not parse), 2 for usage errors and unreadable files.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Final, NamedTuple

from relpolicy.cli import EXIT_CLEAN, EXIT_FINDINGS
from relpolicy.errors import RelpolicyError


class _Format(NamedTuple):
    """A format ``import`` reads: its reader (``module:function``), help text and the name written in the files."""

    reader: str
    help: str
    name: str


_FORMATS: Final = {
    "openslo": _Format(
        "relpolicy.importers.openslo:import_openslo",
        "OpenSLO v1 documents (apiVersion: openslo/v1): Service, SLO, SLI",
        "OpenSLO",
    ),
    "sloth": _Format(
        "relpolicy.importers.sloth:import_sloth",
        "Sloth specs: prometheus/v1 service specs and Kubernetes PrometheusServiceLevel resources",
        "Sloth",
    ),
}


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare ``import openslo``, ``import sloth`` and ``import backstage``."""
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for name, known in _FORMATS.items():
        sub = formats.add_parser(name, help=known.help, description=f"Write policy files from {known.help}.")
        sub.add_argument("files", nargs="+", type=Path, metavar="FILE", help="the files to read")
        sub.add_argument("--out", type=Path, metavar="DIR", required=True, help="folder to write <service>.yaml into")
        sub.add_argument(
            "--tier",
            type=int,
            choices=(1, 2, 3, 4),
            help="write a Service for each service too, at this tier (the source format has no tier)",
        )
        sub.add_argument("--force", action="store_true", help="replace policy files that already exist")
    from relpolicy.cli import import_backstage  # noqa: PLC0415 - its own options; light (argparse only)

    backstage = formats.add_parser(
        "backstage",
        help="a Backstage catalog: Components and Resources as Services, Groups (with Users) as Teams",
        description="Write services/<name>.yaml and teams/<name>.yaml from Backstage catalog files; "
        "re-running updates only the fields the catalog owns.",
    )
    import_backstage.configure(backstage)


def run(args: argparse.Namespace) -> int:
    """Read the files, write the policy files, report what did not map."""
    if args.format == "backstage":
        from relpolicy.cli import import_backstage  # noqa: PLC0415

        return import_backstage.run(args)
    from relpolicy.fileio import read_input  # noqa: PLC0415 - heavy imports only when importing
    from relpolicy.findings import Note  # noqa: PLC0415
    from relpolicy.importers._shared import Imported, policy_text  # noqa: PLC0415
    from relpolicy.source.loader import display_path  # noqa: PLC0415
    from relpolicy.source.parse import ParsedDocument, parse_yaml  # noqa: PLC0415

    documents: list[ParsedDocument] = []
    broken = 0
    for path in args.files:
        shown = display_path(path)
        data = read_input(path, "file", within=Path(path).parent)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            msg = f"{shown}: byte {error.start} is not UTF-8"
            raise RelpolicyError(msg) from None
        parsed = parse_yaml(text, shown)
        for problem in parsed.problems:
            print(Note(problem.location, problem.message, "error").line(), file=sys.stderr)
            broken += 1
        documents.extend(parsed.documents)
    chosen = _FORMATS[args.format]
    module, function = chosen.reader.split(":")
    imported: Imported = getattr(importlib.import_module(module), function)(documents, tier=args.tier)
    header = f"Imported from {chosen.name} by `relpolicy import {args.format}`."
    for note in sorted(imported.notes, key=lambda n: (n.location.path, n.location.line, n.location.col)):
        print(note.line(), file=sys.stderr)
    texts = {name: policy_text(docs, header) for name, docs in imported.files.items()}
    _write(args.out, texts, force=args.force)
    print(
        f"relpolicy: imported {imported.documents} document(s) into {len(texts)} file(s) in {display_path(args.out)}; "
        f"{sum(n.severity == 'note' for n in imported.notes)} note(s), {imported.errors + broken} not imported",
        file=sys.stderr,
    )
    return EXIT_FINDINGS if imported.errors or broken else EXIT_CLEAN


def _write(out: Path, texts: dict[str, str], *, force: bool) -> None:
    from relpolicy.fileio import output_folder  # noqa: PLC0415

    with output_folder(out, create=True) as folder:
        existing = [name for name in texts if folder.read(name) is not None]
        if existing and not force:
            names = ", ".join(str(folder.file(name)) for name in existing)
            msg = f"{names}: already exist(s); pass --force to replace"
            raise RelpolicyError(msg)
        for name, text in texts.items():
            folder.write(name, text.encode("utf-8"))
